import { resolveClusters } from './clusters';
import { exactDuplicates } from './exact';
import { minhashPairs } from './minhash';

/** The lexical pass's default: near-copies (character 3-gram Jaccard ≥ 0.8). */
export const DEFAULT_LEXICAL = 0.8;

/** Which pass found a duplicate (0: none). */
export const PASS_NAMES = ['', 'exact', 'lexical', 'semantic'] as const;
export type DedupPass = 'exact' | 'lexical' | 'semantic';
export const PASS = { exact: 1, lexical: 2, semantic: 3 } as const;

export interface PassMarks {
  /** Per item: the index of the item it duplicates, or -1. */
  duplicateOf: Int32Array;
  /** Per duplicate: 1 for an exact copy, the Jaccard similarity for a lexical one, the cosine for a semantic one (NaN for kept items). */
  similarity: Float32Array;
  /** Per item: the pass that marked it (PASS), 0 when kept. */
  pass: Uint8Array;
}

export interface CheapPasses extends PassMarks {
  /** The items neither cheap pass removed, in order: what the semantic pass still compares. */
  survivors: number[];
}

export interface CheapPassOptions {
  scores?: ArrayLike<number>;
  /** Items [0, existingCount) are seeds: never removed, and not compared with each other. */
  existingCount?: number;
  /** Jaccard similarity of character 3-grams at and above which the lexical pass removes; 0 = no lexical pass. */
  lexical?: number;
}

/**
 * The cheap first passes of a dedup, before any embedding: exact (the same normalised text) and
 * lexical (MinHash-LSH over character 3-grams, so Chinese works; every reported pair's Jaccard
 * similarity is exact). Each keeps the best item of a cluster (highest score, then the earliest)
 * as the semantic pass does, and never removes a seed; the lexical pass removes only items whose
 * own Jaccard similarity to the kept item reaches the threshold. What survives goes on to the
 * semantic pass. A mark points at the item it was matched against, which a later pass may in turn
 * mark (its own mark leads on to the item kept).
 */
export function cheapPasses(texts: readonly string[], o: CheapPassOptions = {}): CheapPasses {
  const n = texts.length;
  const m = o.existingCount ?? 0;
  const marks: PassMarks = { duplicateOf: new Int32Array(n).fill(-1), similarity: new Float32Array(n).fill(NaN), pass: new Uint8Array(n) };
  const exact = exactDuplicates(texts, { scores: o.scores, existingCount: m });
  let survivors: number[] = [];
  for (let i = 0; i < n; i++) {
    if (exact.duplicateOf[i] === -1) survivors.push(i);
    else {
      marks.duplicateOf[i] = exact.duplicateOf[i]!;
      marks.similarity[i] = 1;
      marks.pass[i] = PASS.exact;
    }
  }
  if ((o.lexical ?? 0) > 0 && survivors.length > 1) {
    const sub = survivors.map((i) => texts[i]!);
    // Seeds come first, so the surviving seeds are the first subM of the subset.
    const subM = survivors.filter((i) => i < m).length;
    // Bounded (each bucket member against its next 16, connected pairs skipped): templated
    // synthetic data fills buckets, and every pair of a 100k-item bucket would never finish. A
    // near-copy this misses still meets the semantic pass.
    const found = minhashPairs(sub, { threshold: o.lexical, bands: 16, window: 16, existingCount: subM });
    const lexical = resolveClusters(sub.length, { a: Uint32Array.from(found, (p) => p.a), b: Uint32Array.from(found, (p) => p.b), sim: Float32Array.from(found, (p) => p.jaccard) }, {
      scores: o.scores && survivors.map((i) => o.scores![i]!),
      existingCount: subM,
      // Only direct pairs are marked (below): a member linked to the kept item only through a
      // chain of near-copies may differ from it a lot, and is left to the semantic pass.
      similarity: () => NaN,
    });
    const next: number[] = [];
    survivors.forEach((i, k) => {
      const d = lexical.duplicateOf[k]!;
      if (d === -1 || !lexical.direct[k]) next.push(i);
      else {
        marks.duplicateOf[i] = survivors[d]!;
        marks.similarity[i] = lexical.similarity[k]!;
        marks.pass[i] = PASS.lexical;
      }
    });
    survivors = next;
  }
  return { ...marks, survivors };
}
