import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/lib/engines/structured';
import { complete, type ChatEvent, type ChatRequest, type LlmEngine } from '../../src/lib/engines/types';
import { BudgetError, BudgetPricesError, createBudget, spentFromCounts, withBudget, type BudgetSpent } from '../../src/lib/pipeline/budget';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import type { PipelineEngines } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { recipeOf } from './helpers';

const MESSAGES = [{ role: 'user' as const, content: 'Say something useful about rivers.' }];
const MAX = 20;
/** One call's worst case as the budget reserves it. */
const WORST = estimateTokens(MESSAGES) + MAX;

/** Holds every call until `open()`: calls are truly in flight at once. */
function gated(inner: LlmEngine): LlmEngine & { open(): void; sent: number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const g = {
    kind: inner.kind,
    model: inner.model,
    maxConcurrency: 64,
    sent: 0,
    open,
    load: () => inner.load(),
    unload: () => inner.unload(),
    async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
      g.sent++;
      await gate;
      yield* inner.chat(req, signal);
    },
  };
  return g;
}

/** Reports exactly the usage it is given, after `text`. */
function reporting(usage: { promptTokens: number; completionTokens: number } | null, text = 'fine words here'): ScriptedEngine {
  const e = new ScriptedEngine([{ match: /./, reply: text }], 'fixed');
  const chat = e.chat.bind(e);
  e.chat = async function* (req, signal) {
    for await (const ev of chat(req, signal)) yield ev.type === 'done' ? { ...ev, usage } : ev;
  };
  return e;
}

