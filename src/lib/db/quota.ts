// What a full disk looks like to IndexedDB, for every part that writes (runs, imports, caches).

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
