import type { ChunkDraft, DocumentDraft } from '../../db/types';
import { chunkDocument, type ChunkOptions } from '../chunk';
import { documentDraft, sha256Hex } from '../draft';
import { extractDocument } from './index';
import type { ExtractOptions, ExtractProgress } from './types';

/** Chunk size and overlap a new document is cut with (the chunk view can re-chunk it). */
export const DEFAULT_CHUNKING = { maxTokens: 400, overlapTokens: 40 } as const satisfies ChunkOptions;

/**
 * What a file becomes before it is stored: its document row and its chunks, with nothing left to
 * compute, so that storing it is one transaction (documentsRepo.addDocument) with no worker awaited.
 */
export interface PreparedDocument {
  draft: DocumentDraft;
  chunks: ChunkDraft[];
}

/**
 * Progress of `prepareDocument`: the extractor's own reports (bytes, then pages for a PDF), then
 * `chunking` once, while the text is cut (a big document takes a moment; the bar says so).
 */
export type PrepareProgress = ExtractProgress | { unit: 'chunking' };

/**
 * Reads a file and cuts it into chunks: extraction, SHA-256, the stored draft, then
 * chunkDocument (headings, then size with overlap; running headers removed; duplicate and
 * boilerplate chunks marked excluded). Runs in the documents worker, so that chunking a
 * 500-page manual never holds the page.
 * @throws DocumentError (see extract/errors.ts), ChunkOptionsError (bad `chunking`).
 */
export async function prepareDocument(
  file: File,
  opts: ExtractOptions = {},
  onProgress?: (p: PrepareProgress) => void | Promise<void>,
  chunking: ChunkOptions = DEFAULT_CHUNKING,
): Promise<PreparedDocument> {
  const x = await extractDocument(file, opts, onProgress);
  await onProgress?.({ unit: 'chunking' });
  const draft = documentDraft(file, await sha256Hex(file), x);
  const chunks = chunkDocument(x.doc, chunking).chunks.map(({ id: _id, index: _index, ...c }) => c);
  return { draft, chunks };
}
