import { normalizeText } from '../text/normalize';
import { UnionFind } from './clusters';

export interface MinHashOptions {
  /** Characters per shingle (default 3). Characters, not words, so Chinese works. */
  ngram?: number;
  /** Signature length (default 128); must be bands × rows. */
  numPerm?: number;
  /** LSH bands (default 32, i.e. 4 rows per band: pairs near Jaccard 0.42 collide half the time). */
  bands?: number;
  /** Keep pairs whose exact Jaccard similarity is at least this (default 0.7). */
  threshold?: number;
  seed?: number;
  /**
   * Bounded work for large, templated sets: each member of a bucket is compared with at most the
   * next `window` members (default: all), and pairs already connected through found pairs are
   * skipped. Memory and time stay linear in the number of texts. The skipping alone keeps the
   * connected components; the window does not: in a bucket larger than window + 1, pairs further
   * apart are not compared in that band, so clusters can come out finer than with every pair.
   */
  window?: number;
  /** Items [0, existingCount) are seeds: pairs among them are not looked for. */
  existingCount?: number;
}

export interface LexicalPair {
  a: number;
  b: number;
  /** Fraction of equal signature entries (the MinHash estimate of the Jaccard similarity). */
  estimated: number;
  /** The exact Jaccard similarity of the two shingle sets. */
  jaccard: number;
}

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash of a 32-bit value. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The set of character n-gram hashes of the normalised text (code points, so a CJK character or
 * an emoji is one character). A text shorter than n is one shingle.
 *
 * Each shingle's hash is FNV-1a over its UTF-16 code units, then fmix32, computed straight from
 * the text's code units: no n-gram string is built (a 10 MB document makes about 5 million of
 * them, and building them was most of the time of marking its duplicate chunks).
 */
export function shingles(text: string, ngram = 3): Uint32Array {
  const s = normalizeText(text);
  if (s.length === 0) return new Uint32Array(0);
  // Code-unit offset where each code point starts, and one past the end.
  const at = new Int32Array(s.length + 1);
  let chars = 0;
  for (let i = 0; i < s.length; chars++) {
    at[chars] = i;
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  at[chars] = s.length;
  const count = chars <= ngram ? 1 : chars - ngram + 1;
  const out = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const end = at[Math.min(k + ngram, chars)]!;
    let h = 0x811c9dc5;
    for (let i = at[k]!; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    out[k] = fmix32(h);
  }
  out.sort();
  let n = 0;
  for (let k = 0; k < count; k++) if (k === 0 || out[k] !== out[n - 1]) out[n++] = out[k]!;
  return out.slice(0, n);
}

/** Exact Jaccard similarity of two sorted shingle sets. */
export function jaccard(x: Uint32Array, y: Uint32Array): number {
  if (x.length === 0 && y.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      inter++;
      i++;
      j++;
    } else if (x[i]! < y[j]!) i++;
    else j++;
  }
  return inter / (x.length + y.length - inter);
}

/**
 * The exact Jaccard similarity of two sorted shingle sets when it is at least `threshold`, else -1,
 * stopping as soon as too few shared shingles remain possible. The value, when returned, is the
 * one jaccard() gives: the smallest intersection that passes is found with the same division.
 */
function jaccardAtLeast(x: Uint32Array, y: Uint32Array, threshold: number): number {
  const nx = x.length;
  const ny = y.length;
  const total = nx + ny;
  const most = Math.min(nx, ny);
  // The smallest intersection k with k / (total - k) >= threshold (rising in k, rounding included).
  let need = Math.max(0, Math.floor((threshold * total) / (1 + threshold)) - 2);
  while (need <= most && need / (total - need) < threshold) need++;
  if (need > most) return -1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < nx && j < ny) {
    const a = x[i]!;
    const b = y[j]!;
    if (a === b) {
      inter++;
      i++;
      j++;
    } else {
      if (a < b) i++;
      else j++;
      if (inter + Math.min(nx - i, ny - j) < need) return -1;
    }
  }
  return inter >= need ? inter / (total - inter) : -1;
}

/** MinHash signature: for each of numPerm hash functions h_k(x) = fmix32(x ^ seed_k), the minimum over the set. */
export function signature(sh: Uint32Array, seeds: Uint32Array): Uint32Array {
  const sig = new Uint32Array(seeds.length);
  // One hash function at a time over the whole set: the running minimum stays in a register.
  for (let k = 0; k < seeds.length; k++) {
    const seed = seeds[k]!;
    let min = 0xffffffff;
    for (let i = 0; i < sh.length; i++) {
      const h = fmix32(sh[i]! ^ seed);
      if (h < min) min = h;
    }
    sig[k] = min;
  }
  return sig;
}

/**
 * Lexical dedup: MinHash-LSH over character n-grams. Items that share a band bucket are
 * candidates; each candidate gets its MinHash estimate and is then verified with the exact
 * Jaccard similarity of the shingle sets, so the result holds no false positives (it can miss a
 * pair whose bands never collide: the LSH trade-off, tuned by `bands`).
 * Pairs are returned with a < b, sorted.
 * @throws {RangeError} when numPerm is not a multiple of bands.
 */
export function minhashPairs(texts: readonly string[], options: MinHashOptions = {}): LexicalPair[] {
  const { ngram = 3, numPerm = 128, bands = 32, threshold = 0.7, seed = 1, window = Infinity, existingCount = 0 } = options;
  const bounded = Number.isFinite(window);
  if (numPerm % bands !== 0) throw new RangeError(`numPerm (${numPerm}) must be a multiple of bands (${bands}).`);
  const rows = numPerm / bands;
  const seeds = new Uint32Array(numPerm);
  for (let k = 0; k < numPerm; k++) seeds[k] = fmix32(seed * 0x9e3779b1 + k * 0x7f4a7c15 + 1);
  const sh = texts.map((t) => shingles(t, ngram));
  const sigs = sh.map((s) => signature(s, seeds));
  const seen = new Set<number>();
  const out: LexicalPair[] = [];
  const n = texts.length;
  const uf = bounded ? new UnionFind(n) : null;
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (sh[i]!.length === 0) continue;
      const key = Array.from(sigs[i]!.subarray(band * rows, (band + 1) * rows)).join(',');
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    }
    for (const list of buckets.values()) {
      for (let x = 0; x < list.length; x++) {
        // The window counts only items that may be compared with list[x] (seeds skip seeds).
        for (let y = x + 1, tried = 0; y < list.length && tried < window; y++) {
          const a = list[x]!;
          const b = list[y]!;
          if (b < existingCount) continue;
          tried++;
          if (uf) {
            if (uf.find(a) === uf.find(b)) continue;
          } else {
            const key = a * n + b;
            if (seen.has(key)) continue;
            seen.add(key);
          }
          const j = jaccardAtLeast(sh[a]!, sh[b]!, threshold);
          if (j < threshold) continue;
          uf?.union(a, b);
          let eq = 0;
          for (let k = 0; k < numPerm; k++) if (sigs[a]![k] === sigs[b]![k]) eq++;
          out.push({ a, b, estimated: eq / numPerm, jaccard: j });
        }
      }
    }
  }
  return out.sort((p, q) => p.a - q.a || p.b - q.b);
}
