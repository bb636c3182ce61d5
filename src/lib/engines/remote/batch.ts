import { EngineError, aborted } from '../errors';
import type { ChatEvent, ChatRequest, Constraint, FinishReason, LlmEngine, LoadProgress, TokenUsage } from '../types';
import { DEFAULT_POLICY, fetchError, globalFetch, httpError, isRetryable, retryDelay, sleep, type CallPolicy, type Transport } from './http';

/**
 * The batch-API mode (OpenAI Batch API, Anthropic Message Batches): half the price of the
 * synchronous APIs, answers within hours. `BatchEngine` is an ordinary LlmEngine: the pipeline
 * calls chat() as usual, the calls are queued, sent as one batch when `maxBatchSize` are waiting
 * or `windowMs` after the first, one poller per batch reads it when it has ended, and each chat()
 * ends with its answer as a single 'done' event.
 *
 * Each request's custom_id is a hash of the request (model, messages, sampling settings, seed,
 * schema): the pipeline's requests are deterministic, so after a crash the same calls have the
 * same ids, and the `BatchLedger` (which batch each id went in; the answer once read) lets a new
 * engine poll and read the batches already submitted instead of paying for them twice.
 *
 * The provider creates a batch before its id reaches us: a process that dies in between would
 * send the same requests again on resume (paid twice). So before each create the ledger gets an
 * intent (a key made here, the batch's size and the time) for every request of it, the create
 * carries the key where the provider keeps one (OpenAI's metadata), and a request found with an
 * intent is looked up among the provider's batches (`find`) before it is sent again.
 */

/** What a batch answered for one request. */
export interface BatchAnswer {
  text: string;
  usage: TokenUsage | null;
  finishReason: FinishReason;
  model: string;
  reasoning?: string;
}

/** One request's outcome in a batch's results. */
export type BatchOutcome = { ok: true; answer: BatchAnswer } | { ok: false; error: EngineError };

/** A batch as the provider reports it. */
export interface BatchState {
  id: string;
  /** No request of it runs any more: its results can be read. */
  ended: boolean;
  /** The provider's own word for where it stands (in_progress, completed, ended, …). */
  status: string;
  /** What reading the results needs: OpenAI's output and error file ids, Anthropic's results URL. */
  results: string[];
  /** Why the whole batch failed (OpenAI's validation errors), when it did. */
  error?: string;
}

/**
 * A batch about to be created: what lets a later session find it among the provider's batches
 * when the process died before the batch's id was stored.
 */
export interface BatchIntent {
  /** Made here, unique per create; sent with the batch where the provider keeps it. */
  key: string;
  /** Requests in the batch. */
  size: number;
  /** When the create was about to start (ms since the epoch, this machine's clock). */
  at: number;
}

/** The parts of a provider's batch protocol; queueing, polling, retries and the ledger are shared. */
export interface BatchProvider {
  readonly kind: 'openai' | 'anthropic';
  readonly model: string;
  /** How the endpoint is named in messages (its base URL). */
  readonly name: string;
  /** The model's context length in tokens (the budget's bound on an answer without maxTokens). */
  readonly contextLength: number;
  /** How a request with a schema is held to it (the dialect's first mechanism: a batch cannot ask again mid-call). */
  readonly schemaMode: Constraint;
  /**
   * Creates one batch of these requests.
   * @returns the batch id
   * @throws EngineError (BadKeyError, BadRequestError, RateLimitedError, ServerError, NetworkError, TimeoutError, AbortedError)
   */
  submit(items: { customId: string; req: ChatRequest }[], intent: BatchIntent, signal?: AbortSignal): Promise<string>;
  /**
   * The id of the batch that a create with this intent made, or null when none was made.
   * `known`: batches this session already holds (never the answer when the match is not exact).
   * @throws EngineError
   */
  find(intent: BatchIntent, known: ReadonlySet<string>, signal?: AbortSignal): Promise<string | null>;
  /** @throws EngineError; ModelNotFoundError (404) when the provider does not know the batch. */
  poll(id: string, signal?: AbortSignal): Promise<BatchState>;
  /** Reads an ended batch's results, by custom_id. @throws EngineError */
  results(state: BatchState, signal?: AbortSignal): Promise<Map<string, BatchOutcome>>;
  /** Asks the provider to stop a batch (what already ran is still billed and read). */
  cancel(id: string): Promise<void>;
}

