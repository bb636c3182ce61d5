import type { ClusterResult } from './clusters';

/** Similarity counts in equal bins over [min, max]; values outside are clamped into the end bins. */
export interface SimilarityHistogram {
  min: number;
  max: number;
  /** counts[k] counts similarities in [min + k·w, min + (k+1)·w), the last bin including max. */
  counts: Uint32Array;
}

/**
 * Histogram of similarities (a pair list's `sim`, or a cluster result's `similarity`; NaN entries,
 * i.e. kept items, are skipped). The Dedup panel draws it under the threshold slider.
 */
export function similarityHistogram(sims: ArrayLike<number>, bins = 40, min = 0.5, max = 1): SimilarityHistogram {
  if (!(Number.isInteger(bins) && bins >= 1) || !(max > min)) throw new RangeError(`histogram needs bins >= 1 and max > min, got ${bins}, [${min}, ${max}]`);
  const counts = new Uint32Array(bins);
  const w = (max - min) / bins;
  for (let k = 0; k < sims.length; k++) {
    const s = sims[k]!;
    if (Number.isNaN(s)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor((s - min) / w)));
    counts[b]! += 1;
  }
  return { min, max, counts };
}

/** One cluster for the cluster browser: the kept item and the items removed as its duplicates. */
export interface ClusterGroup {
  kept: number;
  duplicates: { index: number; similarity: number; direct: boolean }[];
}

/**
 * The clusters that removed something, largest first (ties by kept index), each duplicate with
 * its similarity to the kept item, most similar first. Incremental runs can keep several items in
 * one cluster (all existing ones): each kept item then lists the duplicates assigned to it.
 */
export function clusterGroups(r: ClusterResult): ClusterGroup[] {
  const byKept = new Map<number, ClusterGroup>();
  for (let i = 0; i < r.duplicateOf.length; i++) {
    const k = r.duplicateOf[i]!;
    if (k === -1) continue;
    let g = byKept.get(k);
    if (!g) byKept.set(k, (g = { kept: k, duplicates: [] }));
    g.duplicates.push({ index: i, similarity: r.similarity[i]!, direct: r.direct[i] === 1 });
  }
  const groups = [...byKept.values()];
  for (const g of groups) g.duplicates.sort((a, b) => b.similarity - a.similarity || a.index - b.index);
  groups.sort((a, b) => b.duplicates.length - a.duplicates.length || a.kept - b.kept);
  return groups;
}
