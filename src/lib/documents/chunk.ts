/**
 * Cuts an extracted document into chunks: by headings first (a chunk never spans two sections),
 * then by size with overlap, at sentence boundaries in Chinese and English. A list item or table
 * row is never cut; a table too long for one chunk is split between rows with its header row
 * repeated. Running headers/footers are removed first; duplicate and boilerplate chunks are
 * marked excluded. Pure: no DOM, no storage.
 */
import { duplicateKinds, isContentsListing, repeatedLines, type DuplicateOptions, type RepeatedLineOptions } from './boilerplate';
import { estimateTextTokens, splitSentences, splitToFit } from './sentences';
import type { Chunk, DocBlock, ExtractedDoc, PageRange, TextSpan } from './types';
import { pageAt } from './draft';

export interface ChunkOptions {
  /** Upper bound of a chunk's estimated tokens (default 400). */
  maxTokens?: number;
  /** Sentences (or items/rows) repeated from the previous chunk of the same section, up to this many tokens (default 40; 0 for none). */
  overlapTokens?: number;
  /** Remove running headers, footers and page numbers before chunking (default true). */
  removeRepeatedLines?: boolean | RepeatedLineOptions;
  /** Mark duplicate and boilerplate chunks excluded (default true). */
  markDuplicates?: boolean | DuplicateOptions;
}

/** Bad chunking options (from a recipe or the chunk view). */
/** Which chunking setting or edit was refused: the UI words it in its own language from `kind` and `params`. */
export type ChunkOptionsErrorKind = 'size' | 'overlap' | 'splitOutside' | 'splitEmpty';

export class ChunkOptionsError extends Error {
  override name = 'ChunkOptionsError' as const;
  readonly kind: ChunkOptionsErrorKind;
  /** The numbers the message quotes (the English message stays for logs and Node callers). */
  readonly params: Record<string, number>;

  constructor(kind: ChunkOptionsErrorKind, params: Record<string, number>, message: string) {
    super(message);
    this.kind = kind;
    this.params = params;
  }
}

export interface ChunkResult {
  chunks: Chunk[];
  /** Running headers/footers/page numbers taken out before chunking (not in any chunk's text). */
  removed: TextSpan[];
}

type UnitKind = 'heading' | 'text' | 'item' | 'row' | 'headerRow';

interface Unit extends TextSpan {
  kind: UnitKind;
  tokens: number;
  pages?: PageRange;
  /** Index of the table block a row belongs to. */
  table?: number;
}

interface Section {
  headingPath: string[];
  units: Unit[];
  hasContent: boolean;
}

interface TableInfo {
  header: string;
  headerTokens: number;
}

/** `span` minus the removed spans that fall inside it. */
function live(span: TextSpan, removed: readonly TextSpan[]): TextSpan[] {
  const out: TextSpan[] = [];
  let a = span.start;
  for (const r of removed) {
    if (r.end <= a || r.start >= span.end) continue;
    if (r.start > a) out.push({ start: a, end: r.start });
    a = Math.max(a, r.end);
  }
  if (a < span.end) out.push({ start: a, end: span.end });
  return out;
}

function hasText(text: string, s: TextSpan): boolean {
  return /\S/u.test(text.slice(s.start, s.end));
}

/**
 * Checks a chunk size and overlap before any work (the chunk view asks before re-chunking).
 * @throws {ChunkOptionsError} when maxTokens is not a positive integer or the overlap is not
 *   between 0 and half of it.
 */
export function checkChunkOptions(maxTokens: number, overlapTokens: number): void {
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new ChunkOptionsError('size', { got: maxTokens }, `Chunk size must be a whole number of tokens above 0 (got ${maxTokens}).`);
  if (!Number.isFinite(overlapTokens) || overlapTokens < 0 || overlapTokens * 2 > maxTokens)
    throw new ChunkOptionsError(
      'overlap',
      { max: Math.floor(maxTokens / 2), got: overlapTokens },
      `Overlap must be between 0 and half the chunk size (${Math.floor(maxTokens / 2)} tokens); got ${overlapTokens}.`,
    );
}

/**
 * Chunks of a document.
 * @throws {ChunkOptionsError} when maxTokens is not a positive integer or the overlap is not
 *   smaller than half of it.
 */
