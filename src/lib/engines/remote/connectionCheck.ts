/**
 * "Check connection" for an endpoint: asks the server which models it serves (`GET <base>/models`,
 * OpenAI's and Anthropic's list) and, when that fails, tells apart what a user can fix — nothing
 * listening, a server that forbids calls from a web page (CORS), a wrong path, a missing key.
 */

/**
 * `refused`: nothing answered; `cors`: a server answered but forbids calls from this page;
 * `unreachable`: one of the two, and this page cannot tell which (see `answeredOpaquely`).
 */
export type ConnectionProblem = 'badUrl' | 'refused' | 'cors' | 'unreachable' | 'wrongPath' | 'auth' | 'notJson' | 'timeout' | 'failed';

export type ConnectionResult =
  | { ok: true; url: string; models: string[] }
  | { ok: false; url: string; problem: ConnectionProblem; status: number | null; detail: string };

export interface CheckOptions {
  kind: 'openai' | 'anthropic';
  key?: string | null;
  timeoutMs?: number;
  /** For tests; the page's fetch by default. */
  fetch?: typeof globalThis.fetch;
}

/** The model-list address for a base URL (`…/v1` → `…/v1/models`); null for an address that is not http(s). */
export function modelsUrl(baseUrl: string): string | null {
  try {
    const u = new URL(baseUrl.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}/models`;
  } catch {
    return null;
  }
}

/**
 * Never throws: every failure is a result with a problem code the UI turns into a sentence.
 * A browser reports "nothing listening" and "CORS refused" alike (a TypeError); a second, opaque
 * `no-cors` request tells them apart (see `answeredOpaquely`).
 */
export async function checkConnection(baseUrl: string, o: CheckOptions): Promise<ConnectionResult> {
  const f = o.fetch ?? globalThis.fetch.bind(globalThis);
  const url = modelsUrl(baseUrl);
  if (!url) return { ok: false, url: baseUrl, problem: 'badUrl', status: null, detail: 'not an http(s) address' };
  const headers: Record<string, string> = {};
  if (o.kind === 'anthropic') {
    headers['anthropic-version'] = '2023-06-01';
    headers['anthropic-dangerous-direct-browser-access'] = 'true';
    if (o.key) headers['x-api-key'] = o.key;
  } else if (o.key) {
    headers.authorization = `Bearer ${o.key}`;
  }
  const timeoutMs = o.timeoutMs ?? 10_000;
  let resp: Response;
  try {
    resp = await f(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { ok: false, url, problem: 'timeout', status: null, detail: `${timeoutMs} ms` };
    const answered = await answeredOpaquely(f, url, timeoutMs);
    const problem = answered === 'yes' ? 'cors' : answered === 'no' ? 'refused' : 'unreachable';
    return { ok: false, url, problem, status: null, detail: err?.message ?? String(e) };
  }
  if (resp.status === 401 || resp.status === 403) return { ok: false, url, problem: 'auth', status: resp.status, detail: await snippet(resp) };
  if (resp.status === 404 || resp.status === 405) return { ok: false, url, problem: 'wrongPath', status: resp.status, detail: await snippet(resp) };
  if (!resp.ok) return { ok: false, url, problem: 'failed', status: resp.status, detail: await snippet(resp) };
  let body: unknown;
  try {
    body = await resp.json();
  } catch (e) {
    return { ok: false, url, problem: 'notJson', status: resp.status, detail: (e as Error).message };
  }
  const list = (body as { data?: unknown; models?: unknown })?.data ?? (body as { models?: unknown })?.models;
  if (!Array.isArray(list)) return { ok: false, url, problem: 'notJson', status: resp.status, detail: 'no "data" list in the answer' };
  const models = list
    .map((m) => (typeof m === 'string' ? m : ((m as { id?: unknown; name?: unknown; model?: unknown })?.id ?? (m as { name?: unknown })?.name ?? (m as { model?: unknown })?.model)))
    .filter((x): x is string => typeof x === 'string' && x.length > 0);
  return { ok: true, url, models: [...new Set(models)] };
}

/** The start of an error body, for the tooltip (servers put the reason there). */
async function snippet(resp: Response): Promise<string> {
  const text = await resp.text().catch(() => '');
  return `HTTP ${resp.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

interface CoepReport {
  type: string;
  /** Chromium's COEP report body exposes its fields through toJSON() only. */
  body?: { blockedURL?: string; toJSON?: () => { blockedURL?: string } } | null;
}

const blockedUrlOf = (r: CoepReport): string | undefined => r.body?.toJSON?.()?.blockedURL ?? r.body?.blockedURL;

/**
 * Whether anything answered at `url`, asked with an opaque `no-cors` request (no CORS needed).
 * On a page without cross-origin isolation that request succeeds when a server answered. This app
 * is isolated (COEP require-corp, for wasm threads), which blocks the opaque answer too — but only
 * once it arrived, and Chromium then files a `coep` report naming the URL (a refused connection
 * files none): a ReportingObserver reads it. Measured in headless Chromium: a server without CORS
 * headers gave the report within milliseconds, a closed port none. A page that a service worker
 * controls gets no report (the worker fetches, its opaque answer is then blocked silently): there
 * a failed probe means "unknown".
 */
async function answeredOpaquely(f: typeof globalThis.fetch, url: string, timeoutMs: number): Promise<'yes' | 'no' | 'unknown'> {
  const controlled = !!(globalThis.navigator as Navigator | undefined)?.serviceWorker?.controller;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const Observer = (globalThis as { ReportingObserver?: new (cb: (reports: CoepReport[]) => void, o: { types: string[]; buffered?: boolean }) => { observe(): void; disconnect(): void; takeRecords(): CoepReport[] } }).ReportingObserver;
  const same = (u: string | undefined) => {
    try {
      return !!u && new URL(u).href === new URL(url).href;
    } catch {
      return false;
    }
  };
  let seen = false;
  let wake = () => {};
  const reported = new Promise<void>((r) => (wake = r));
  const observer = Observer
    ? new Observer((reports) => {
        if (reports.some((r) => r.type === 'coep' && same(blockedUrlOf(r)))) {
          seen = true;
          wake();
        }
      }, { types: ['coep'] })
    : null;
  observer?.observe();
  try {
    const ok = await f(url, { mode: 'no-cors', signal: AbortSignal.timeout(timeoutMs) }).then(
      () => true,
      () => false,
    );
    if (ok) return 'yes';
    if (controlled && isolated) return 'unknown';
    if (!observer || !isolated) return isolated ? 'unknown' : 'no';
    // Reports are delivered in a later task: wait for it, a little.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([reported, new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    if (!seen && observer.takeRecords().some((r) => r.type === 'coep' && same(blockedUrlOf(r)))) seen = true;
    return seen ? 'yes' : 'no';
  } finally {
    observer?.disconnect();
  }
}
