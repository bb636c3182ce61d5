import { DedupError } from './errors';
import { CandidateList, verifyCandidates } from './pairs';
import { DEFAULT_THRESHOLD } from './threshold';
import type { DedupProgress, PairList, SemanticOptions, Vectors } from './types';
import { rng } from './vectors';
import { isSharedModule, prepareScreen, type ScreenFn } from './wasmKernel';

/**
 * Approximate semantic dedup for very large sets: random-hyperplane LSH (SimHash) buckets, then the
 * exact int8 screen kernel within each bucket, then the canonical `pairSimilarity` decision.
 *
 * Each of `tables` hash tables keys every row by the signs of `bits` random projections. Two rows
 * at cosine c agree on one sign with probability p(c) = 1 − acos(c)/π, on all `bits` with p^bits,
 * so a pair is screened in at least one table with probability 1 − (1 − p^bits)^tables. Rows of a
 * bucket are copied contiguously and screened against each other with the same kernel and bounds
 * as the exact mode; every candidate is then decided by `verifyCandidates`. So every reported pair
 * is a true pair (precision 1, same similarity as exact); only recall is approximate.
 *
 * The projections are a random rotation built from two rounds of random signs and a fast
 * Walsh–Hadamard transform (O(d log d) per row instead of O(d·bits·tables)): one rotation yields
 * as many sign bits as the padded dimension.
 */

export interface ApproximateOptions extends SemanticOptions {
  /**
   * Pair recall to plan for, at a pair whose cosine is exactly the threshold (pairs further above
   * it are found more often). Default 0.99.
   */
  recall?: number;
  /** Override the planner: sign bits per table key (0 = one bucket, i.e. exact). */
  bits?: number;
  /** Override the planner: number of hash tables. */
  tables?: number;
  /** Seed of the random projections (results are deterministic for a seed). */
  seed?: number;
}

export interface ApproximatePlan {
  bits: number;
  tables: number;
  /** The planner's recall at a pair exactly at the threshold. */
  recallAtThreshold: number;
}

/**
 * Costs per row in units of one kernel dot product at d = 384, measured in V8 (100k × 384: a dot
 * ≈ 27 ns, a rotation ≈ 8 µs, a table's copy and counting sort ≈ 0.2 µs).
 */
const ROW_COST = 10;
const ROTATION_COST = 300;
/** Smallest average bucket the planner allows: below it kernel calls cost more than the dots. */
const MIN_BUCKET = 24;

/** The probability that a pair at cosine c lands in one bucket of a table keyed by `bits` signs. */
export function collisionProbability(c: number, bits: number): number {
  return (1 - Math.acos(Math.max(-1, Math.min(1, c))) / Math.PI) ** bits;
}

/** The recall at cosine c of `tables` tables of `bits` bits. */
export function planRecall(c: number, bits: number, tables: number): number {
  return 1 - (1 - collisionProbability(c, bits)) ** tables;
}

/** The padded dimension of the rotation: d rounded up to a power of two. */
function paddedDim(d: number): number {
  let pad = 1;
  while (pad < d) pad *= 2;
  return pad;
}

/**
 * Chooses bits and tables to reach `recall` at the threshold for the least expected work
 * (kernel dot products over all tables, a per-row cost per table and per rotation). For small n
 * this picks bits = 0, tables = 1: one bucket, which is the exact screen.
 */
export function planApproximate(n: number, d: number, threshold = DEFAULT_THRESHOLD, recall = 0.99): ApproximatePlan {
  if (!(recall > 0 && recall < 1)) throw new DedupError('DedupInputError', `The planned recall must lie between 0 and 1, got ${recall}.`);
  const pairs = (n * (n - 1)) / 2;
  let best: ApproximatePlan & { cost: number } = { bits: 0, tables: 1, recallAtThreshold: 1, cost: pairs + n * ROW_COST };
  const pad = paddedDim(d);
  for (let bits = 1; bits <= Math.min(24, pad) && n / 2 ** bits >= MIN_BUCKET; bits++) {
    const pk = collisionProbability(threshold, bits);
    const tables = Math.ceil(Math.log(1 - recall) / Math.log(1 - pk));
    const rotations = Math.ceil(tables / Math.floor(pad / bits));
    const cost = tables * (pairs / 2 ** bits + n * ROW_COST) + rotations * n * ROTATION_COST;
    if (cost < best.cost) best = { bits, tables, recallAtThreshold: planRecall(threshold, bits, tables), cost };
  }
  return { bits: best.bits, tables: best.tables, recallAtThreshold: best.recallAtThreshold };
}

