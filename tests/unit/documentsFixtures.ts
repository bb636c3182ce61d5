import type { DocBlock, ExtractedDoc, PageRange } from '../../src/lib/documents/types';

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
