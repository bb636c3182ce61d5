/**
 * The one rule every semantic kernel answers to.
 *
 * The reference (seed_dedup.py) builds a float32 similarity matrix and compares each entry with
 * the Python float 0.85, i.e. in float64: a float32 similarity s counts when s > 0.85. Comparing
 * in float32 against Math.fround(0.85) would be wrong in the other direction (fround(0.85) is
 * 0.8500000238…, and a similarity equal to it IS above 0.85 in float64), so float32 code must
 * compare `s >= thresholdF32(0.85)`: the smallest float32 strictly above the threshold.
 *
 * Kernels only *screen* (cheaply, with a proven margin so that no qualifying pair is missed);
 * every candidate is then decided by `pairSimilarity` — one function, one summation order — so
 * all kernels return exactly the same pair set on the same vectors by construction.
 */

export const DEFAULT_THRESHOLD = 0.85;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The next float32 above a finite float32 value (toward +Infinity). */
export function nextUpF32(x: number): number {
  f32[0] = x;
  const v = f32[0]!;
  if (v === 0) {
    u32[0] = 1;
    return f32[0]!;
  }
  if (v > 0) u32[0] = u32[0]! + 1;
  else u32[0] = u32[0]! - 1;
  return f32[0]!;
}

/**
 * The smallest float32 t with t > threshold (compared in float64). A float32 similarity s then
 * satisfies `s > threshold` (in float64) exactly when `s >= t`.
 */
export function thresholdF32(threshold: number): number {
  let t = Math.fround(threshold);
  if (t <= threshold) t = nextUpF32(t);
  return t;
}

/** Squared norms of every row, in float64 (summed in index order). */
export function squaredNorms(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let k = 0; k < d; k++) {
      const v = x[o + k]!;
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/**
 * The canonical similarity of rows i and j: the float64 dot product of the float32 rows summed in
 * index order, divided by the float64 norms, rounded to float32 (as the reference's float32
 * similarity matrix is). Deterministic: every kernel's candidates are decided by this.
 */
export function pairSimilarity(x: Float32Array, d: number, norms2: Float64Array, i: number, j: number): number {
  let s = 0;
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k++) s += x[a + k]! * x[b + k]!;
  return Math.fround(s / Math.sqrt(norms2[i]! * norms2[j]!));
}

/**
 * A lower bound on the exact real dot product x_i·x_j of any pair that `pairSimilarity` accepts
 * (sim >= t32). Screens must pass every pair whose exact dot reaches this bound.
 *
 * Accepted ⇒ fround(c) >= t32 where c is the float64 cosine (relative error < 1e-15), so the exact
 * cosine is >= t32·(1 − 2^-24) − 1e-12; the dot is the cosine times |x_i||x_j| >= minNorm².
 */
export function screenLowerBound(t32: number, minNorm: number): number {
  // Thresholds are validated to lie in (0, 1), so the bound is positive and minNorm applies.
  return (t32 * (1 - 2 ** -23) - 1e-12) * minNorm * minNorm;
}
