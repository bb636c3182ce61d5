import { DedupError } from './errors';
import { CandidateList, verifyCandidates } from './pairs';
import { DEFAULT_THRESHOLD, screenLowerBound, thresholdF32 } from './threshold';
import type { DedupProgress, PairList, SemanticOptions, Vectors } from './types';
import { checkVectors } from './vectors';

const ROW_BLOCK = 32;
const COL_BLOCK = 256;

/**
 * The plain JavaScript reference kernel: every pair of the upper triangle, in blocks of
 * 32 rows × 256 columns (a few hundred KB, cache-sized; never an n×n matrix). The dot products are
 * summed in float64 with four partial sums, screened against the proven lower bound less a margin
 * far larger than float64 rounding, and decided by the canonical `pairSimilarity`.
 * @throws {DedupError} DedupInputError for malformed or non-unit vectors.
 */
export function jsFindPairs(v: Vectors, options: SemanticOptions = {}, onProgress?: (p: DedupProgress) => void): PairList {
  return screenAndVerify(v, options.threshold ?? DEFAULT_THRESHOLD, options.existingCount ?? 0, v.n, onProgress);
}

/** A query row and a fixed row whose canonical similarity passed the threshold. */
export interface CrossPairList {
  query: Uint32Array;
  fixed: Uint32Array;
  sim: Float32Array;
}

/**
 * Queries × a fixed set only (decontamination: samples against an eval set), never queries ×
 * queries: the same blocked screen and canonical `pairSimilarity` as `jsFindPairs`, so a pair is
 * found here exactly when dedup would find it. The fixed rows come first in one buffer and only
 * they are screened as rows, against the query columns (the incremental-dedup layout with the
 * row loop stopped at the fixed set). Sorted by (query, fixed).
 * @throws {DedupError} DedupInputError for malformed or non-unit vectors, or differing widths.
 */
export function jsFindCrossPairs(queries: Vectors, fixed: Vectors, threshold = DEFAULT_THRESHOLD, onProgress?: (p: DedupProgress) => void): CrossPairList {
  if (queries.d !== fixed.d) throw new DedupError('DedupInputError', `Vector widths differ (${queries.d} vs ${fixed.d}): embed both sides with the same model.`);
  const m = fixed.n;
  const data = new Float32Array((m + queries.n) * fixed.d);
  data.set(fixed.data.subarray(0, m * fixed.d));
  data.set(queries.data.subarray(0, queries.n * queries.d), m * fixed.d);
  const p = screenAndVerify({ data, n: m + queries.n, d: fixed.d }, threshold, m, m, onProgress);
  const order = Array.from(p.a.keys()).sort((x, y) => p.b[x]! - p.b[y]! || p.a[x]! - p.a[y]!);
  return {
    query: Uint32Array.from(order, (k) => p.b[k]! - m),
    fixed: Uint32Array.from(order, (k) => p.a[k]!),
    sim: Float32Array.from(order, (k) => p.sim[k]!),
  };
}

/** Rows [0, rowEnd) screened against the later columns, skipping pairs within [0, m); then verified. */
function screenAndVerify(v: Vectors, threshold: number, m: number, rowEnd: number, onProgress?: (p: DedupProgress) => void): PairList {
  const { data: x, n, d } = v;
  const stats = checkVectors(v, threshold);
  const t32 = thresholdF32(threshold);
  // float64 sums of d products of numbers below 1 in magnitude err by < d·2^-52: 1e-9 covers it.
  const screen = screenLowerBound(t32, stats.minNorm) - 1e-9;
  const cand = new CandidateList();
  const d4 = d - (d % 4);
  onProgress?.({ phase: 'screen', done: 0, total: rowEnd });
  for (let i0 = 0; i0 < rowEnd; i0 += ROW_BLOCK) {
    const i1 = Math.min(i0 + ROW_BLOCK, rowEnd);
    for (let j0 = Math.max(i0, m); j0 < n; j0 += COL_BLOCK) {
      const j1 = Math.min(j0 + COL_BLOCK, n);
      for (let i = i0; i < i1; i++) {
        const a = i * d;
        for (let j = Math.max(j0, i + 1, m); j < j1; j++) {
          const b = j * d;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          let k = 0;
          for (; k < d4; k += 4) {
            s0 += x[a + k]! * x[b + k]!;
            s1 += x[a + k + 1]! * x[b + k + 1]!;
            s2 += x[a + k + 2]! * x[b + k + 2]!;
            s3 += x[a + k + 3]! * x[b + k + 3]!;
          }
          for (; k < d; k++) s0 += x[a + k]! * x[b + k]!;
          if (s0 + s1 + s2 + s3 >= screen) cand.push(i, j);
        }
      }
    }
    onProgress?.({ phase: 'screen', done: i1, total: rowEnd });
  }
  onProgress?.({ phase: 'verify', candidates: cand.length });
  const pairs = verifyCandidates(x, d, stats.norms2, t32, cand, m);
  onProgress?.({ phase: 'done', pairs: pairs.a.length });
  return pairs;
}
