/**
 * The span-citation check: does a quote in an answer really come from its chunk, and where?
 * Matching is exact first, then on a folded form (NFKC: full-width → half-width; lower case;
 * whitespace and punctuation ignored), so a quote survives re-spacing, curly vs straight quotes,
 * "，" vs ",". Quotes that elide text ("…", "...", "[…]") match piece by piece, in order.
 */
import { splitSentences } from './sentences';
import type { Chunk, ChunkRef, SampleSource } from './types';

export interface CitedSpan {
  /** `[start, end)` into the chunk's text. */
  start: number;
  end: number;
  /** `[start, end)` into the document's text, where the chunk's text is found there. */
  doc: [number, number] | null;
}

export type CitationResult =
  | { quote: string; supported: true; how: 'exact' | 'normalised'; spans: CitedSpan[] }
  | { quote: string; supported: false; spans: [] };

/** The folded form of a text with, for each folded character, the index of the original it came from. */
function fold(text: string): { s: string; at: number[] } {
  let s = '';
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = ch.normalize('NFKC').toLowerCase();
    for (const c of f) {
      if (/[\s\p{P}\p{S}]/u.test(c)) continue;
      s += c;
      for (let k = 0; k < c.length; k++) at.push(i);
    }
    i += ch.length;
  }
  return { s, at };
}

const ELLIPSIS = /\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…+|\.{3,})\s*/u;
/** Quote marks around cited text in an answer: “…”, "…", 「…」, 『…』, ‘…’, and <quote>…</quote>. */
const QUOTED = /“([^”]+)”|"([^"]+)"|「([^」]+)」|『([^』]+)』|‘([^’]+)’|<quote>([\s\S]+?)<\/quote>/gu;

/**
 * The quoted passages of an answer (see QUOTED), those of at least `minChars` characters after
 * folding — short ones ("yes", a term in quotes) cite nothing.
 */
export function extractQuotes(answer: string, minChars = 6): string[] {
  const out: string[] = [];
  for (const m of answer.matchAll(QUOTED)) {
    const q = m.slice(1).find((g) => g !== undefined)!.trim();
    if (fold(q).s.length >= minChars) out.push(q);
  }
  return out;
}

function locate(text: string, piece: string, from: number): { start: number; end: number; how: 'exact' | 'normalised' } | null {
  const exact = text.indexOf(piece, from);
  if (exact >= 0) return { start: exact, end: exact + piece.length, how: 'exact' };
  const t = fold(text);
  const p = fold(piece).s;
  if (!p) return null;
  // First folded index at or after `from`.
  let fi = t.at.findIndex((o) => o >= from);
  if (fi < 0) return null;
  fi = t.s.indexOf(p, fi);
  if (fi < 0) return null;
  const start = t.at[fi]!;
  let end = t.at[fi + p.length - 1]!;
  // Extend to the end of the last original character (a surrogate pair is two code units).
  end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return { start, end, how: 'normalised' };
}

/**
 * Finds a quote in a chunk. Returns the cited span(s) (one per piece of an elided quote) with
 * offsets into the chunk's text and, when the chunk's text lies in the document as is, into the
 * document's text — or `supported: false` when some piece is not in the chunk.
 * @param docText the document's text, to give `doc` offsets (omit to get `doc: null`).
 */
export function findCitation(chunk: Pick<Chunk, 'text' | 'span'>, quote: string, docText?: string): CitationResult {
  const pieces = quote.split(ELLIPSIS).map((p) => p.trim()).filter((p) => fold(p).s.length > 0);
  if (pieces.length === 0) return { quote, supported: false, spans: [] };
  const spans: CitedSpan[] = [];
  let from = 0;
  let how: 'exact' | 'normalised' = 'exact';
  for (const piece of pieces) {
    const hit = locate(chunk.text, piece, from);
    if (!hit) return { quote, supported: false, spans: [] };
    if (hit.how === 'normalised') how = 'normalised';
    spans.push({ start: hit.start, end: hit.end, doc: docSpan(chunk, hit.start, hit.end, docText) });
    from = hit.end;
  }
  return { quote, supported: true, how, spans };
}

