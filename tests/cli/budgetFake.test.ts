import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { RemoteEngine, type EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import { createBudget, withBudget, type Budget, type BudgetSpent, type Prices } from '../../src/lib/pipeline/budget';
import { PRESETS, validateRecipe, type Recipe } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import type { PipelineEngines } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';

/**
 * The budget cap against a real HTTP server's reported usage (scripts/fakeLlm.mjs), with 32 tasks
 * in flight and injected 429s and 500s (each retry is checked against the cap again): the run
 * pauses before the cap, the server never served more than the cap, and a resumed run with a
 * raised cap ends with the items of an uncapped run.
 */

const PRICES: Prices = { input: 3, output: 15 };
const seeds: SeedRef[] = Array.from({ length: 48 }, (_, i) => ({ id: `s${i}`, instruction: `Explain idea number ${i} of good data to a new colleague.`, input: '', output: 'A seed answer.' }));
const v = validateRecipe({ ...PRESETS.answerJudge!, seed: 7 });
if (!v.ok) throw new Error('the preset does not validate');
const recipe: Recipe = v.recipe;

let servers: FakeLlm[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

let n = 0;
async function run(store: MemoryRunStore, caps: { maxSpend?: number }, spent?: BudgetSpent): Promise<{ budget: Budget; server: FakeLlm; serverSpend: number }> {
  const server = await startFakeLlm({ latencyMs: 5, faults: 0.1, faultKinds: ['429', '500'], faultSeed: ++n, retryAfterS: 0.02 });
  servers.push(server);
  const cfg: EndpointConfig = {
    id: `budget-${n}`,
    name: 'fake',
    kind: 'openai',
    baseUrl: server.url,
    model: 'fake-model',
    prices: PRICES,
    policy: { ...DEFAULT_POLICY, concurrency: 32, baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 30_000, maxRetries: 8 },
  };
  const ctl = new AbortController();
  const budget = createBudget({ ...caps, spent, onTrip: () => ctl.abort() });
  const engine = withBudget(new RemoteEngine(cfg, 'k', openaiDialect), budget, cfg.prices!);
  const engines: PipelineEngines = { generator: engine, responder: engine, judge: engine };
  await runRecipe({ runId: 'r', recipe, seeds, engines, store, concurrency: 32, signal: ctl.signal });
  const st = server.stats();
  return { budget, server, serverSpend: (st.promptTokens * PRICES.input + st.completionTokens * PRICES.output) / 1e6 };
}

const items = (s: MemoryRunStore) =>
  s.samples.map((x) => [x.taskIndex, x.key, x.status, x.rejectReason, x.instruction, x.output, x.score]).sort((a, b) => String(a[1]).localeCompare(String(b[1]), 'en', { numeric: true }));

describe('budget cap against the fake server (32 in flight)', () => {
  it('pauses before the cap, spends no more than it, and resumes after raising it to the items of an uncapped run', { timeout: 60_000 }, async () => {
    const plain = new MemoryRunStore();
    const all = await run(plain, {});
    expect(plain.completed.size).toBe(48);
    // What the budget counted is what the server reported (no call was stopped).
    expect(all.budget.spent.spend).toBeCloseTo(all.serverSpend, 12);
    expect(all.budget.spent.calls).toBe(all.server.stats().completed);

    const cap = all.serverSpend / 2;
    const store = new MemoryRunStore();
    const first = await run(store, { maxSpend: cap });
    expect(first.budget.tripped).toMatchObject({ name: 'BudgetError', cap: 'spend', limit: cap });
    expect(store.completed.size).toBeGreaterThan(0);
    expect(store.completed.size).toBeLessThan(48);
    // Nothing over the cap: not what the budget counted, nor what the server served.
    expect(first.budget.spent.spend).toBeLessThanOrEqual(cap);
    expect(first.serverSpend).toBeLessThanOrEqual(cap);
    expect(first.budget.state()).toMatchObject({ inFlight: 0, reserved: { tokens: 0 } });

    // Raised above what the whole run needs: the rest of the run goes out and nothing trips.
    const second = await run(store, { maxSpend: all.serverSpend * 2 }, first.budget.spent);
    expect(second.budget.tripped).toBeNull();
    expect(store.completed.size).toBe(48);
    expect(second.budget.spent.spend).toBeLessThanOrEqual(all.serverSpend * 2);
    expect(first.serverSpend + second.serverSpend).toBeLessThanOrEqual(all.serverSpend * 2);
    expect(items(store)).toEqual(items(plain));
  });
});
