import { EngineError, aborted, contextOverflow } from '../errors';
import type { ChatEvent, ChatRequest, ChatTemplateSource, Constraint, EngineKind, FinishReason, LlmEngine, LoadProgress, TokenUsage } from '../types';
import type { EndpointConfig } from './types';
import { DEFAULT_POLICY, fetchError, globalFetch, httpError, isRetryable, limiterFor, redact, retryDelay, sleep, sseData, type CallPolicy, type Transport } from './http';

/** The one definition is in ./types (the store imports it from there without this module's code). */
export type { EndpointConfig } from './types';

/**
 * Context length assumed for a remote model when the endpoint does not say: what current
 * OpenAI-compatible servers' small models (vLLM's and Ollama's defaults aside) commonly give.
 * A server that has less refuses the call, and that refusal is read as a context overflow.
 */
export const DEFAULT_REMOTE_CONTEXT = 32768;

/**
 * How a dialect asks for a fixed shape: the endpoint's strongest mechanism first; a server that
 * refuses it (400) is asked again with the next, and the endpoint remembers what it took.
 */
export type SchemaMode = 'json_schema' | 'json_object' | 'tool' | 'none';

/** What a streamed event means, in our terms. */
export interface StreamPiece {
  delta?: string;
  /** Reasoning text streamed apart from the answer (`reasoning_content`, Anthropic thinking). */
  reasoning?: string;
  usage?: Partial<TokenUsage>;
  finish?: FinishReason;
  /** An error the server reported inside the stream. */
  error?: EngineError;
  end?: boolean;
}

