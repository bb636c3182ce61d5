import { extractDocx } from './docx';
import { emptyDocument, damaged, unsupported } from './errors';
import { extractHtml } from './html';
import { extractMarkdown } from './markdown';
import { extractPdf } from './pdf';
import { extractText } from './text';
import type { DocumentFormat, ExtractOptions, Extraction, OnProgress } from './types';

export type { DocumentFormat, ExtractOptions, Extraction, ExtractProgress, OnProgress } from './types';
export { DocumentError, isDocumentError, type DocumentErrorName } from './errors';

const ext = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';

/**
 * Which extractor reads a file: the bytes decide where they can (a PDF header anywhere in the
 * first KiB, a ZIP's signature), then the name (.md, .html), then a look at the text (an HTML
 * document type or root element).
 */
export function detectFormat(head: Uint8Array, name: string): DocumentFormat | null {
  const ascii = String.fromCharCode(...head.subarray(0, 1024));
  if (ascii.includes('%PDF-')) return 'pdf';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'docx';
  const e = ext(name);
  if (e === 'pdf') return 'pdf';
  if (e === 'docx') return 'docx';
  if (head.subarray(0, 1024).includes(0)) return null; // binary, and not one of ours
  if (['md', 'markdown', 'mdown', 'mkd'].includes(e)) return 'markdown';
  if (['html', 'htm', 'xhtml'].includes(e)) return 'html';
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

async function readAll(file: Blob, onProgress?: OnProgress): Promise<ArrayBuffer> {
  const total = file.size;
  onProgress?.({ unit: 'bytes', done: 0, total });
  const out = new Uint8Array(total);
  let done = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    out.set(value.subarray(0, Math.max(0, total - done)), done);
    done = Math.min(total, done + value.byteLength);
    onProgress?.({ unit: 'bytes', done, total });
  }
  if (done < total) onProgress?.({ unit: 'bytes', done: total, total });
  return out.buffer;
}

/** Reads one file into an ExtractedDoc, or throws a DocumentError. */
export async function extractDocument(file: File, opts: ExtractOptions = {}, onProgress?: OnProgress): Promise<Extraction> {
  const bytes = await readAll(file, onProgress);
  if (!bytes.byteLength) throw emptyDocument(file.name);
  const format = detectFormat(new Uint8Array(bytes, 0, Math.min(1024, bytes.byteLength)), file.name);
  switch (format) {
    case 'pdf': {
      if (!String.fromCharCode(...new Uint8Array(bytes, 0, Math.min(1024, bytes.byteLength))).includes('%PDF-')) throw damaged(file.name, 'no PDF header');
      const { doc, pagesWithoutText } = await extractPdf(bytes, file.name, opts, onProgress);
      return { format, doc, ...(pagesWithoutText.length ? { pagesWithoutText } : {}) };
    }
    case 'docx':
      return { format, doc: await extractDocx(bytes, file.name) };
    case 'markdown':
      return { format, doc: extractMarkdown(decodeText(new Uint8Array(bytes)), file.name) };
    case 'html':
      return { format, doc: extractHtml(decodeText(new Uint8Array(bytes)), file.name) };
    case 'text':
      return { format, doc: extractText(decodeText(new Uint8Array(bytes)), file.name) };
    default:
      throw unsupported(file.name);
  }
}
