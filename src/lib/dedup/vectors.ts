import { DedupError } from './errors';
import { squaredNorms } from './threshold';
import type { Vectors } from './types';
import { mulberry32 } from '../random';

/** How far from 1 a row's norm may be: embedders normalise in float32, which is far closer. */
export const NORM_TOLERANCE = 1e-3;

export interface VectorStats {
  norms2: Float64Array;
  /** The smallest row norm (never above 1, so bounds built on it stay conservative). */
  minNorm: number;
  /** The largest row norm (at least 1). */
  maxNorm: number;
}

/**
 * Checks the shape and that every row is finite and unit length, and returns the row norms.
 * @throws {DedupError} DedupInputError when the shape is wrong, a value is not finite, or a row is
 * not unit length (normalise the embeddings first: `normalize: true` in transformers.js).
 */
export function checkVectors(v: Vectors, threshold: number): VectorStats {
  const { data, n, d } = v;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || data.length !== n * d) {
    throw new DedupError('DedupInputError', `Expected ${n} × ${d} = ${n * d} numbers, got ${data.length}.`);
  }
  if (!(threshold > 0 && threshold < 1)) {
    throw new DedupError('DedupInputError', `The similarity threshold must lie between 0 and 1, got ${threshold}.`);
  }
  const norms2 = squaredNorms(data, n, d);
  let minNorm = 1;
  let maxNorm = 1;
  for (let i = 0; i < n; i++) {
    const nn = Math.sqrt(norms2[i]!);
    if (!Number.isFinite(nn)) throw new DedupError('DedupInputError', `Row ${i} contains NaN or Infinity.`);
    if (Math.abs(nn - 1) > NORM_TOLERANCE) {
      throw new DedupError('DedupInputError', `Row ${i} has norm ${nn.toFixed(4)}: semantic dedup needs unit-length embeddings (turn on normalisation in the embedder).`);
    }
    if (nn < minNorm) minNorm = nn;
    if (nn > maxNorm) maxNorm = nn;
  }
  return { norms2, minNorm, maxNorm };
}

/** A small seeded PRNG (mulberry32) so tests and benchmarks are reproducible. */
export const rng = mulberry32;

function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * rand();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

export interface PlantedMeta {
  n: number;
  d: number;
  nPairs: number;
  nChains: number;
  nNearMiss: number;
  /** The planted pairs (source, copy) with their planted cosine. */
  pairs: [number, number, number][];
  /** The chains (a, b, c): a~b, b~c, a≁c. */
  chains: [number, number, number][];
  /** Near misses (source, copy), cosine in (0.75, 0.849). */
  nearMisses: [number, number][];
}

/**
 * Test vectors by seed_dedup.py's `generate` recipe (same proportions and cosines, our own PRNG,
 * so not the same numbers): random unit vectors, 8% of items in planted pairs with cosine in
 * (0.851, 0.99), 1.5% in chains a~b~c with a≁c, 2% near misses in (0.75, 0.849).
 */
export function generatePlanted(n: number, d: number, seed = 12345): { vectors: Vectors; meta: PlantedMeta } {
  const rand = rng(seed);
  const gauss = gaussian(rand);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) X[i] = gauss();
  const row = (i: number) => X.subarray(i * d, (i + 1) * d);
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += a[k]! * b[k]!;
    return s;
  };
  const unit = (a: Float64Array) => {
    const s = Math.sqrt(dot(a, a));
    for (let k = 0; k < d; k++) a[k] = a[k]! / s;
    return a;
  };
  for (let i = 0; i < n; i++) unit(row(i));
  const orth = (basis: Float64Array[]) => {
    const w = new Float64Array(d);
    for (let k = 0; k < d; k++) w[k] = gauss();
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const p = dot(w, b);
        for (let k = 0; k < d; k++) w[k] = w[k]! - p * b[k]!;
      }
    }
    return unit(w);
  };
  const mix = (dst: Float64Array, src: Float64Array, c: number, w: Float64Array) => {
    const s = Math.sqrt(1 - c * c);
    for (let k = 0; k < d; k++) dst[k] = c * src[k]! + s * w[k]!;
  };
  const nPairs = Math.round(0.04 * n);
  const nChains = Math.round(0.005 * n);
  const nNearMiss = Math.round(0.01 * n);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  let p = 0;
  const meta: PlantedMeta = { n, d, nPairs, nChains, nNearMiss, pairs: [], chains: [], nearMisses: [] };
  for (let t = 0; t < nPairs; t++) {
    const s = perm[p++]!;
    const c = perm[p++]!;
    const cs = 0.851 + rand() * (0.99 - 0.851);
    mix(row(c), row(s), cs, orth([row(s)]));
    meta.pairs.push([s, c, cs]);
  }
  for (let t = 0; t < nChains; t++) {
    const a = perm[p++]!;
    const b = perm[p++]!;
    const c = perm[p++]!;
    const c1 = 0.87 + rand() * 0.04;
    const c2 = 0.87 + rand() * 0.04;
    mix(row(b), row(a), c1, orth([row(a)]));
    // w orthogonal to both a and b makes cos(a, c) = c1·c2 <= 0.8281 exactly.
    const gb = new Float64Array(row(b));
    const pa = dot(gb, row(a));
    for (let k = 0; k < d; k++) gb[k] = gb[k]! - pa * row(a)[k]!;
    unit(gb);
    mix(row(c), row(b), c2, orth([row(a), gb]));
    meta.chains.push([a, b, c]);
  }
  for (let t = 0; t < nNearMiss; t++) {
    const s = perm[p++]!;
    const c = perm[p++]!;
    const cs = 0.75 + rand() * (0.849 - 0.75);
    mix(row(c), row(s), cs, orth([row(s)]));
    meta.nearMisses.push([s, c]);
  }
  for (let i = 0; i < n; i++) unit(row(i));
  return { vectors: { data: Float32Array.from(X), n, d }, meta };
}
