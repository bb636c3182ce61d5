import { expect } from 'vitest';
import type { ChunkResult } from '../../src/lib/documents/chunk';
import { estimateTextTokens } from '../../src/lib/documents/sentences';
import type { DocBlock, ExtractedDoc, HeadingBlock, PageRange } from '../../src/lib/documents/types';

/** One block of a test document, written as an extractor would see it. */
export type Part =
  | { h: 1 | 2 | 3 | 4 | 5 | 6; title: string; page?: number }
  | { p: string; page?: number; pages?: PageRange }
  | { list: string[]; ordered?: boolean; page?: number }
  | { table: string[][]; page?: number }
  | { code: string; lang?: string; page?: number };

/**
 * Builds an ExtractedDoc the way the extractors lay one out (types.ts): Markdown-like text,
 * blocks separated by a blank line, each block's span its source in the text.
 */
export function buildDoc(parts: Part[], title = 'Test document'): ExtractedDoc {
  let text = '';
  const blocks: DocBlock[] = [];
  let maxPage = 0;
  for (const part of parts) {
    if (text) text += '\n\n';
    const start = text.length;
    const pg = 'pages' in part && part.pages ? part.pages : part.page !== undefined ? ([part.page, part.page] as PageRange) : undefined;
    if (pg) maxPage = Math.max(maxPage, pg[1]);
    const pages = pg ? { pages: pg } : {};
    if ('h' in part) {
      text += `${'#'.repeat(part.h)} ${part.title}`;
      blocks.push({ kind: 'heading', level: part.h, title: part.title, start, end: text.length, ...pages });
    } else if ('p' in part) {
      text += part.p;
      blocks.push({ kind: 'paragraph', start, end: text.length, ...pages });
    } else if ('list' in part) {
      const items = part.list.map((item, i) => {
        if (i) text += '\n';
        const s = text.length;
        text += `${part.ordered ? `${i + 1}.` : '-'} ${item}`;
        return { start: s, end: text.length };
      });
      blocks.push({ kind: 'list', ordered: part.ordered ?? false, items, start, end: text.length, ...pages });
    } else if ('table' in part) {
      const rows = part.table.map((cells, i) => {
        if (i) text += '\n';
        if (i === 1) text += `|${cells.map(() => '---').join('|')}|\n`;
        const s = text.length;
        text += `| ${cells.join(' | ')} |`;
        return { cells, start: s, end: text.length, ...(i === 0 ? { header: true } : {}) };
      });
      blocks.push({ kind: 'table', rows, start, end: text.length, ...pages });
    } else {
      text += `\`\`\`${part.lang ?? ''}\n${part.code}\n\`\`\``;
      blocks.push({ kind: 'code', ...(part.lang ? { lang: part.lang } : {}), start, end: text.length, ...pages });
    }
  }
  return { title, text, blocks, ...(maxPage ? { pages: maxPage } : {}) };
}

/**
 * A small Markdown reader for tests (headings, paragraphs, lists, pipe tables, fenced code), so
 * that real Markdown someone else wrote can go through the chunker. The app's own Markdown
 * extractor lives in src/lib/documents/extract/.
 */
export function docFromMarkdown(text: string, title = 'Markdown'): ExtractedDoc {
  const blocks: DocBlock[] = [];
  const lines: { start: number; end: number; s: string }[] = [];
  let a = 0;
  for (const s of text.split('\n')) {
    lines.push({ start: a, end: a + s.length, s });
    a += s.length + 1;
  }
  const isItem = (s: string) => /^\s*(?:[-*+]|\d+[.)])\s+\S/.test(s);
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (!l.s.trim()) {
      i++;
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l.s);
    if (h) {
      blocks.push({ kind: 'heading', level: h[1]!.length as 1, title: h[2]!, start: l.start, end: l.end });
      i++;
    } else if (/^\s*```/.test(l.s)) {
      let j = i + 1;
      while (j < lines.length && !/^\s*```/.test(lines[j]!.s)) j++;
      const end = lines[Math.min(j, lines.length - 1)]!.end;
      blocks.push({ kind: 'code', start: l.start, end });
      i = j + 1;
    } else if (/^\s*\|/.test(l.s)) {
      const rows: { cells: string[]; start: number; end: number; header?: boolean }[] = [];
      let j = i;
      while (j < lines.length && /^\s*\|/.test(lines[j]!.s)) {
        const r = lines[j]!;
        if (/^\s*\|?\s*:?-{2,}/.test(r.s)) {
          if (rows.length) rows[rows.length - 1]!.header = true;
        } else rows.push({ cells: r.s.split('|').slice(1, -1).map((c) => c.trim()), start: r.start, end: r.end });
        j++;
      }
      blocks.push({ kind: 'table', rows, start: l.start, end: lines[j - 1]!.end });
      i = j;
    } else if (isItem(l.s)) {
      const items: { start: number; end: number }[] = [];
      let j = i;
      while (j < lines.length && lines[j]!.s.trim() && (isItem(lines[j]!.s) || /^\s+\S/.test(lines[j]!.s))) {
        if (isItem(lines[j]!.s)) items.push({ start: lines[j]!.start, end: lines[j]!.end });
        else items[items.length - 1]!.end = lines[j]!.end;
        j++;
      }
      blocks.push({ kind: 'list', ordered: /^\s*\d/.test(l.s), items, start: l.start, end: lines[j - 1]!.end });
      i = j;
    } else {
      let j = i;
      while (j < lines.length && lines[j]!.s.trim() && !/^(#{1,6}\s|\s*```|\s*\|)/.test(lines[j]!.s) && (j === i || !isItem(lines[j]!.s))) j++;
      blocks.push({ kind: 'paragraph', start: l.start, end: lines[j - 1]!.end });
      i = j;
    }
  }
  return { title, text, blocks };
}

