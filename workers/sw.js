/* Seedforge's service worker. Not bundled by Vite: the `pwa` build plugin (scripts/pwaPlugin.ts)
 * writes it to the build's root with two constants put in front of this text:
 *   VERSION — a hash of every file of the build (a new deploy → a new VERSION → a new worker),
 *   FILES   — those files, relative to the app's base: the app shell, every wasm file
 *             (onnxruntime-web, wllama, the dedup kernels) and the bundled embedding model.
 * What it does:
 *  - precaches FILES on install, so that after one visit the app loads and works offline;
 *  - serves them cache-first (the version that is running stays consistent with itself); a new
 *    version waits until the page asks it to take over (the update prompt) — never by itself;
 *  - adds the cross-origin isolation headers to what it serves, so that wasm threads work even
 *    on a static host that cannot set headers (after the first reload);
 *  - while air-gapped mode is on (a flag the page writes to Cache Storage), answers every request
 *    to another origin, from the page or any of its workers, with a network error.
 */
/* global VERSION, FILES */
const SCOPE = self.registration.scope;
// Named per scope: two deployments on one origin (/staging/, /prod/) keep their own caches.
const PREFIX = `seedforge-app-${SCOPE}-`;
const CACHE = `${PREFIX}${VERSION}`;
const FLAG_CACHE = 'seedforge-flags';
const INDEX = new URL('index.html', SCOPE).href;
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // A few at a time: the model and the wasm files are tens of MB.
      for (let i = 0; i < FILES.length; i += 4) {
        await Promise.all(
          FILES.slice(i, i + 4).map(async (f) => {
            const url = new URL(f, SCOPE).href;
            const resp = await fetch(url, { cache: 'no-cache' });
            if (!resp.ok) throw new Error(`precache: ${f} answered ${resp.status}`);
            await cache.put(url, resp);
          }),
        );
      }
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Other tabs may still run the previous version and load its lazy files (charts, workers,
      // wasm) later: while more than one tab is open, the previous caches stay (the fetch handler
      // looks in them too); they go at the next activation with a single tab.
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (windows.length <= 1) {
        for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

/** A cached response: this version's first, then an older version's (for tabs still running it). */
async function cached(key) {
  const hit = await (await caches.open(CACHE)).match(key);
  if (hit) return hit;
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const old = await (await caches.open(name)).match(key);
    if (old) return old;
  }
  return undefined;
}

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  if (event.data && event.data.type === 'VERSION') event.ports[0]?.postMessage({ version: VERSION, files: FILES.length });
});

async function airGapped() {
  const flags = await caches.open(FLAG_CACHE);
  const hit = await flags.match(new URL('__seedforge/air-gap', SCOPE).href);
  return hit ? (await hit.text()) === 'on' : false;
}

function isolated(resp) {
  if (resp.type === 'opaque' || resp.type === 'opaqueredirect' || resp.status === 0) return resp;
  const headers = new Headers(resp.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(resp.body, { status: resp.status, statusText: resp.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) {
    event.respondWith(
      (async () => {
        if (await airGapped()) {
          console.warn(`[seedforge] air-gapped: refused ${url.origin}`);
          return Response.error();
        }
        return fetch(event.request);
      })(),
    );
    return;
  }
  if (event.request.method !== 'GET') return;
  event.respondWith(
    (async () => {
      const key = event.request.mode === 'navigate' ? INDEX : url.href.split('#')[0];
      const hit = await cached(key);
      if (hit) return isolated(hit);
      try {
        // While air-gapped, a same-origin address must not redirect elsewhere (a model folder
        // that points at a CDN): a redirect is refused instead of followed.
        if (event.request.mode !== 'navigate' && (await airGapped())) {
          return isolated(await fetch(new Request(event.request, { redirect: 'error' })));
        }
        return isolated(await fetch(event.request));
      } catch (e) {
        // Offline and not precached: a navigation still gets the app shell.
        if (event.request.mode === 'navigate') {
          const shell = await cached(INDEX);
          if (shell) return isolated(shell);
        }
        throw e;
      }
    })(),
  );
});