/** Where chunk-text offsets fall in the document: direct when the chunk is a plain slice, else by search within the chunk's span. */
function docSpan(chunk: Pick<Chunk, 'text' | 'span'>, start: number, end: number, docText?: string): [number, number] | null {
  if (docText === undefined) return null;
  const [a, b] = chunk.span;
  const slice = docText.slice(a, b);
  if (slice === chunk.text) return [a + start, a + end];
  // A chunk with a repeated table header or removed running headers: find the cited text itself.
  const cited = chunk.text.slice(start, end);
  const k = slice.indexOf(cited);
  return k >= 0 ? [a + k, a + k + cited.length] : null;
}

export interface CitationCheck {
  /** Every quote found in the answer (or given), each located or not. */
  results: CitationResult[];
  /** The quotes not found in the chunk: the answer cites what the chunk does not say. */
  unsupported: string[];
}

/**
 * Checks every quote in an answer against the chunk it was grounded on.
 * @param quotes the quotes to check; by default those `extractQuotes` finds in the answer.
 */
export function checkCitations(
  chunk: Pick<Chunk, 'text' | 'span'>,
  answer: string,
  options: { quotes?: string[]; docText?: string; minChars?: number } = {},
): CitationCheck {
  const quotes = options.quotes ?? extractQuotes(answer, options.minChars);
  const results = quotes.map((q) => findCitation(chunk, q, options.docText));
  return { results, unsupported: results.filter((r) => !r.supported).map((r) => r.quote) };
}

/** English words too common to show that a sentence supports an answer. */
const STOP = new Set(
  'the a an and or but of to in on at by for with from as is are was were be been being it its this that these those there their they them he she his her we you your our not no can could may might must shall should will would do does did has have had than then so such which who whom what when where why how all any each every other into over under about after before only also very more most some same own just'.split(' '),
);
const HAN = /\p{Script=Han}/u;

/** Content units of a text: English words of 3+ letters (stop words out), digits, and Chinese character pairs. */
function units(text: string): Set<string> {
  const out = new Set<string>();
  const f = text.normalize('NFKC').toLowerCase();
  for (const m of f.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    if (HAN.test(w)) {
      const chars = [...w].filter((c) => HAN.test(c));
      for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
      continue;
    }
    if (/^\p{N}+$/u.test(w) || (w.length >= 3 && !STOP.has(w))) out.add(w.replace(/(?:ies|es|s)$/u, ''));
  }
  return out;
}

export interface AlignedSpan {
  /** `[start, end)` into the chunk's text. */
  start: number;
  end: number;
  /** Share of the sentence's content units that the answer repeats (0–1). */
  overlap: number;
}

/**
 * The sentences of a chunk that an answer restates, for an answer that quotes nothing (small models
 * often drop the requested quote line but answer from the text). A sentence counts when the answer
 * repeats at least `minOverlap` of its content units (English words, Chinese character pairs) and
 * at least 3 of them; at most `max` sentences, the best first, returned in text order. Empty when
 * no sentence is restated: the answer then cites nothing.
 */
export function alignAnswer(chunkText: string, answer: string, options: { minOverlap?: number; max?: number } = {}): AlignedSpan[] {
  const minOverlap = options.minOverlap ?? 0.5;
  const max = options.max ?? 3;
  const said = units(answer);
  if (said.size === 0) return [];
  const hits: AlignedSpan[] = [];
  for (const s of splitSentences(chunkText)) {
    const u = units(chunkText.slice(s.start, s.end));
    if (u.size === 0) continue;
    let shared = 0;
    for (const x of u) if (said.has(x)) shared++;
    const overlap = shared / u.size;
    if (shared >= Math.min(3, u.size) && overlap >= minOverlap) hits.push({ start: s.start, end: s.end, overlap });
  }
  return hits
    .sort((a, b) => b.overlap - a.overlap || a.start - b.start)
    .slice(0, max)
    .sort((a, b) => a.start - b.start);
}

