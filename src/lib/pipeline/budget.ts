import type { ChatTurn } from '../db/types';
import { aborted } from '../engines/errors';
import { estimateTokens } from '../engines/structured';
import type { ChatEvent, ChatRequest, LlmEngine, TokenUsage } from '../engines/types';
import { withChat } from '../engines/decorate';

/**
 * A hard cap on what a run may spend (in the endpoints' currency, from their prices per million
 * tokens) and/or on the tokens it may use (prompt and completion together). No call is sent that
 * could take the run over a cap: before each call its worst case (the prompt's tokens plus the
 * answer's `maxTokens`) is reserved on top of what is spent and what the calls in flight have
 * reserved. A call whose worst case does not fit waits while other calls are in flight (each that
 * ends gives back what it did not use, so near the cap the run goes on with fewer calls at once);
 * when it still does not fit with no call in flight, the budget trips: the call is not sent,
 * `onTrip` stops the run (the runner aborts its controller — this is required: otherwise the
 * pipeline's slots go on taking tasks that are each refused) and the call fails as an
 * AbortedError, the pipeline's "not committed, redo on resume". The run ends paused; a budget
 * with a raised cap resumes it.
 *
 * What is spent persists with the run, apart from the counts: `spent` here includes calls whose
 * tasks were never committed (stopped in flight, or failed), which the run's counts do not hold,
 * and a run may use endpoints with different prices, which the counts do not split. The runner
 * saves `budget.spent` when the run stops and passes it back to `createBudget` on resume. A store
 * written before budgets existed has only counts: `spentFromCounts` gives a floor from them.
 */

/** The caps of a run; null or absent: no cap of that kind. */
export interface BudgetCaps {
  /** Most spend, in the currency of the endpoints' prices. */
  maxSpend?: number | null;
  /** Most tokens, prompt and completion together. */
  maxTokens?: number | null;
}

/** What a run has used so far, every call counted (the server's usage where it reported one). */
export interface BudgetSpent {
  spend: number;
  tokens: number;
  /** Calls charged (sent and answered, or stopped after text came back). */
  calls: number;
}

/** A run's budget as stored with it (the app's Run.budget; the CLI's store). */
export interface RunBudget extends BudgetCaps {
  spent: BudgetSpent;
}

/** Prices per million tokens (EndpointConfig.prices); `FREE` for a local model. */
export type Prices = { input: number; output: number };
export const FREE: Prices = { input: 0, output: 0 };

export type BudgetCap = 'spend' | 'tokens';

/**
 * The budget would be exceeded by the next call. `spent` and `limit` are in the cap's unit
 * (currency for 'spend', tokens for 'tokens'); `needed` is what the refused call could have used,
 * `reserved` what the calls in flight held when it was refused.
 */
export class BudgetError extends Error {
  override name = 'BudgetError' as const;
  constructor(
    readonly cap: BudgetCap,
    readonly limit: number,
    readonly spent: number,
    readonly needed: number,
    readonly reserved: number,
  ) {
    super(`budget reached: ${cap === 'spend' ? 'spent' : 'used'} ${fmt(cap, spent)} of ${fmt(cap, limit)}${cap === 'tokens' ? ' tokens' : ''} (the next call could need ${fmt(cap, needed)} more${reserved > 0 ? `, calls in flight held ${fmt(cap, reserved)}` : ''}); the run is paused: raise the cap to continue`);
  }
}

/**
 * A spend cap was set but an engine of the run has no prices, so its spend cannot be known.
 * Nothing was sent: set the endpoint's prices, or use a token cap instead.
 */
export class BudgetPricesError extends Error {
  override name = 'BudgetPricesError' as const;
  constructor(readonly model: string) {
    super(`a spend cap needs the prices of ${model}: set its prices per million tokens on its endpoint, or cap tokens instead`);
  }
}

function fmt(cap: BudgetCap, n: number): string {
  if (cap === 'tokens') return Math.round(n).toLocaleString('en-US');
  return n >= 1 ? n.toFixed(2) : n.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '');
}

/** A call's tokens, and their cost at `prices`. */
interface Amount {
  tokens: number;
  spend: number;
}

function amount(prompt: number, completion: number, prices: Prices | null): Amount {
  return { tokens: prompt + completion, spend: prices ? (prompt * prices.input + completion * prices.output) / 1e6 : 0 };
}

export interface BudgetState {
  caps: { maxSpend: number | null; maxTokens: number | null };
  spent: BudgetSpent;
  /** Worst cases held by the calls in flight. */
  reserved: Amount;
  inFlight: number;
  /** Calls waiting for room under the cap. */
  waiting: number;
  tripped: BudgetError | null;
}

