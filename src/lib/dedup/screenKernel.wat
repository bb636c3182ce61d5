;; Seedforge semantic-dedup screen kernel (WebAssembly SIMD128, no relaxed SIMD: Node 20's
;; flagged relaxed dot returns wrong sums, and Safari lacks it; this runs the same everywhere).
;; Regenerate the .wasm files with `npm run build:dedup-wasm` (scripts/build-dedup-wasm.mjs);
;; tests/unit/dedupWasm.test.ts fails when the committed .wasm no longer matches this file.
;;
;; Rows are quantised to int8 with a per-row scale (q = round(x * s_i), |q| <= 127) and padded with
;; zeros to a multiple of 16 bytes. v128.load8x8_s loads 8 of them sign-extended to i16 (one
;; pmovsxbw) and i32x4.dot_i16x8_s (pmaddwd) multiplies and adds pairs into i32: 8 multiply-adds
;; per instruction, exact (|sum| <= 2 * 127^2 per pair, d * 127^2 < 2^31).
;;
;; screen() compares every A row with every B column (only col > row + diag, to keep to the upper
;; triangle), 2 rows x 4 columns at a time (8 accumulators and 3 operands fit the 16 SIMD
;; registers), column blocks of colBlock outermost so that a block of B stays in cache while the A
;; rows pass over it. A pair is a candidate when float32(q_a . q_b) >= t_a * s_b (the caller's
;; per-row bound, pre-scaled); candidates are written as (row, col) i32 pairs to out while they fit
;; in outCap; the return value is the total count (a caller whose buffer was too small reruns).
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func $screen (export "screen")
    (param $aPtr i32) (param $aN i32) (param $bPtr i32) (param $bN i32) (param $stride i32)
    (param $diag i32) (param $tPtr i32) (param $sPtr i32)
    (param $outPtr i32) (param $outCap i32) (param $colBlock i32)
    (result i32)
    (local $cb i32) (local $cbEnd i32) (local $ia i32) (local $jb i32) (local $k i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $count i32) (local $m i32) (local $lane i32) (local $row i32) (local $col i32) (local $o i32)
    (local $acc00 v128) (local $acc01 v128) (local $acc02 v128) (local $acc03 v128) (local $acc10 v128) (local $acc11 v128) (local $acc12 v128) (local $acc13 v128)
    (local $a0 v128) (local $a1 v128) (local $b v128) (local $p v128) (local $q v128)
    (local $v0 v128) (local $v1 v128) (local $thr0 v128) (local $thr1 v128) (local $sc v128)
    (block $cbDone (loop $cbLoop
      (br_if $cbDone (i32.ge_s (local.get $cb) (local.get $bN)))
      (local.set $cbEnd (i32.add (local.get $cb) (local.get $colBlock)))
      (if (i32.gt_s (local.get $cbEnd) (local.get $bN)) (then (local.set $cbEnd (local.get $bN))))
      (local.set $ia (i32.const 0))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $ia) (local.get $aN)))
        ;; the first column quad that can hold col > ia + diag
        (local.set $jb (i32.and (i32.add (i32.add (local.get $ia) (local.get $diag)) (i32.const 1)) (i32.const -4)))
        (if (i32.lt_s (local.get $jb) (local.get $cb)) (then (local.set $jb (local.get $cb))))
        (local.set $pa0 (i32.add (local.get $aPtr) (i32.mul (local.get $ia) (local.get $stride))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $stride)))
        (local.set $thr0 (f32x4.splat (f32.load (i32.add (local.get $tPtr) (i32.shl (local.get $ia) (i32.const 2))))))
        (local.set $thr1 (f32x4.splat (f32.load offset=4 (i32.add (local.get $tPtr) (i32.shl (local.get $ia) (i32.const 2))))))
        (block $colsDone (loop $cols
          (br_if $colsDone (i32.ge_s (local.get $jb) (local.get $cbEnd)))
          (local.set $pb0 (i32.add (local.get $bPtr) (i32.mul (local.get $jb) (local.get $stride))))
          (local.set $pb1 (i32.add (local.get $pb0) (local.get $stride)))
          (local.set $pb2 (i32.add (local.get $pb1) (local.get $stride)))
          (local.set $pb3 (i32.add (local.get $pb2) (local.get $stride)))
          (local.set $acc00 (v128.const i64x2 0 0))
          (local.set $acc01 (v128.const i64x2 0 0))
          (local.set $acc02 (v128.const i64x2 0 0))
          (local.set $acc03 (v128.const i64x2 0 0))
          (local.set $acc10 (v128.const i64x2 0 0))
          (local.set $acc11 (v128.const i64x2 0 0))
          (local.set $acc12 (v128.const i64x2 0 0))
          (local.set $acc13 (v128.const i64x2 0 0))
          (local.set $k (i32.const 0))
          (loop $kl
            (local.set $a0 (v128.load8x8_s (i32.add (local.get $pa0) (local.get $k))))
            (local.set $a1 (v128.load8x8_s (i32.add (local.get $pa1) (local.get $k))))
            (local.set $b (v128.load8x8_s (i32.add (local.get $pb0) (local.get $k))))
            (local.set $acc00 (i32x4.add (local.get $acc00) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b))))
            (local.set $acc10 (i32x4.add (local.get $acc10) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b))))
            (local.set $b (v128.load8x8_s (i32.add (local.get $pb1) (local.get $k))))
            (local.set $acc01 (i32x4.add (local.get $acc01) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b))))
            (local.set $acc11 (i32x4.add (local.get $acc11) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b))))
            (local.set $b (v128.load8x8_s (i32.add (local.get $pb2) (local.get $k))))
            (local.set $acc02 (i32x4.add (local.get $acc02) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b))))
            (local.set $acc12 (i32x4.add (local.get $acc12) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b))))
            (local.set $b (v128.load8x8_s (i32.add (local.get $pb3) (local.get $k))))
            (local.set $acc03 (i32x4.add (local.get $acc03) (i32x4.dot_i16x8_s (local.get $a0) (local.get $b))))
            (local.set $acc13 (i32x4.add (local.get $acc13) (i32x4.dot_i16x8_s (local.get $a1) (local.get $b))))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br_if $kl (i32.lt_s (local.get $k) (local.get $stride))))
          (local.set $p (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $acc00) (local.get $acc01)) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $acc00) (local.get $acc01))))
          (local.set $q (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $acc02) (local.get $acc03)) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $acc02) (local.get $acc03))))
          (local.set $v0 (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $p) (local.get $q)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $p) (local.get $q))))
          (local.set $p (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $acc10) (local.get $acc11)) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $acc10) (local.get $acc11))))
          (local.set $q (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $acc12) (local.get $acc13)) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $acc12) (local.get $acc13))))
          (local.set $v1 (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $p) (local.get $q)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $p) (local.get $q))))
          (local.set $sc (v128.load (i32.add (local.get $sPtr) (i32.shl (local.get $jb) (i32.const 2)))))
          (local.set $m (i32.or
            (i32x4.bitmask (f32x4.ge (f32x4.convert_i32x4_s (local.get $v0)) (f32x4.mul (local.get $thr0) (local.get $sc))))
            (i32.shl (i32x4.bitmask (f32x4.ge (f32x4.convert_i32x4_s (local.get $v1)) (f32x4.mul (local.get $thr1) (local.get $sc)))) (i32.const 4))))
          (if (local.get $m) (then
            (local.set $lane (i32.const 0))
            (loop $lanes
              (if (i32.and (local.get $m) (i32.shl (i32.const 1) (local.get $lane))) (then
                (local.set $row (i32.add (local.get $ia) (i32.shr_u (local.get $lane) (i32.const 2))))
                (local.set $col (i32.add (local.get $jb) (i32.and (local.get $lane) (i32.const 3))))
                (if (i32.and
                      (i32.and (i32.lt_s (local.get $row) (local.get $aN)) (i32.lt_s (local.get $col) (local.get $cbEnd)))
                      (i32.gt_s (local.get $col) (i32.add (local.get $row) (local.get $diag))))
                  (then
                    (if (i32.lt_s (local.get $count) (local.get $outCap)) (then
                      (local.set $o (i32.add (local.get $outPtr) (i32.shl (local.get $count) (i32.const 3))))
                      (i32.store (local.get $o) (local.get $row))
                      (i32.store offset=4 (local.get $o) (local.get $col))))
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
              (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
              (br_if $lanes (i32.lt_s (local.get $lane) (i32.const 8))))))
          (local.set $jb (i32.add (local.get $jb) (i32.const 4)))
          (br $cols)))
        (local.set $ia (i32.add (local.get $ia) (i32.const 2)))
        (br $rows)))
      (local.set $cb (i32.add (local.get $cb) (local.get $colBlock)))
      (br $cbLoop)))
    (local.get $count)))
