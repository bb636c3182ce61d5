/**
 * Embedding check: each sample vector against the fixed eval-set vectors only (queries × eval,
 * never samples × samples — dedup's jsFindPairs scans the whole upper triangle, so it is not reused
 * here). Vectors are unit length (checked by dedup's checkVectors), so the dot product is the
 * cosine. Misses: anything the embedding model does not place close (e.g. a translated item at a
 * model without cross-lingual training); false hits on short generic items near the threshold.
 */
import { checkVectors } from '../dedup/vectors';
import type { Vectors } from '../dedup/types';

export interface EmbeddingHit { query: number; evalIndex: number; similarity: number }

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

/** Every (query, eval item) whose cosine is ≥ threshold; slices of 64 queries, yielding between. */
export async function embeddingMatches(queries: Vectors, evalVecs: Vectors, threshold: number, signal?: AbortSignal): Promise<EmbeddingHit[]> {
  if (queries.d !== evalVecs.d) throw Object.assign(new Error(`Vector widths differ (${queries.d} vs ${evalVecs.d}): embed samples and eval set with the same model.`), { name: 'DecontamInputError' });
  checkVectors(queries, threshold);
  checkVectors(evalVecs, threshold);
  const { d } = queries;
  const out: EmbeddingHit[] = [];
  for (let q0 = 0; q0 < queries.n; q0 += 64) {
    if (signal?.aborted) throw signal.reason;
    for (let q = q0; q < Math.min(q0 + 64, queries.n); q++) {
      for (let e = 0; e < evalVecs.n; e++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += queries.data[q * d + k]! * evalVecs.data[e * d + k]!;
        if (s >= threshold) out.push({ query: q, evalIndex: e, similarity: s });
      }
    }
    await yieldNow();
  }
  return out;
}