/** A reservation held by a call in flight. */
export interface Reservation {
  /** Charges a stopped attempt's partial use (a retry follows), keeping the reservation. */
  charge(prompt: number, completion: number): void;
  /** Whether another attempt of the same worst case still fits; trips the budget when not. */
  refit(): void;
  /** Ends the call: the reservation is replaced by what it used (nothing when it used nothing). */
  settle(prompt: number, completion: number): void;
}

export interface Budget {
  readonly caps: BudgetState['caps'];
  /** What is spent so far: save it with the run when it stops. */
  readonly spent: BudgetSpent;
  readonly tripped: BudgetError | null;
  state(): BudgetState;
  /**
   * Reserves a call's worst case, waiting (first come, first served) while it does not fit and
   * other calls are in flight. The check and the reservation are one synchronous step, so that
   * concurrent calls cannot both pass it.
   * @throws BudgetError (after tripping the budget and calling onTrip) when it does not fit with no call in flight, or the budget has tripped before; AbortedError when `signal` aborts while it waits.
   */
  reserve(prompt: number, completion: number, prices: Prices | null, signal?: AbortSignal): Promise<Reservation>;
}

export interface BudgetOptions extends BudgetCaps {
  /** What earlier sessions of the run spent (the stored RunBudget.spent). */
  spent?: BudgetSpent | null;
  /** Called once, when the budget trips: stop the run here (abort its controller). */
  onTrip?: (e: BudgetError) => void;
}

const capOf = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

