import { describe, expect, it } from 'vitest';
import type { Recipe, RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, taskCount, type SeedRef } from '../../src/lib/pipeline/run';
import type { PipelineEngines, RunEvent } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { recipeOf } from './helpers';
import { ScriptedEngine, type Rule } from '../support/scriptedEngine';

const recipe = recipeOf;
const seeds: SeedRef[] = [
  { id: 's1', instruction: 'Explain how compound interest works.', input: '', output: 'Interest on interest.' },
  { id: 's2', instruction: 'Describe the water cycle for a child.', input: '', output: 'Water goes up and comes down.' },
  { id: 's3', instruction: '解释光合作用的基本过程。', input: '', output: '植物利用光能制造养分。' },
];
const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';

function engines(rules: Rule[]): { e: PipelineEngines; gen: ScriptedEngine; judge: ScriptedEngine } {
  const gen = new ScriptedEngine(rules, 'gen');
  const judge = new ScriptedEngine([{ match: /grader|评分员/, reply: '{"score": 5, "reason": "fine"}' }, ...rules], 'judge');
  return { e: { generator: gen, responder: gen, judge }, gen, judge };
}

async function run(r: Recipe, e: PipelineEngines, store = new MemoryRunStore(), extra: { signal?: AbortSignal; onEvent?: (e: RunEvent) => void; concurrency?: number } = {}) {
  const counts = await runRecipe({ runId: 'r1', recipe: r, seeds, engines: e, store, concurrency: extra.concurrency ?? 1, signal: extra.signal, onEvent: extra.onEvent });
  return { store, counts };
}

describe('Evol-Instruct with elimination', () => {
  it('stores each failed evolution with its reason and evolves the parent again', async () => {
    let round = 0;
    const { e, gen } = engines([
      // Rewrites: round 1 copies scaffolding, round 2 is "equal", round 3 gets a sorry answer, round 4 is fine.
      {
        match: /Prompt Rewriter|Prompt Creator|提示词改写者|提示词创作者/,
        reply: () => {
          round++;
          return ['Make the given prompt harder with one more constraint.', 'Explain compound interest.', 'Explain compound interest to a bank regulator, with sources.', 'Explain compound interest with a worked example over 3 years.'][(round - 1) % 4]!;
        },
      },
      { match: /Your Judgement/, reply: (p) => (p.includes('The Second Prompt: Explain compound interest.\n') || /Second Prompt: Explain compound interest\.$/m.test(p) ? 'Equal' : 'Not Equal') },
      { match: /bank regulator/, reply: "I'm sorry, I can't do that." },
      { match: /worked example/, reply: LONG },
    ]);
    const r = recipe({ version: 1, name: 'evol', maxSeeds: 1, steps: [{ op: 'evolve', rounds: 4 }] });
    const { store } = await run(r, e);
    const reasons = store.samples.map((s) => [s.round, s.status, s.rejectReason]);
    expect(reasons).toEqual([
      [1, 'rejected', 'evol:scaffolding'],
      [2, 'rejected', 'evol:noGain'],
      [3, 'rejected', 'evol:hardToAnswer'],
      [4, 'accepted', null],
    ]);
    // Every failed round went back to the seed: each rewrite prompt quotes the seed itself.
    const rewrites = gen.calls.filter((c) => /Prompt Rewriter|Prompt Creator/.test(c.prompt));
    expect(rewrites).toHaveLength(4);
    for (const c of rewrites) expect(c.prompt).toContain('Explain how compound interest works.');
    const ok = store.samples.at(-1)!;
    // Its parent is the seed (seedId): the seed's own candidate is not stored, so no parentKey.
    expect(ok).toMatchObject({ parentKey: null, seedId: 's1', output: LONG, outputFrom: 'evol:elimination' });
    expect(ok.calls.map((c) => c.op)).toEqual([expect.stringMatching(/^evol:/), 'evol:equal', 'evol:response']);
    expect(ok.calls[0]).toMatchObject({ role: 'generator', model: 'gen', template: expect.stringMatching(/^evol\./), templateVersion: 1 });
  });

  it('chains successful rounds: each evolves the previous one, and the empty-response criterion applies', async () => {
    let n = 0;
    const { e } = engines([
      { match: /Prompt Rewriter|Prompt Creator/, reply: () => `Evolved version ${++n} of the task, now with more detail.` },
      { match: /Your Judgement/, reply: 'Not Equal' },
      { match: /Evolved version 2 /, reply: '... the, and it.' },
      { match: /Evolved version/, reply: LONG },
    ]);
    const r = recipe({ version: 1, name: 'evol', maxSeeds: 1, steps: [{ op: 'evolve', rounds: 3 }] });
    const { store } = await run(r, e);
    const byKey = [...store.samples].sort((a, b) => a.key.localeCompare(b.key));
    expect(byKey.map((s) => [s.instruction.slice(0, 17), s.rejectReason, s.parentKey])).toEqual([
      ['Evolved version 1', null, null],
      ['Evolved version 2', 'evol:emptyResponse', '0.1'],
      ['Evolved version 3', null, '0.1'],
    ]);
  });
});