/**
 * In-place unnormalised fast Walsh–Hadamard transform of a power-of-two length array. Radix-4
 * (two stages per pass over the array) halves the memory traffic of the textbook radix-2 loop.
 */
export function fwht(a: Float64Array): void {
  const len = a.length;
  let h = 1;
  for (; h * 4 <= len; h *= 4) {
    for (let i = 0; i < len; i += 4 * h) {
      for (let j = i; j < i + h; j++) {
        const x0 = a[j]!;
        const x1 = a[j + h]!;
        const x2 = a[j + 2 * h]!;
        const x3 = a[j + 3 * h]!;
        const s0 = x0 + x1;
        const d0 = x0 - x1;
        const s1 = x2 + x3;
        const d1 = x2 - x3;
        a[j] = s0 + s1;
        a[j + h] = d0 + d1;
        a[j + 2 * h] = s0 - s1;
        a[j + 3 * h] = d0 - d1;
      }
    }
  }
  if (h < len) {
    for (let j = 0; j < h; j++) {
      const x = a[j]!;
      const y = a[j + h]!;
      a[j] = x + y;
      a[j + h] = x - y;
    }
  }
}

/**
 * The table keys of every row: keys[t · n + i] is row i's bucket in table t (`bits` sign bits of
 * the rotated row). Rotations are drawn from `seed`; each gives `pad` bits (d rounded up to a
 * power of two), shared out to consecutive tables.
 */
export function lshKeys(v: Vectors, bits: number, tables: number, seed: number): Uint32Array {
  const { data: x, n, d } = v;
  const keys = new Uint32Array(tables * n);
  if (bits === 0) return keys;
  const pad = paddedDim(d);
  // A key must fit in one rotation's bits: below 32 bits and at most `pad`.
  if (bits > Math.min(31, pad)) throw new DedupError('DedupInputError', `At most ${Math.min(31, pad)} bits per key for d = ${d}, got ${bits}.`);
  const perRotation = Math.floor(pad / bits);
  const rotations = Math.ceil(tables / perRotation);
  const rand = rng(seed);
  const y = new Float64Array(pad);
  for (let r = 0; r < rotations; r++) {
    const s1 = Float64Array.from({ length: pad }, () => (rand() < 0.5 ? -1 : 1));
    const s2 = Float64Array.from({ length: pad }, () => (rand() < 0.5 ? -1 : 1));
    const t0 = r * perRotation;
    const t1 = Math.min(tables, t0 + perRotation);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let k = 0; k < d; k++) y[k] = x[o + k]! * s1[k]!;
      y.fill(0, d);
      fwht(y);
      for (let k = 0; k < pad; k++) y[k] = y[k]! * s2[k]!;
      fwht(y);
      for (let t = t0; t < t1; t++) {
        let key = 0;
        const b0 = (t - t0) * bits;
        for (let b = 0; b < bits; b++) key = (key << 1) | (y[b0 + b]! > 0 ? 1 : 0);
        keys[t * n + i] = key >>> 0;
      }
    }
  }
  return keys;
}

/**
 * All pairs above the threshold that the hash tables bring together, decided exactly. Runs on the
 * calling thread with the unshared kernel build (the dedup worker calls it).
 * @param module the compiled screenKernel.unshared.wasm (the .shared build works with a shared memory).
 * @throws {DedupError} DedupInputError for malformed vectors or options; DedupOutOfMemoryError.
 */
