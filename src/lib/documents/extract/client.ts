import * as Comlink from 'comlink';
import type { AddProgress, AddedDocument, DocumentsApi } from './api';
import { aborted, installDocumentErrorTransfer, readerFailed } from './errors';
import type { PrepareProgress, PreparedDocument } from './prepare';
import type { ExtractOptions, Extraction, OnProgress } from './types';

export interface ExtractRequest extends ExtractOptions {
  onProgress?: OnProgress;
  /** Cancels the read: the worker is stopped at once, and the call rejects with AbortedError. */
  signal?: AbortSignal;
}

export interface AddRequest extends ExtractOptions {
  onProgress?: (p: AddProgress) => void | Promise<void>;
  /** Cancels: the worker is stopped at once (a transaction under way is aborted), and the call rejects with AbortedError. */
  signal?: AbortSignal;
}

export interface PrepareRequest extends ExtractOptions {
  onProgress?: (p: PrepareProgress) => void | Promise<void>;
  /** Cancels: the worker is stopped at once, and the call rejects with AbortedError. */
  signal?: AbortSignal;
}

/**
 * Runs one call in a documents worker of its own and stops the worker when done (or cancelled).
 * Files read at the same time each get their own worker, so one long PDF never holds up the others.
 */
async function inWorker<T, P>(
  file: File,
  req: ExtractOptions & { signal?: AbortSignal; onProgress?: (p: P) => void | Promise<void> },
  call: (api: Comlink.Remote<DocumentsApi>, opts: ExtractOptions, report: ((p: P) => void | Promise<void>) | undefined) => Promise<T>,
): Promise<T> {
  installDocumentErrorTransfer();
  if (req.signal?.aborted) throw aborted(file.name);
  const worker = new Worker(new URL('../../../../workers/documents.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<DocumentsApi>(worker);
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      onAbort = () => reject(aborted(file.name));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      worker.addEventListener('error', (e) => reject(readerFailed(file.name, e.message || 'the worker failed to start')));
      const opts: ExtractOptions = req.password !== undefined ? { password: req.password } : {};
      const onProgress = req.onProgress;
      // After a cancel the caller hears nothing more, even a report already on its way.
      const report = onProgress && ((p: P) => (req.signal?.aborted ? undefined : onProgress(p)));
      call(api, opts, report).then(resolve, reject);
    });
  } finally {
    if (onAbort) req.signal?.removeEventListener('abort', onAbort);
    worker.terminate();
  }
}

/**
 * Extracts one file in a worker of its own, off the main thread, and stops the worker when done.
 * Rejects with a DocumentError (name-keyed) and nothing else.
 */
export function extractInWorker(file: File, req: ExtractRequest = {}): Promise<Extraction> {
  return inWorker(file, req, (api, opts, report) => api.extract(file, opts, report ? Comlink.proxy(report) : undefined));
}

/**
 * Extracts and chunks one file in a worker of its own (see DocumentsApi.prepare): the result is
 * ready for documentsRepo.addDocument. Rejects with a DocumentError (name-keyed) and nothing else.
 */
export function prepareInWorker(file: File, req: PrepareRequest = {}): Promise<PreparedDocument> {
  return inWorker(file, req, (api, opts, report) => api.prepare(file, opts, report ? Comlink.proxy(report) : undefined));
}

/**
 * Reads, chunks and stores one file in a worker of its own (see DocumentsApi.add): the worker
 * writes the document, its chunks and the file to the database named `dbName` in one
 * transaction, and only a summary comes back to this thread.
 * @throws DocumentError, DocumentExistsError (`existing`: { id, name }), NotFoundError,
 *   QuotaExceededError — name-keyed, each with nothing stored.
 */
export function addInWorker(file: File, projectId: string, dbName: string, req: AddRequest = {}): Promise<AddedDocument> {
  return inWorker(file, req, async (api, opts, report) => {
    await api.useDatabase(dbName);
    return api.add(projectId, file, opts, report ? Comlink.proxy(report) : undefined);
  });
}