describe('Self-Instruct', () => {
  it('drops instructions too close to the pool (ROUGE-L) and feeds kept ones back as examples', async () => {
    const replies = ['Suggest a name for a new bakery in town.', 'Suggest a name for a new bakery in the town.', 'List three uses of baking soda at home.'];
    let i = 0;
    const { e, gen } = engines([
      { match: /Come up with a series of tasks/, reply: () => replies[i++ % replies.length]! },
      { match: /write one example of an input/, reply: 'Input: <noinput>\nOutput: ' + LONG },
    ]);
    const r = recipe({ version: 1, name: 'si', steps: [{ op: 'selfInstruct', count: 3, humanShots: 2, machineShots: 2 }, { op: 'filter' }] });
    const { store } = await run(r, e);
    expect(store.samples.map((s) => [s.status, s.rejectReason])).toEqual([
      ['accepted', null],
      ['rejected', 'selfInstruct:similar'],
      ['accepted', null],
    ]);
    expect(store.samples[1]!.notes.rougeL).toMatchObject({ score: expect.any(Number), match: replies[0] });
    expect(store.pool.map((p) => p.text)).toEqual([replies[0], replies[2]]);
    // Task 2's prompt shows the first machine instruction among its examples.
    const gens = gen.calls.filter((c) => /Come up with/.test(c.prompt));
    expect(gens[2]!.prompt).toContain(replies[0]);
    expect(store.samples[0]).toMatchObject({ input: '', output: LONG, outputFrom: 'selfInstruct:instance' });
  });
});

describe('respond, critique, best-of-N, judge', () => {
  it('keeps the first response and the critique linked to the revision', async () => {
    const { e } = engines([
      { match: /Critique the response/, reply: 'It misses an example.' },
      { match: /Rewrite the response/, reply: `Revised: ${LONG}` },
      { match: /./, reply: LONG },
    ]);
    const r = recipe({ version: 1, name: 'c', maxSeeds: 1, steps: [{ op: 'respond' }, { op: 'critique' }, { op: 'judge' }] });
    const { store } = await run(r, e);
    expect(store.samples[0]).toMatchObject({ status: 'accepted', output: `Revised: ${LONG}`, revisedFrom: { output: LONG, critique: 'It misses an example.' }, score: 5 });
  });

  it('best-of-N keeps the best K and rejects the others', async () => {
    let k = 0;
    const { e } = engines([{ match: /./, reply: () => `Answer number ${++k}. ${LONG}` }]);
    const scores = [2, 5, 3, 4];
    let j = 0;
    e.judge = new ScriptedEngine([{ match: /grader/, reply: () => `Score: ${scores[j++ % 4]}` }], 'judge');
    const r = recipe({ version: 1, name: 'b', maxSeeds: 1, steps: [{ op: 'bestOfN', n: 4, k: 2 }] });
    const { store } = await run(r, e);
    const kept = store.samples.filter((s) => s.status === 'accepted');
    expect(kept.map((s) => s.score)).toEqual([5, 4]);
    expect(store.samples.filter((s) => s.rejectReason === 'bestOfN:notSelected').map((s) => s.score)).toEqual([2, 3]);
  });

  it('records an unparseable verdict as a judge failure with every raw reply, after bounded retries', async () => {
    const { e } = engines([{ match: /./, reply: LONG }]);
    e.judge = new ScriptedEngine([{ match: /./, reply: 'Once upon a time there was a judge.' }], 'judge');
    const r = recipe({ version: 1, name: 'j', maxSeeds: 1, steps: [{ op: 'respond' }, { op: 'judge', retries: 2 }] });
    const { store } = await run(r, e);
    expect(store.samples[0]).toMatchObject({ status: 'rejected', rejectReason: 'judgeFailed', score: null });
    expect(store.samples[0]!.notes.judgeRaw).toEqual(Array(3).fill('Once upon a time there was a judge.'));
    expect((e.judge as ScriptedEngine).calls).toHaveLength(3);
  });

  it('rejects low scores', async () => {
    const { e } = engines([{ match: /./, reply: LONG }]);
    e.judge = new ScriptedEngine([{ match: /./, reply: '评分：2分' }], 'judge');
    const { store } = await run(recipe({ version: 1, name: 'j', steps: [{ op: 'respond' }, { op: 'judge', minScore: 4 }] }), e);
    expect(store.samples.map((s) => s.rejectReason)).toEqual(['lowScore', 'lowScore', 'lowScore']);
  });
});

