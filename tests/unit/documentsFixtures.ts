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
