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
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const m = options.existingCount ?? 0;
  const { data: x, n, d } = v;
  const stats = checkVectors(v, threshold);
  const t32 = thresholdF32(threshold);
  // float64 sums of d products of numbers below 1 in magnitude err by < d·2^-52: 1e-9 covers it.
  const screen = screenLowerBound(t32, stats.minNorm) - 1e-9;
  const cand = new CandidateList();
  const d4 = d - (d % 4);
  onProgress?.({ phase: 'screen', done: 0, total: n });
  for (let i0 = 0; i0 < n; i0 += ROW_BLOCK) {
    const i1 = Math.min(i0 + ROW_BLOCK, n);
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
    onProgress?.({ phase: 'screen', done: i1, total: n });
  }
  onProgress?.({ phase: 'verify', candidates: cand.length });
  const pairs = verifyCandidates(x, d, stats.norms2, t32, cand, m);
  onProgress?.({ phase: 'done', pairs: pairs.a.length });
  return pairs;
}
