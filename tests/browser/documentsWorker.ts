import * as Comlink from 'comlink';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DocumentsApi } from '../../src/lib/documents/extract/api';
import { installDocumentErrorTransfer } from '../../src/lib/documents/extract/errors';

/** Starts the real documents worker for a test file (typed errors kept); `api()` is its comlink remote. */
export function useDocumentsWorker(): () => Comlink.Remote<DocumentsApi> {
  let worker: Worker;
  let api: Comlink.Remote<DocumentsApi>;
  beforeAll(() => {
    installDocumentErrorTransfer();
    worker = new Worker(new URL('../../workers/documents.worker.ts', import.meta.url), { type: 'module' });
    api = Comlink.wrap<DocumentsApi>(worker);
  });
  afterAll(() => worker.terminate());
  return () => api;
}

/** A fixture served by the test server (a `?url` import) as a File named `name`. */
export async function fixtureFile(url: string, name: string): Promise<File> {
  const resp = await fetch(url);
  expect(resp.ok).toBe(true);
  return new File([await resp.blob()], name);
}
