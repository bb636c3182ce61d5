import { EngineError } from '../errors';

/**
 * Where downloaded bytes go: a file written at offsets, which keeps what it has across reloads.
 * In the browser an OPFS sync access handle (./downloadApi.ts); in Node tests an array.
 */
export interface ByteSink {
  size(): number;
  write(bytes: Uint8Array, at: number): void;
  truncate(size: number): void;
  /** Makes what was written durable (a reload keeps it). */
  flush(): void;
}

/** What a partial download remembers beside its bytes, to resume only the same file. */
export interface PartialMeta {
  url: string;
  /** The whole file's size as the server said, once known. */
  total: number | null;
  etag: string | null;
}

export interface DownloadOptions {
  url: string;
  sink: ByteSink;
  /** The partial's metadata from an earlier attempt (null: none). */
  meta: PartialMeta | null;
  saveMeta(meta: PartialMeta): void | Promise<void>;
  onProgress?(loaded: number, total: number): void;
  signal?: AbortSignal;
  /** Connections that may drop in a row without any progress before the download fails (default 3). */
  retries?: number;
  /** Milliseconds before a retry (default 500, doubled each time). */
  retryDelayMs?: number;
  /** Set while air-gapped: the final URL (after redirects) must have this origin. */
  sameOrigin?: string;
  fetch?: typeof fetch;
}

export interface DownloadResult {
  size: number;
  /** The offset the first request resumed from (0 for a fresh start). */
  resumedFrom: number;
  /** How often the bytes had to start over (a server that ignores Range, a changed file). */
  restarts: number;
  requests: number;
}

/** Bytes as megabytes with one decimal, for an error's parameters. */
const mb = (b: number) => Math.round(b / 1e5) / 10;

const FLUSH_EVERY = 4 * 1024 * 1024;

