import type { RunStore } from '../pipeline/types';

/**
 * True for a write that the browser refused because this site's storage quota is used up. Dexie
 * and IndexedDB name it `QuotaExceededError`; when the quota runs out as a transaction commits,
 * Chromium aborts the transaction and Dexie reports an `AbortError` carrying it as `inner`.
 */
export function isQuotaError(e: unknown): boolean {
  for (let err = e as { name?: string; inner?: unknown } | null | undefined, depth = 0; err && depth < 5; err = err.inner as typeof err, depth++) {
    if (err.name === 'QuotaExceededError') return true;
  }
  return false;
}

/** The error a run that stopped on a full disk ends with: typed, with the next step in the UI. */
export function storageFull(cause: unknown): Error {
  const inner = (cause as Error)?.message ?? String(cause);
  return Object.assign(new Error(`this site's storage quota is used up; the item in progress was not saved and the run is paused (${inner})`), { name: 'QuotaExceededError' });
}

/**
 * Wraps a run's store so that a commit refused for lack of space stops the run at once (the calls
 * in flight are aborted instead of producing items that cannot be stored) and is remembered, so
 * that the run ends paused with that error rather than as an abort. The refused commit was one
 * transaction: nothing of that item is stored, and Resume redoes it.
 */
export function guardStore(store: RunStore, stop: () => void): RunStore & { readonly full: unknown } {
  let full: unknown = null;
  return {
    get full() {
      return full;
    },
    progress: (runId) => store.progress(runId),
    async commitTask(runId, taskIndex, delta) {
      try {
        await store.commitTask(runId, taskIndex, delta);
      } catch (e) {
        if (isQuotaError(e)) {
          full ??= e;
          stop();
        }
        throw e;
      }
    },
    setStatus: (runId, status, extra) => store.setStatus(runId, status, extra),
  };
}
