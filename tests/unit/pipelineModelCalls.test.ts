import { describe, expect, it } from 'vitest';
import type { ChatEvent, ChatRequest } from '../../src/lib/engines/types';
import type { RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { MemoryRunStore } from '../support/memoryRunStore';
import { recipeOf } from './helpers';
import { ScriptedEngine, type Rule } from '../support/scriptedEngine';

/**
 * The model-call wrapper (ctx.call in pipeline/run.ts): context budgets, reasoning split off the
 * answer, and schemas passed to the engines (or not, when the recipe turns constraints off).
 */
const recipe = recipeOf;

/** A scripted engine with a context length that records each request as sent. */
class BudgetEngine extends ScriptedEngine {
  readonly contextLength: number;
  requests: ChatRequest[] = [];
  constructor(rules: Rule[], contextLength: number) {
    super(rules, 'budget');
    this.contextLength = contextLength;
  }
  override async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    this.requests.push(req);
    for await (const ev of super.chat(req, signal)) yield ev.type === 'done' ? { ...ev, constrained: req.schema ? ('grammar' as const) : null } : ev;
  }
}

const LONG = 'This answer is complete, correct and long enough for every length filter in this recipe, with care.';
const seeds: SeedRef[] = [
  { id: 's1', instruction: 'Explain compound interest.', input: '', output: 'Interest on interest.' },
  { id: 's2', instruction: 'Summarise this contract: ' + 'The tenant shall pay the rent on the first day of each month. '.repeat(200), input: '', output: 'Rent is due monthly.' },
];

describe('the model-call wrapper', () => {
  it('rejects an item whose prompt and answer cannot fit the context as contextOverflow with both numbers, without calling the model', async () => {
    const e = new BudgetEngine([{ match: /grader/, reply: '{"score": 5, "reason": "fine"}' }, { match: /./, reply: LONG }], 2048);
    const store = new MemoryRunStore();
    const counts = await runRecipe({ runId: 'r', recipe: recipe({ version: 1, name: 'aj', steps: [{ op: 'respond', maxTokens: 512 }, { op: 'judge' }] }), seeds, engines: { generator: e, responder: e, judge: e }, store, concurrency: 1 });
    expect(counts.reasons).toEqual({ contextOverflow: 1 });
    const over = store.samples.find((s) => s.seedId === 's2')!;
    expect(over.rejectReason).toBe('contextOverflow');
    const ctx = over.notes.context!;
    expect(ctx).toMatchObject({ maxTokens: 512, contextLength: 2048, counted: false });
    expect(ctx.promptTokens).toBeGreaterThan(2048 - 512);
    // The long seed was never sent, nor cut: only the short item's two calls reached the model.
    expect(e.requests).toHaveLength(2);
    expect(e.requests.every((r) => !r.messages[0]!.content.includes('tenant'))).toBe(true);
    expect(store.samples.find((s) => s.seedId === 's1')!.status).toBe('accepted');
  });

  it('splits <think> reasoning off every answer and keeps it in the lineage', async () => {
    const e = new BudgetEngine([
      { match: /grader/, reply: '<think>The answer is right and complete.</think>\n{"score": 5, "reason": "fine"}' },
      { match: /./, reply: `<think>Compound interest: interest on interest.</think>\n\n${LONG}` },
    ], 32768);
    const store = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: recipe({ version: 1, name: 'aj', maxSeeds: 1, steps: [{ op: 'respond' }, { op: 'judge' }, { op: 'filter' }] }), seeds, engines: { generator: e, responder: e, judge: e }, store, concurrency: 1 });
    const s = store.samples[0]!;
    expect(s.status).toBe('accepted');
    expect(s.output).toBe(LONG);
    expect(s.score).toBe(5);
    expect(s.calls.map((c) => [c.op, c.raw.includes('<think>'), c.reasoning])).toEqual([
      ['respond', false, 'Compound interest: interest on interest.'],
      ['judge', false, 'The answer is right and complete.'],
    ]);
  });

  it('passes each shape\'s schema to the engine and records the mechanism; a recipe can turn it off', async () => {
    const rules: Rule[] = [{ match: /grader/, reply: '{"score": 4, "reason": "ok"}' }, { match: /./, reply: LONG }];
    const on = new BudgetEngine(rules, 32768);
    const store = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: recipe({ version: 1, name: 'aj', maxSeeds: 1, thinking: 'off', steps: [{ op: 'respond' }, { op: 'judge' }] }), seeds, engines: { generator: on, responder: on, judge: on }, store, concurrency: 1 });
    expect(on.requests.map((r) => r.schema?.name ?? null)).toEqual([null, 'verdict']);
    expect(on.requests.every((r) => r.thinking === false)).toBe(true);
    expect(store.samples[0]!.calls.map((c) => [c.schema ?? null, c.constrained ?? null])).toEqual([[null, null], ['verdict', 'grammar']]);

    const off = new BudgetEngine(rules, 32768);
    const store2 = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: recipe({ version: 1, name: 'aj', maxSeeds: 1, constrained: false, steps: [{ op: 'respond' }, { op: 'judge' }] }), seeds, engines: { generator: off, responder: off, judge: off }, store: store2, concurrency: 1 });
    expect(off.requests.map((r) => r.schema ?? null)).toEqual([null, null]);
    expect(off.requests.some((r) => 'thinking' in r)).toBe(false);
    expect(store2.samples[0]!.calls[1]).toMatchObject({ schema: 'verdict', constrained: null });
    // The free-text parser's use is counted: one shaped call answered in free text.
    expect(store2.counts.freeTextShapes).toBe(1);
    expect(store.counts.freeTextShapes ?? 0).toBe(0);
  });
});
