import { EngineError, type EngineErrorName } from '../errors';
import type { ChatRequest, Constraint } from '../types';
import { anthropicDialect } from './anthropic';
import { batchFetch, jsonLines, type BatchOutcome, type BatchProvider, type BatchState } from './batch';
import { DEFAULT_POLICY } from './http';
import { DEFAULT_REMOTE_CONTEXT, joinUrl, type EndpointConfig } from './remoteEngine';

/**
 * Anthropic Message Batches: the requests go in one POST (custom_id + the Messages params the
 * synchronous dialect, ./anthropic.ts, sends, without streaming), the batch is polled until its
 * processing_status is "ended", and its results_url serves one JSONL line per request
 * (succeeded, errored, canceled or expired), in no particular order.
 *
 * Message batches keep no metadata, so a batch whose id never reached the ledger is found by what
 * its intent knows: the same number of requests, created near the intent's time, not a batch this
 * session holds; the nearest in time wins. Two such batches of one run created in the same minutes
 * may be swapped: each is then read whole (its answers go in the ledger) and what the wrong one
 * lacks is sent again — rarer and cheaper than sending every request of a found batch again.
 */

/** Batches listed per page, and pages read at most when looking for an intent's batch. */
const PAGE = 100;
const MAX_PAGES = 50;
/** How far the provider's clock and ours may disagree, and how long a create may take with its retries. */
const SKEW_MS = 10 * 60_000;

interface MessageBatch {
  id: string;
  processing_status: string;
  results_url?: string | null;
  /** RFC 3339. */
  created_at?: string;
  request_counts?: Partial<Record<'processing' | 'succeeded' | 'errored' | 'canceled' | 'expired', number>>;
}

interface BatchList {
  data: MessageBatch[];
  has_more?: boolean;
  last_id?: string | null;
}

interface ResultLine {
  custom_id: string;
  result: {
    type: 'succeeded' | 'errored' | 'canceled' | 'expired';
    message?: {
      model?: string;
      content?: { type: string; text?: string; input?: unknown; thinking?: string }[];
      stop_reason?: string | null;
      usage?: { input_tokens?: number; output_tokens?: number };
    };
    error?: { error?: { type?: string; message?: string } };
  };
}

/** Anthropic's error types as our typed errors. */
const ERROR_NAMES: Record<string, EngineErrorName> = {
  invalid_request_error: 'BadRequestError',
  authentication_error: 'BadKeyError',
  permission_error: 'BadKeyError',
  not_found_error: 'ModelNotFoundError',
  rate_limit_error: 'RateLimitedError',
  overloaded_error: 'ServerError',
  api_error: 'ServerError',
};

export function anthropicBatch(cfg: EndpointConfig, key: string): BatchProvider {
  const policy = { ...DEFAULT_POLICY, ...cfg.policy };
  const mode = anthropicDialect.schemaModes[0]!;
  const schemaMode = mode as Constraint;
  const headers = { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'anthropic-dangerous-direct-browser-access': 'true' };
  const base = joinUrl(cfg.baseUrl, '/v1/messages/batches');
  const call = (url: string, init: RequestInit, signal?: AbortSignal) =>
    batchFetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } }, { key, name: cfg.name, timeoutMs: policy.timeoutMs, signal });

  const params = (req: ChatRequest) => {
    const b = anthropicDialect.request(cfg, key, req, req.schema ? mode : 'none').body as Record<string, unknown>;
    delete b.stream;
    return b;
  };

  const outcome = (l: ResultLine): BatchOutcome => {
    const r = l.result;
    if (r.type === 'succeeded' && r.message) {
      const m = r.message;
      let text = '';
      let reasoning = '';
      for (const block of m.content ?? []) {
        if (block.type === 'text') text += block.text ?? '';
        // The forced tool call's input is the answer, as JSON (as the streamed dialect gives it).
        else if (block.type === 'tool_use') text += JSON.stringify(block.input ?? {});
        else if (block.type === 'thinking') reasoning += block.thinking ?? '';
      }
      const u = m.usage;
      return {
        ok: true,
        answer: {
          text,
          usage: u ? { promptTokens: u.input_tokens ?? 0, completionTokens: u.output_tokens ?? 0 } : null,
          finishReason: m.stop_reason === 'max_tokens' ? 'length' : 'stop',
          model: m.model ?? cfg.model,
          ...(reasoning ? { reasoning } : {}),
        },
      };
    }
    if (r.type === 'errored') {
      const t = r.error?.error?.type ?? '';
      return { ok: false, error: new EngineError(ERROR_NAMES[t] ?? 'ServerError', `${cfg.name}: ${r.error?.error?.message ?? t ?? 'the request failed'}`) };
    }
    // Canceled or expired before it ran: worth sending again.
    return { ok: false, error: new EngineError('ServerError', `${cfg.name}: the request was ${r.type} before it ran`) };
  };

  return {
    kind: 'anthropic',
    model: cfg.model,
    name: cfg.name,
    contextLength: cfg.contextLength || DEFAULT_REMOTE_CONTEXT,
    schemaMode,
    async submit(items, _intent, signal) {
      const body = { requests: items.map((i) => ({ custom_id: i.customId, params: params(i.req) })) };
      const b = (await (await call(base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, signal)).json()) as MessageBatch;
      return b.id;
    },
    async find(intent, known, signal) {
      let best: { id: string; off: number } | null = null;
      let after: string | null = null;
      // Newest first: read back until the batches are older than the intent's window.
      for (let page = 0; page < MAX_PAGES; page++) {
        const url: string = `${base}?limit=${PAGE}${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
        const list = (await (await call(url, { method: 'GET' }, signal)).json()) as BatchList;
        let older = false;
        for (const b of list.data ?? []) {
          const t = Date.parse(b.created_at ?? '');
          if (!Number.isFinite(t)) continue;
          if (t < intent.at - SKEW_MS) older = true;
          const size = Object.values(b.request_counts ?? {}).reduce((a, n) => a + (n ?? 0), 0);
          const off = Math.abs(t - intent.at);
          if (off <= SKEW_MS && size === intent.size && !known.has(b.id) && (!best || off < best.off)) best = { id: b.id, off };
        }
        const last = list.data?.at(-1);
        if (older || !list.has_more || !last) break;
        after = list.last_id ?? last.id;
      }
      return best?.id ?? null;
    },
    async poll(id, signal): Promise<BatchState> {
      const b = (await (await call(`${base}/${encodeURIComponent(id)}`, { method: 'GET' }, signal)).json()) as MessageBatch;
      const ended = b.processing_status === 'ended';
      // The key goes only to the endpoint's own origin: a results_url elsewhere is read through it.
      const own = `${base}/${encodeURIComponent(id)}/results`;
      const url = b.results_url && new URL(b.results_url, base).origin === new URL(base).origin ? b.results_url : own;
      return { id: b.id, ended, status: b.processing_status, results: ended ? [url] : [] };
    },
    async results(state, signal) {
      const out = new Map<string, BatchOutcome>();
      for (const url of state.results) {
        const text = await (await call(url, { method: 'GET' }, signal)).text();
        for (const l of jsonLines<ResultLine>(text, `${cfg.name} results of ${state.id}`)) out.set(l.custom_id, outcome(l));
      }
      return out;
    },
    async cancel(id) {
      await call(`${base}/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
    },
  };
}