describe('budget: calls at once', () => {
  it('50 calls at once against a token cap for 10: 10 are sent, the rest wait, then are refused as aborts; never over the cap', async () => {
    const trips: BudgetError[] = [];
    const budget = createBudget({ maxTokens: WORST * 10, onTrip: (e) => trips.push(e) });
    const inner = gated(reporting({ promptTokens: WORST - MAX, completionTokens: MAX }));
    const engine = withBudget(inner, budget, null);
    const calls = Array.from({ length: 50 }, () => complete(engine, { messages: MESSAGES, maxTokens: MAX }).then(() => 'ok', (e: Error) => e));
    // Every call has reserved or is waiting for room before any answer comes back.
    await new Promise((r) => setTimeout(r, 0));
    expect(inner.sent).toBe(10);
    expect(budget.state()).toMatchObject({ inFlight: 10, waiting: 40, reserved: { tokens: WORST * 10 }, tripped: null });
    expect(trips).toHaveLength(0);
    inner.open();
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    const refused = results.filter((r): r is Error => r instanceof Error);
    expect(refused).toHaveLength(40);
    for (const e of refused) {
      expect(e.name).toBe('AbortedError');
      expect((e.cause as Error).name).toBe('BudgetError');
    }
    expect(trips).toHaveLength(1);
    // Tripped once the last call in flight ended, with the whole cap used by answers.
    expect(inner.sent).toBe(10);
    expect(trips[0]).toMatchObject({ cap: 'tokens', limit: WORST * 10, spent: WORST * 10, needed: WORST, reserved: 0 });
    expect(trips[0]!.message).toMatch(/raise the cap to continue/);
    expect(budget.spent).toEqual({ tokens: WORST * 10, spend: 0, calls: 10 });
    expect(budget.state()).toMatchObject({ inFlight: 0, waiting: 0, reserved: { tokens: 0 } });
  });

  it('a spend cap counts the prices of each engine; what the server reports replaces the reservation', async () => {
    const prices = { input: 2, output: 8 };
    const worstSpend = ((WORST - MAX) * 2 + MAX * 8) / 1e6;
    const budget = createBudget({ maxSpend: worstSpend * 10 });
    // The server reports half the worst case: each call that ends gives room back to those waiting.
    const inner = gated(reporting({ promptTokens: (WORST - MAX) / 2, completionTokens: MAX / 2 }));
    const engine = withBudget(inner, budget, prices);
    const first = Array.from({ length: 50 }, () => complete(engine, { messages: MESSAGES, maxTokens: MAX }).then(() => 'ok', (e: Error) => e.name));
    await new Promise((r) => setTimeout(r, 0));
    inner.open();
    const results = await Promise.all(first);
    // The n-th call goes out while (n - 1) halves and its own worst case fit: 19 (9 worst cases
    // spent, a 20th could need 10.5); it trips only once no call is in flight.
    expect(inner.sent).toBe(19);
    expect(results.filter((r) => r === 'ok')).toHaveLength(19);
    expect(budget.spent.spend).toBeCloseTo(worstSpend * 9.5, 12);
    expect(budget.spent.spend).toBeLessThanOrEqual(worstSpend * 10);
    expect(budget.tripped?.cap).toBe('spend');
    // A tripped budget refuses every later call, even one that would fit: the run is stopping.
    await expect(complete(engine, { messages: MESSAGES, maxTokens: 1 })).rejects.toMatchObject({ name: 'AbortedError' });
    // Resumed with what was spent and a raised cap (5 worst cases more), more calls go out.
    const resumed = createBudget({ maxSpend: worstSpend * 15, spent: budget.spent });
    const gate = gated(reporting({ promptTokens: (WORST - MAX) / 2, completionTokens: MAX / 2 }));
    const again = withBudget(gate, resumed, prices);
    const more = Array.from({ length: 10 }, () => complete(again, { messages: MESSAGES, maxTokens: MAX }).then(() => 1, () => 0));
    await new Promise((r) => setTimeout(r, 0));
    gate.open();
    // 9.5 + (n - 1) / 2 + 1 <= 15: the ten calls go out.
    expect((await Promise.all(more)).reduce<number>((a, b) => a + b, 0)).toBe(10);
    expect(resumed.spent.spend).toBeCloseTo(worstSpend * 14.5, 12);
  });

  it('a call waiting for room ends as an abort when the run is paused, and holds nothing', async () => {
    const budget = createBudget({ maxTokens: WORST });
    const inner = gated(reporting({ promptTokens: WORST - MAX, completionTokens: MAX }));
    const engine = withBudget(inner, budget, null);
    const ctl = new AbortController();
    const first = complete(engine, { messages: MESSAGES, maxTokens: MAX }, ctl.signal).catch((e: Error) => e);
    const second = complete(engine, { messages: MESSAGES, maxTokens: MAX }, ctl.signal).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 0));
    expect(budget.state()).toMatchObject({ inFlight: 1, waiting: 1 });
    ctl.abort();
    expect(await second).toMatchObject({ name: 'AbortedError' });
    expect(budget.state()).toMatchObject({ waiting: 0 });
    inner.open();
    expect(await first).toMatchObject({ name: 'AbortedError' });
    // Paused, not tripped: nothing was refused for the cap, and nothing is held.
    expect(budget.tripped).toBeNull();
    expect(budget.state()).toMatchObject({ inFlight: 0, reserved: { tokens: 0 } });
    expect(inner.sent).toBe(1);
  });

  it('refuses a spend cap for an engine without prices, before anything is sent', () => {
    expect(() => withBudget(reporting(null), createBudget({ maxSpend: 1 }), null)).toThrow(BudgetPricesError);
    // A token cap needs no prices; a local engine is FREE.
    expect(() => withBudget(reporting(null), createBudget({ maxTokens: 10 }), null)).not.toThrow();
  });
});

