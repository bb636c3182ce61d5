import { installErrorTransfer } from '../../engines/errors';
import { installDocumentErrorTransfer } from './errors';
import { extractDocument } from './index';
import { prepareDocument, type PrepareProgress, type PreparedDocument } from './prepare';
import type { ExtractOptions, Extraction, OnProgress } from './types';

/**
 * What workers/documents.worker.ts exposes through comlink. One call per file; a worker reads one
 * file at a time, so a UI that wants files not to wait on each other starts one worker per file
 * (or a small pool) — a slow 500-page PDF then never holds up a Markdown file.
 */
export interface DocumentsApi {
  /** @throws DocumentError */
  extract(file: File, opts?: ExtractOptions, onProgress?: OnProgress): Promise<Extraction>;
  /**
   * Extraction, then the stored draft and its chunks (default size and overlap): everything
   * documentsRepo.addDocument needs, computed off the main thread.
   * @throws DocumentError
   */
  prepare(file: File, opts?: ExtractOptions, onProgress?: (p: PrepareProgress) => void | Promise<void>): Promise<PreparedDocument>;
}

export function createDocumentsApi(): DocumentsApi {
  installErrorTransfer();
  installDocumentErrorTransfer();
  return {
    extract: (file, opts, onProgress) => extractDocument(file, opts ?? {}, onProgress),
    prepare: (file, opts, onProgress) => prepareDocument(file, opts ?? {}, onProgress),
  };
}
