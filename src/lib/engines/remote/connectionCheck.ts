/**
 * "Check connection" for an endpoint: asks the server which models it serves (`GET <base>/models`,
 * OpenAI's and Anthropic's list) and, when that fails, tells apart what a user can fix — nothing
 * listening, a server that forbids calls from a web page (CORS), a wrong path, a missing key.
 */

export type ConnectionProblem = 'badUrl' | 'refused' | 'cors' | 'wrongPath' | 'auth' | 'notJson' | 'timeout' | 'failed';

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
 * `no-cors` request tells them apart: it succeeds when something answered.
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
    const answered = await f(url, { mode: 'no-cors', signal: AbortSignal.timeout(timeoutMs) }).then(
      () => true,
      () => false,
    );
    return { ok: false, url, problem: answered ? 'cors' : 'refused', status: null, detail: err?.message ?? String(e) };
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
