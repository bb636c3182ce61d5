import { EngineError, aborted } from '../errors';
import type { ChatEvent, ChatRequest, EngineKind, FinishReason, LlmEngine, LoadProgress, TokenUsage } from '../types';
import { DEFAULT_POLICY, fetchError, httpError, isRetryable, limiterFor, redact, retryDelay, sleep, sseData, type CallPolicy } from './http';

/** A remote endpoint as the user configured it. The key is kept apart: it is never part of this object. */
export interface EndpointConfig {
  id: string;
  name: string;
  kind: 'openai' | 'anthropic';
  baseUrl: string;
  model: string;
  policy: CallPolicy;
  /** Prices in the user's currency per million tokens, for the cost estimate. */
  prices?: { input: number; output: number } | null;
}

/** What a streamed event means, in our terms. */
export interface StreamPiece {
  delta?: string;
  usage?: Partial<TokenUsage>;
  finish?: FinishReason;
  /** An error the server reported inside the stream. */
  error?: EngineError;
  end?: boolean;
}

/** The parts of a provider's protocol that differ; everything else (limits, retries, timeouts) is shared. */
export interface Dialect {
  kind: EngineKind & ('openai' | 'anthropic');
  request(cfg: EndpointConfig, key: string, req: ChatRequest): { url: string; headers: Record<string, string>; body: unknown };
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
export class RemoteEngine implements LlmEngine {
  readonly kind: 'openai' | 'anthropic';
  readonly model: string;
  readonly maxConcurrency: number;
  #cfg: EndpointConfig;
  #key: string;
  #dialect: Dialect;

  constructor(cfg: EndpointConfig, key: string, dialect: Dialect) {
    this.#cfg = { ...cfg, policy: { ...DEFAULT_POLICY, ...cfg.policy } };
    this.#key = key;
    this.#dialect = dialect;
    this.kind = dialect.kind;
    this.model = cfg.model;
    this.maxConcurrency = this.#cfg.policy.concurrency;
  }

  async load(onProgress?: (p: LoadProgress) => void): Promise<void> {
    onProgress?.({ status: 'ready', model: this.model });
  }

  async unload(): Promise<void> {}

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const policy = this.#cfg.policy;
    const release = await limiterFor(this.#cfg.id, policy.concurrency).acquire(signal);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          yield* this.#attempt(req, signal);
          return;
        } catch (e) {
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

  async *#attempt(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const { url, headers, body } = this.#dialect.request(this.#cfg, this.#key, req);
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
    let usage: Partial<TokenUsage> = {};
    let finish: FinishReason = 'stop';
    try {
      arm();
      let resp: Response;
      try {
        resp = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctl.signal });
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
      yield { type: 'done', text, usage: u, timing: { firstTokenMs: first, totalMs, tokensPerSecond }, finishReason: finish, model: this.model };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!ctl.signal.aborted) ctl.abort(); // closes a stream we stopped reading
      if (signal?.aborted && !timedOut) {
        // eslint-disable-next-line no-unsafe-finally
        throw aborted();
      }
    }
  }
}
