// Seedforge's BERT encoder kernels: WebAssembly SIMD (standard 128-bit SIMD only, so every browser
// with wasm SIMD runs it and every CPU gives the same numbers). Built by
// `npm run build:encoder-wasm` (clang --target=wasm32, no libc) into encoder.wasm, which is
// committed; bertEncoder.ts drives the forward pass and owns the memory layout.
//
// The matrix products run on 16-bit integers: the model's int8 weights minus their zero point
// (exactly, -255..255) times activations quantised per row to 16-bit integers with |q| <= qmax
// (chosen by the caller so a K-long sum of products cannot overflow int32). i32x4.dot_i16x8_s does
// eight multiply-adds per instruction where f32x4 does four, and per-row 12-bit activations keep
// the result within ~1e-4 of the float product (the weights' own int8 rounding is the model's).
#include <stdint.h>
#include <wasm_simd128.h>

typedef float f32;
typedef int16_t i16;
typedef int32_t i32;

#define EXPORT(name) __attribute__((export_name(name)))

extern unsigned char __heap_base;
static uintptr_t heap_top;

// No libc: the compiler may call these for plain loops.
void *memset(void *d, int c, __SIZE_TYPE__ n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memcpy(void *d, const void *s, __SIZE_TYPE__ n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}

static inline uintptr_t align16(uintptr_t p) { return (p + 15) & ~(uintptr_t)15; }

// A bump allocator: weights are allocated once, each batch's scratch after mark() and freed with
// reset(mark). Returns 0 when the memory cannot grow.
EXPORT("alloc") void *sf_alloc(uint32_t bytes) {
  if (!heap_top) heap_top = align16((uintptr_t)&__heap_base);
  uintptr_t p = heap_top, end = align16(p + bytes);
  if (end < p) return 0; // wrapped past 4 GiB
  uintptr_t have = (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    uintptr_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (__SIZE_TYPE__)-1) return 0;
  }
  heap_top = end;
  return (void *)p;
}
EXPORT("mark") uint32_t sf_mark(void) {
  if (!heap_top) heap_top = align16((uintptr_t)&__heap_base);
  return (uint32_t)heap_top;
}
EXPORT("reset") void sf_reset(uint32_t mark) { heap_top = mark; }

// Rows of x (m x k floats) to 16-bit integers: q = round(x / s), s = max|x| / qmax per row.
EXPORT("quantize_rows") void quantize_rows(const f32 *x, i32 m, i32 k, i32 qmax, i16 *q, f32 *scale) {
  for (i32 r = 0; r < m; r++) {
    const f32 *xr = x + (uintptr_t)r * k;
    i16 *qr = q + (uintptr_t)r * k;
    v128_t mx = wasm_f32x4_splat(0.f);
    // pmax is one instruction (max's NaN and -0 rules cost several); activations are finite.
    for (i32 j = 0; j < k; j += 4) mx = wasm_f32x4_pmax(mx, wasm_f32x4_abs(wasm_v128_load(xr + j)));
    f32 amax = wasm_f32x4_extract_lane(mx, 0);
    for (int l = 1; l < 4; l++) {
      f32 v = l == 1 ? wasm_f32x4_extract_lane(mx, 1) : l == 2 ? wasm_f32x4_extract_lane(mx, 2) : wasm_f32x4_extract_lane(mx, 3);
      if (v > amax) amax = v;
    }
    f32 s = amax > 0.f ? amax / (f32)qmax : 1.f;
    scale[r] = s;
    v128_t inv = wasm_f32x4_splat(amax > 0.f ? (f32)qmax / amax : 0.f);
    // Round to nearest even through the float adder: bits(y + 1.5 * 2^23) - bits(1.5 * 2^23) is
    // round(y) for |y| < 2^22 (here |y| <= qmax), cheaper than nearest + trunc_sat.
    const v128_t magic = wasm_f32x4_splat(12582912.f);
    for (i32 j = 0; j < k; j += 8) {
      v128_t a = wasm_i32x4_sub(wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(xr + j), inv), magic), magic);
      v128_t b = wasm_i32x4_sub(wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(xr + j + 4), inv), magic), magic);
      wasm_v128_store(qr + j, wasm_i16x8_narrow_i32x4(a, b));
    }
  }
}

