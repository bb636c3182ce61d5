import { EngineError, aborted } from '../errors';

/** How a remote endpoint is called: its limits and retry policy. */
export interface CallPolicy {
  /** Calls in flight at once against this endpoint. */
  concurrency: number;
  /** Longest wait for the response headers, and for each next chunk of a stream (ms). */
  timeoutMs: number;
  /** Retries after the first attempt, on 429, 5xx, network errors and timeouts. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * How a remote engine sends a request: `fetch`'s shape. The app passes nothing and gets the
 * browser's fetch; the command line passes its own on node:http (src/cli/nodeTransport.ts), which
 * costs a third of undici's CPU per call: at hundreds of calls in flight one Node thread spent
 * half its time inside fetch and reached 60 % of a fast endpoint's capacity.
 */
export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/** The global fetch, looked up at each call (tests stub it after engines are made). */
export const globalFetch: Transport = (url, init) => fetch(url, init);

export const DEFAULT_POLICY: CallPolicy = { concurrency: 4, timeoutMs: 60_000, maxRetries: 4, baseDelayMs: 1000, maxDelayMs: 60_000 };

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A counting semaphore: at most `limit` holders; waiters are served in order and may abort. */
export class Semaphore {
  #active = 0;
  #queue: Waiter[] = [];
  limit: number;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  get active(): number {
    return this.#active;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw aborted();
    if (this.#active < this.limit) {
      this.#active++;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      waiter.onAbort = () => {
        this.#queue = this.#queue.filter((w) => w !== waiter);
        reject(aborted());
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#queue.shift();
      if (next) {
        if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(); // the slot passes straight to the next waiter
      } else this.#active--;
    };
  }
}

const limiters = new Map<string, Semaphore>();
/** One limiter per endpoint (keyed by its id), shared by every engine that calls it. */
export function limiterFor(endpointId: string, concurrency: number): Semaphore {
  let s = limiters.get(endpointId);
  if (!s) limiters.set(endpointId, (s = new Semaphore(concurrency)));
  s.limit = Math.max(1, concurrency);
  return s;
}

/** Exponential backoff with full jitter, or the server's Retry-After when it gave one. */
export function retryDelay(attempt: number, policy: CallPolicy, retryAfterSeconds?: number, random = Math.random): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) return Math.min(policy.maxDelayMs, retryAfterSeconds * 1000);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Retry-After as seconds: either a number of seconds or an HTTP date. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, (t - now) / 1000);
}

export function isRetryable(e: unknown): boolean {
  return e instanceof EngineError && ['RateLimitedError', 'ServerError', 'NetworkError', 'TimeoutError'].includes(e.name);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Removes a key from any text that leaves the engine (error messages, logs): the exact key, and
 * anything that looks like one (servers echo partial keys in their 401 messages).
 */
export function redact(text: string, key?: string): string {
  let out = key && key.length >= 4 ? text.split(key).join('[key]') : text;
  out = out.replace(/\b(sk|pk|rk|key|api|gsk|xai|or)[-_][A-Za-z0-9*_\-.]{6,}/gi, '[key]');
  return out.replace(/(Bearer\s+)[^\s"']+/gi, '$1[key]');
}

/** The typed error for a non-2xx answer. */
export async function httpError(resp: Response, key: string | undefined, what: string): Promise<EngineError> {
  let body = '';
  try {
    body = (await resp.text()).slice(0, 500);
  } catch {
    /* the body is only detail */
  }
  let detail = body;
  try {
    const j = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    detail = (typeof j.error === 'string' ? j.error : j.error?.message) ?? j.message ?? body;
  } catch {
    /* not JSON */
  }
  const msg = redact(`${what}: HTTP ${resp.status}${detail ? ` — ${detail}` : ''}`, key);
  const status = resp.status;
  if (status === 401 || status === 403) return new EngineError('BadKeyError', msg, { status });
  if (status === 404) return new EngineError('ModelNotFoundError', msg, { status });
  if (status === 429) return new EngineError('RateLimitedError', msg, { status, retryAfter: parseRetryAfter(resp.headers.get('retry-after')) });
  if (status >= 500) return new EngineError('ServerError', msg, { status, retryAfter: parseRetryAfter(resp.headers.get('retry-after')) });
  return new EngineError('BadRequestError', msg, { status });
}

/** Maps what fetch or a stream read threw to an EngineError. */
export function fetchError(e: unknown, url: string, signal: AbortSignal | undefined, timedOut: boolean, key?: string): EngineError {
  if (e instanceof EngineError) return e;
  if (timedOut) return new EngineError('TimeoutError', `no answer from ${new URL(url).host} within the time limit`);
  if (signal?.aborted) return aborted();
  const message = redact((e as Error)?.message ?? String(e), key);
  const crossOrigin = typeof location !== 'undefined' && new URL(url, location.href).origin !== location.origin;
  // Browsers report a CORS refusal and an unreachable server with the same TypeError; a
  // cross-origin failure while the browser is online is most often CORS.
  if (crossOrigin && typeof navigator !== 'undefined' && navigator.onLine && /failed to fetch|load failed|networkerror/i.test(message)) {
    return new EngineError('CorsError', `${new URL(url).host} could not be reached from this page (${message})`, { cause: e });
  }
  return new EngineError('NetworkError', `${new URL(url, 'http://x').host}: ${message}`, { cause: e });
}

/** Server-sent events: yields the data of each event (multi-line data joined with \n). */
export async function* sseData(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<{ event: string | null; data: string }> {
  // A TextDecoder over the body's own reader, not a TextDecoderStream: the stream costs a
  // TransformStream and its two sides per call, ~4 % of the command line's CPU at 500 calls/s.
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let event: string | null = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        buf += decoder.decode();
        break;
      }
      onChunk?.();
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        let line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (data.length) yield { event, data: data.join('\n') };
          data = [];
          event = null;
        } else if (line.startsWith(':')) continue;
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        else if (line.startsWith('event:')) event = line.slice(6).trim();
      }
    }
    if (data.length) yield { event, data: data.join('\n') };
  } finally {
    reader.releaseLock();
  }
}