/** `bytes 100-199/1000` → start and total (total null for `*`). */
export function parseContentRange(h: string | null): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(h?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

const strongEtag = (e: string | null) => (e ? e.replace(/^W\//, '') : null);

/**
 * Downloads `url` into `sink`, resuming from the bytes it already holds with `Range: bytes=<have>-`.
 * A server that answers 200 to a range request, or a file that changed (another size or ETag),
 * starts the bytes over. A dropped connection retries from where it stopped. The result's size is
 * checked against the server's.
 * @throws EngineError ModelNotFoundError (404), NetworkError (HTTP errors, too many drops, a wrong
 * final size), AbortedError (signal), AirGappedError (a redirect to another origin while air-gapped).
 */
export async function downloadResumable(o: DownloadOptions): Promise<DownloadResult> {
  const doFetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  const retries = o.retries ?? 3;
  let delay = o.retryDelayMs ?? 500;
  let meta = o.meta;
  let have = o.sink.size();
  // A partial of another URL is another file (or another source's copy): start over.
  if (have > 0 && (!meta || meta.url !== o.url)) {
    o.sink.truncate(0);
    have = 0;
  }
  const resumedFrom = have;
  let restarts = 0;
  let requests = 0;
  let failures = 0;
  let lastError: unknown = null;

  const restart = () => {
    o.sink.truncate(0);
    have = 0;
    restarts++;
  };

  for (;;) {
    if (o.signal?.aborted) throw new EngineError('AbortedError', 'the download was cancelled');
    if (failures > retries) {
      throw new EngineError('NetworkError', `${o.url}: the connection dropped ${failures} times in a row at ${have} of ${meta?.total ?? '?'} bytes (${(lastError as Error)?.message ?? 'no detail'}); the bytes so far are kept: try again to resume`, {
        cause: lastError,
        detail: { key: 'download.error.dropped', params: { times: failures, have: mb(have), total: meta?.total ? mb(meta.total) : '?' } },
      });
    }
    const ranged = have > 0;
    let resp: Response;
    try {
      requests++;
      resp = await doFetch(o.url, { headers: ranged ? { Range: `bytes=${have}-` } : {}, signal: o.signal, cache: 'no-store' });
    } catch (e) {
      if (o.signal?.aborted) throw new EngineError('AbortedError', 'the download was cancelled');
      lastError = e;
      failures++;
      await sleep(delay, o.signal);
      delay *= 2;
      continue;
    }
    if (o.sameOrigin && resp.url && new URL(resp.url).origin !== o.sameOrigin) {
      throw new EngineError('AirGappedError', `air-gapped mode is on: ${new URL(resp.url).origin} is another origin (use a model folder served by this app, or turn air-gapped mode off in Settings)`);
    }
    const etag = strongEtag(resp.headers.get('etag'));
    if (resp.status === 416 && ranged) {
      // Nothing after our bytes: whole if the size we knew says so, otherwise start over.
      void resp.body?.cancel();
      if (meta?.total === have) break;
      restart();
      continue;
    }
    if (resp.status === 404 || resp.status === 401 || resp.status === 403) {
      throw new EngineError('ModelNotFoundError', `${o.url}: HTTP ${resp.status}`, { status: resp.status, detail: { key: 'download.error.notFound', params: { status: resp.status } } });
    }
    if (!resp.ok || !resp.body) throw new EngineError('NetworkError', `${o.url}: HTTP ${resp.status}`, { status: resp.status, detail: { key: 'download.error.http', params: { status: resp.status } } });

    const length = Number(resp.headers.get('content-length')) || null;
    let total: number | null;
    if (resp.status === 206) {
      const range = parseContentRange(resp.headers.get('content-range'));
      const start = range?.start ?? have;
      total = range?.total ?? (length !== null ? have + length : null);
      const changed = (meta?.total != null && total != null && meta.total !== total) || (!!meta?.etag && !!etag && meta.etag !== etag);
      if (start !== have || changed) {
        void resp.body.cancel();
        restart();
        continue;
      }
    } else {
      // 200: the whole file from byte 0, whatever we asked for.
      if (have > 0) restart();
      total = length;
    }
    meta = { url: o.url, total, etag: etag ?? meta?.etag ?? null };
    await o.saveMeta(meta);

    const before = have;
    let sinceFlush = 0;
    try {
      const reader = resp.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        try {
          o.sink.write(value, have);
        } catch (e) {
          // The disk, not the network (QuotaExceededError when storage is full): no retry helps.
          throw Object.assign(new Error('sink'), { sinkError: e });
        }
        have += value.byteLength;
        sinceFlush += value.byteLength;
        if (sinceFlush >= FLUSH_EVERY) {
          o.sink.flush();
          sinceFlush = 0;
        }
        o.onProgress?.(have, total ?? 0);
      }
    } catch (e) {
      if ((e as { sinkError?: unknown }).sinkError) throw (e as { sinkError: unknown }).sinkError;
      o.sink.flush();
      if (o.signal?.aborted) throw new EngineError('AbortedError', 'the download was cancelled');
      lastError = e;
      if (have > before) {
        failures = 1;
        delay = o.retryDelayMs ?? 500;
      } else failures++;
      await sleep(delay, o.signal);
      delay *= 2;
      continue;
    }
    o.sink.flush();
    if (total === null || have === total) break;
    if (have > total) {
      restart();
      continue;
    }
    // The body ended early without an error: resume like a dropped connection.
    lastError = new Error(`the body ended at ${have} of ${total} bytes`);
    failures = have > before ? 1 : failures + 1;
  }
  const size = o.sink.size();
  if (meta?.total != null && size !== meta.total) {
    throw new EngineError('NetworkError', `${o.url}: downloaded ${size} bytes but the server announced ${meta.total}`, {
      detail: { key: 'download.error.size', params: { have: mb(size), total: mb(meta.total) } },
    });
  }
  return { size, resumedFrom, restarts, requests };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