/** What the ledger keeps for a custom_id. */
export type BatchLedgerEntry =
  /** Sent in this batch (the `attempt`th time), not read yet. */
  | { batchId: string; attempt: number }
  /** Read: the answer. */
  | { answer: BatchAnswer }
  /** Failed `attempt` times; sent again when asked again. */
  | { attempt: number; error: string }
  /** About to be sent (the `attempt`th time) in the batch this intent creates: looked up before it is sent again. */
  | { intent: BatchIntent; attempt: number };

/**
 * Where the batch mode remembers what it sent and what came back, so that a crashed or paused run
 * is resumed from the batches already submitted. The CLI keeps it in its store's cache table;
 * either side may be synchronous.
 */
export interface BatchLedger {
  get(customId: string): BatchLedgerEntry | undefined | Promise<BatchLedgerEntry | undefined>;
  put(customId: string, entry: BatchLedgerEntry): void | Promise<void>;
}

export interface BatchOptions {
  /** Requests in one batch at most (OpenAI takes 50,000, Anthropic 100,000). 1,000 by default. */
  maxBatchSize?: number;
  /** How long the first queued call waits for others before its batch goes (ms; 2,000 by default). */
  windowMs?: number;
  /** Time between polls of a batch (ms; 30,000 by default). */
  pollMs?: number;
  /** Batches a request is sent in before its call fails (3 by default). */
  maxAttempts?: number;
  /** Retries and timeouts of each HTTP call (submit, poll, download). */
  policy?: Partial<CallPolicy>;
  /**
   * Cancel a submitted batch once every call waiting on it was aborted. Off by default: a paused
   * run's batches keep running, and `resume` reads them (cancelling would throw that work away).
   */
  cancelAbandoned?: boolean;
  /**
   * Called once the provider created a batch, before its id is in the ledger: the moment where a
   * crash would cost most. For tests, which stop here (a promise that never settles) to stand for one.
   */
  onCreated?: (batchId: string) => void | Promise<void>;
}

/** A request that failed in every batch it was sent in (or failed in a way no resend mends). */
export class BatchRequestError extends Error {
  override name = 'BatchRequestError' as const;
  constructor(
    readonly customId: string,
    readonly attempts: number,
    readonly reason: EngineError,
  ) {
    super(`request ${customId} failed in ${attempts} batch${attempts === 1 ? '' : 'es'} (${reason.name}: ${reason.message}); resume the run to send it again`, { cause: reason });
  }
}

/**
 * The custom_id of a request: a hash of everything that shapes its answer, valid for both
 * providers (at most 64 letters, digits, _ or -).
 */
