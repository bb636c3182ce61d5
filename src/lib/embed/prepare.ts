import { hash64, normalizeText } from '../text/normalize';
import type { EmbeddingModel, EmbedRole } from './models';

/** Texts reduced to what is embedded: each distinct normalised text once. */
export interface PreparedTexts {
  /** Per input text: the index of its distinct text. */
  slot: Uint32Array;
  /** Per distinct text: hash64 of the normalised text (the cache key within a model). */
  hashes: string[];
  /** Per distinct text: what the model sees (the role's prefix + the normalised text). */
  inputs: string[];
}

/**
 * Normalises (normalizeText: NFKC, lower case, collapsed whitespace), hashes and de-duplicates the
 * texts. What is embedded is the normalised text, so the cached vector of a hash is the vector of
 * every text with that hash (the models here are uncased or case-folded in their tokenizer anyway).
 */
export function prepareTexts(texts: readonly string[], model: EmbeddingModel, role: EmbedRole): PreparedTexts {
  const prefix = model.prefixes[role];
  const index = new Map<string, number>();
  const slot = new Uint32Array(texts.length);
  const hashes: string[] = [];
  const inputs: string[] = [];
  texts.forEach((t, i) => {
    const norm = normalizeText(t);
    const h = hash64(norm);
    let k = index.get(h);
    if (k === undefined) {
      k = hashes.length;
      index.set(h, k);
      hashes.push(h);
      inputs.push(prefix + norm);
    }
    slot[i] = k;
  });
  return { slot, hashes, inputs };
}

/** Batches of indices [start, end) of at most `size`, in order. */
export function batches(count: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < count; s += size) out.push([s, Math.min(count, s + size)]);
  return out;
}

/**
 * The indices ordered by the length of their input (stable: equal lengths keep their order).
 * Batching texts of similar length cuts the padding every batch is run with (a batch is as long as
 * its longest text); callers put each vector back by its index, so the output order is unchanged.
 * Characters stand in for tokens: close enough to group lengths, and free.
 */
export function byLength(indices: readonly number[], inputs: readonly string[]): number[] {
  return [...indices].sort((a, b) => inputs[a]!.length - inputs[b]!.length || a - b);
}