export function chunkDocument(doc: ExtractedDoc, options: ChunkOptions = {}): ChunkResult {
  const maxTokens = options.maxTokens ?? 400;
  const overlapTokens = options.overlapTokens ?? 40;
  checkChunkOptions(maxTokens, overlapTokens);
  const text = doc.text;
  const rl = options.removeRepeatedLines ?? true;
  const removed = rl === false ? [] : repeatedLines(doc, rl === true ? {} : rl);

  const tables: TableInfo[] = [];
  const sections: Section[] = [];
  const stack: { level: number; title: string }[] = [];
  let section: Section = { headingPath: [], units: [], hasContent: false };
  const addUnit = (u: Omit<Unit, 'tokens'>) => {
    section.units.push({ ...u, tokens: estimateTextTokens(text.slice(u.start, u.end)) });
    if (u.kind !== 'heading') section.hasContent = true;
  };
  // The first piece of a section shares its chunk with the section's heading(s).
  const limit = () =>
    section.hasContent ? maxTokens : Math.max(1, maxTokens - section.units.reduce((n, u) => n + u.tokens, 0));
  const addFitted = (span: TextSpan, kind: UnitKind, pages: PageRange | undefined) => {
    for (const s of splitToFit(text, span, limit())) addUnit({ ...s, kind, pages });
  };

  doc.blocks.forEach((b: DocBlock) => {
    const parts = live(b, removed).filter((s) => hasText(text, s));
    if (parts.length === 0) return;
    const pages = b.pages;
    switch (b.kind) {
      case 'heading': {
        if (section.hasContent) {
          sections.push(section);
          section = { headingPath: [], units: [], hasContent: false };
        }
        while (stack.length && stack[stack.length - 1]!.level >= b.level) stack.pop();
        stack.push({ level: b.level, title: b.title });
        section.headingPath = stack.map((h) => h.title);
        addUnit({ start: b.start, end: b.end, kind: 'heading', pages });
        break;
      }
      case 'paragraph':
        for (const p of parts) for (const s of splitSentences(text.slice(p.start, p.end), p.start)) addFitted(s, 'text', pages);
        break;
      case 'list':
        for (const item of b.items) {
          for (const p of live(item, removed).filter((s) => hasText(text, s))) {
            const t = estimateTextTokens(text.slice(p.start, p.end));
            if (t <= limit()) addUnit({ ...p, kind: 'item', pages });
            // Only an item longer than a whole chunk is cut, and then between its sentences.
            else for (const s of splitSentences(text.slice(p.start, p.end), p.start)) addFitted(s, 'item', pages);
          }
        }
        break;
      case 'table': {
        const headers = b.rows.filter((r) => r.header);
        const body = b.rows.find((r) => !r.header);
        const header =
          headers.length && body ? text.slice(headers[0]!.start, body.start).trimEnd() : headers.length ? text.slice(headers[0]!.start, headers[headers.length - 1]!.end) : '';
        const table = tables.length;
        tables.push({ header, headerTokens: estimateTextTokens(header) });
        for (const r of b.rows) {
          if (removed.some((x) => x.start < r.end && x.end > r.start)) continue;
          // A row is never cut, even one longer than a chunk.
          addUnit({ start: r.start, end: r.end, kind: r.header ? 'headerRow' : 'row', pages, table });
        }
        break;
      }
      case 'code': {
        for (const p of parts) {
          let a = p.start;
          for (let i = p.start; i <= p.end; i++) {
            if (i === p.end || text[i] === '\n') {
              if (hasText(text, { start: a, end: i })) addFitted({ start: a, end: i }, 'text', pages);
              a = i + 1;
            }
          }
        }
        break;
      }
    }
  });
  if (section.units.length) sections.push(section);

  // Tokens of a candidate chunk, with the header of every table it continues without its header.
  const cost = (units: readonly Unit[]): number => {
    let n = 0;
    const withHeader = new Set<number>();
    const continued = new Set<number>();
    for (const u of units) {
      n += u.tokens;
      if (u.kind === 'headerRow') withHeader.add(u.table!);
      else if (u.kind === 'row' && !withHeader.has(u.table!)) continued.add(u.table!);
    }
    for (const t of continued) if (!withHeader.has(t)) n += tables[t]!.headerTokens;
    return n;
  };

  const chunks: Chunk[] = [];
  const bodies: string[] = [];
  const emit = (s: Section, units: Unit[]) => {
    const start = units[0]!.start;
    const end = units[units.length - 1]!.end;
    let body = '';
    let last = start;
    for (const r of removed) {
      if (r.end <= start || r.start >= end) continue;
      body += text.slice(last, r.start);
      last = r.end;
    }
    body += text.slice(last, end);
    // Blank lines left where a header was cut out collapse to one.
    body = body.replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, '\n\n');
    const headers: string[] = [];
    const seen = new Set<number>();
    for (const u of units) {
      if (u.kind === 'headerRow') seen.add(u.table!);
      else if (u.kind === 'row' && !seen.has(u.table!)) {
        seen.add(u.table!);
        if (tables[u.table!]!.header) headers.push(tables[u.table!]!.header);
      }
    }
    const chunkText = headers.length ? `${headers.join('\n')}\n${body}` : body;
    let first = Infinity;
    let lastPage = -Infinity;
    for (const u of units) {
      if (!u.pages) continue;
      first = Math.min(first, u.pages[0]);
      lastPage = Math.max(lastPage, u.pages[1]);
    }
    chunks.push({
      index: chunks.length,
      text: chunkText,
      headingPath: s.headingPath,
      pages: Number.isFinite(first) ? [first, lastPage] : null,
      span: [start, end],
      tokens: estimateTextTokens(chunkText),
    });
    bodies.push(
      units
        .filter((u) => u.kind !== 'heading')
        .map((u) => text.slice(u.start, u.end))
        .join('\n'),
    );
  };

  for (const s of sections) {
    let cur: Unit[] = [];
    let fresh = 0; // units in cur that are not overlap from the previous chunk
    for (const u of s.units) {
      if (fresh > 0 && cur.some((c) => c.kind !== 'heading') && cost([...cur, u]) > maxTokens) {
        emit(s, cur);
        // Overlap: whole trailing sentences/items/rows of the chunk just made, within the budget.
        const tail: Unit[] = [];
        let t = 0;
        for (let i = cur.length - 1; i >= 0 && overlapTokens > 0; i--) {
          const c = cur[i]!;
          if (c.kind === 'heading' || c.kind === 'headerRow' || t + c.tokens > overlapTokens) break;
          tail.unshift(c);
          t += c.tokens;
        }
        while (tail.length && cost([...tail, u]) > maxTokens) tail.shift();
        cur = tail;
        fresh = 0;
      }
      cur.push(u);
      fresh++;
    }
    if (cur.length) emit(s, cur);
  }

  const md = options.markDuplicates ?? true;
  if (md !== false) {
    const kinds = duplicateKinds(bodies, md === true ? {} : md);
    kinds.forEach((k, i) => {
      if (k) chunks[i]!.excluded = k;
      // A table of contents (dot leaders to page numbers) is navigation, not content.
      else if (isContentsListing(bodies[i]!)) chunks[i]!.excluded = 'boilerplate';
    });
  }
  return { chunks, removed };
}

