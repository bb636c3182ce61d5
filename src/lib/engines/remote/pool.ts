import { aborted } from '../errors';
import type { ChatEvent, ChatRequest, LlmEngine, LoadProgress } from '../types';
import { isRetryable, sleep } from './http';
import { RemoteEngine, type Dialect, type EndpointConfig, type RemoteEngineOptions } from './remoteEngine';

/**
 * Several endpoints serving one model (vLLM data-parallel replicas, SGLang workers, a row of
 * llama.cpp servers) as one LlmEngine: each call goes to the endpoint with the fewest calls
 * outstanding for its concurrency; each endpoint keeps its own limiter, retries and timeouts (its
 * RemoteEngine). An endpoint whose attempts keep failing (connection refused, 5xx, timeouts) is
 * backed off — exponentially, capped — and its calls move to the others, even those waiting in
 * its own retry sleep; when every endpoint is backed off, calls wait for the earliest to return.
 */

/** One endpoint of a pool: `name` (its base URL) is what stats and messages show. */
export interface PoolMember {
  name: string;
  engine: LlmEngine;
}

export interface PoolOptions {
  /**
   * Failed attempts in a row (no success between) after which an endpoint is backed off: 5 by
   * default, so that a live endpoint's scattered 429s and 5xx (one call in five at worst) rarely
   * reach it while a dead one (every attempt refused) does within its first few calls.
   */
  failuresToBackOff?: number;
  /** The first back-off; each next one without a success between doubles, up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * How many times one call may move to another endpoint (after its endpoint's own retries ran
   * out, or when its endpoint was backed off). Default: the number of endpoints less one.
   */
  maxFailovers?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** What the pool knows of one endpoint. */
export interface EndpointStats {
  name: string;
  /** Calls assigned and not finished (waiting in its limiter included). */
  outstanding: number;
  /** Calls it answered. */
  served: number;
  /** Failed attempts seen (each retry, each call that failed). */
  failures: number;
  /** Times it was backed off. */
  backoffs: number;
  /** Until when (the pool's clock, ms) it takes no call; null when it takes calls. */
  backedOffUntil: number | null;
}

/** A pool made without endpoints. */
export class EndpointPoolError extends Error {
  override name = 'EndpointPoolError' as const;
}

interface Member extends PoolMember {
  outstanding: number;
  served: number;
  failures: number;
  backoffs: number;
  /** Failed attempts since the last success. */
  streak: number;
  /** Back-offs since the last success: the next one lasts base × 2^level. */
  level: number;
  until: number;
}

export class EndpointPool implements LlmEngine {
  readonly kind: LlmEngine['kind'];
  readonly model: string;
  /** The sum of the endpoints' concurrencies: what a run may keep in flight. */
  readonly maxConcurrency: number;
  readonly contextLength: number | null;
  #members: Member[];
  #threshold: number;
  #base: number;
  #max: number;
  #maxFailovers: number;
  #now: () => number;
  /** Where the tie-break among equally loaded endpoints starts, turning so that ties spread. */
  #turn = 0;