// C[m x n] = (A . W) * ascale[row] * wscale[col] + bias[col] (+ res[m x n]), rows of C ldc apart.
// A: m x k int16, row-major. W: packed by pack_weights: blocks of 8 columns, each k/2 pairs of
// rows x 8 columns x 2 (the pair (W[2p][c], W[2p+1][c]) adjacent), so a block is one contiguous
// stream and i32x4.dot_i16x8_s against a splatted pair of A gives four columns' partial sums.
// k even, n a multiple of 8.
#ifndef GEMM_ROWS
#define GEMM_ROWS 4
#endif
EXPORT("gemm") void gemm(const i16 *A, const f32 *ascale, i32 m, i32 k, const i16 *W, const f32 *wscale, const f32 *bias, i32 n, f32 *C, i32 ldc, const f32 *res) {
  const i32 pairs = k >> 1;
  for (i32 c0 = 0; c0 < n; c0 += 8) {
    const i16 *wb = W + (uintptr_t)c0 * k;
    const v128_t ws0 = wasm_v128_load(wscale + c0), ws1 = wasm_v128_load(wscale + c0 + 4);
    const v128_t b0 = wasm_v128_load(bias + c0), b1 = wasm_v128_load(bias + c0 + 4);
    for (i32 r0 = 0; r0 < m; r0 += GEMM_ROWS) {
      const i32 rows = m - r0 < GEMM_ROWS ? m - r0 : GEMM_ROWS;
      // Rows past m are read (A has GEMM_ROWS - 1 rows of room after the last) but not stored.
      const i32 *a = (const i32 *)(A + (uintptr_t)r0 * k);
      v128_t acc0[GEMM_ROWS], acc1[GEMM_ROWS];
      for (i32 r = 0; r < GEMM_ROWS; r++) acc0[r] = acc1[r] = wasm_i32x4_splat(0);
      const i16 *w = wb;
// Not unrolled: clang's unrolling reorders the tile into more loads and spills (measured 20 %
// slower in V8).
#pragma clang loop unroll(disable)
      for (i32 p = 0; p < pairs; p++, w += 16) {
        const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 8);
#pragma clang loop unroll(full)
        for (i32 r = 0; r < GEMM_ROWS; r++) {
          const v128_t x = wasm_i32x4_splat(a[p + r * pairs]);
          acc0[r] = wasm_i32x4_add(acc0[r], wasm_i32x4_dot_i16x8(x, w0));
          acc1[r] = wasm_i32x4_add(acc1[r], wasm_i32x4_dot_i16x8(x, w1));
        }
      }
      for (i32 r = 0; r < rows; r++) {
        const v128_t as = wasm_f32x4_splat(ascale[r0 + r]);
        f32 *cr = C + (uintptr_t)(r0 + r) * ldc + c0;
        v128_t o0 = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc0[r]), wasm_f32x4_mul(as, ws0)), b0);
        v128_t o1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc1[r]), wasm_f32x4_mul(as, ws1)), b1);
        if (res) {
          const f32 *rr = res + (uintptr_t)(r0 + r) * ldc + c0;
          o0 = wasm_f32x4_add(o0, wasm_v128_load(rr));
          o1 = wasm_f32x4_add(o1, wasm_v128_load(rr + 4));
        }
        wasm_v128_store(cr, o0);
        wasm_v128_store(cr + 4, o1);
      }
    }
  }
}