export function createBudget(opts: BudgetOptions = {}): Budget {
  const caps = { maxSpend: capOf(opts.maxSpend), maxTokens: capOf(opts.maxTokens) };
  const spent: BudgetSpent = { spend: opts.spent?.spend ?? 0, tokens: opts.spent?.tokens ?? 0, calls: opts.spent?.calls ?? 0 };
  const reserved: Amount = { tokens: 0, spend: 0 };
  let inFlight = 0;
  let tripped: BudgetError | null = null;

  /** The cap that `need` on top of everything held would break, as a BudgetError; null when it fits. */
  const overflow = (need: Amount, held: Amount): BudgetError | null => {
    // A relative epsilon: ten calls of 0.1 each fit a cap of 1.0 despite binary fractions.
    if (caps.maxSpend !== null && spent.spend + held.spend + need.spend > caps.maxSpend * (1 + 1e-12)) {
      return new BudgetError('spend', caps.maxSpend, spent.spend, need.spend, held.spend);
    }
    if (caps.maxTokens !== null && spent.tokens + held.tokens + need.tokens > caps.maxTokens) {
      return new BudgetError('tokens', caps.maxTokens, spent.tokens, need.tokens, held.tokens);
    }
    return null;
  };
  const trip = (e: BudgetError): never => {
    if (!tripped) {
      tripped = e;
      // Nothing waiting can go out any more: each fails with the reason, before onTrip's abort.
      for (const w of waiting.splice(0)) w.fail(e);
      opts.onTrip?.(e);
    }
    throw tripped;
  };

  /** Calls waiting for room, first come first served. */
  const waiting: { worst: Amount; admit(): void; fail(e: unknown): void }[] = [];

  /** Reserves `worst` if it fits; trips when it cannot fit with nothing in flight; else false (wait). */
  const tryTake = (worst: Amount): boolean => {
    const over = overflow(worst, reserved);
    if (over && inFlight === 0) trip(over);
    if (over) return false;
    reserved.tokens += worst.tokens;
    reserved.spend += worst.spend;
    inFlight++;
    return true;
  };

  /** After a call ends: admits the waiting calls that fit now, in order. */
  const pump = () => {
    while (waiting.length && !tripped) {
      const head = waiting[0]!;
      try {
        if (!tryTake(head.worst)) return;
      } catch {
        return; // tripped: every waiting call has failed with the BudgetError
      }
      waiting.shift();
      head.admit();
    }
  };

  function reservation(worst: Amount, prices: Prices | null): Reservation {
    let open = true;
    const add = (p: number, c: number) => {
      const used = amount(p, c, prices);
      spent.tokens += used.tokens;
      spent.spend += used.spend;
      if (used.tokens > 0) spent.calls++;
    };
    return {
      charge(p, c) {
        if (open) add(p, c);
      },
      refit() {
        if (!open) return;
        // The next attempt's worst case on top of everything else held and spent (this
        // reservation is the one the attempt will use). It cannot wait: the engine retries now.
        const others = { tokens: reserved.tokens - worst.tokens, spend: reserved.spend - worst.spend };
        const over = overflow(worst, others);
        if (over) trip(over);
      },
      settle(p, c) {
        if (!open) return;
        open = false;
        reserved.tokens -= worst.tokens;
        reserved.spend -= worst.spend;
        inFlight--;
        add(p, c);
        pump();
      },
    };
  }

  return {
    caps,
    get spent() {
      return { ...spent };
    },
    get tripped() {
      return tripped;
    },
    state: () => ({ caps: { ...caps }, spent: { ...spent }, reserved: { ...reserved }, inFlight, waiting: waiting.length, tripped }),
    async reserve(prompt, completion, prices, signal) {
      if (tripped) throw tripped;
      if (signal?.aborted) throw aborted('the call');
      const worst = amount(prompt, completion, prices);
      if (!waiting.length && tryTake(worst)) return reservation(worst, prices);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(aborted('the call'));
        };
        const entry = {
          worst,
          admit: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          fail: (e: unknown) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        waiting.push(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      return reservation(worst, prices);
    },
  };
}

/**
 * A floor of what a run spent, from its counts (committed tasks only) and one price for all its
 * calls: for a run stored without a RunBudget.
 */
export function spentFromCounts(counts: { promptTokens: number; completionTokens: number; calls: number }, prices: Prices | null): BudgetSpent {
  const a = amount(counts.promptTokens, counts.completionTokens, prices);
  return { spend: a.spend, tokens: a.tokens, calls: counts.calls };
}

/** The answer's worst case when a request does not bound it: the rest of the context, or this. */
const UNBOUNDED_ANSWER = 4096;

/**
 * An engine whose calls are held to `budget`. `prices`: the engine's prices per million tokens
 * (FREE for a local model); null when unknown, which a spend cap refuses.
 *
 * Prompt tokens are the engine's count where it has a tokenizer, else estimateTokens (about three
 * characters a token, above most tokenizers' four); where a server reports more prompt tokens
 * than estimated, later estimates of this engine are scaled up by the largest ratio seen. A call
 * that streamed text and then failed or was stopped is charged its prompt and the text received
 * (the server did that work); one that failed before any text is charged nothing (a refused or
 * queued request is not billed). Each retry of the engine is checked again before it goes out.
 *
 * @throws BudgetPricesError when a spend cap is set and `prices` is null.
 */
export function withBudget(engine: LlmEngine, budget: Budget, prices: Prices | null): LlmEngine {
  if (budget.caps.maxSpend !== null && !prices) throw new BudgetPricesError(engine.model);
  let scale = 1;
  const promptTokens = async (messages: ChatTurn[]): Promise<{ n: number; estimated: number | null }> => {
    if (engine.countTokens) return { n: await engine.countTokens(messages), estimated: null };
    const e = estimateTokens(messages);
    return { n: Math.ceil(e * scale), estimated: e };
  };
  return withChat(engine, async function* chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const stopped = () => aborted(`the call to ${engine.model} (the budget is reached)`);
    if (budget.tripped) throw Object.assign(stopped(), { cause: budget.tripped });
    const prompt = await promptTokens(req.messages);
    const ctx = engine.contextLength ?? null;
    const answer = req.maxTokens ?? (ctx ? Math.max(0, ctx - prompt.n) : UNBOUNDED_ANSWER);
    let held: Reservation;
    try {
      held = await budget.reserve(prompt.n, answer, prices, signal);
    } catch (e) {
      if ((e as Error).name !== 'BudgetError') throw e;
      throw Object.assign(stopped(), { cause: e });
    }
    // Our own signal for the engine: a retry that no longer fits is stopped before it goes out.
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    if (signal?.aborted) ctl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let text = '';
    let used: { prompt: number; completion: number } | null = null;
    // Text received before a failure or a stop, as tokens (never above what the call was allowed).
    const partial = () => (text ? { prompt: prompt.n, completion: Math.min(answer, estimateTokens([{ role: 'assistant', content: text }]) - 16) } : { prompt: 0, completion: 0 });
    try {
      for await (const ev of engine.chat(req, ctl.signal)) {
        if (ev.type === 'delta') text += ev.text;
        else if (ev.type === 'retry') {
          const p = partial();
          held.charge(p.prompt, Math.max(0, p.completion));
          text = '';
          try {
            held.refit();
          } catch (e) {
            ctl.abort();
            throw Object.assign(stopped(), { cause: e });
          }
        } else if (ev.type === 'done') {
          const u: TokenUsage | null = ev.usage;
          used = u ? { prompt: u.promptTokens, completion: u.completionTokens } : { prompt: prompt.n, completion: Math.max(0, estimateTokens([{ role: 'assistant', content: ev.text }]) - 16) };
          if (u && prompt.estimated && u.promptTokens > prompt.estimated * scale) scale = u.promptTokens / prompt.estimated;
        }
        yield ev;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (used) held.settle(used.prompt, used.completion);
      else {
        const p = partial();
        held.settle(p.prompt, Math.max(0, p.completion));
      }
    }
  });
}