function sectionOf(doc: ExtractedDoc, offset: number): string[] {
  const stack: HeadingBlock[] = [];
  for (const b of doc.blocks) {
    if (b.start > offset) break;
    if (b.kind !== 'heading') continue;
    while (stack.length && stack[stack.length - 1]!.level >= b.level) stack.pop();
    stack.push(b);
  }
  return stack.map((h) => h.title);
}

/** The invariants every chunking must keep. */
export function checkInvariants(doc: ExtractedDoc, r: ChunkResult, maxTokens: number, overlapTokens: number) {
  const { text } = doc;
  // 1. Every non-blank character is in a chunk's span, or in a removed running header/footer.
  const covered = new Uint8Array(text.length);
  for (const c of r.chunks) covered.fill(1, c.span[0], c.span[1]);
  for (const s of r.removed) covered.fill(2, s.start, s.end);
  for (let i = 0; i < text.length; i++) if (!covered[i] && /\S/u.test(text[i]!)) throw new Error(`offset ${i} (${JSON.stringify(text.slice(i, i + 30))}) is in no chunk`);
  r.chunks.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(c.span[0]).toBeLessThan(c.span[1]);
    // 2. Within the size bound; the estimate is of the text as stored.
    expect(c.tokens).toBe(estimateTextTokens(c.text));
    expect(c.tokens, `chunk ${i}: ${c.text.slice(0, 80)}`).toBeLessThanOrEqual(maxTokens);
    // 3. The heading path is that of the chunk's place in the document.
    expect(c.headingPath).toEqual(sectionOf(doc, c.span[1] - 1));
    // Without a repeated header or cut-out lines, the text is exactly its span.
    if (!r.removed.some((s) => s.start < c.span[1] && s.end > c.span[0]) && !c.text.startsWith('|'))
      expect(c.text).toBe(text.slice(c.span[0], c.span[1]));
    // 4. Pages: the range of the blocks the chunk touches.
    const touched = doc.blocks.filter((b) => b.start < c.span[1] && b.end > c.span[0] && b.pages);
    if (touched.length === 0) expect(c.pages).toBeNull();
    else expect(c.pages).toEqual([Math.min(...touched.map((b) => b.pages![0])), Math.max(...touched.map((b) => b.pages![1]))]);
    // 5. Never a cut table row; a list item only when it could not fit in one chunk with its headings.
    const headingTokens = doc.blocks
      .filter((b) => b.kind === 'heading' && b.start >= c.span[0] && b.end <= c.span[1])
      .reduce((n, b) => n + estimateTextTokens(text.slice(b.start, b.end)), 0);
    for (const b of doc.blocks) {
      const spans = b.kind === 'table' ? b.rows : b.kind === 'list' ? b.items : [];
      for (const s of spans) {
        if (!(s.start < c.span[1] && s.end > c.span[0]) || (c.span[0] <= s.start && c.span[1] >= s.end)) continue;
        expect(b.kind, `cut: ${text.slice(s.start, s.end)}`).toBe('list');
        expect(estimateTextTokens(text.slice(s.start, s.end)) + headingTokens).toBeGreaterThan(maxTokens);
      }
    }
  });
  // 6. Overlap: neighbours in one section share at most overlapTokens of text, never more; none without overlap.
  for (let i = 1; i < r.chunks.length; i++) {
    const [p, c] = [r.chunks[i - 1]!, r.chunks[i]!];
    const shared = p.span[1] - c.span[0];
    if (shared > 0) {
      expect(c.headingPath).toEqual(p.headingPath);
      expect(estimateTextTokens(text.slice(c.span[0], p.span[1]))).toBeLessThanOrEqual(overlapTokens);
    }
    if (overlapTokens === 0) expect(shared).toBeLessThanOrEqual(0);
  }
}


/** Six lines of a ward policy, one a page of `runningHeaderPages`. */
export const POLICY_LINES = [
  'Hand hygiene is required before and after every patient contact.',
  'Gloves do not replace hand hygiene; wash after removing them.',
  'Alcohol rub is used unless hands are visibly soiled.',
  'Soap and water are used after caring for patients with diarrhoea.',
  'Nails are kept short and no rings are worn on clinical shifts.',
  'Audits of hand hygiene are published monthly on the ward board.',
];

/** A 6-page "PDF": each page opens with a running header and closes with a page number, one POLICY_LINES line between. */
export function runningHeaderPages(): Part[] {
  const pages: Part[] = [];
  POLICY_LINES.forEach((p, i) => {
    pages.push({ p: 'St Mary Hospital — Infection Control Policy v3', page: i + 1 });
    if (i === 0) pages.push({ h: 1, title: 'Hand hygiene', page: 1 });
    pages.push({ p, page: i + 1 });
    pages.push({ p: `Page ${i + 1} of 6`, page: i + 1 });
  });
  return pages;
}