/** A chunk being edited by hand: the fields a merge or a split reads. */
export type EditableChunk = Pick<Chunk, 'headingPath' | 'pages' | 'span' | 'excluded' | 'label'>;
/** What a merge or split makes: a chunk without its place (the repository numbers it). */
export type EditedChunk = Omit<Chunk, 'id' | 'index'>;

/** First and last page of `[start, end)` from a page map (`pageStartsOf`); `fallback` without one. */
function pagesOfSpan(pageStarts: readonly number[], start: number, end: number, fallback: PageRange | null): PageRange | null {
  if (!pageStarts.length) return fallback;
  return [pageAt(pageStarts as number[], start)!, pageAt(pageStarts as number[], Math.max(start, end - 1))!];
}

/**
 * Where a chunk may be split by hand: the start of every non-blank line (heading, paragraph, list
 * item, table row) and of every sentence (splitSentences, Chinese and English) strictly inside its
 * span, ascending. Empty for a chunk of a single sentence.
 */
export function splitPoints(docText: string, span: readonly [number, number]): number[] {
  const [start, end] = span;
  const points = new Set<number>();
  let lineStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && docText[i] !== '\n') continue;
    for (const s of splitSentences(docText.slice(lineStart, i), lineStart)) if (s.start > start && s.start < end) points.add(s.start);
    lineStart = i + 1;
  }
  return [...points].sort((a, b) => a - b);
}

