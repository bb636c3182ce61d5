/**
 * Boilerplate and duplicates in documents: running headers, footers and page numbers (lines
 * repeated at the top or bottom of most pages), and chunks whose text repeats elsewhere in the
 * document, exactly or nearly (character 3-gram Jaccard, the Dedup step's MinHash pass).
 */
import { UnionFind } from '../dedup/clusters';
import { minhashPairs } from '../dedup/minhash';
import { hash64, normalizeText } from '../text/normalize';
import type { ExtractedDoc, TextSpan } from './types';

export interface RepeatedLineOptions {
  /** A line is a running header/footer when it shows on at least this share of pages (default 0.5). */
  share?: number;
  /** …and on at least this many pages (default 3). */
  minPages?: number;
  /** Lines looked at from the top and from the bottom of each page (default 2). */
  edgeLines?: number;
  /** Longer lines are never taken for boilerplate (default 120 characters). */
  maxLength?: number;
}

/** A line's identity across pages: normalised (NFKC, case, spaces), every number made "0". */
export function lineKey(line: string): string {
  return normalizeText(line).replace(/\p{N}+/gu, '0');
}

interface Line extends TextSpan {
  key: string;
}

function linesOf(text: string, span: TextSpan): Line[] {
  const out: Line[] = [];
  let a = span.start;
  for (let i = span.start; i <= span.end; i++) {
    if (i === span.end || text[i] === '\n') {
      let s = a;
      let e = i;
      while (s < e && /\s/u.test(text[s]!)) s++;
      while (e > s && /\s/u.test(text[e - 1]!)) e--;
      if (e > s) out.push({ start: s, end: e, key: lineKey(text.slice(s, e)) });
      a = i + 1;
    }
  }
  return out;
}

/**
 * The spans of running headers, footers and page numbers: lines that open or close most pages
 * with the same words (numbers aside: "Page 3 of 40", "— 12 —", "第 5 页"). Only documents with
 * page numbers on their blocks (PDF) have any. The spans are sorted and disjoint, each one line.
 */
export function repeatedLines(doc: ExtractedDoc, options: RepeatedLineOptions = {}): TextSpan[] {
  const { share = 0.5, minPages = 3, edgeLines = 2, maxLength = 120 } = options;
  const byPage = new Map<number, Line[]>();
  const all: Line[] = [];
  for (const b of doc.blocks) {
    const lines = linesOf(doc.text, b);
    all.push(...lines);
    if (!b.pages || b.pages[0] !== b.pages[1]) continue;
    const list = byPage.get(b.pages[0]) ?? [];
    list.push(...lines);
    byPage.set(b.pages[0], list);
  }
  const pageCount = Math.max(doc.pages ?? 0, byPage.size);
  const need = Math.max(minPages, Math.ceil(share * pageCount));
  if (byPage.size < need) return [];
  const pagesOfKey = new Map<string, Set<number>>();
  for (const [page, lines] of byPage) {
    const edge = lines.length <= 2 * edgeLines ? lines : [...lines.slice(0, edgeLines), ...lines.slice(-edgeLines)];
    for (const l of edge) {
      if (l.end - l.start > maxLength || l.key === '') continue;
      const set = pagesOfKey.get(l.key) ?? new Set<number>();
      set.add(page);
      pagesOfKey.set(l.key, set);
    }
  }
  const frequent = new Set([...pagesOfKey].filter(([, pages]) => pages.size >= need).map(([k]) => k));
  if (frequent.size === 0) return [];
  // Every short line with a frequent key goes, wherever it sits: a paragraph that runs over a page
  // break carries the next page's header in its middle.
  return all
    .filter((l) => frequent.has(l.key) && l.end - l.start <= maxLength)
    .map(({ start, end }) => ({ start, end }))
    .sort((x, y) => x.start - y.start);
}

export interface DuplicateOptions {
  /** Character 3-gram Jaccard similarity from which two chunks are near-duplicates (default 0.9). */
  threshold?: number;
  /** A text found this many times or more is boilerplate, every copy excluded (default 3). */
  boilerplateCopies?: number;
}

/**
 * Duplicates among texts: `'boilerplate'` for every copy of a text found `boilerplateCopies` times
 * or more with the same words (normalised: case, width, spacing) — a notice repeated in every
 * chapter; `'duplicate'` for a text that an earlier one says again exactly, or nearly (character
 * 3-gram Jaccard ≥ threshold); else `undefined`. Near-copies are only ever `'duplicate'`: a
 * templated reference section (HMAC-MD5, HMAC-SHA1, … in the Nettle manual) is not boilerplate.
 * Empty texts are never duplicates.
 */
export function duplicateKinds(
  texts: readonly string[],
  options: DuplicateOptions = {},
): ('duplicate' | 'boilerplate' | undefined)[] {
  const { threshold = 0.9, boilerplateCopies = 3 } = options;
  const uf = new UnionFind(texts.length);
  const keys = texts.map((t) => {
    const n = normalizeText(t);
    return n === '' ? '' : hash64(n);
  });
  const first = new Map<string, number>();
  const exactCount = new Map<string, number>();
  keys.forEach((h, i) => {
    if (!h) return;
    exactCount.set(h, (exactCount.get(h) ?? 0) + 1);
    const f = first.get(h);
    if (f === undefined) first.set(h, i);
    else uf.union(f, i);
  });
  // Near-duplicates among one text per exact group only: a notice repeated 400 times would
  // otherwise fill every LSH bucket with 400 copies to compare pairwise. The window bounds the
  // work of large buckets of merely similar texts too (minhash.ts explains what it may miss).
  const reps = [...first.values()];
  for (const p of minhashPairs(
    // Punctuation aside: "…登记。" and "…登记！" say the same, and in a short text one mark weighs a lot.
    reps.map((i) => texts[i]!.replace(/[\p{P}\p{S}]+/gu, ' ')),
    // 32 hashes in 8 bands of 4: a pair at Jaccard 0.9 shares a band with probability 0.9997, at
    // a quarter of the Dedup step's signature cost (128 hashes).
    { threshold, window: 64, numPerm: 32, bands: 8 },
  ))
    uf.union(reps[p.a]!, reps[p.b]!);
  const seen = new Set<number>();
  return texts.map((_, i) => {
    if (!keys[i]) return undefined;
    if (exactCount.get(keys[i])! >= boilerplateCopies) return 'boilerplate';
    const root = uf.find(i);
    if (seen.has(root)) return 'duplicate';
    seen.add(root);
    return undefined;
  });
}

/** A dot (or middle-dot, ellipsis) leader and the page number it leads to: "Copyright . . . . 2", "总则……3". */
const LEADER = /(?:[.·…]\s?){4,}\s*\d+/gu;

/**
 * A table of contents: at least three entries with dot leaders and page numbers, the leaders a
 * fifth or more of the text. Questions asked from it are about page numbers ("On which page does
 * chapter 3 start?"), so such chunks are excluded as boilerplate by default, like running headers.
 */
export function isContentsListing(text: string): boolean {
  let entries = 0;
  let leaderChars = 0;
  for (const m of text.matchAll(LEADER)) {
    entries++;
    leaderChars += m[0].replace(/\s|\d/gu, '').length;
  }
  const visible = text.replace(/\s/gu, '').length;
  return entries >= 3 && visible > 0 && leaderChars / visible >= 0.2;
}
