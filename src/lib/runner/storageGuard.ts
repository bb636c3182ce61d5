import { isQuotaError } from '../db/quota';
import type { RunStore } from '../pipeline/types';

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