describe('runs', () => {
  it('records a failing item as rejected with its error and finishes the others', async () => {
    const { e } = engines([{ match: /./, reply: LONG }]);
    const bad = new ScriptedEngine([{ match: /./, reply: LONG }], 'responder');
    const orig = bad.chat.bind(bad);
    bad.chat = async function* (req, signal) {
      // The item's own failure (a 400 for this prompt), not the endpoint's: kept as rejected.
      if (req.messages[0]!.content.includes('water cycle')) throw Object.assign(new Error('the server refused this prompt'), { name: 'BadRequestError' });
      yield* orig(req, signal);
    };
    e.responder = bad;
    const events: RunEvent[] = [];
    const { store } = await run(recipe({ version: 1, name: 'x', steps: [{ op: 'respond' }, { op: 'judge' }] }), e, undefined, { onEvent: (ev) => events.push(ev) });
    expect(store.samples.map((s) => [s.seedId, s.status, s.rejectReason])).toEqual([
      ['s1', 'accepted', null],
      ['s2', 'rejected', 'error:BadRequestError'],
      ['s3', 'accepted', null],
    ]);
    expect(events.find((ev) => ev.type === 'taskFailed')).toMatchObject({ task: 1, name: 'BadRequestError' });
  });

  it('progress never goes backwards, ends at the total, and counts add up', async () => {
    const { e } = engines([{ match: /./, reply: LONG }]);
    const r = recipe({ version: 1, name: 'x', copiesPerSeed: 3, steps: [{ op: 'respond' }, { op: 'judge' }, { op: 'filter' }] });
    const events: RunEvent[] = [];
    const { counts } = await run(r, e, undefined, { onEvent: (ev) => events.push(ev), concurrency: 2 });
    const done = events.flatMap((ev) => (ev.type === 'progress' ? [ev.counts.done] : []));
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1]!);
    expect(done.at(-1)).toBe(taskCount(r, seeds.length));
    expect(counts.accepted + counts.rejected).toBe(9);
    expect(counts.calls).toBe(18);
  });

  it('a stopped and resumed run ends with the same items as an uninterrupted one', async () => {
    // Replies depend only on the prompt and the sampling seed, as a seeded sampler's do.
    const mk = () =>
      engines([
        { match: /Prompt Rewriter|Prompt Creator|提示词/, reply: (p, _n, seed) => `Harder: ${p.length % 97} ${seed % 1000} with one more constraint added here.` },
        { match: /Your Judgement|你的判断/, reply: (_p, _n, seed) => (seed % 3 === 0 ? 'Equal' : 'Not Equal') },
        { match: /./, reply: (p, _n, seed) => `${LONG} (${p.length}, ${seed % 7})` },
      ]);
    const r = recipe({ version: 1, name: 'evol', seed: 42, copiesPerSeed: 2, personas: { enabled: true, builtIn: true, custom: [] }, steps: [{ op: 'evolve', rounds: 2 }, { op: 'judge' }] });
    const whole = (await run(r, mk().e)).store;

    const partial = new MemoryRunStore();
    const ctl = new AbortController();
    await run(r, mk().e, partial, {
      signal: ctl.signal,
      onEvent: (ev) => {
        // Progress also comes after each call until an item is done (the early ETA): stop after two commits.
        if (ev.type === 'progress' && ev.counts.done === 2) ctl.abort();
      },
    });
    expect(partial.completed.size).toBeGreaterThan(0);
    expect(partial.completed.size).toBeLessThan(6);
    await run(r, mk().e, partial);
    const key = (s: (typeof whole.samples)[number]) => JSON.stringify([s.taskIndex, s.key, s.instruction, s.status, s.rejectReason, s.persona]);
    expect(partial.samples.map(key).sort()).toEqual(whole.samples.map(key).sort());
    expect(new Set(partial.samples.map((s) => `${s.taskIndex}.${s.key}`)).size).toBe(partial.samples.length);
    expect(partial.counts.accepted).toBe(whole.counts.accepted);
  });

  it('a failure after some candidates were stored records the rest under their own keys (no duplicate ids)', async () => {
    let n = 0;
    const { e } = engines([
      { match: /Prompt Rewriter|Prompt Creator/, reply: () => `Evolved task number ${++n}, harder now with one more constraint.` },
      { match: /Your Judgement/, reply: 'Not Equal' },
      { match: /./, reply: LONG },
    ]);
    let j = 0;
    const judge = new ScriptedEngine([{ match: /./, reply: 'Score: 2' }], 'judge');
    const orig = judge.chat.bind(judge);
    judge.chat = async function* (req, signal) {
      if (++j === 2) throw Object.assign(new Error('judge refused the prompt'), { name: 'BadRequestError' });
      yield* orig(req, signal);
    };
    e.judge = judge;
    const r = recipe({ version: 1, name: 'x', maxSeeds: 1, steps: [{ op: 'evolve', rounds: 2 }, { op: 'judge', retries: 0 }] });
    const { store } = await run(r, e);
    expect(store.completed.size).toBe(1);
    expect(store.samples.map((s) => [s.key, s.rejectReason])).toEqual([
      ['0.1', 'lowScore'],
      ['0.2', 'error:BadRequestError'],
    ]);
  });

  it('Self-Instruct items of one batch are checked against each other (ROUGE-L), in task order', async () => {
    const { e } = engines([
      { match: /Come up with a series of tasks/, reply: 'Suggest a name for a new bakery in the old town.' },
      { match: /write one example of an input/, reply: 'Input: <noinput>\nOutput: ' + LONG },
    ]);
    const r = recipe({ version: 1, name: 'si', steps: [{ op: 'selfInstruct', count: 2 }, { op: 'filter' }] });
    const { store } = await run(r, e, undefined, { concurrency: 2 });
    expect(store.samples.sort((a, b) => a.taskIndex - b.taskIndex).map((s) => s.rejectReason)).toEqual([null, 'selfInstruct:similar']);
    expect(store.pool).toHaveLength(1);
  });

  it('a revision is judged again, not scored by the verdict of the first answer', async () => {
    const { e } = engines([
      { match: /Critique the response/, reply: 'Too vague.' },
      { match: /Rewrite the response/, reply: `Better: ${LONG}` },
      { match: /./, reply: LONG },
    ]);
    let j = 0;
    e.judge = new ScriptedEngine([{ match: /./, reply: () => (++j <= 2 ? 'Score: 2' : 'Score: 5') }], 'judge');
    const r = recipe({ version: 1, name: 'x', maxSeeds: 1, steps: [{ op: 'bestOfN', n: 2, k: 1 }, { op: 'critique' }, { op: 'judge', minScore: 4 }] });
    const { store } = await run(r, e);
    const kept = store.samples.find((s) => s.status === 'accepted')!;
    expect(kept).toMatchObject({ output: `Better: ${LONG}`, score: 5 });
  });
});

