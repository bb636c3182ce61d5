import { mulberry32 } from '../random';
import { UnionFind } from '../dedup/clusters';

/**
 * The figures behind the Review charts that need embeddings: a 2-D map (PCA), the mean pairwise
 * similarity and the number of clusters in each round. Pure functions; the app runs them in a
 * worker (statsApi.ts) because a few of them take seconds on 100k vectors.
 */

/** The length of each listed row (1 for a zero row). */
function norms(data: Float32Array, rows: readonly number[], d: number): Float64Array {
  const out = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += data[r * d + k]! ** 2;
    out[i] = Math.sqrt(s) || 1;
  });
  return out;
}

/**
 * The first two principal components by power iteration with deflation, fitted on at most
 * `fitMax` vectors (a seeded sample: the same input gives the same map), then every vector
 * projected. Returns x0,y0,x1,y1,…
 */
export function pca2(data: Float32Array, n: number, d: number, fitMax = 5000, seed = 1): Float32Array {
  const rng = mulberry32(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n > fitMax) {
    for (let i = 0; i < fitMax; i++) {
      const j = i + Math.floor(rng() * (n - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    idx.length = fitMax;
  }
  const m = idx.length;
  const mean = new Float64Array(d);
  for (const i of idx) for (let k = 0; k < d; k++) mean[k]! += data[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= Math.max(1, m);
  const comps: Float64Array[] = [];
  const proj = new Float64Array(m);
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d).map(() => rng() - 0.5);
    for (let it = 0; it < 60; it++) {
      // w = Xcᵀ (Xc v), with earlier components removed from v.
      for (const u of comps) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += u[k]! * v[k]!;
        for (let k = 0; k < d; k++) v[k]! -= dot * u[k]!;
      }
      for (let r = 0; r < m; r++) {
        const base = idx[r]! * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += (data[base + k]! - mean[k]!) * v[k]!;
        proj[r] = s;
      }
      const w = new Float64Array(d);
      for (let r = 0; r < m; r++) {
        const base = idx[r]! * d;
        const p = proj[r]!;
        for (let k = 0; k < d; k++) w[k]! += (data[base + k]! - mean[k]!) * p;
      }
      for (const u of comps) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += u[k]! * w[k]!;
        for (let k = 0; k < d; k++) w[k]! -= dot * u[k]!;
      }
      let len = 0;
      for (let k = 0; k < d; k++) len += w[k]! ** 2;
      len = Math.sqrt(len);
      if (!len) break;
      for (let k = 0; k < d; k++) w[k]! /= len;
      v = w;
    }
    comps.push(v);
  }
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (data[i * d + k]! - mean[k]!) * comps[c]![k]!;
      out[i * 2 + c] = s;
    }
  }
  return out;
}

/**
 * Mean cosine similarity over all pairs of `members` (at most `maxItems` of them, a seeded
 * sample, so a large round costs what 1000 items do). `sampled` says whether it was sampled.
 */
export function meanPairwise(data: Float32Array, d: number, members: number[], maxItems = 1000, seed = 1): { mean: number; sampled: boolean } {
  let ids = members;
  if (members.length > maxItems) {
    const rng = mulberry32(seed);
    ids = [...members];
    for (let i = 0; i < maxItems; i++) {
      const j = i + Math.floor(rng() * (ids.length - i));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    ids.length = maxItems;
  }
  const m = ids.length;
  if (m < 2) return { mean: NaN, sampled: false };
  // Only the compared rows' norms (this runs once per round, over every row of the data).
  const nrm = norms(data, ids, d);
  let sum = 0;
  for (let x = 0; x < m; x++) {
    const a = ids[x]! * d;
    for (let y = x + 1; y < m; y++) {
      const b = ids[y]! * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += data[a + k]! * data[b + k]!;
      sum += s / (nrm[x]! * nrm[y]!);
    }
  }
  return { mean: sum / ((m * (m - 1)) / 2), sampled: members.length > maxItems };
}

/**
 * Clusters within each group (connected components of the pairs whose two items are in the same
 * group and whose similarity is ≥ threshold). A round whose clusters fall well below its item
 * count is repeating itself.
 */
export function clustersPerGroup(group: Int32Array | number[], pairs: { a: ArrayLike<number>; b: ArrayLike<number>; sim: ArrayLike<number> }, threshold: number): Map<number, { items: number; clusters: number }> {
  const n = group.length;
  const uf = new UnionFind(n);
  for (let k = 0; k < pairs.sim.length; k++) {
    const a = pairs.a[k]!;
    const b = pairs.b[k]!;
    if (pairs.sim[k]! < threshold || group[a] !== group[b]) continue;
    uf.union(a, b);
  }
  const out = new Map<number, { items: number; clusters: number }>();
  for (let i = 0; i < n; i++) {
    const g = group[i]!;
    const e = out.get(g) ?? { items: 0, clusters: 0 };
    e.items++;
    if (uf.find(i) === i) e.clusters++;
    out.set(g, e);
  }
  return out;
}
