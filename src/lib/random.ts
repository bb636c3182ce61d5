/**
 * Seeded randomness, the one home for it: a run and its resumption draw the same numbers for the
 * same task, and the dedup tests and benchmarks share the generator. mulberry32 itself lives in a
 * plain .mjs so that the Node scripts in scripts/ (the fake servers) use the same one unbuilt.
 */
export { mulberry32 } from './mulberry32.mjs';

export type Rng = () => number;

/** Mixes numbers into one 32-bit seed (order matters). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  }
  return h >>> 0;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (!items.length) throw new RangeError('pick from an empty list');
  return items[Math.floor(rng() * items.length)]!;
}

/** k distinct items (or all when fewer), in random order. */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, Math.min(k, a.length));
}

/** A key drawn with probability proportional to its weight (zero weights never). */
export function weighted<K extends string>(rng: Rng, weights: Record<K, number>): K {
  const entries = (Object.entries(weights) as [K, number][]).filter(([, w]) => w > 0);
  if (!entries.length) throw new RangeError('all weights are zero');
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries.at(-1)![0];
}
