/* Seedforge's service worker. Not bundled by Vite: the `pwa` build plugin (scripts/pwaPlugin.ts)
 * writes it to the build's root with two constants put in front of this text:
 *   VERSION — a hash of every file of the build (a new deploy → a new VERSION → a new worker),
 *   FILES   — those files as [path, revision] pairs, the path relative to the app's base and the
 *             revision a hash of the file's bytes: the app shell, every wasm file (onnxruntime-web,
 *             wllama, the dedup kernels);
 *   LAZY    — [path, revision, bytes] of the files kept only on first use or when the user asks
 *             (Settings → Available offline): the bundled embedding model, ~23 MB that a first
 *             visit does not download without asking.
 * What it does:
 *  - precaches FILES on install, so that after one visit the app loads and works offline; a file
 *    whose revision an older version's cache already holds is copied from there, not fetched, so
 *    a deploy downloads only what changed (not the ~80 MB of model and wasm every time); a LAZY
 *    file is copied too when an older cache holds it, and otherwise cached when first fetched or
 *    when the page asks (OFFLINE_FILES);
 *  - serves them cache-first (the version that is running stays consistent with itself); a new
 *    version waits until the page asks it to take over (the update prompt) — never by itself;
 *  - adds the cross-origin isolation headers to what it serves, so that wasm threads work even
 *    on a static host that cannot set headers (after the first reload);
 *  - while air-gapped mode is on, answers every request to another origin, from the page or any
 *    of its workers, with a network error. The flag lives in this worker's memory (the page sends
 *    it by message) and in Cache Storage (the page writes it there too), read once when the
 *    worker starts. While the mode is off, requests to other origins are not intercepted at all:
 *    remote streams and multi-GB model downloads go straight to the network.
 */
/* global VERSION, FILES, LAZY */
const SCOPE = self.registration.scope;
// Named per scope: two deployments on one origin (/staging/, /prod/) keep their own caches.
const PREFIX = `seedforge-app-${SCOPE}-`;
const CACHE = `${PREFIX}${VERSION}`;
const FLAG_CACHE = 'seedforge-flags';
const INDEX = new URL('index.html', SCOPE).href;
/** Header on each precached response: the revision (content hash) of the file it holds. */
const REVISION = 'x-seedforge-revision';
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const older = (await caches.keys()).filter((k) => k.startsWith(PREFIX) && k !== CACHE);
      let fetched = 0;
      let reused = 0;
      let lazyKept = 0;
      // A lazy file a user already keeps offline stays kept across deploys (when unchanged).
      for (const [f, revision] of LAZY) {
        const url = new URL(f, SCOPE).href;
        const kept = await sameRevision(older, url, revision);
        if (kept) {
          lazyKept++;
          await cache.put(url, kept);
        }
      }
      // A few at a time: the model and the wasm files are tens of MB.
      for (let i = 0; i < FILES.length; i += 4) {
        await Promise.all(
          FILES.slice(i, i + 4).map(async ([f, revision]) => {
            const url = new URL(f, SCOPE).href;
            const kept = await sameRevision(older, url, revision);
            if (kept) {
              reused++;
              return cache.put(url, kept);
            }
            const resp = await fetch(url, { cache: 'no-cache' });
            if (!resp.ok) throw new Error(`precache: ${f} answered ${resp.status}`);
            const headers = new Headers(resp.headers);
            headers.set(REVISION, revision);
            fetched++;
            await cache.put(url, new Response(resp.body, { status: resp.status, statusText: resp.statusText, headers }));
          }),
        );
      }
      // What this install cost, for the page (and the tests) to read: kept beside the flag, not
      // in the version's cache, whose keys are exactly FILES.
      await (await caches.open(FLAG_CACHE)).put(new URL(`__seedforge/install/${VERSION}`, SCOPE).href, Response.json({ fetched, reused, lazyKept }));
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

