/**
 * The page's side of air-gapped mode. The app's own checks (model source URLs, remote engines)
 * refuse other origins in every realm; two more layers catch anything they miss:
 *  - a flag sent to the service worker (and kept in Cache Storage for a worker that restarts),
 *    which answers every request to another origin with a network error while it is on;
 *  - a Content-Security-Policy `connect-src` added to the document, so the page itself cannot
 *    fetch, open a WebSocket or send a beacon to another origin. A policy can be added but never
 *    lifted, so turning the mode off takes effect fully after a reload.
 */

const FLAG_CACHE = 'seedforge-flags';
const FLAG_PATH = '__seedforge/air-gap';

function flagUrl(): string {
  return new URL(FLAG_PATH, document.baseURI).href;
}

/**
 * How far the service worker's layer of the air gap took the last change: `ok` (the flag is
 * stored and the controlling worker confirmed it, or no worker controls the page — then the
 * panel already says only the app enforces it), `notStored` (Cache Storage refused the write: a
 * worker started later would not know), `noAnswer` (the controlling worker did not confirm).
 * Anything but `ok` while the mode is on is a partial air gap, and the app says so instead of
 * claiming the whole guard (issue 18: a failed write used to be swallowed).
 */
export type AirGapLayer = 'ok' | 'notStored' | 'noAnswer';

/** Tells the service worker (now, by message, and after a restart, through Cache Storage) whether the air gap is on. */
export async function publishAirGap(on: boolean, answerMs = 2000): Promise<AirGapLayer> {
  if (typeof caches === 'undefined') return 'notStored';
  try {
    const cache = await caches.open(FLAG_CACHE);
    await cache.put(flagUrl(), new Response(on ? 'on' : 'off', { headers: { 'content-type': 'text/plain' } }));
  } catch {
    return 'notStored';
  }
  const worker = typeof navigator !== 'undefined' ? navigator.serviceWorker?.controller : null;
  if (!worker) return 'ok';
  // The worker keeps the flag in memory (it no longer reads storage on every request): wait for
  // its answer, so that "on" is not claimed before it holds.
  const answered = await new Promise<boolean>((resolve) => {
    const ch = new MessageChannel();
    const timer = setTimeout(() => resolve(false), answerMs);
    ch.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve((e.data as { airGapped?: boolean })?.airGapped === on);
    };
    worker.postMessage({ type: 'AIR_GAP', on }, [ch.port2]);
  });
  return answered ? 'ok' : 'noAnswer';
}

let locked = false;

/** Adds `connect-src 'self'` to the document's policies (once; it stays until the page reloads). */
export function lockDocumentConnections(): void {
  if (locked || typeof document === 'undefined') return;
  locked = true;
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = "connect-src 'self' blob: data:";
  document.head.appendChild(meta);
}