/** The parts of a provider's protocol that differ; everything else (limits, retries, timeouts) is shared. */
export interface Dialect {
  kind: EngineKind & ('openai' | 'anthropic');
  /** Schema mechanisms in the order to try them. */
  schemaModes: SchemaMode[];
  request(cfg: EndpointConfig, key: string, req: ChatRequest, mode: SchemaMode): { url: string; headers: Record<string, string>; body: unknown };
  piece(event: string | null, data: string): StreamPiece;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** Cost of a call from its usage and the endpoint's prices (null when either is unknown). */
export function costOf(usage: TokenUsage | null, prices: EndpointConfig['prices']): number | null {
  if (!usage || !prices) return null;
  return (usage.promptTokens * prices.input + usage.completionTokens * prices.output) / 1e6;
}

/**
 * A remote chat engine: concurrency per endpoint, retries with backoff and jitter honouring
 * Retry-After, a timeout on the first byte and on every pause of the stream, abort.
 */
/** What each endpoint accepted, by endpoint id and model: kept for the life of the page or worker. */
const acceptedMode = new Map<string, SchemaMode>();

/** A 400 that reads as the server refusing the schema mechanism rather than the request. */
function refusesSchema(e: unknown): boolean {
  const err = e as EngineError;
  return err?.name === 'BadRequestError' && /response_format|json_schema|json_object|json mode|schema|structured output|guided|grammar|\btools?\b|tool_choice/i.test(err.message);
}

/**
 * A refusal that reads as the prompt being longer than the model's context (OpenAI, vLLM,
 * llama.cpp server, Anthropic wordings). Not a refused parameter: "max_tokens is not supported"
 * or "max_tokens: 100000 > 64000" are settings to fix, and stay bad requests.
 */
export function refusesLength(e: unknown): boolean {
  const err = e as EngineError;
  return err?.name === 'BadRequestError' && /maximum context length|context[ _]length[ _]exceeded|context window|exceeds? (?:the )?(?:available |maximum )?context|prompt is too long|input is too long|too many (?:input )?tokens|longer than the model'?s? (?:context|maximum)/i.test(err.message);
}

/** The numbers a server states in its context refusal, where it states them. */
function statedNumbers(message: string): { contextLength?: number; promptTokens?: number } {
  const ctx = /(?:maximum context length|context (?:length|size|window)|context of)\D{0,20}(\d[\d,]*)/i.exec(message);
  const prompt = /(?:resulted in|requested|prompt (?:is|has|contains)|request \(|input (?:is|has))\D{0,12}(\d[\d,]*)\s*tokens?/i.exec(message) ?? /(\d[\d,]*)\s*tokens?\s*>\s*\d/.exec(message);
  const num = (m: RegExpExecArray | null) => (m ? Number(m[1]!.replace(/,/g, '')) : undefined);
  return { contextLength: num(ctx), promptTokens: num(prompt) };
}

/** How a remote engine runs, apart from what the user configured (kept out of EndpointConfig, which is stored). */
export interface RemoteEngineOptions {
  /** What sends the requests: the global fetch by default. */
  fetch?: Transport;
}

/**
 * The reason every finished call aborts its request with: one made once, as abort() without a
 * reason builds a DOMException with its stack each time (~2 % of the CLI's CPU at 500 calls/s).
 */
const CALL_OVER = new Error('the call is over');

export class RemoteEngine implements LlmEngine {
  readonly kind: 'openai' | 'anthropic';
  readonly model: string;
  readonly maxConcurrency: number;
  #cfg: EndpointConfig;
  #key: string;
  #dialect: Dialect;
  #fetch: Transport;

  constructor(cfg: EndpointConfig, key: string, dialect: Dialect, opts: RemoteEngineOptions = {}) {
    this.#cfg = { ...cfg, policy: { ...DEFAULT_POLICY, ...cfg.policy } };
    this.#key = key;
    this.#dialect = dialect;
    this.#fetch = opts.fetch ?? globalFetch;
    this.kind = dialect.kind;
    this.model = cfg.model;
    this.maxConcurrency = this.#cfg.policy.concurrency;
  }

  get contextLength(): number {
    return this.#cfg.contextLength || DEFAULT_REMOTE_CONTEXT;
  }

  async load(onProgress?: (p: LoadProgress) => void): Promise<void> {
    onProgress?.({ status: 'ready', model: this.model });
  }

  async unload(): Promise<void> {}

  get rawCompletion(): boolean {
    return this.kind === 'openai' && !!this.#cfg.rawCompletion;
  }

  /**
   * The model's chat template: a llama.cpp server's `/props` (beside `/v1`: its template and the
   * BOS/EOS it writes), else the one configured on the endpoint; null when neither says.
   */
  async promptTemplate(): Promise<ChatTemplateSource | null> {
    const root = this.#cfg.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    try {
      const resp = await this.#fetch(`${root}/props`, { method: 'GET', headers: this.#key ? { Authorization: `Bearer ${this.#key}` } : {} });
      if (resp.ok) {
        const j = (await resp.json()) as { chat_template?: unknown; bos_token?: unknown; eos_token?: unknown };
        if (typeof j.chat_template === 'string' && j.chat_template.trim()) {
          return { kind: 'jinja', template: j.chat_template, bosToken: typeof j.bos_token === 'string' ? j.bos_token : '', eosToken: typeof j.eos_token === 'string' ? j.eos_token : '' };
        }
      }
    } catch {
      /* not a llama.cpp server (no /props): the configured template, if any */
    }
    return this.#cfg.chatTemplate?.trim() ? { kind: 'jinja', template: this.#cfg.chatTemplate, bosToken: '', eosToken: '' } : null;
  }

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    if (req.prompt !== undefined && !this.rawCompletion) {
      throw new EngineError('BadRequestError', `${this.#cfg.name} is not set up for raw text completion: mark the endpoint as serving /completions (vLLM, llama.cpp server), or use a local model`);
    }
    const policy = this.#cfg.policy;
    const release = await limiterFor(this.#cfg.id, policy.concurrency).acquire(signal);
    try {
      // What an endpoint took is remembered per schema: JSON mode may serve a verdict whose prompt
      // names JSON and fail for a shape whose prompt does not.
      const modeKey = `${this.#cfg.id}\u0000${this.#cfg.model}\u0000${req.schema?.name ?? ''}`;
      const modes = this.#dialect.schemaModes;
      let modeIndex = req.schema ? Math.max(0, modes.indexOf(acceptedMode.get(modeKey) ?? modes[0]!)) : modes.length - 1;
      for (let attempt = 0; ; attempt++) {
        const mode = req.schema ? modes[modeIndex]! : 'none';
        try {
          yield* this.#attempt(req, mode, signal);
          if (req.schema) acceptedMode.set(modeKey, mode);
          return;
        } catch (e) {
          if (req.schema && mode !== 'none' && modeIndex < modes.length - 1 && refusesSchema(e) && !refusesLength(e) && !signal?.aborted) {
            // Not a failure of the call: this server does not take the mechanism. Ask again with the next.
            modeIndex++;
            attempt--;
            yield { type: 'retry', attempt: 0, reason: `${this.#cfg.name} does not accept ${mode} output; trying ${modes[modeIndex]}`, delayMs: 0 };
            continue;
          }
          if (refusesLength(e)) {
            const stated = statedNumbers((e as Error).message);
            throw contextOverflow(`${this.#cfg.name} (${(e as Error).message})`, {
              promptTokens: stated.promptTokens ?? 0,
              maxTokens: req.maxTokens ?? 0,
              contextLength: stated.contextLength ?? this.contextLength,
              counted: stated.promptTokens !== undefined,
            });
          }
          if (!isRetryable(e) || attempt >= policy.maxRetries || signal?.aborted) throw e;
          const err = e as EngineError;
          const delayMs = retryDelay(attempt, policy, err.retryAfter);
          yield { type: 'retry', attempt: attempt + 1, reason: err.message, delayMs };
          await sleep(delayMs, signal);
        }
      }
    } finally {
      release();
    }
  }

  async *#attempt(req: ChatRequest, mode: SchemaMode, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const { url, headers, body } = this.#dialect.request(this.#cfg, this.#key, req, mode);
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, this.#cfg.policy.timeoutMs);
    };
    const t0 = performance.now();
    let first: number | null = null;
    let text = '';
    let reasoning = '';
    let usage: Partial<TokenUsage> = {};
    let finish: FinishReason = 'stop';
    try {
      arm();
      let resp: Response;
      try {
        resp = await this.#fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctl.signal });
      } catch (e) {
        throw fetchError(e, url, signal, timedOut, this.#key);
      }
      if (!resp.ok) throw await httpError(resp, this.#key, this.#cfg.name);
      if (!resp.body) throw new EngineError('ServerError', `${this.#cfg.name}: the response has no body`);
      let ended = false;
      try {
        for await (const { event, data } of sseData(resp.body, arm)) {
          const p = this.#dialect.piece(event, data);
          if (p.error) {
            p.error.message = redact(p.error.message, this.#key);
            throw p.error;
          }
          if (p.usage) usage = { ...usage, ...p.usage };
          if (p.reasoning) reasoning += p.reasoning;
          if (p.finish) finish = p.finish;
          if (p.delta) {
            first ??= performance.now() - t0;
            text += p.delta;
            yield { type: 'delta', text: p.delta };
          }
          if (p.end) {
            ended = true;
            break;
          }
        }
      } catch (e) {
        throw fetchError(e, url, signal, timedOut, this.#key);
      }
      // A stream that stops without its end marker was cut (proxy, dropped connection).
      if (!ended) throw new EngineError('NetworkError', `${this.#cfg.name}: the stream ended before the answer was complete`);
      const totalMs = performance.now() - t0;
      const u: TokenUsage | null =
        usage.promptTokens !== undefined || usage.completionTokens !== undefined
          ? { promptTokens: usage.promptTokens ?? 0, completionTokens: usage.completionTokens ?? 0 }
          : null;
      const genMs = first === null ? totalMs : totalMs - first;
      const tokensPerSecond = u && u.completionTokens > 1 && genMs > 0 ? ((u.completionTokens - 1) * 1000) / genMs : null;
      const constrained: Constraint | null = mode === 'none' ? null : mode;
      yield { type: 'done', text, usage: u, timing: { firstTokenMs: first, totalMs, tokensPerSecond }, finishReason: finish, model: this.model, ...(reasoning ? { reasoning } : {}), constrained };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!ctl.signal.aborted) ctl.abort(CALL_OVER); // closes a stream we stopped reading
      if (signal?.aborted && !timedOut) {
        // eslint-disable-next-line no-unsafe-finally
        throw aborted();
      }
    }
  }
}