/** The split point nearest the middle of the span (the earlier one on a tie), or undefined when there is none. */
export function middleSplitPoint(points: readonly number[], span: readonly [number, number]): number | undefined {
  const mid = (span[0] + span[1]) / 2;
  let best: number | undefined;
  for (const p of points) if (best === undefined || Math.abs(p - mid) < Math.abs(best - mid)) best = p;
  return best;
}

/**
 * One chunk made of two (`a` before `b`, of the same document): span the union, text the
 * document's text over it, tokens re-estimated, heading path and label of `a`, pages the union.
 * It stays excluded only when both were (with `a`'s reason): merging keeps any text that was in.
 */
export function mergeChunkPair(docText: string, a: EditableChunk, b: EditableChunk): EditedChunk {
  const start = Math.min(a.span[0], b.span[0]);
  const end = Math.max(a.span[1], b.span[1]);
  const text = docText.slice(start, end);
  const pages: PageRange | null = a.pages && b.pages ? [Math.min(a.pages[0], b.pages[0]), Math.max(a.pages[1], b.pages[1])] : (a.pages ?? b.pages);
  const out: EditedChunk = { text, headingPath: a.headingPath, pages, span: [start, end], tokens: estimateTextTokens(text) };
  if (a.excluded && b.excluded) out.excluded = a.excluded;
  if (a.label !== undefined) out.label = a.label;
  else if (b.label !== undefined) out.label = b.label;
  return out;
}

/**
 * A chunk cut in two at `at` (an offset of the document's text strictly inside its span; usually
 * one of `splitPoints`): `[start, at)` without its trailing whitespace and `[at, end)`. Both keep
 * the heading path, label and exclusion; pages come from the page map where there is one.
 * @throws {ChunkOptionsError} when `at` is not strictly inside the span, or a part would hold no text.
 */
export function splitChunkAt(docText: string, pageStarts: readonly number[], c: EditableChunk, at: number): [EditedChunk, EditedChunk] {
  const [start, end] = c.span;
  if (!Number.isInteger(at) || at <= start || at >= end)
    throw new ChunkOptionsError('splitOutside', { start, end, at }, `A chunk spanning ${start}–${end} cannot be split at ${at}: pick a point inside it.`);
  let firstEnd = at;
  while (firstEnd > start && /\s/u.test(docText[firstEnd - 1]!)) firstEnd--;
  if (firstEnd === start || !/\S/u.test(docText.slice(at, end)))
    throw new ChunkOptionsError('splitEmpty', {}, 'Both parts of a split need some text: pick a point between two sentences.');
  const part = (s: number, e: number): EditedChunk => {
    const text = docText.slice(s, e);
    const out: EditedChunk = { text, headingPath: c.headingPath, pages: pagesOfSpan(pageStarts, s, e, c.pages), span: [s, e], tokens: estimateTextTokens(text) };
    if (c.excluded) out.excluded = c.excluded;
    if (c.label !== undefined) out.label = c.label;
    return out;
  };
  return [part(start, firstEnd), part(at, end)];
}

/** The stored document as the chunker reads it (for re-chunking with other settings). */
export function extractedOf(d: { title: string; text: string; blocks: DocBlock[]; pages: number | null; outline: ExtractedDoc['outline'] }): ExtractedDoc {
  const doc: ExtractedDoc = { title: d.title, text: d.text, blocks: d.blocks };
  if (d.pages !== null) doc.pages = d.pages;
  if (d.outline?.length) doc.outline = d.outline;
  return doc;
}

/**
 * The first `max` UTF-16 code units of a text for a preview, never ending on half a surrogate pair
 * (an emoji or a rare CJK character cut in two shows as �).
 */
export function previewText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