/** An older version's copy of `url` at the same revision (the same bytes), if any holds one. */
async function sameRevision(older, url, revision) {
  for (const name of older) {
    const hit = await (await caches.open(name)).match(url);
    if (hit && hit.headers.get(REVISION) === revision) return hit;
  }
  return undefined;
}

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
  if (event.data && event.data.type === 'VERSION') event.waitUntil(report(event.ports[0]));
  if (event.data && event.data.type === 'OFFLINE_FILES') event.waitUntil(offlineFiles(event.data.action, event.ports[0]));
  if (event.data && event.data.type === 'AIR_GAP') {
    airGap = event.data.on === true;
    event.ports[0]?.postMessage({ airGapped: airGap });
  }
});

const LAZY_REVISION = new Map(LAZY.map(([f, revision]) => [new URL(f, SCOPE).href, revision]));

/** Fetches a lazy file and keeps it in this version's cache, marked with its revision. */
async function keepLazy(url, revision) {
  const resp = await fetch(url, { cache: 'no-cache' });
  if (!resp.ok) throw new Error(`${url} answered ${resp.status}`);
  const headers = new Headers(resp.headers);
  headers.set(REVISION, revision);
  await (await caches.open(CACHE)).put(url, new Response(resp.body, { status: resp.status, statusText: resp.statusText, headers }));
}

/**
 * The page's "Available offline" setting: `status` says how many of the LAZY files this version
 * keeps (and their size), `keep` fetches the missing ones (a progress message after each), `drop`
 * removes them from every version's cache. Each ends with a status message ({ done: true }).
 */
async function offlineFiles(action, port) {
  const total = LAZY.length;
  const bytes = LAZY.reduce((n, [, , b]) => n + b, 0);
  const cache = await caches.open(CACHE);
  const status = async (extra = {}) => {
    let kept = 0;
    for (const [f] of LAZY) if (await cache.match(new URL(f, SCOPE).href)) kept++;
    port?.postMessage({ done: true, kept, total, bytes, ...extra });
  };
  try {
    if (action === 'keep') {
      let have = 0;
      for (const [f, revision, size] of LAZY) {
        const url = new URL(f, SCOPE).href;
        if (!(await cache.match(url))) await keepLazy(url, revision);
        have += size;
        port?.postMessage({ progress: have, bytes });
      }
    } else if (action === 'drop') {
      for (const name of await caches.keys()) {
        if (!name.startsWith(PREFIX)) continue;
        const c = await caches.open(name);
        for (const [f] of LAZY) await c.delete(new URL(f, SCOPE).href);
      }
    }
    await status();
  } catch (e) {
    await status({ error: String(e && e.message ? e.message : e) });
  }
}

async function report(port) {
  const hit = await (await caches.open(FLAG_CACHE)).match(new URL(`__seedforge/install/${VERSION}`, SCOPE).href);
  port?.postMessage({ version: VERSION, files: FILES.length, install: hit ? await hit.json() : null });
}

/**
 * The air-gap flag: null until read. The page sends every change by message (answered once set,
 * so the page knows the worker has it) and also writes it to Cache Storage, which a worker that
 * the browser stopped and started again reads here once.
 */
let airGap = null;
async function airGapped() {
  if (airGap === null) {
    const hit = await (await caches.open(FLAG_CACHE)).match(new URL('__seedforge/air-gap', SCOPE).href);
    // A message may have set it while the storage was read: the message wins.
    if (airGap === null) airGap = hit ? (await hit.text()) === 'on' : false;
  }
  return airGap;
}
airGapped();

function isolated(resp) {
  if (resp.type === 'opaque' || resp.type === 'opaqueredirect' || resp.status === 0) return resp;
  const headers = new Headers(resp.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(resp.body, { status: resp.status, statusText: resp.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) {
    // Known to be off: not intercepted, the browser fetches as if there were no worker.
    if (airGap === false) return;
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
      // A lazy file's first use: fetched once, kept for offline use from then on.
      const revision = LAZY_REVISION.get(key);
      if (revision) {
        try {
          await keepLazy(key, revision);
          const kept = await cached(key);
          if (kept) return isolated(kept);
        } catch {
          // Not kept (offline, a full disk): the plain fetch below says why to the page.
        }
      }
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
