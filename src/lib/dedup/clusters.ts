import type { PairList } from './types';

/** Union–find with path halving and union by size. */
export class UnionFind {
  readonly parent: Uint32Array;
  readonly size: Uint32Array;
  constructor(n: number) {
    this.parent = new Uint32Array(n);
    this.size = new Uint32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] = this.size[ra]! + this.size[rb]!;
  }
}

export interface ClusterOptions {
  /** Judge scores per item; higher is better; NaN (or no array) means unscored and ranks last. */
  scores?: ArrayLike<number>;
  /**
   * Incremental dedup: items [0, existingCount) are the existing set (seeds, earlier accepted
   * items), the rest are new. See `resolveClusters` for the rule.
   */
  existingCount?: number;
  /** Let a strictly better-scored new item replace existing ones (default false). */
  replaceExisting?: boolean;
  /**
   * Similarity of two items that are in one cluster but not a found pair (linked only through a
   * chain). Without it, such items report NaN.
   */
  similarity?: (i: number, j: number) => number;
}

export interface ClusterResult {
  /** Cluster id per item: the index of the item kept for its cluster (itself when kept). */
  cluster: Uint32Array;
  /** -1 when the item is kept; otherwise the kept item it duplicates. */
  duplicateOf: Int32Array;
  /** For a duplicate: its similarity to `duplicateOf` (NaN for kept items). */
  similarity: Float32Array;
  /** For a duplicate: 1 when it and the kept item are a found pair (similarity above threshold),
   * 0 when it joined the cluster only through a chain (similarity computed directly, may be below). */
  direct: Uint8Array;
  /** Number of kept items. */
  kept: number;
}

/**
 * Clusters = connected components of the pair graph (a~b, b~c puts a, b, c together even when
 * a≁c). Each cluster keeps its best item — the highest score, ties (and unscored items) to the
 * earliest index — and every other item is marked `duplicateOf` it.
 *
 * What a duplicate reports: if it and the kept item are a found pair, that pair's similarity
 * (`direct` = 1); if it joined only through a chain, the similarity computed directly between it
 * and the kept item by `options.similarity` (which can be below the threshold; `direct` = 0).
 *
 * Incremental rule (existingCount > 0): existing items were accepted earlier and are never
 * removed because of a new item, so a cluster that contains existing items keeps every one of
 * them, and its new items are duplicates of the best existing item in it. Only with
 * `replaceExisting` do scores decide: then the cluster keeps its single best item by the usual
 * order (score, then index — existing items come first, so a tie keeps the existing one), and an
 * existing item is removed only when a new item with a strictly higher score is in its cluster.
 */
export function resolveClusters(n: number, pairs: PairList, options: ClusterOptions = {}): ClusterResult {
  const { scores, existingCount = 0, replaceExisting = false, similarity } = options;
  const uf = new UnionFind(n);
  for (let k = 0; k < pairs.a.length; k++) uf.union(pairs.a[k]!, pairs.b[k]!);
  const score = (i: number) => {
    const s = scores ? scores[i]! : NaN;
    return Number.isNaN(s) ? -Infinity : s;
  };
  // better(i, j): i ranks before j.
  const better = (i: number, j: number) => {
    const si = score(i);
    const sj = score(j);
    return si !== sj ? si > sj : i < j;
  };
  const bestAll = new Int32Array(n).fill(-1);
  const bestExisting = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    if (bestAll[r] === -1 || better(i, bestAll[r]!)) bestAll[r] = i;
    if (i < existingCount && (bestExisting[r] === -1 || better(i, bestExisting[r]!))) bestExisting[r] = i;
  }
  const cluster = new Uint32Array(n);
  const duplicateOf = new Int32Array(n).fill(-1);
  const sim = new Float32Array(n).fill(NaN);
  const direct = new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const keeper = !replaceExisting && bestExisting[r] !== -1 ? bestExisting[r]! : bestAll[r]!;
    cluster[i] = keeper;
    const keepsItself = i === keeper || (!replaceExisting && i < existingCount);
    if (keepsItself) {
      kept++;
      continue;
    }
    duplicateOf[i] = keeper;
  }
  // The similarity to the kept item: the found pair's when there is one.
  for (let k = 0; k < pairs.a.length; k++) {
    const a = pairs.a[k]!;
    const b = pairs.b[k]!;
    if (duplicateOf[a] === b) {
      sim[a] = pairs.sim[k]!;
      direct[a] = 1;
    } else if (duplicateOf[b] === a) {
      sim[b] = pairs.sim[k]!;
      direct[b] = 1;
    }
  }
  if (similarity) {
    for (let i = 0; i < n; i++) if (duplicateOf[i] !== -1 && !direct[i]) sim[i] = similarity(i, duplicateOf[i]!);
  }
  return { cluster, duplicateOf, similarity: sim, direct, kept };
}