  /** @throws EndpointPoolError for an empty list. */
  constructor(members: PoolMember[], opts: PoolOptions = {}) {
    if (!members.length) throw new EndpointPoolError('an endpoint pool needs at least one endpoint: give one or more base URLs');
    this.#members = members.map((m) => ({ ...m, outstanding: 0, served: 0, failures: 0, backoffs: 0, streak: 0, level: 0, until: 0 }));
    this.kind = members[0]!.engine.kind;
    this.model = members[0]!.engine.model;
    this.maxConcurrency = members.reduce((n, m) => n + Math.max(1, m.engine.maxConcurrency), 0);
    const known = members.map((m) => m.engine.contextLength).filter((n): n is number => typeof n === 'number' && n > 0);
    this.contextLength = known.length ? Math.min(...known) : null;
    this.#threshold = Math.max(1, opts.failuresToBackOff ?? 5);
    this.#base = opts.backoffBaseMs ?? 1000;
    this.#max = opts.backoffMaxMs ?? 60_000;
    this.#maxFailovers = opts.maxFailovers ?? members.length - 1;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Each endpoint's state, in the order given. */
  stats(): EndpointStats[] {
    const now = this.#now();
    return this.#members.map((m) => ({
      name: m.name,
      outstanding: m.outstanding,
      served: m.served,
      failures: m.failures,
      backoffs: m.backoffs,
      backedOffUntil: m.until > now ? m.until : null,
    }));
  }

  async load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    await Promise.all(this.#members.map((m) => m.engine.load(undefined, signal)));
    onProgress?.({ status: 'ready', model: this.model });
  }

  async unload(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.engine.unload()));
  }

  /**
   * Streams the call from one endpoint. A `retry` event says the text so far is void: the
   * endpoint retries, or the call moved to another endpoint (`attempt` counts both, per call).
   * @throws the last endpoint's error once the call's failovers ran out; a refusal that another
   *   endpoint would repeat (BadKeyError, BadRequestError, ContextOverflowError) at once; AbortedError
   */
  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const tried = new Set<Member>();
    let attempt = 0;
    for (let failovers = 0; ; failovers++) {
      const m = await this.#pick(tried, signal);
      tried.add(m);
      m.outstanding++;
      const it = m.engine.chat(req, signal)[Symbol.asyncIterator]();
      let reason = '';
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          const ev = r.value;
          if (ev.type === 'done') {
            this.#succeeded(m);
            yield ev;
            return;
          }
          // attempt 0 is a schema mechanism the server refused, not a failure of the endpoint.
          if (ev.type === 'retry' && ev.attempt > 0) {
            this.#failed(m);
            if (this.#backedOff(m) && failovers < this.#maxFailovers && this.#members.some((o) => o !== m && !this.#backedOff(o))) {
              // Its endpoint is resting: the call leaves the endpoint's retry sleep for another.
              reason = `${m.name} is backed off after repeated failures (${ev.reason})`;
              break;
            }
            yield { ...ev, attempt: ++attempt };
            continue;
          }
          yield ev;
        }
        if (!reason) throw new Error(`${m.name} ended a call without an answer`);
      } catch (e) {
        if (signal?.aborted) throw aborted();
        if (!isRetryable(e)) throw e;
        this.#failed(m);
        if (failovers >= this.#maxFailovers) throw e;
        reason = `${m.name} failed after its retries (${(e as Error).message})`;
      } finally {
        m.outstanding--;
        // Ends the endpoint's call where the pool left it (its finally frees its limiter slot).
        await it.return?.(undefined);
      }
      yield { type: 'retry', attempt: ++attempt, reason: `${reason}; trying another endpoint`, delayMs: 0 };
    }
  }

  #backedOff(m: Member): boolean {
    return m.until > this.#now();
  }

  #succeeded(m: Member): void {
    m.served++;
    m.streak = 0;
    m.level = 0;
  }

  #failed(m: Member): void {
    m.failures++;
    m.streak++;
    // Failures of calls that were already under way when it was backed off do not lengthen the rest.
    if (m.streak >= this.#threshold && !this.#backedOff(m)) {
      m.until = this.#now() + Math.min(this.#max, this.#base * 2 ** m.level);
      m.level++;
      m.backoffs++;
    }
  }

  /**
   * The endpoint with the fewest calls outstanding for its concurrency among those not backed off
   * (preferring those this call has not tried); when all are backed off, waits for the earliest.
   */
  async #pick(tried: Set<Member>, signal?: AbortSignal): Promise<Member> {
    for (;;) {
      if (signal?.aborted) throw aborted();
      const now = this.#now();
      const ready = this.#members.filter((m) => m.until <= now);
      if (ready.length) {
        const fresh = ready.filter((m) => !tried.has(m));
        const from = fresh.length ? fresh : ready;
        const n = from.length;
        const start = this.#turn++ % n;
        let best = from[start]!;
        for (let i = 1; i < n; i++) {
          const m = from[(start + i) % n]!;
          if (m.outstanding / Math.max(1, m.engine.maxConcurrency) < best.outstanding / Math.max(1, best.engine.maxConcurrency)) best = m;
        }
        return best;
      }
      const wake = Math.min(...this.#members.map((m) => m.until));
      await sleep(Math.max(1, wake - now), signal);
    }
  }
}

/**
 * A pool of RemoteEngines, one per base URL, each with `cfg`'s model, policy and key. Each gets an
 * id of its own (`cfg.id@url`), so each has its own limiter of `cfg.policy.concurrency` calls.
 * @throws EndpointPoolError when `baseUrls` is empty.
 */
export function remotePool(baseUrls: string[], cfg: Omit<EndpointConfig, 'baseUrl'>, key: string, dialect: Dialect, opts?: PoolOptions, engineOpts?: RemoteEngineOptions): EndpointPool {
  return new EndpointPool(
    baseUrls.map((baseUrl) => ({ name: baseUrl, engine: new RemoteEngine({ ...cfg, id: `${cfg.id}@${baseUrl}`, baseUrl }, key, dialect, engineOpts) })),
    opts,
  );
}