// In place over rows of `dim` floats: (x - mean) / sqrt(var + eps) * gamma + beta. dim % 4 == 0.
EXPORT("layer_norm") void layer_norm(f32 *x, i32 rows, i32 dim, const f32 *gamma, const f32 *beta, f32 eps) {
  for (i32 r = 0; r < rows; r++) {
    f32 *xr = x + (uintptr_t)r * dim;
    v128_t s = wasm_f32x4_splat(0.f);
    for (i32 j = 0; j < dim; j += 4) s = wasm_f32x4_add(s, wasm_v128_load(xr + j));
    f32 mean = (wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3)) / (f32)dim;
    v128_t mv = wasm_f32x4_splat(mean), q = wasm_f32x4_splat(0.f);
    for (i32 j = 0; j < dim; j += 4) {
      v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + j), mv);
      q = wasm_f32x4_add(q, wasm_f32x4_mul(d, d));
    }
    f32 var = (wasm_f32x4_extract_lane(q, 0) + wasm_f32x4_extract_lane(q, 1) + wasm_f32x4_extract_lane(q, 2) + wasm_f32x4_extract_lane(q, 3)) / (f32)dim;
    v128_t inv = wasm_f32x4_splat(1.f / __builtin_sqrtf(var + eps));
    for (i32 j = 0; j < dim; j += 4) {
      v128_t d = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + j), mv), inv);
      wasm_v128_store(xr + j, wasm_f32x4_add(wasm_f32x4_mul(d, wasm_v128_load(gamma + j)), wasm_v128_load(beta + j)));
    }
  }
}

// e^x for four lanes (x clamped to [-87.3, 88.3]): 2^n * p(r), r = x - n ln 2, |r| <= ln2/2,
// p the degree-6 Taylor polynomial (relative error < 2e-7).
static inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(-87.3f)), wasm_f32x4_splat(88.3f));
  // n = round(x / ln 2) through the float adder (see quantize_rows); the low bits of nb are n + 127.
  const v128_t magic = wasm_f32x4_splat(12582912.f + 127.f);
  const v128_t nb = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), magic);
  const v128_t n = wasm_f32x4_sub(nb, magic);
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.f / 720.f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.f / 120.f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.f / 24.f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.f / 6.f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.f));
  v128_t e = wasm_i32x4_shl(nb, 23);
  return wasm_f32x4_mul(p, e);
}

// GELU (erf form, as BERT): x/2 (1 + erf(x / sqrt 2)), in place, count % 4 == 0. erf by the
// rational approximation Eigen uses for float (odd degree-13 over even degree-8 polynomial on
// [-4, 4], absolute error < 1e-7; erf(4) = 1 - 1.5e-8): no exp, one division.
EXPORT("gelu") void gelu(f32 *x, i32 count) {
  const v128_t half = wasm_f32x4_splat(0.5f), one = wasm_f32x4_splat(1.f), rs2 = wasm_f32x4_splat(0.70710678118654752f);
  const v128_t lo = wasm_f32x4_splat(-4.f), hi = wasm_f32x4_splat(4.f);
  for (i32 i = 0; i < count; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t z = wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_mul(v, rs2), lo), hi);
    const v128_t z2 = wasm_f32x4_mul(z, z);
    v128_t p = wasm_f32x4_splat(-2.72614225801306e-10f);
    p = wasm_f32x4_add(wasm_f32x4_mul(p, z2), wasm_f32x4_splat(2.77068142495902e-08f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, z2), wasm_f32x4_splat(-2.10102402082508e-06f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, z2), wasm_f32x4_splat(-5.69250639462346e-05f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, z2), wasm_f32x4_splat(-7.34990630326855e-04f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, z2), wasm_f32x4_splat(-2.95459980854025e-03f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, z2), wasm_f32x4_splat(-1.60960333262415e-02f));
    p = wasm_f32x4_mul(p, z);
    v128_t q = wasm_f32x4_splat(-1.45660718464996e-05f);
    q = wasm_f32x4_add(wasm_f32x4_mul(q, z2), wasm_f32x4_splat(-2.13374055278905e-04f));
    q = wasm_f32x4_add(wasm_f32x4_mul(q, z2), wasm_f32x4_splat(-1.68282697438203e-03f));
    q = wasm_f32x4_add(wasm_f32x4_mul(q, z2), wasm_f32x4_splat(-7.37332916720468e-03f));
    q = wasm_f32x4_add(wasm_f32x4_mul(q, z2), wasm_f32x4_splat(-1.42647390514189e-02f));
    const v128_t erf = wasm_f32x4_div(p, q);
    wasm_v128_store(x + i, wasm_f32x4_mul(wasm_f32x4_mul(v, half), wasm_f32x4_add(one, erf)));
  }
}