describe('budget: what a call is charged', () => {
  it('a call without usage is charged its estimate; server counts above the estimate scale later estimates up', async () => {
    const budget = createBudget({ maxTokens: 1_000_000 });
    const est = estimateTokens(MESSAGES);
    await complete(withBudget(reporting(null, 'abc def'), budget, null), { messages: MESSAGES, maxTokens: MAX });
    expect(budget.spent.tokens).toBe(est + Math.max(0, estimateTokens([{ role: 'assistant', content: 'abc def' }]) - 16));

    // A server that counts three times the estimate: the engine's later calls reserve that much.
    const b2 = createBudget({ maxTokens: 1_000_000 });
    const seen: number[] = [];
    const inner = reporting({ promptTokens: est * 3, completionTokens: 1 });
    const chat = inner.chat.bind(inner);
    inner.chat = (req, signal) => {
      seen.push(b2.state().reserved.tokens);
      return chat(req, signal);
    };
    const engine = withBudget(inner, b2, null);
    await complete(engine, { messages: MESSAGES, maxTokens: MAX });
    await complete(engine, { messages: MESSAGES, maxTokens: MAX });
    expect(seen).toEqual([est + MAX, est * 3 + MAX]);
    // Another engine keeps its own ratio.
    const other = withBudget(inner, b2, null);
    await complete(other, { messages: MESSAGES, maxTokens: MAX });
    expect(seen[2]).toBe(est + MAX);
  });

  it('a retry after streamed text charges that text and is checked again before it goes out', async () => {
    let attempts = 0;
    const flaky: LlmEngine = {
      kind: 'openai',
      model: 'flaky',
      maxConcurrency: 4,
      load: async () => {},
      unload: async () => {},
      async *chat(_req, signal) {
        for (;;) {
          attempts++;
          yield { type: 'delta', text: 'x'.repeat(30) };
          yield { type: 'retry', attempt: attempts, reason: 'cut short', delayMs: 0 };
          if (signal?.aborted) throw Object.assign(new Error('stopped'), { name: 'AbortedError' });
        }
      },
    };
    const prompt = estimateTokens(MESSAGES);
    // Room for the worst case and one partial attempt (prompt + 10 tokens of text), not two.
    const trips: BudgetError[] = [];
    const budget = createBudget({ maxTokens: prompt + MAX + prompt + 10, onTrip: (e) => trips.push(e) });
    await expect(complete(withBudget(flaky, budget, null), { messages: MESSAGES, maxTokens: MAX })).rejects.toMatchObject({ name: 'AbortedError' });
    expect(attempts).toBe(2);
    expect(trips).toHaveLength(1);
    // Two attempts streamed 30 characters each: each charged its prompt and 10 tokens.
    expect(budget.spent).toEqual({ tokens: 2 * (prompt + 10), spend: 0, calls: 2 });
    expect(budget.state().inFlight).toBe(0);
  });

  it('spentFromCounts: a floor for a run stored before budgets', () => {
    const s: BudgetSpent = spentFromCounts({ promptTokens: 1_000_000, completionTokens: 500_000, calls: 7 }, { input: 1, output: 4 });
    expect(s).toEqual({ spend: 3, tokens: 1_500_000, calls: 7 });
  });
});

describe('budget: a run of the pipeline', () => {
  const seeds: SeedRef[] = Array.from({ length: 24 }, (_, i) => ({ id: `s${i}`, instruction: `Explain topic number ${i} in plain words.`, input: '', output: 'seed answer' }));
  const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';
  const recipe = recipeOf({ version: 1, name: 'answer', steps: [{ op: 'respond', maxTokens: 64 }, { op: 'judge', minScore: 3 }] });
  const engine = () => new ScriptedEngine([{ match: /grader|评分员/, reply: '{"score": 5, "reason": "fine"}' }, { match: /./, reply: LONG }], 'gen');

  async function run(store: MemoryRunStore, caps: { maxTokens?: number }, spent?: BudgetSpent) {
    const ctl = new AbortController();
    const budget = createBudget({ ...caps, spent, onTrip: () => ctl.abort() });
    const e = withBudget(engine(), budget, null);
    const engines: PipelineEngines = { generator: e, responder: e, judge: e };
    await runRecipe({ runId: 'r', recipe, seeds, engines, store, concurrency: 8, signal: ctl.signal });
    return budget;
  }

  it('pauses before the cap with tasks left, resumes after raising it, and ends with the items of an uncapped run', async () => {
    const plain = new MemoryRunStore();
    const all = await run(plain, {});
    expect(plain.completed.size).toBe(24);
    // Half of what the run uses, below what 8 calls in flight reserve (64 and 200 answer tokens
    // each): near the cap calls wait for room, and the run pauses when none fits alone.
    const cap = Math.floor(all.spent.tokens / 2);

    const store = new MemoryRunStore();
    const first = await run(store, { maxTokens: cap });
    expect(first.tripped?.cap).toBe('tokens');
    expect(first.spent.tokens).toBeLessThanOrEqual(cap);
    // It stopped only when the next call's worst case (at most 200 answer tokens and a prompt) could not fit.
    expect(first.spent.tokens).toBeGreaterThan(cap - 400);
    expect(store.completed.size).toBeGreaterThan(0);
    expect(store.completed.size).toBeLessThan(24);

    const second = await run(store, { maxTokens: all.spent.tokens * 2 }, first.spent);
    expect(second.tripped).toBeNull();
    expect(store.completed.size).toBe(24);
    expect(second.spent.tokens).toBeGreaterThan(first.spent.tokens);
    const items = (s: MemoryRunStore) => s.samples.map((x) => [x.taskIndex, x.key, x.status, x.instruction, x.output]).sort((a, b) => String(a[1]).localeCompare(String(b[1]), 'en', { numeric: true }));
    expect(items(store)).toEqual(items(plain));
  });
});
