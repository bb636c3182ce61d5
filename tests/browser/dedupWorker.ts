import * as Comlink from 'comlink';
import { afterAll, beforeAll } from 'vitest';
import type { DedupApi } from '../../src/lib/dedup/dedupApi';
import type { Vectors } from '../../src/lib/dedup/types';

/** Starts the real dedup worker for a test file; `api()` is its comlink remote. */
export function useDedupWorker(): () => Comlink.Remote<DedupApi> {
  let worker: Worker;
  let api: Comlink.Remote<DedupApi>;
  beforeAll(() => {
    worker = new Worker(new URL('../../workers/dedup.worker.ts', import.meta.url), { type: 'module' });
    api = Comlink.wrap<DedupApi>(worker);
  });
  afterAll(() => worker.terminate());
  return () => api;
}

/** A copy to transfer to the worker, keeping the test's own vectors intact. */
export const copy = (v: Vectors): Vectors => ({ ...v, data: v.data.slice() });
