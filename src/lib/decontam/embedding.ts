/**
 * Embedding check: each sample vector against the fixed eval-set vectors only (queries × eval,
 * never samples × samples), through dedup's blocked kernel for a query set against a fixed set
 * (`jsFindCrossPairs`): the same screen and the same canonical similarity, so a sample is
 * contaminated exactly when semantic dedup would call it a duplicate of the eval item at that
 * threshold (similarity strictly above it, compared as dedup does). Vectors must be unit length
 * (checked by dedup's checkVectors). Misses: anything the embedding model does not place close
 * (e.g. a translated item at a model without cross-lingual training); false hits on short
 * generic items near the threshold.
 */
import { jsFindCrossPairs } from '../dedup/jsKernel';
import type { Vectors } from '../dedup/types';

export interface EmbeddingHit { query: number; evalIndex: number; similarity: number }

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

/** Queries per kernel call: a slice of 256 × 20k eval items at d = 384 is ~2 G multiply-adds, then a yield. */
const SLICE = 256;

/**
 * Every (query, eval item) whose similarity passes the threshold, sorted by query then eval item;
 * slices of queries with a yield (and an abort check) between.
 * @throws DecontamInputError when the widths differ; DedupInputError for non-unit vectors.
 */
export async function embeddingMatches(queries: Vectors, evalVecs: Vectors, threshold: number, signal?: AbortSignal): Promise<EmbeddingHit[]> {
  if (queries.d !== evalVecs.d) throw Object.assign(new Error(`Vector widths differ (${queries.d} vs ${evalVecs.d}): embed samples and eval set with the same model.`), { name: 'DecontamInputError' });
  const { d } = queries;
  const out: EmbeddingHit[] = [];
  for (let q0 = 0; q0 < queries.n || q0 === 0; q0 += SLICE) {
    if (signal?.aborted) throw signal.reason;
    const n = Math.min(SLICE, queries.n - q0);
    const p = jsFindCrossPairs({ data: queries.data.subarray(q0 * d, (q0 + n) * d), n, d }, evalVecs, threshold);
    for (let k = 0; k < p.query.length; k++) out.push({ query: q0 + p.query[k]!, evalIndex: p.fixed[k]!, similarity: p.sim[k]! });
    if (q0 + SLICE < queries.n) await yieldNow();
  }
  return out;
}
