import { extractDocx } from './docx';
import { extractEpub } from './epub';
import { emptyDocument, damaged, unsupported } from './errors';
import { extractHtml } from './html';
import { extractMarkdown } from './markdown';
import { extractPdf } from './pdf';
import { extractText } from './text';
import { decodeText, detectFormat } from './detect';
import type { ExtractOptions, Extraction, OnProgress } from './types';

export type { DocumentFormat, ExtractOptions, Extraction, ExtractProgress, OnProgress } from './types';
export { decodeText, detectFormat } from './detect';
export { DocumentError, isDocumentError, type DocumentErrorName } from './errors';

async function readAll(file: Blob, onProgress?: OnProgress): Promise<ArrayBuffer> {
  const total = file.size;
  await onProgress?.({ unit: 'bytes', done: 0, total });
  const out = new Uint8Array(total);
  let done = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    out.set(value.subarray(0, Math.max(0, total - done)), done);
    done = Math.min(total, done + value.byteLength);
    await onProgress?.({ unit: 'bytes', done, total });
  }
  if (done < total) await onProgress?.({ unit: 'bytes', done: total, total });
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
    case 'epub':
      return { format, doc: await extractEpub(bytes, file.name) };
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