// The four lane sums of a, b, c, d as one vector.
static inline v128_t hsum4(v128_t a, v128_t b, v128_t c, v128_t d) {
  const v128_t ab = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  const v128_t cd = wasm_f32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

// Self-attention of unpadded sequences. qkv: tokens x (3 * hidden) (queries, keys, values), rows
// ld apart; starts[s]..starts[s+1] are the tokens of sequence s. ctx: tokens x hidden. head_dim %
// 4 == 0. scratch: room for max sequence length + 4 floats. Scores come four keys at a time; the
// weighted sum of values keeps 32 dimensions in registers while it runs over the keys.
EXPORT("attention") void attention(const f32 *qkv, i32 ld, const i32 *starts, i32 nseq, i32 heads, i32 head_dim, f32 scale, f32 *ctx, i32 ldc, f32 *scratch) {
  const i32 hidden = heads * head_dim;
  const v128_t scv = wasm_f32x4_splat(scale);
  for (i32 s = 0; s < nseq; s++) {
    const i32 t0 = starts[s], len = starts[s + 1] - t0;
    for (i32 h = 0; h < heads; h++) {
      const i32 qo = h * head_dim, ko = hidden + h * head_dim, vo = 2 * hidden + h * head_dim;
      for (i32 i = 0; i < len; i++) {
        const f32 *q = qkv + (uintptr_t)(t0 + i) * ld + qo;
        i32 j = 0;
        for (; j + 4 <= len; j += 4) {
          const f32 *k0 = qkv + (uintptr_t)(t0 + j) * ld + ko;
          const f32 *k1 = k0 + ld, *k2 = k1 + ld, *k3 = k2 + ld;
          v128_t a0 = wasm_f32x4_splat(0.f), a1 = a0, a2 = a0, a3 = a0;
          for (i32 d = 0; d < head_dim; d += 4) {
            const v128_t qv = wasm_v128_load(q + d);
            a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(qv, wasm_v128_load(k0 + d)));
            a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(qv, wasm_v128_load(k1 + d)));
            a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(qv, wasm_v128_load(k2 + d)));
            a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(qv, wasm_v128_load(k3 + d)));
          }
          wasm_v128_store(scratch + j, wasm_f32x4_mul(hsum4(a0, a1, a2, a3), scv));
        }
        for (; j < len; j++) {
          const f32 *kk = qkv + (uintptr_t)(t0 + j) * ld + ko;
          v128_t acc = wasm_f32x4_splat(0.f);
          for (i32 d = 0; d < head_dim; d += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(q + d), wasm_v128_load(kk + d)));
          scratch[j] = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3)) * scale;
        }
        f32 mx = scratch[0];
        for (j = 1; j < len; j++) if (scratch[j] > mx) mx = scratch[j];
        // Softmax over the row.
        v128_t sum4 = wasm_f32x4_splat(0.f);
        const v128_t mxv = wasm_f32x4_splat(mx);
        for (j = 0; j + 4 <= len; j += 4) {
          const v128_t e = exp4(wasm_f32x4_sub(wasm_v128_load(scratch + j), mxv));
          wasm_v128_store(scratch + j, e);
          sum4 = wasm_f32x4_add(sum4, e);
        }
        f32 sum = wasm_f32x4_extract_lane(sum4, 0) + wasm_f32x4_extract_lane(sum4, 1) + wasm_f32x4_extract_lane(sum4, 2) + wasm_f32x4_extract_lane(sum4, 3);
        for (; j < len; j++) {
          scratch[j] = wasm_f32x4_extract_lane(exp4(wasm_f32x4_splat(scratch[j] - mx)), 0);
          sum += scratch[j];
        }
        const v128_t inv = wasm_f32x4_splat(1.f / sum);
        f32 *out = ctx + (uintptr_t)(t0 + i) * ldc + h * head_dim;
        const f32 *v0 = qkv + (uintptr_t)t0 * ld + vo;
        i32 d = 0;
        for (; d + 32 <= head_dim; d += 32) {
          v128_t c0 = wasm_f32x4_splat(0.f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
          const f32 *vr = v0 + d;
          for (i32 jj = 0; jj < len; jj++, vr += ld) {
            const v128_t p = wasm_f32x4_splat(scratch[jj]);
            c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(p, wasm_v128_load(vr)));
            c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(p, wasm_v128_load(vr + 4)));
            c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(p, wasm_v128_load(vr + 8)));
            c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(p, wasm_v128_load(vr + 12)));
            c4 = wasm_f32x4_add(c4, wasm_f32x4_mul(p, wasm_v128_load(vr + 16)));
            c5 = wasm_f32x4_add(c5, wasm_f32x4_mul(p, wasm_v128_load(vr + 20)));
            c6 = wasm_f32x4_add(c6, wasm_f32x4_mul(p, wasm_v128_load(vr + 24)));
            c7 = wasm_f32x4_add(c7, wasm_f32x4_mul(p, wasm_v128_load(vr + 28)));
          }
          wasm_v128_store(out + d, wasm_f32x4_mul(c0, inv));
          wasm_v128_store(out + d + 4, wasm_f32x4_mul(c1, inv));
          wasm_v128_store(out + d + 8, wasm_f32x4_mul(c2, inv));
          wasm_v128_store(out + d + 12, wasm_f32x4_mul(c3, inv));
          wasm_v128_store(out + d + 16, wasm_f32x4_mul(c4, inv));
          wasm_v128_store(out + d + 20, wasm_f32x4_mul(c5, inv));
          wasm_v128_store(out + d + 24, wasm_f32x4_mul(c6, inv));
          wasm_v128_store(out + d + 28, wasm_f32x4_mul(c7, inv));
        }
        for (; d < head_dim; d += 4) {
          v128_t acc = wasm_f32x4_splat(0.f);
          for (i32 jj = 0; jj < len; jj++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(scratch[jj]), wasm_v128_load(v0 + (uintptr_t)jj * ld + d)));
          wasm_v128_store(out + d, wasm_f32x4_mul(acc, inv));
        }
      }
    }
  }
}