describe('tasks in flight', () => {
  it('a slow task does not hold the others back: a free slot takes the next task at once', async () => {
    // Task 0's answer waits until five other tasks are committed. In fixed batches of two, task 2
    // would wait for task 0 and this test would never end; with a sliding window it ends.
    const many: SeedRef[] = Array.from({ length: 6 }, (_, i) => ({ id: `m${i}`, instruction: `Question number ${i} about sliding windows?`, input: '', output: '' }));
    const store = new MemoryRunStore();
    const order: number[] = [];
    const commit = store.commitTask.bind(store);
    store.commitTask = async (runId, t, d) => {
      order.push(t);
      await commit(runId, t, d);
    };
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const slow: PipelineEngines['responder'] = {
      kind: 'wllama',
      model: 'gated',
      maxConcurrency: 2,
      async load() {},
      async unload() {},
      async *chat(req) {
        const prompt = req.messages.map((m) => m.content).join('\n');
        if (prompt.includes('number 0')) await gate;
        yield { type: 'done', text: LONG, usage: { promptTokens: 10, completionTokens: 20 }, timing: { firstTokenMs: 1, totalMs: 1, tokensPerSecond: null }, finishReason: 'stop', model: 'gated' };
      },
    };
    const watcher = setInterval(() => store.commits >= 5 && open(), 5);
    try {
      const counts = await runRecipe({ runId: 'r1', recipe: recipe({ version: 1, name: 'w', steps: [{ op: 'respond' }] }), seeds: many, engines: { generator: slow, responder: slow, judge: slow }, store, concurrency: 2 });
      expect(counts.done).toBe(6);
    } finally {
      clearInterval(watcher);
    }
    expect(order).toEqual([1, 2, 3, 4, 5, 0]);
    expect(store.samples.map((s) => s.seedId).sort()).toEqual(many.map((s) => s.id));
  });
});
