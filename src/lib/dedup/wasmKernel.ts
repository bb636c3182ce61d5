import { DedupError } from './errors';
import { CandidateList, verifyCandidates } from './pairs';
import { DEFAULT_THRESHOLD, screenLowerBound, thresholdF32 } from './threshold';
import type { DedupProgress, PairList, SemanticOptions, Vectors } from './types';
import { checkVectors, type VectorStats } from './vectors';

/** The exported screen function of screenKernel.wat (see there for the contract). */
export type ScreenFn = (
  aPtr: number, aN: number, bPtr: number, bN: number, stride: number, diag: number,
  tPtr: number, sPtr: number, outPtr: number, outCap: number, colBlock: number,
) => number;

/** Where everything lives in the kernel's memory. Plain numbers: it is posted to the threads. */
export interface ScreenLayout {
  n: number;
  /** Rows allocated: n rounded up to 4, plus 4, so the 2×4 micro-kernel may read past the end. */
  nPad: number;
  /** Bytes per quantised row: d rounded up to 16. */
  stride: number;
  /** Int32 counters at byte 0: [next row block, rows done]. */
  qBase: number;
  tBase: number;
  sBase: number;
  outBase: number;
  /** Pairs each thread's output region holds. */
  outCap: number;
  threads: number;
  bytes: number;
  /** Rows [0, existingCount) are not paired with each other (incremental dedup). */
  existingCount: number;
  rowBlock: number;
  colBlock: number;
}

/**
 * The largest d the kernel takes. Its int32 dot is exact (127²·d < 2^31); above d = 1040 its
 * conversion to float32 may round (relative 2^-24), which the 2^-20 slack of the bounds absorbs.
 */
export const MAX_WASM_DIM = 4096;

/** Lays out the memory for n rows of d numbers and `threads` output regions. */
export function planLayout(n: number, d: number, threads: number, existingCount = 0): ScreenLayout {
  const stride = Math.ceil(d / 16) * 16;
  const nPad = Math.ceil(n / 4) * 4 + 4;
  const outCap = 1 << 16;
  const qBase = 64;
  const tBase = qBase + nPad * stride;
  const sBase = tBase + nPad * 4;
  const outBase = sBase + nPad * 4;
  const bytes = outBase + threads * outCap * 8;
  // 64 rows of A (24 KB at d = 384) against 256 columns (96 KB) at a time: both stay in L2.
  return { n, nPad, stride, qBase, tBase, sBase, outBase, outCap, threads, bytes, existingCount, rowBlock: 64, colBlock: 256 };
}

/**
 * Quantises the rows into the kernel's memory (int8, per-row scale) and writes each
 * row's screening bound, so that every pair with exact dot >= `lowerBound` is a candidate.
 *
 * Why the bound is safe: with x̂ = q/s the dequantised row and e = x − x̂ (both known exactly per
 * row, summed here in float64), |x·y − x̂·ŷ| <= |e_x|·|y| + |x̂|·|e_y|. Row i's threshold is
 * lowerBound − (|e_i|·maxNorm + |x̂_i|·max_j |e_j|), scaled by s_i and shrunk by 2^-20 to absorb
 * the float32 roundings of t_i, s_j and their product in the kernel.
 */
export function quantizeInto(buffer: ArrayBufferLike, layout: ScreenLayout, v: Vectors, stats: VectorStats, lowerBound: number): void {
  const { n, nPad, stride, qBase, tBase, sBase } = layout;
  const { data: x, d } = v;
  const u = new Int8Array(buffer, qBase, nPad * stride);
  const t = new Float32Array(buffer, tBase, nPad);
  const s = new Float32Array(buffer, sBase, nPad);
  u.fill(0);
  const errNorm = new Float64Array(n);
  const hatNorm = new Float64Array(n);
  let maxE = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let maxAbs = 0;
    for (let k = 0; k < d; k++) maxAbs = Math.max(maxAbs, Math.abs(x[o + k]!));
    const scale = maxAbs > 0 ? Math.fround(127 / maxAbs) : 1;
    let e2 = 0;
    let h2 = 0;
    const row = i * stride;
    for (let k = 0; k < d; k++) {
      const q = Math.max(-127, Math.min(127, Math.round(x[o + k]! * scale)));
      u[row + k] = q;
      const e = x[o + k]! - q / scale;
      e2 += e * e;
      h2 += q * q;
    }
    // 1e-6 relative and 1e-12 absolute slack over the float64 rounding of these sums.
    errNorm[i] = Math.sqrt(e2) * (1 + 1e-6) + 1e-12;
    hatNorm[i] = (Math.sqrt(h2) / scale) * (1 + 1e-6);
    if (errNorm[i]! > maxE) maxE = errNorm[i]!;
    s[i] = scale;
  }
  for (let i = 0; i < n; i++) {
    const L = lowerBound - (errNorm[i]! * stats.maxNorm + hatNorm[i]! * maxE);
    t[i] = L > 0 ? Math.fround(L * s[i]! * (1 - 2 ** -20)) : -Infinity;
  }
  for (let i = n; i < nPad; i++) {
    t[i] = Infinity;
    s[i] = 0;
  }
}

/**
 * One thread's share of the screen: takes row blocks from the shared counter until none are left
 * and returns its candidates as flat global (i, j) pairs. The same code runs in each worker of the
 * pool and, single-threaded, in Node and where the page is not cross-origin isolated.
 */