/**
 * Where a chunk's text lies in its document when it is not a plain slice of it (running headers
 * or page numbers cut out of its span, blank lines collapsed, a table's header row repeated at the
 * top): `[chunkStart, docStart, length]` runs of text the two share, in order. Lines are matched in
 * order within the chunk's span; a line not found there (a repeated header) maps nowhere, and runs
 * joined by the same text in both are merged. `undefined` for a plain slice (chunk offset + span
 * start is the document offset).
 */
export function chunkPieces(docText: string, chunk: Pick<Chunk, 'text' | 'span'>): [number, number, number][] | undefined {
  const [a, b] = chunk.span;
  const slice = docText.slice(a, b);
  if (slice === chunk.text) return undefined;
  const pieces: [number, number, number][] = [];
  let from = 0;
  let at = 0;
  for (const line of chunk.text.split('\n')) {
    const start = at;
    at += line.length + 1;
    if (!line.trim()) continue;
    const k = slice.indexOf(line, from);
    if (k < 0) continue;
    const last = pieces[pieces.length - 1];
    // The text between this line and the last is the same in both (a newline): one run.
    if (last && chunk.text.slice(last[0] + last[2], start) === slice.slice(last[1] - a + last[2], k)) last[2] = start + line.length - last[0];
    else pieces.push([start, a + k, line.length]);
    from = k + line.length;
  }
  return pieces;
}

/**
 * A `[start, end)` span of a chunk's text as document offsets: one span per piece it covers (see
 * chunkPieces; none for text that maps nowhere), or the chunk's span start added for a plain slice.
 */
export function chunkToDoc(chunk: Pick<Chunk, 'span'> & { pieces?: [number, number, number][] }, start: number, end: number): [number, number][] {
  if (!chunk.pieces) return [[chunk.span[0] + start, chunk.span[0] + end]];
  const out: [number, number][] = [];
  for (const [c, d, n] of chunk.pieces) {
    const s = Math.max(start, c);
    const e = Math.min(end, c + n);
    if (s < e) out.push([d + s - c, d + e - c]);
  }
  return out;
}

/** The reverse of chunkToDoc: a document span's parts that lie in the chunk's text, as offsets of that text. */
export function docToChunk(chunk: Pick<ChunkRef, 'text' | 'span' | 'pieces'>, start: number, end: number): [number, number][] {
  const pieces = chunk.pieces ?? (chunk.text.length === chunk.span[1] - chunk.span[0] ? [[0, chunk.span[0], chunk.text.length] as const] : []);
  const out: [number, number][] = [];
  for (const [c, d, n] of pieces) {
    const s = Math.max(start, d);
    const e = Math.min(end, d + n);
    if (s < e) out.push([c + s - d, c + e - d]);
  }
  return out;
}

/**
 * A sample's grounding text as its run kept it (the run's chunk snapshot, for when the document was
 * deleted): the sample's chunks' texts joined by a blank line, as the prompts showed them, with its
 * cited spans as offsets of that text. Null when none of its chunks is in the snapshot.
 */
export function keptGrounding(snapshot: ReadonlyMap<string, ChunkRef>, src: Pick<SampleSource, 'chunkId' | 'moreChunks' | 'cited'>): { text: string; cited: [number, number][] } | null {
  const chunks = [src.chunkId, ...(src.moreChunks ?? []).map((c) => c.id)].map((id) => snapshot.get(id)).filter((c): c is ChunkRef => !!c && !!c.text);
  if (!chunks.length) return null;
  let text = '';
  const cited: [number, number][] = [];
  for (const c of chunks) {
    if (text) text += '\n\n';
    for (const [a, b] of src.cited) for (const [s, e] of docToChunk(c, a, b)) cited.push([text.length + s, text.length + e]);
    text += c.text;
  }
  return { text, cited };
}
