import type { DocumentFormat } from './types';

/**
 * The file names each extractor reads by (the one list: the file picker's `accept` and the drop
 * routing are made from it, so a name read here is never sent to the seed importer instead).
 */
export const FORMAT_EXTENSIONS = {
  pdf: ['pdf'],
  docx: ['docx'],
  epub: ['epub'],
  markdown: ['md', 'markdown', 'mdown', 'mkd'],
  html: ['html', 'htm', 'xhtml'],
  text: ['txt'],
} as const satisfies Record<DocumentFormat, readonly string[]>;

const named = (format: keyof typeof FORMAT_EXTENSIONS, e: string) => (FORMAT_EXTENSIONS[format] as readonly string[]).includes(e);

const ext = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';

/**
 * Which extractor reads a file: the bytes decide where they can (a PDF header anywhere in the
 * first KiB, a ZIP's signature), then the name (.md, .html), then a look at the text (an HTML
 * document type or root element).
 */
export function detectFormat(head: Uint8Array, name: string): DocumentFormat | null {
  const ascii = String.fromCharCode(...head.subarray(0, 1024));
  if (ascii.includes('%PDF-')) return 'pdf';
  const e = ext(name);
  // An EPUB is a ZIP too: its first entry is the uncompressed "mimetype" file (else its name says so).
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return ascii.slice(30, 58) === 'mimetypeapplication/epub+zip' || e === 'epub' ? 'epub' : 'docx';
  if (named('pdf', e)) return 'pdf';
  if (named('docx', e)) return 'docx';
  if (named('epub', e)) return 'epub';
  if (head.subarray(0, 1024).includes(0)) return null; // binary, and not one of ours
  if (named('markdown', e)) return 'markdown';
  if (named('html', e)) return 'html';
  if (/^\s*(<!doctype html|<html[\s>])/i.test(ascii.replace(/^\uFEFF|^\xEF\xBB\xBF/, ''))) return 'html';
  return 'text';
}

/** UTF-8, else GB 18030 (Chinese text saved by older Windows tools), else UTF-16 with a BOM. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}