export async function requestId(kind: string, model: string, req: ChatRequest): Promise<string> {
  const key = JSON.stringify([
    kind,
    model,
    req.messages.map((m) => [m.role, m.content]),
    req.temperature ?? null,
    req.maxTokens ?? null,
    req.topP ?? null,
    req.stop ?? null,
    req.seed ?? null,
    req.schema ?? null,
    req.thinking ?? null,
  ]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  return `sf-${Array.from(digest.subarray(0, 24), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * One HTTP call of a batch protocol with a time limit on the response's headers; a non-2xx answer
 * becomes its typed error (the key redacted). `o.fetch`: what sends it (the global fetch by default).
 * @throws EngineError
 */
export async function batchFetch(url: string, init: RequestInit, o: { key: string; name: string; timeoutMs: number; signal?: AbortSignal; fetch?: Transport }): Promise<Response> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, o.timeoutMs);
  try {
    const resp = await (o.fetch ?? globalFetch)(url, { ...init, signal: ctl.signal });
    if (!resp.ok) throw await httpError(resp, o.key, o.name);
    return resp;
  } catch (e) {
    throw fetchError(e, url, o.signal, timedOut, o.key);
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** The lines of a JSONL text, parsed (blank lines skipped). */
export function jsonLines<T>(text: string, what: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      throw new EngineError('ServerError', `${what}, line ${i + 1}: not JSON (${line.slice(0, 80)})`);
    }
  }
  return out;
}

interface Waiter {
  resolve(a: BatchAnswer): void;
  reject(e: unknown): void;
}

/** A request waiting for its answer; calls with the same custom_id share it. */
interface Pending {
  customId: string;
  req: ChatRequest;
  waiters: Set<Waiter>;
  /** Batches it was sent in so far. */
  attempt: number;
  state: 'queued' | 'submitting' | 'submitted';
  batchId: string | null;
}

interface RunningBatch {
  ids: Set<string>;
  /** Stops the poller's waits and requests (abandoned, or the engine unloaded). */
  ctl: AbortController;
}

/** A fresh intent key: unique per create, short enough for any provider's metadata value. */
function newIntentKey(): string {
  return `sfb-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Errors that no resend mends: the request or the account is wrong. */
const FINAL = new Set(['BadRequestError', 'BadKeyError', 'ModelNotFoundError', 'ContextOverflowError']);

export class BatchEngine implements LlmEngine {
  readonly kind: 'openai' | 'anthropic';
  readonly model: string;
  /** Calls one batch holds: the pipeline may keep this many in flight (more only queue for the next batch). */
  readonly maxConcurrency: number;
  readonly contextLength: number;
  #provider: BatchProvider;
  #ledger: BatchLedger;
  #maxBatch: number;
  #windowMs: number;
  #pollMs: number;
  #maxAttempts: number;
  #policy: CallPolicy;
  #cancelAbandoned: boolean;
  #onCreated: BatchOptions['onCreated'];
  /** Intents of an earlier session being looked up, by key: each is looked up once. */
  #lookups = new Map<string, Promise<string | null>>();
  /** Lookups run one at a time, so that `known` holds every batch an earlier lookup matched. */
  #lookupChain: Promise<unknown> = Promise.resolve();
  /** Batches this session sent or matched (kept across pollers: an ended batch is not matched again). */
  #known = new Set<string>();
  #calls = new Map<string, Pending>();
  #queue = new Set<Pending>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #batches = new Map<string, RunningBatch>();
  /** Aborted by unload(): ends every submit and poller. */
  #life = new AbortController();

  constructor(provider: BatchProvider, ledger: BatchLedger, opts: BatchOptions = {}) {
    this.#provider = provider;
    this.#ledger = ledger;
    this.kind = provider.kind;
    this.model = provider.model;
    this.#maxBatch = Math.max(1, Math.floor(opts.maxBatchSize ?? 1000));
    this.#windowMs = opts.windowMs ?? 2000;
    this.#pollMs = opts.pollMs ?? 30_000;
    this.#maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? 3));
    this.#policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.#cancelAbandoned = opts.cancelAbandoned ?? false;
    this.#onCreated = opts.onCreated;
    this.maxConcurrency = this.#maxBatch;
    this.contextLength = provider.contextLength;
  }

  /** Batches being polled now, and calls queued for the next batch. */
  get pending(): { batches: string[]; queued: number } {
    return { batches: [...this.#batches.keys()], queued: this.#queue.size };
  }

  async load(onProgress?: (p: LoadProgress) => void): Promise<void> {
    onProgress?.({ status: 'ready', model: this.model });
  }

  /** Stops every poller and queued call (their chat() ends with AbortedError); the ledger keeps the submitted batches. */
  async unload(): Promise<void> {
    this.#life.abort();
    this.#life = new AbortController();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    this.#queue.clear();
    this.#batches.clear();
    this.#lookups.clear();
    for (const p of calls) for (const w of p.waiters) w.reject(aborted());
  }

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    if (signal?.aborted) throw aborted();
    const t0 = performance.now();
    const customId = await requestId(this.kind, this.model, req);
    const a = await this.#ask(customId, req, signal);
    yield {
      type: 'done',
      text: a.text,
      usage: a.usage,
      timing: { firstTokenMs: null, totalMs: performance.now() - t0, tokensPerSecond: null },
      finishReason: a.finishReason,
      model: a.model || this.model,
      ...(a.reasoning ? { reasoning: a.reasoning } : {}),
      constrained: req.schema ? this.#provider.schemaMode : null,
    };
  }

  async #ask(customId: string, req: ChatRequest, signal?: AbortSignal): Promise<BatchAnswer> {
    let p = this.#calls.get(customId);
    let start: (() => void) | null = null;
    if (!p) {
      const entry = await this.#ledger.get(customId);
      if (entry && 'answer' in entry) return entry.answer;
      if (signal?.aborted) throw aborted();
      // Another call with this id may have started while the ledger answered.
      p = this.#calls.get(customId);
      if (!p) {
        const fresh: Pending = { customId, req, waiters: new Set(), attempt: 0, state: 'queued', batchId: null };
        p = fresh;
        this.#calls.set(customId, fresh);
        // Started once this call waits on it: a full queue is sent at once, and a request nobody waits for is not.
        if (entry && 'batchId' in entry) {
          fresh.attempt = entry.attempt;
          fresh.state = 'submitted';
          start = () => this.#attach(entry.batchId, [fresh]);
        } else if (entry && 'intent' in entry) {
          // An earlier session died around a create: the batch may exist without its id in the ledger.
          fresh.state = 'submitting';
          start = () => this.#resolveIntent(fresh, entry);
        } else {
          // A request that failed in an earlier session gets its remaining attempts, or a fresh set.
          if (entry && entry.attempt < this.#maxAttempts) fresh.attempt = entry.attempt;
          start = () => this.#enqueue(fresh);
        }
      }
    }
    const pending = p;
    const answer = new Promise<BatchAnswer>((resolve, reject) => {
      const onAbort = () => {
        this.#drop(pending, w);
        reject(aborted());
      };
      const w: Waiter = {
        resolve: (a) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(a);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      pending.waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    start?.();
    return answer;
  }

  /** An aborted call: a queued request nobody waits for leaves the queue; a batch nobody waits for stops being polled. */
  #drop(p: Pending, w: Waiter): void {
    p.waiters.delete(w);
    if (p.waiters.size) return;
    if (p.state === 'queued') {
      this.#queue.delete(p);
      this.#calls.delete(p.customId);
      if (!this.#queue.size && this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      return;
    }
    if (p.batchId) {
      const b = this.#batches.get(p.batchId);
      if (b && this.#abandoned(b)) b.ctl.abort();
    }
  }

  #abandoned(b: RunningBatch): boolean {
    for (const id of b.ids) if (this.#calls.get(id)?.waiters.size) return false;
    return true;
  }

  #enqueue(p: Pending): void {
    p.state = 'queued';
    p.batchId = null;
    this.#queue.add(p);
    if (this.#queue.size >= this.#maxBatch) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#windowMs);
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#queue.size) {
      const chunk: Pending[] = [];
      for (const p of this.#queue) {
        chunk.push(p);
        if (chunk.length >= this.#maxBatch) break;
      }
      for (const p of chunk) {
        this.#queue.delete(p);
        p.state = 'submitting';
      }
      // #submit answers its calls' failures itself; this catches what escapes it (a ledger that throws).
      this.#submit(chunk).catch((e) => {
        for (const p of chunk) if (this.#calls.get(p.customId) === p && p.state !== 'submitted') this.#fail(p, e);
      });
    }
  }

  /**
   * Sends one batch, retrying what a retry mends; then records it in the ledger and polls it.
   * The intent goes in the ledger first, and a retry first looks for the batch the failed create
   * may have made (a timeout or a 500 can come after the provider created it).
   */
  async #submit(chunk: Pending[]): Promise<void> {
    const life = this.#life.signal;
    let intent: BatchIntent | null = null;
    for (let attempt = 0; ; attempt++) {
      // Calls aborted while the batch waited to go are not sent.
      chunk = chunk.filter((p) => {
        if (p.waiters.size) return true;
        this.#calls.delete(p.customId);
        return false;
      });
      if (!chunk.length || life.aborted) return;
      try {
        let batchId = intent ? await this.#find(intent, life) : null;
        if (!batchId) {
          intent = { key: newIntentKey(), size: chunk.length, at: Date.now() };
          for (const p of chunk) await this.#ledger.put(p.customId, { intent, attempt: p.attempt + 1 });
          batchId = await this.#provider.submit(
            chunk.map((p) => ({ customId: p.customId, req: p.req })),
            intent,
            life,
          );
          this.#known.add(batchId);
          await this.#onCreated?.(batchId);
        }
        for (const p of chunk) {
          p.attempt++;
          p.state = 'submitted';
          await this.#ledger.put(p.customId, { batchId, attempt: p.attempt });
        }
        this.#attach(batchId, chunk);
        return;
      } catch (e) {
        if (life.aborted) return;
        if (!isRetryable(e) || attempt >= this.#policy.maxRetries) {
          for (const p of chunk) this.#fail(p, e);
          return;
        }
        await sleep(retryDelay(attempt, this.#policy, (e as EngineError).retryAfter), life).catch(() => {});
      }
    }
  }

  /** Looks an intent up at the provider, one lookup at a time; a batch found is known from then on. */
  #find(intent: BatchIntent, signal: AbortSignal): Promise<string | null> {
    const run = this.#lookupChain.then(async () => {
      const id = await this.#provider.find(intent, this.#known, signal);
      if (id) this.#known.add(id);
      return id;
    });
    this.#lookupChain = run.catch(() => {});
    return run;
  }

  /**
   * A request an earlier session was about to send: polled in the batch its intent made, or sent
   * again when no batch was made. A lookup that keeps failing fails the call (sending blind could
   * pay twice); resuming the run looks again.
   */
  async #resolveIntent(p: Pending, entry: { intent: BatchIntent; attempt: number }): Promise<void> {
    const life = this.#life.signal;
    let lookup = this.#lookups.get(entry.intent.key);
    if (!lookup) {
      lookup = (async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await this.#find(entry.intent, life);
          } catch (e) {
            if (life.aborted || !isRetryable(e) || attempt >= this.#policy.maxRetries) throw e;
            await sleep(retryDelay(attempt, this.#policy, (e as EngineError).retryAfter), life);
          }
        }
      })();
      this.#lookups.set(entry.intent.key, lookup);
    }
    let batchId: string | null;
    try {
      batchId = await lookup;
    } catch (e) {
      if (this.#calls.get(p.customId) === p) this.#fail(p, e);
      return;
    }
    if (this.#calls.get(p.customId) !== p) return;
    if (!p.waiters.size) {
      this.#calls.delete(p.customId);
      return;
    }
    if (batchId) {
      p.attempt = entry.attempt;
      p.state = 'submitted';
      await this.#ledger.put(p.customId, { batchId, attempt: p.attempt });
      this.#attach(batchId, [p]);
    } else {
      // Never created: it was sent entry.attempt - 1 times (a fresh set of attempts when they ran out, as for a failure).
      const sent = entry.attempt - 1;
      p.attempt = sent < this.#maxAttempts ? sent : 0;
      this.#enqueue(p);
    }
  }

  /** Adds requests to a batch's poller, starting one when the batch has none. */
  #attach(batchId: string, ps: Pending[]): void {
    let b = this.#batches.get(batchId);
    const start = !b;
    if (!b) {
      b = { ids: new Set(), ctl: new AbortController() };
      this.#batches.set(batchId, b);
    }
    this.#known.add(batchId);
    for (const p of ps) {
      p.batchId = batchId;
      b.ids.add(p.customId);
    }
    if (start)
      this.#poll(batchId, b).catch((e) => {
        // What escapes the poller (a ledger that throws) fails the calls still waiting on the batch.
        this.#batches.delete(batchId);
        for (const id of b.ids) {
          const p = this.#calls.get(id);
          if (p?.batchId === batchId) this.#fail(p, e);
        }
      });
  }

  async #poll(batchId: string, b: RunningBatch): Promise<void> {
    const life = this.#life.signal;
    const stop = AbortSignal.any([life, b.ctl.signal]);
    const ended = (): boolean => {
      if (life.aborted || this.#batches.get(batchId) !== b) return true;
      if (!b.ctl.signal.aborted && !this.#abandoned(b)) return false;
      // Nobody waits any more: stop polling. The ledger keeps the batch for a later call.
      this.#batches.delete(batchId);
      for (const id of b.ids) if (this.#calls.get(id)?.batchId === batchId && !this.#calls.get(id)?.waiters.size) this.#calls.delete(id);
      if (this.#cancelAbandoned) this.#provider.cancel(batchId).catch(() => {});
      return true;
    };
    let errors = 0;
    for (;;) {
      await sleep(this.#pollMs, stop).catch(() => {});
      if (ended()) return;
      try {
        const state = await this.#provider.poll(batchId, stop);
        if (!state.ended) {
          errors = 0;
          continue;
        }
        const results = await this.#provider.results(state, stop);
        // Read is read: even if its last caller just left, the answers go in the ledger.
        if (life.aborted) return;
        await this.#settle(batchId, b, results, state.error);
        return;
      } catch (e) {
        if (ended()) return;
        const err = e as EngineError;
        if (err.name === 'ModelNotFoundError') {
          // The provider does not know the batch (deleted, another account): its requests go again.
          await this.#settle(batchId, b, new Map(), `the batch ${batchId} is unknown to ${this.#provider.name} (${err.message})`);
          return;
        }
        if (!isRetryable(e) || ++errors > this.#policy.maxRetries) {
          this.#batches.delete(batchId);
          for (const id of b.ids) {
            const p = this.#calls.get(id);
            if (p?.batchId === batchId) this.#fail(p, e);
          }
          return;
        }
        await sleep(retryDelay(errors - 1, this.#policy, err.retryAfter), stop).catch(() => {});
      }
    }
  }

  /** Answers the calls of an ended batch; its failed requests go in a later batch while attempts are left. */
  async #settle(batchId: string, b: RunningBatch, results: Map<string, BatchOutcome>, batchError?: string): Promise<void> {
    const missing = new EngineError('ServerError', batchError ?? `the batch ${batchId} has no result for this request`);
    // Every result is kept, asked for now or not: a resumed run asks for the rest later.
    const ids = new Set([...results.keys(), ...b.ids]);
    for (const id of ids) {
      const out = results.get(id) ?? { ok: false as const, error: missing };
      const p = this.#calls.get(id);
      const mine = p?.batchId === batchId ? p : undefined;
      if (out.ok) {
        await this.#ledger.put(id, { answer: out.answer });
        // Its callers are answered, whichever batch they wait on (a request queued again elsewhere is not sent).
        if (p) {
          this.#calls.delete(id);
          this.#queue.delete(p);
          for (const w of p.waiters) w.resolve(out.answer);
        }
        continue;
      }
      if (!mine) {
        // Not asked in this session: remember the failure, so that a later call sends it again.
        const entry = p ? undefined : await this.#ledger.get(id);
        if (!p && entry && 'batchId' in entry && entry.batchId === batchId) await this.#ledger.put(id, { attempt: entry.attempt, error: out.error.message });
        continue;
      }
      await this.#ledger.put(id, { attempt: mine.attempt, error: out.error.message });
      if (!mine.waiters.size) this.#calls.delete(id);
      else if (FINAL.has(out.error.name) || mine.attempt >= this.#maxAttempts) this.#fail(mine, new BatchRequestError(id, mine.attempt, out.error));
      else this.#enqueue(mine);
    }
    this.#batches.delete(batchId);
  }

  #fail(p: Pending, e: unknown): void {
    this.#calls.delete(p.customId);
    for (const w of p.waiters) w.reject(e);
  }
}
