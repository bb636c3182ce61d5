/**
 * The page's side of air-gapped mode. The app's own checks (model source URLs, remote engines)
 * refuse other origins in every realm; two more layers catch anything they miss:
 *  - a flag in Cache Storage that the service worker reads before it lets any request to another
 *    origin through (it answers those with a network error while the flag is on);
 *  - a Content-Security-Policy `connect-src` added to the document, so the page itself cannot
 *    fetch, open a WebSocket or send a beacon to another origin. A policy can be added but never
 *    lifted, so turning the mode off takes effect fully after a reload.
 */

const FLAG_CACHE = 'seedforge-flags';
const FLAG_PATH = '__seedforge/air-gap';

function flagUrl(): string {
  return new URL(FLAG_PATH, document.baseURI).href;
}

/** Tells the service worker (now and after a restart) whether the air gap is on. */
export async function publishAirGap(on: boolean): Promise<void> {
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(FLAG_CACHE);
  await cache.put(flagUrl(), new Response(on ? 'on' : 'off', { headers: { 'content-type': 'text/plain' } }));
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

