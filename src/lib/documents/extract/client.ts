import * as Comlink from 'comlink';
import type { DocumentsApi } from './api';
import { aborted, installDocumentErrorTransfer, readerFailed } from './errors';
import type { ExtractOptions, Extraction, OnProgress } from './types';

export interface ExtractRequest extends ExtractOptions {
  onProgress?: OnProgress;
  /** Cancels the read: the worker is stopped at once, and the call rejects with AbortedError. */
  signal?: AbortSignal;
}

/**
 * Extracts one file in a worker of its own, off the main thread, and stops the worker when done.
 * Files read at the same time each get their own worker, so one long PDF never holds up the
 * others. Rejects with a DocumentError (name-keyed) and nothing else.
 */
export async function extractInWorker(file: File, req: ExtractRequest = {}): Promise<Extraction> {
  installDocumentErrorTransfer();
  if (req.signal?.aborted) throw aborted(file.name);
  const worker = new Worker(new URL('../../../../workers/documents.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<DocumentsApi>(worker);
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<Extraction>((resolve, reject) => {
      onAbort = () => reject(aborted(file.name));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      worker.addEventListener('error', (e) => reject(readerFailed(file.name, e.message || 'the worker failed to start')));
      const opts: ExtractOptions = req.password !== undefined ? { password: req.password } : {};
      const onProgress = req.onProgress;
      // After a cancel the caller hears nothing more, even a report already on its way.
      const report: OnProgress | undefined = onProgress && ((p) => (req.signal?.aborted ? undefined : onProgress(p)));
      api.extract(file, opts, report ? Comlink.proxy(report) : undefined).then(resolve, reject);
    });
  } finally {
    if (onAbort) req.signal?.removeEventListener('abort', onAbort);
    worker.terminate();
  }
}
