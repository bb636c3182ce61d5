import { hash64, normalizeText } from '../text/normalize';
import { resolveClusters, type ClusterOptions, type ClusterResult } from './clusters';

export interface ExactResult extends ClusterResult {
  /** hash64 of the normalised text, per item. */
  hashes: string[];
}

/**
 * Exact dedup: items whose normalised text (`normalizeText`: NFKC, lower case, collapsed
 * whitespace) hashes the same are one cluster; the same keep-best and incremental rules as the
 * semantic pass apply (similarity 1 for every duplicate).
 */
export function exactDuplicates(texts: readonly string[], options: Omit<ClusterOptions, 'similarity'> = {}): ExactResult {
  const hashes = texts.map((t) => hash64(normalizeText(t)));
  const first = new Map<string, number>();
  const a: number[] = [];
  const b: number[] = [];
  hashes.forEach((h, i) => {
    const f = first.get(h);
    if (f === undefined) first.set(h, i);
    else {
      a.push(f);
      b.push(i);
    }
  });
  const pairs = { a: Uint32Array.from(a), b: Uint32Array.from(b), sim: new Float32Array(a.length).fill(1) };
  return { ...resolveClusters(texts.length, pairs, { ...options, similarity: () => 1 }), hashes };
}
