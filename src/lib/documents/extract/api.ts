import { installErrorTransfer } from '../../engines/errors';
import { lazyDb } from '../../db/db';
import { addDocument } from '../../db/documentsRepo';
import { isQuotaError } from '../../db/quota';
import type { DocumentDraft } from '../../db/types';
import { installDocumentErrorTransfer } from './errors';
import { extractDocument } from './index';
import { prepareDocument, type PrepareProgress, type PreparedDocument } from './prepare';
import type { ExtractOptions, Extraction, OnProgress } from './types';

/** A document the worker stored: what the page needs to say so (never its text, blocks or chunks). */
export interface AddedDocument {
  id: string;
  name: string;
  pages: number | null;
  chunks: number;
  excluded: number;
  status: DocumentDraft['status'];
  /** Why a 'partial' document is partial (the pages without text); null when 'ready'. */
  warning: DocumentDraft['error'];
}

/** Progress of `add`: prepare's reports, then `saving` once, while the worker writes to IndexedDB. */
export type AddProgress = PrepareProgress | { unit: 'saving' };

/**
 * What workers/documents.worker.ts exposes through comlink. One call per file; a worker reads one
 * file at a time, so a UI that wants files not to wait on each other starts one worker per file
 * (or a small pool) — a slow 500-page PDF then never holds up a Markdown file.
 */
export interface DocumentsApi {
  /** Which database `add` writes to (tests use their own); the app's by default. */
  useDatabase(name: string): void;
  /** @throws DocumentError */
  extract(file: File, opts?: ExtractOptions, onProgress?: OnProgress): Promise<Extraction>;
  /**
   * Extraction, then the stored draft and its chunks (default size and overlap): everything
   * documentsRepo.addDocument needs, computed off the main thread.
   * @throws DocumentError
   */
  prepare(file: File, opts?: ExtractOptions, onProgress?: (p: PrepareProgress) => void | Promise<void>): Promise<PreparedDocument>;
  /**
   * `prepare`, then documentsRepo.addDocument here in the worker (the document, its chunks and the
   * file in one transaction), returning only a summary: a 10 MB file's text, blocks and chunks
   * never cross to the page, whose main thread would spend 100–300 ms taking them in.
   * @throws DocumentError, DocumentExistsError (with `existing` as { id, name }), NotFoundError
   *   (no such project), QuotaExceededError (the disk is full) — each with nothing stored.
   */
  add(projectId: string, file: File, opts?: ExtractOptions, onProgress?: (p: AddProgress) => void | Promise<void>): Promise<AddedDocument>;
}

export function createDocumentsApi(): DocumentsApi {
  installErrorTransfer();
  installDocumentErrorTransfer();
  const store = lazyDb();
  return {
    useDatabase: (name) => void store(name),
    extract: (file, opts, onProgress) => extractDocument(file, opts ?? {}, onProgress),
    prepare: (file, opts, onProgress) => prepareDocument(file, opts ?? {}, onProgress),
    async add(projectId, file, opts, onProgress) {
      const { draft, chunks } = await prepareDocument(file, opts ?? {}, onProgress);
      await onProgress?.({ unit: 'saving' });
      const { document, chunks: rows } = await addDocument(store(), projectId, draft, chunks, file).catch((e: unknown) => {
        // Chromium reports a full disk at commit as the transaction's AbortError with the quota
        // error inside; comlink keeps only the outer name, so name it here (the screen says what to free).
        if (isQuotaError(e)) throw Object.assign(new Error(`this site's storage quota is used up; ${file.name} was not stored (${(e as Error).message})`), { name: 'QuotaExceededError' });
        throw e;
      });
      return {
        id: document.id,
        name: document.name,
        pages: document.pages,
        chunks: rows.length,
        excluded: rows.filter((c) => c.excluded).length,
        status: document.status,
        warning: document.error,
      };
    },
  };
}