// Token embeddings: word row (int8 with a scale and zero point per row) + position row + token
// type 0 row, for ids[t] at position pos[t]; out: tokens x dim.
EXPORT("embed_tokens") void embed_tokens(const i32 *ids, const i32 *pos, i32 tokens, i32 dim, const int8_t *wq, const f32 *wscale, const int8_t *wzp, const f32 *pos_emb, const f32 *type_emb, f32 *out) {
  for (i32 t = 0; t < tokens; t++) {
    const i32 id = ids[t];
    const int8_t *q = wq + (uintptr_t)id * dim;
    const f32 s = wscale[id];
    const f32 zp = (f32)wzp[id];
    const f32 *pe = pos_emb + (uintptr_t)pos[t] * dim;
    f32 *o = out + (uintptr_t)t * dim;
    for (i32 j = 0; j < dim; j++) o[j] = ((f32)q[j] - zp) * s + pe[j] + type_emb[j];
  }
}

// One vector per sequence: the mean of its token rows (mode 0) or its first token (mode 1), then
// scaled to unit length. out: nseq x dim.
EXPORT("pool") void pool(const f32 *h, const i32 *starts, i32 nseq, i32 dim, i32 mode, f32 *out) {
  for (i32 s = 0; s < nseq; s++) {
    const i32 t0 = starts[s], len = starts[s + 1] - t0;
    f32 *o = out + (uintptr_t)s * dim;
    for (i32 j = 0; j < dim; j++) o[j] = 0.f;
    const i32 used = mode == 1 ? 1 : len;
    for (i32 t = 0; t < used; t++) {
      const f32 *r = h + (uintptr_t)(t0 + t) * dim;
      for (i32 j = 0; j < dim; j++) o[j] += r[j];
    }
    f32 norm = 0.f;
    for (i32 j = 0; j < dim; j++) {
      o[j] /= (f32)used;
      norm += o[j] * o[j];
    }
    const f32 inv = norm > 0.f ? 1.f / __builtin_sqrtf(norm) : 0.f;
    for (i32 j = 0; j < dim; j++) o[j] *= inv;
  }
}