export function screenRowBlocks(screen: ScreenFn, buffer: ArrayBufferLike, layout: ScreenLayout, threadIndex: number): Uint32Array {
  const { n, stride, qBase, tBase, sBase, outBase, outCap, existingCount: m, rowBlock, colBlock } = layout;
  const ctrl = new Int32Array(buffer, 0, 16);
  const outPtr = outBase + threadIndex * outCap * 8;
  const cand = new CandidateList();
  const nBlocks = Math.ceil(n / rowBlock);
  const call = (r0: number, aN: number, bStart: number, bN: number) =>
    screen(qBase + r0 * stride, aN, qBase + bStart * stride, bN, stride, r0 - bStart, tBase + r0 * 4, sBase + bStart * 4, outPtr, outCap, colBlock);
  const collect = (count: number, r0: number, bStart: number) => {
    const out = new Int32Array(buffer, outPtr, count * 2);
    cand.pushFlat(out, count, r0, bStart);
  };
  for (;;) {
    const blk = Atomics.add(ctrl, 0, 1);
    if (blk >= nBlocks) break;
    const r0 = blk * rowBlock;
    const aN = Math.min(rowBlock, n - r0);
    const bStart = Math.max(r0, m);
    const bN = n - bStart;
    if (bN > 0) {
      const count = call(r0, aN, bStart, bN);
      if (count <= outCap) collect(count, r0, bStart);
      else {
        // More candidates than the buffer holds (near-identical data): redo the block one row at a
        // time against column chunks of outCap, which cannot overflow.
        for (let r = r0; r < r0 + aN; r++) {
          for (let c0 = Math.max(r + 1, m); c0 < n; c0 += outCap - 4) {
            const cN = Math.min(outCap - 4, n - c0);
            collect(call(r, 1, c0, cN), r, c0);
          }
        }
      }
    }
    Atomics.add(ctrl, 1, aN);
  }
  const flat = new Uint32Array(cand.length * 2);
  const ca = cand.a;
  const cb = cand.b;
  for (let k = 0; k < cand.length; k++) {
    flat[2 * k] = ca[k]!;
    flat[2 * k + 1] = cb[k]!;
  }
  return flat;
}

/** Everything a screen needs, set up in a fresh memory. */
export interface PreparedScreen {
  memory: WebAssembly.Memory;
  layout: ScreenLayout;
  stats: VectorStats;
  t32: number;
}

/**
 * Checks the vectors, allocates the kernel memory (shared when `shared`), quantises into it.
 * @throws {DedupError} DedupInputError (bad vectors, d > 4096); DedupOutOfMemoryError when the
 * memory cannot be allocated.
 */
export function prepareScreen(v: Vectors, options: SemanticOptions, threads: number, shared: boolean): PreparedScreen {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const stats = checkVectors(v, threshold);
  if (v.d > MAX_WASM_DIM) throw new DedupError('DedupInputError', `The WebAssembly kernel handles up to ${MAX_WASM_DIM} dimensions, got ${v.d}: use the JavaScript kernel.`);
  const t32 = thresholdF32(threshold);
  const layout = planLayout(v.n, v.d, threads, options.existingCount ?? 0);
  const pages = Math.ceil(layout.bytes / 65536);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
  } catch (e) {
    throw new DedupError('DedupOutOfMemoryError', `Could not allocate ${(layout.bytes / 2 ** 20).toFixed(0)} MB for the dedup kernel: close other tabs or dedup fewer items at once.`, { cause: e });
  }
  quantizeInto(memory.buffer, layout, v, stats, screenLowerBound(t32, stats.minNorm));
  return { memory, layout, stats, t32 };
}

/**
 * The WebAssembly kernel on the calling thread (Node, or a page without cross-origin isolation).
 * @param module the compiled screenKernel.unshared.wasm (or .shared.wasm with a shared memory).
 * @throws {DedupError} as `prepareScreen`.
 */
export async function wasmFindPairsSingle(
  v: Vectors,
  module: WebAssembly.Module,
  options: SemanticOptions = {},
  onProgress?: (p: DedupProgress) => void,
): Promise<PairList> {
  onProgress?.({ phase: 'prepare' });
  const prep = prepareScreen(v, options, 1, isSharedModule(module));
  const instance = await WebAssembly.instantiate(module, { env: { memory: prep.memory } });
  onProgress?.({ phase: 'screen', done: 0, total: v.n });
  const flat = screenRowBlocks(instance.exports['screen'] as ScreenFn, prep.memory.buffer, prep.layout, 0);
  onProgress?.({ phase: 'screen', done: v.n, total: v.n });
  return finish(v, prep, flat, options, onProgress);
}

/** Verifies the screen's candidates with the canonical similarity. */
export function finish(v: Vectors, prep: PreparedScreen, flat: Uint32Array, options: SemanticOptions, onProgress?: (p: DedupProgress) => void): PairList {
  const cand = new CandidateList();
  cand.pushFlat(flat, flat.length / 2);
  onProgress?.({ phase: 'verify', candidates: cand.length });
  const pairs = verifyCandidates(v.data, v.d, prep.stats.norms2, prep.t32, cand, options.existingCount ?? 0);
  onProgress?.({ phase: 'done', pairs: pairs.a.length });
  return pairs;
}

const sharedCache = new WeakMap<WebAssembly.Module, boolean>();
/** Whether a compiled kernel imports a shared memory (the .shared.wasm build). */
export function isSharedModule(module: WebAssembly.Module): boolean {
  let s = sharedCache.get(module);
  if (s === undefined) {
    try {
      // Instantiating against an unshared memory fails exactly when the import is shared.
      new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1 }) } });
      s = false;
    } catch {
      s = true;
    }
    sharedCache.set(module, s);
  }
  return s;
}

/** Whether this engine runs the kernel (WebAssembly SIMD). */
export function wasmSimdSupported(bytes: BufferSource): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}
