import type { DocBlock, ListBlock, TableRow, TextSpan } from '../types';

/**
 * Markdown-like text → blocks (types.ts): headings, fenced code, tables, lists and paragraphs,
 * line by line. Every non-blank line lands in exactly one block, so the blocks cover the text.
 * Not a full CommonMark parser: enough structure for chunking (headings first, tables and list
 * items never split), from Markdown files and from what the DOCX and HTML converters write.
 */

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)/;
const LIST_ITEM = /^([ \t]*)([-*+•]|\d{1,9}[.)])[ \t]+\S/;
const TABLE_SEPARATOR = /^[ \t]*\|?[ \t]*:?-{1,}:?[ \t]*(\|[ \t]*:?-{1,}:?[ \t]*)*\|?[ \t]*$/;

interface Line {
  text: string;
  start: number;
  end: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lines.push({ text: text.slice(start, end), start, end });
    if (nl === -1) return lines;
    start = nl + 1;
  }
}

const blank = (l: Line | undefined) => !l || l.text.trim() === '';
const isTableLine = (l: Line | undefined) => !!l && /^[ \t]*\|/.test(l.text);

export function splitCells(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** Where a span's text ends once trailing blanks are dropped. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function startsBlock(l: Line): boolean {
  return HEADING.test(l.text) || FENCE.test(l.text) || isTableLine(l) || /^ {0,3}([-*+•]|\d{1,9}[.)])[ \t]+\S/.test(l.text);
}

export function markdownBlocks(text: string): DocBlock[] {
  const lines = splitLines(text);
  const blocks: DocBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (blank(l)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(l.text);
    if (fence) {
      const marker = fence[1]!;
      let j = i + 1;
      while (j < lines.length && !lines[j]!.text.trimStart().startsWith(marker)) j++;
      const last = lines[Math.min(j, lines.length - 1)]!;
      blocks.push({ kind: 'code', start: l.start, end: trimEnd(text, l.start, last.end), ...(fence[2] ? { lang: fence[2] } : {}) });
      i = j + 1;
      continue;
    }
    const heading = HEADING.exec(l.text);
    if (heading) {
      const title = heading[2]!.trim();
      if (title) {
        blocks.push({ kind: 'heading', level: heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6, title, start: l.start, end: trimEnd(text, l.start, l.end) });
      } else {
        blocks.push({ kind: 'paragraph', start: l.start, end: trimEnd(text, l.start, l.end) });
      }
      i++;
      continue;
    }
    if (isTableLine(l)) {
      const rows: TableRow[] = [];
      let j = i;
      for (; j < lines.length && isTableLine(lines[j]); j++) {
        const row = lines[j]!;
        if (TABLE_SEPARATOR.test(row.text)) {
          if (rows.length === 1 && j === i + 1) rows[0]!.header = true;
          continue;
        }
        rows.push({ start: row.start, end: trimEnd(text, row.start, row.end), cells: splitCells(row.text) });
      }
      blocks.push({ kind: 'table', start: l.start, end: rows.length ? trimEnd(text, l.start, lines[j - 1]!.end) : l.end, rows });
      i = j;
      continue;
    }
    const item = LIST_ITEM.exec(l.text);
    if (item) {
      const indent = item[1]!.replace(/\t/g, '    ').length;
      const ordered = /\d/.test(item[2]!);
      const items: TextSpan[] = [];
      let cur: TextSpan = { start: l.start, end: l.end };
      let j = i + 1;
      for (; j < lines.length; j++) {
        const n = lines[j]!;
        if (blank(n)) {
          // A blank line ends the list unless the list (or an item's continuation) goes on after it.
          let k = j;
          while (k < lines.length && blank(lines[k])) k++;
          const next = lines[k];
          const m = next && LIST_ITEM.exec(next.text);
          if (next && ((m && m[1]!.replace(/\t/g, '    ').length >= indent) || /^( {2,}|\t)\S/.test(next.text) && !m)) {
            j = k - 1;
            continue;
          }
          break;
        }
        const m = LIST_ITEM.exec(n.text);
        if (m && m[1]!.replace(/\t/g, '    ').length <= indent) {
          items.push({ start: cur.start, end: trimEnd(text, cur.start, cur.end) });
          cur = { start: n.start, end: n.end };
          continue;
        }
        if (!m && !/^[ \t]/.test(n.text) && startsBlock(n)) break;
        cur.end = n.end;
      }
      items.push({ start: cur.start, end: trimEnd(text, cur.start, cur.end) });
      const block: ListBlock = { kind: 'list', ordered, items, start: l.start, end: items.at(-1)!.end };
      blocks.push(block);
      i = j;
      continue;
    }
    let j = i + 1;
    while (j < lines.length && !blank(lines[j]) && !startsBlock(lines[j]!)) j++;
    blocks.push({ kind: 'paragraph', start: l.start, end: trimEnd(text, l.start, lines[j - 1]!.end) });
    i = j;
  }
  return blocks;
}

/** The first level-1 heading (else the first heading) as a title, or null. */
export function firstHeading(blocks: DocBlock[]): string | null {
  const h = blocks.find((b) => b.kind === 'heading' && b.level === 1) ?? blocks.find((b) => b.kind === 'heading');
  return h && h.kind === 'heading' ? h.title : null;
}

/** "Report.final.pdf" → "Report.final". */
export function baseName(name: string): string {
  const n = name.split(/[\\/]/).pop() ?? name;
  const dot = n.lastIndexOf('.');
  return dot > 0 ? n.slice(0, dot) : n;
}

/** Line ends as \n, no BOM, no trailing blanks at the end. */
export function normaliseText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').replace(/\s+$/, '');
}

/** Spacing accents as TeX-made PDFs draw them, and the combining marks they stand for. */
const ACCENT_BEFORE: Record<string, string> = { '¨': '\u0308', '´': '\u0301', 'ˆ': '\u0302', '˜': '\u0303', '˚': '\u030a', 'ˇ': '\u030c', '˘': '\u0306', '¯': '\u0304', '˙': '\u0307', '˝': '\u030b' };

/**
 * Joins accents that a PDF draws as a glyph of their own with their letter: TeX's fonts put "¨"
 * before the "o" of "Möller", which pdf.js reads as "M¨oller" (the Nettle manual's author). The
 * cedilla comes after its letter ("c¸" → "ç"). Text without such accents is returned unchanged.
 */
export function joinSpacingAccents(text: string): string {
  return text
    .replace(/([¨´ˆ˜˚ˇ˘¯˙˝])(\p{L})/gu, (_, accent: string, letter: string) => (letter + ACCENT_BEFORE[accent]).normalize('NFC'))
    .replace(/(\p{L})¸/gu, (_, letter: string) => (letter + '\u0327').normalize('NFC'));
}
