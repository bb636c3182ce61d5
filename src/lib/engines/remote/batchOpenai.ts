import { EngineError } from '../errors';
import type { ChatRequest, Constraint, FinishReason } from '../types';
import { batchFetch, jsonLines, type BatchOutcome, type BatchProvider, type BatchState } from './batch';
import { DEFAULT_POLICY, httpError } from './http';
import { openaiDialect } from './openai';
import { DEFAULT_REMOTE_CONTEXT, joinUrl, type EndpointConfig } from './remoteEngine';

/**
 * The OpenAI Batch API: the requests go up as a JSONL file (purpose "batch"), a batch over
 * /v1/chat/completions runs them within 24 hours, and its output and error files hold one line
 * per request, matched by custom_id. Each request's body is the one the synchronous dialect
 * (./openai.ts) sends, without streaming. Each batch carries its intent's key in its metadata
 * (which the service keeps and lists), so a batch whose id never reached the ledger is found again.
 */

/** Batches listed per page, and pages read at most when looking for an intent's batch. */
const PAGE = 100;
const MAX_PAGES = 50;
/** How far the provider's clock and ours may disagree (the list is read back to the intent's time less this). */
const SKEW_MS = 10 * 60_000;

/** Statuses after which nothing more runs. */
const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface BatchObject {
  id: string;
  status: string;
  output_file_id?: string | null;
  error_file_id?: string | null;
  errors?: { data?: { code?: string; message?: string; line?: number | null }[] } | null;
  /** Seconds since the epoch. */
  created_at?: number;
  metadata?: Record<string, string> | null;
}

interface BatchList {
  data: BatchObject[];
  has_more?: boolean;
  last_id?: string | null;
}

interface ResultLine {
  custom_id: string;
  response?: { status_code: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

interface Completion {
  model?: string;
  choices?: { message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export function openaiBatch(cfg: EndpointConfig, key: string): BatchProvider {
  const policy = { ...DEFAULT_POLICY, ...cfg.policy };
  // The strongest mechanism (a JSON schema): a batch cannot ask again with the next mid-call.
  const mode = openaiDialect.schemaModes[0]!;
  const schemaMode = mode as Constraint;
  const auth: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  const call = (path: string, init: RequestInit, signal?: AbortSignal) =>
    batchFetch(joinUrl(cfg.baseUrl, path), { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } }, { key, name: cfg.name, timeoutMs: policy.timeoutMs, signal });

  const body = (req: ChatRequest) => {
    const b = openaiDialect.request(cfg, key, req, req.schema ? mode : 'none').body as Record<string, unknown>;
    delete b.stream;
    delete b.stream_options;
    return b;
  };

  const stateOf = (b: BatchObject): BatchState => ({
    id: b.id,
    ended: ENDED.has(b.status),
    status: b.status,
    results: [b.output_file_id, b.error_file_id].filter((x): x is string => !!x),
    ...(b.status === 'failed' || b.status === 'expired' ? { error: `the batch ${b.status}${b.errors?.data?.length ? `: ${b.errors.data.map((d) => `${d.line ? `line ${d.line}: ` : ''}${d.message ?? d.code}`).join('; ')}` : ''}` } : {}),
  });

  /** One line of an output or error file as our outcome. */
  const outcome = async (l: ResultLine): Promise<BatchOutcome> => {
    const r = l.response;
    if (r && r.status_code >= 200 && r.status_code < 300) {
      const c = (r.body ?? {}) as Completion;
      const choice = c.choices?.[0];
      const fr = choice?.finish_reason;
      const u = c.usage;
      return {
        ok: true,
        answer: {
          text: choice?.message?.content ?? '',
          usage: u ? { promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0 } : null,
          finishReason: (fr === 'length' ? 'length' : 'stop') as FinishReason,
          model: c.model ?? cfg.model,
          ...(choice?.message?.reasoning_content || choice?.message?.reasoning ? { reasoning: choice.message.reasoning_content ?? choice.message.reasoning ?? '' } : {}),
        },
      };
    }
    // The request's own HTTP answer: the same typed error the synchronous call would throw.
    if (r) return { ok: false, error: await httpError(new Response(JSON.stringify(r.body ?? {}), { status: r.status_code }), key, cfg.name) };
    // Not run at all (the batch expired or was cancelled first): worth sending again.
    return { ok: false, error: new EngineError('ServerError', `${cfg.name}: ${l.error?.message ?? l.error?.code ?? 'the request was not run'}`) };
  };

  return {
    kind: 'openai',
    model: cfg.model,
    name: cfg.name,
    contextLength: cfg.contextLength || DEFAULT_REMOTE_CONTEXT,
    schemaMode,
    async submit(items, intent, signal) {
      const jsonl = items.map((i) => JSON.stringify({ custom_id: i.customId, method: 'POST', url: '/v1/chat/completions', body: body(i.req) })).join('\n') + '\n';
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', new Blob([jsonl], { type: 'application/jsonl' }), 'seedforge-batch.jsonl');
      const file = (await (await call('/files', { method: 'POST', body: form }, signal)).json()) as { id: string };
      const batch = (await (
        await call('/batches', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { source: 'seedforge', seedforge_batch: intent.key } }) }, signal)
      ).json()) as BatchObject;
      return batch.id;
    },
    async find(intent, _known, signal) {
      // Newest first: read back until the batches are older than the intent.
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const q: string = `/batches?limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
        const list = (await (await call(q, { method: 'GET' }, signal)).json()) as BatchList;
        for (const b of list.data ?? []) if (b.metadata?.seedforge_batch === intent.key) return b.id;
        const last = list.data?.at(-1);
        if (!list.has_more || !last || (last.created_at ?? 0) * 1000 < intent.at - SKEW_MS) return null;
        after = list.last_id ?? last.id;
      }
      return null;
    },
    async poll(id, signal) {
      return stateOf((await (await call(`/batches/${encodeURIComponent(id)}`, { method: 'GET' }, signal)).json()) as BatchObject);
    },
    async results(state, signal) {
      const out = new Map<string, BatchOutcome>();
      for (const fileId of state.results) {
        const text = await (await call(`/files/${encodeURIComponent(fileId)}/content`, { method: 'GET' }, signal)).text();
        for (const l of jsonLines<ResultLine>(text, `${cfg.name} file ${fileId}`)) out.set(l.custom_id, await outcome(l));
      }
      return out;
    },
    async cancel(id) {
      await call(`/batches/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
    },
  };
}
