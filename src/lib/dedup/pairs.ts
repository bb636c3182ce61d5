import { pairSimilarity } from './threshold';
import type { PairList } from './types';

/** A growable list of candidate pairs (i, j), i < j, as screens find them. */
export class CandidateList {
  #a = new Uint32Array(1024);
  #b = new Uint32Array(1024);
  length = 0;

  push(i: number, j: number): void {
    if (this.length === this.#a.length) {
      const a = new Uint32Array(this.#a.length * 2);
      const b = new Uint32Array(this.#b.length * 2);
      a.set(this.#a);
      b.set(this.#b);
      this.#a = a;
      this.#b = b;
    }
    this.#a[this.length] = i < j ? i : j;
    this.#b[this.length] = i < j ? j : i;
    this.length++;
  }

  /** Appends pairs stored flat as [i0, j0, i1, j1, …]. */
  pushFlat(flat: Uint32Array | Int32Array, count: number, offsetI = 0, offsetJ = 0): void {
    for (let k = 0; k < count; k++) this.push(flat[2 * k]! + offsetI, flat[2 * k + 1]! + offsetJ);
  }

  get a(): Uint32Array {
    return this.#a.subarray(0, this.length);
  }
  get b(): Uint32Array {
    return this.#b.subarray(0, this.length);
  }
}

/**
 * Decides every candidate with the canonical similarity and returns the accepted pairs, sorted by
 * (a, b), each once. Candidates may repeat (the approximate mode finds some pairs twice).
 */
export function verifyCandidates(
  x: Float32Array,
  d: number,
  norms2: Float64Array,
  t32: number,
  cand: CandidateList,
  existingCount = 0,
): PairList {
  const ca = cand.a;
  const cb = cand.b;
  const n = norms2.length;
  // Sort keys a·n + b as float64 (exact below 2^53, i.e. for n up to ~9e7).
  const keys = new Float64Array(cand.length);
  let m = 0;
  for (let k = 0; k < cand.length; k++) {
    const i = ca[k]!;
    const j = cb[k]!;
    if (i === j || j < existingCount) continue;
    keys[m++] = i * n + j;
  }
  const sorted = keys.subarray(0, m).sort();
  const a: number[] = [];
  const b: number[] = [];
  const sim: number[] = [];
  let prev = -1;
  for (let k = 0; k < m; k++) {
    const key = sorted[k]!;
    if (key === prev) continue;
    prev = key;
    const i = Math.floor(key / n);
    const j = key - i * n;
    const s = pairSimilarity(x, d, norms2, i, j);
    if (s >= t32) {
      a.push(i);
      b.push(j);
      sim.push(s);
    }
  }
  return { a: Uint32Array.from(a), b: Uint32Array.from(b), sim: Float32Array.from(sim) };
}

/** `sha`-free fingerprint of a pair set for comparisons in tests and the benchmark. */
export function pairKeys(p: PairList): string[] {
  return Array.from(p.a, (i, k) => `${i}-${p.b[k]}`);
}
