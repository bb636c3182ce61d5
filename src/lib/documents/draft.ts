import type { ExtractedDoc } from './types';
import type { DocumentDraft, DocumentType } from '../db/types';

/**
 * From an extraction to the row the documents repository stores: the file's identity (name, size,
 * SHA-256), the extracted text and structure, and a page map. Pure: no DOM, no Dexie.
 */

/** SHA-256 of a file's bytes, lowercase hex (the dataset card lists it; the repository refuses the same file twice). */
export async function sha256Hex(data: Blob | ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = data instanceof Blob ? await data.arrayBuffer() : data;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Where each page starts in `doc.text`: entry `p - 1` is the offset of the first block that starts
 * on page `p`. A page on which no block starts (blank, a figure, the middle of a long paragraph)
 * gets the next page's offset (or the text's end), so the list never goes down and the page of an
 * offset is the last page whose start is at or before it. Empty when the document has no pages.
 */
export function pageStartsOf(doc: ExtractedDoc): number[] {
  const n = doc.pages ?? 0;
  if (!n) return [];
  const first: (number | undefined)[] = new Array(n);
  for (const b of doc.blocks) {
    const p = b.pages?.[0];
    if (p === undefined || p < 1 || p > n) continue;
    if (first[p - 1] === undefined || b.start < first[p - 1]!) first[p - 1] = b.start;
  }
  const starts = new Array<number>(n);
  let next = doc.text.length;
  for (let i = n - 1; i >= 0; i--) {
    next = Math.min(next, first[i] ?? next);
    starts[i] = next;
  }
  return starts;
}

/** The page (1-based) an offset of the text falls on, from `pageStartsOf`; null without pages. */
export function pageAt(pageStarts: number[], offset: number): number | null {
  if (!pageStarts.length) return null;
  let lo = 0;
  let hi = pageStarts.length - 1;
  // The last page whose start is at or before the offset; page 1 for anything before it.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pageStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * The stored shape of an extracted file. A PDF with pages that had no text layer (while others
 * had one) is stored as 'partial', its `error` naming those pages (`PagesWithoutTextWarning`:
 * the screen words it by name, in the user's language).
 */
export function documentDraft(file: { name: string; size: number }, sha256: string, x: { format: DocumentType; doc: ExtractedDoc; pagesWithoutText?: number[] }): DocumentDraft {
  const missing = x.pagesWithoutText ?? [];
  return {
    name: file.name,
    type: x.format,
    bytes: file.size,
    sha256,
    pages: x.doc.pages ?? null,
    title: x.doc.title,
    text: x.doc.text,
    blocks: x.doc.blocks,
    outline: x.doc.outline ?? [],
    pageStarts: pageStartsOf(x.doc),
    status: missing.length ? 'partial' : 'ready',
    error: missing.length
      ? { name: 'PagesWithoutTextWarning', message: `page${missing.length > 1 ? 's' : ''} ${missing.join(', ')} had no text to read (scanned?): OCR the file to use ${missing.length > 1 ? 'them' : 'it'}`, pages: [...missing] }
      : null,
  };
}