export async function approximateFindPairs(
  v: Vectors,
  module: WebAssembly.Module,
  options: ApproximateOptions = {},
  onProgress?: (p: DedupProgress) => void,
): Promise<PairList & { plan: ApproximatePlan }> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const m = options.existingCount ?? 0;
  const { n, d } = v;
  const auto = planApproximate(n, d, threshold, options.recall ?? 0.99);
  const bits = options.bits ?? (options.tables !== undefined ? Math.min(auto.bits, 31) : auto.bits);
  const tables = options.tables ?? auto.tables;
  if (!Number.isInteger(bits) || bits < 0 || !Number.isInteger(tables) || tables < 1) {
    throw new DedupError('DedupInputError', `Approximate mode needs whole bits >= 0 and tables >= 1, got ${bits} and ${tables}.`);
  }
  const plan: ApproximatePlan = { bits, tables, recallAtThreshold: bits === 0 ? 1 : planRecall(threshold, bits, tables) };
  onProgress?.({ phase: 'prepare' });
  // The master copy (int8 rows, bounds, scales) is laid out by the exact kernel's code, so the
  // screening bound is the same; the permuted copy each table screens sits after it.
  const shared = isSharedModule(module);
  const prep = prepareScreen(v, options, 1, shared);
  const { layout } = prep;
  const { nPad, stride, qBase, tBase, sBase, outCap, colBlock } = layout;
  const permBase = Math.ceil(layout.bytes / 16) * 16;
  const pq = permBase;
  const pt = pq + nPad * stride;
  const ps = pt + nPad * 4;
  const outPtr = ps + nPad * 4;
  const need = outPtr + outCap * 8;
  const grow = Math.ceil((need - prep.memory.buffer.byteLength) / 65536);
  if (grow > 0) {
    // prepareScreen fixes maximum = initial; a bigger memory with the same contents replaces it.
    const pages = Math.ceil(need / 65536);
    let big: WebAssembly.Memory;
    try {
      big = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
    } catch (e) {
      throw new DedupError('DedupOutOfMemoryError', `Could not allocate ${(need / 2 ** 20).toFixed(0)} MB for approximate dedup: close other tabs or dedup fewer items at once.`, { cause: e });
    }
    new Uint8Array(big.buffer).set(new Uint8Array(prep.memory.buffer));
    prep.memory = big;
  }
  const buffer = prep.memory.buffer;
  const instance = await WebAssembly.instantiate(module, { env: { memory: prep.memory } });
  const screen = instance.exports['screen'] as ScreenFn;
  const bytes = new Uint8Array(buffer);
  const master = new Uint8Array(buffer, qBase, n * stride);
  const T = new Float32Array(buffer, tBase, nPad);
  const S = new Float32Array(buffer, sBase, nPad);
  const PT = new Float32Array(buffer, pt, nPad);
  const PS = new Float32Array(buffer, ps, nPad);
  // Padding rows of the permuted copy never pass (the 2×4 tile may read them).
  bytes.fill(0, pq + n * stride, pq + nPad * stride);
  PT.fill(Infinity, n);
  PS.fill(0, n);

  const keys = lshKeys(v, bits, tables, options.seed ?? 0x5eed);
  const buckets = 2 ** bits;
  const start = new Uint32Array(buckets + 1);
  const order = new Uint32Array(n);
  const cand = new CandidateList();
  const collect = (count: number, aStart: number, bStart: number) => {
    const out = new Int32Array(buffer, outPtr, count * 2);
    for (let k = 0; k < count; k++) cand.push(order[aStart + out[2 * k]!]!, order[bStart + out[2 * k + 1]!]!);
  };
  onProgress?.({ phase: 'screen', done: 0, total: tables });
  for (let t = 0; t < tables; t++) {
    // Counting sort of the rows by bucket.
    start.fill(0);
    const key = keys.subarray(t * n, (t + 1) * n);
    for (let i = 0; i < n; i++) start[key[i]! + 1]! += 1;
    for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
    const fill = start.slice(0, buckets);
    for (let i = 0; i < n; i++) order[fill[key[i]!]!++] = i;
    for (let pos = 0; pos < n; pos++) {
      const src = order[pos]!;
      bytes.set(master.subarray(src * stride, (src + 1) * stride), pq + pos * stride);
      PT[pos] = T[src]!;
      PS[pos] = S[src]!;
    }
    for (let b = 0; b < buckets; b++) {
      const s0 = start[b]!;
      const size = start[b + 1]! - s0;
      if (size < 2) continue;
      const count = screen(pq + s0 * stride, size, pq + s0 * stride, size, stride, 0, pt + s0 * 4, ps + s0 * 4, outPtr, outCap, colBlock);
      if (count <= outCap) collect(count, s0, s0);
      else {
        // More candidates than the output holds (a bucket of near-identical rows): one row at a
        // time against column chunks shorter than the output, which cannot overflow.
        for (let r = 0; r < size; r++) {
          for (let c0 = r + 1; c0 < size; c0 += outCap - 4) {
            const cN = Math.min(outCap - 4, size - c0);
            collect(screen(pq + (s0 + r) * stride, 1, pq + (s0 + c0) * stride, cN, stride, -1, pt + (s0 + r) * 4, ps + (s0 + c0) * 4, outPtr, outCap, colBlock), s0 + r, s0 + c0);
          }
        }
      }
    }
    onProgress?.({ phase: 'screen', done: t + 1, total: tables });
  }
  onProgress?.({ phase: 'verify', candidates: cand.length });
  const pairs = verifyCandidates(v.data, d, prep.stats.norms2, prep.t32, cand, m);
  onProgress?.({ phase: 'done', pairs: pairs.a.length });
  return { ...pairs, plan };
}
