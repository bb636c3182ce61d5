import { describe, expect, it } from 'vitest';
import { estimateCalls, estimateTime, measuredSpeed, trialRecipe } from '../../src/lib/pipeline/estimate';
import { mulberry32 } from '../../src/lib/random';
import { isDocumentRecipe, PRESETS, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { recipeOf } from './helpers';

const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';
const WORDS = 'apple river mountain engine violin pepper galaxy harbor lantern meadow orbit piano quartz rocket saddle tunnel umbrella velvet walnut yacht zebra anchor bridge canyon desert falcon glacier hammer island jungle kettle lemon magnet needle oyster parrot quiver ribbon silver tiger'.split(' ');
/** Words chosen by a number: distinct numbers give instructions far apart (ROUGE-L), so none is dropped as similar. */
const words = (x: number, n = 8) => {
  const rng = mulberry32(x);
  return Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(' ');
};

const seeds: SeedRef[] = Array.from({ length: 7 }, (_, i) => ({ id: `s${i}`, instruction: `Explain the ${WORDS[i]} in simple terms for a student.`, input: '', output: LONG }));

/** Engines on the path where every call succeeds the first time: rewrites survive, verdicts read and pass. */
function engines(judgeReply = '{"accuracy": 5, "completeness": 5, "usefulness": 5, "score": 5, "reason": "fine"}') {
  let k = 0;
  const generator = new ScriptedEngine(
    [
      { match: /Do you think they are equal|Do these two instructions ask/, reply: 'Not Equal' },
      { match: /^Critique the response/, reply: 'It lacks a worked example.' },
      { match: /^Rewrite the response so that/, reply: LONG },
      { match: /^Given the task below, write one example/, reply: `Input: <noinput>\nOutput: ${LONG}` },
      { match: /^Come up with a series of tasks/, reply: (_p, _n, seed) => `Describe ${words(seed)} in a short story.` },
      // Every other generator prompt is an Evol rewrite: a new instruction each time.
      { match: /[\s\S]/, reply: () => `Explain ${words(++k)} with one worked example.` },
    ],
    'gen',
  );
  // A multi-turn answer (the conversation's messages joined) gets a new text each time: a copied
  // answer would end the conversation as a repeat, which is not the path where every call succeeds.
  let r = 0;
  const responder = new ScriptedEngine([{ match: /\n[\s\S]*\n/, reply: () => `Next, ${words(1000 + ++r, 16)}.` }], 'resp', LONG);
  // A turn's verdict also says the question stayed on topic (onTopic); other verdicts are the reply given.
  const turnReply = judgeReply.startsWith('{') ? `{"onTopic": true, ${judgeReply.slice(1)}` : judgeReply;
  const judge = new ScriptedEngine([{ match: /onTopic/, reply: turnReply }], 'judge', judgeReply);
  return { e: { generator, responder, judge }, generator, responder, judge };
}

async function actualCalls(input: RecipeInput, judgeReply?: string) {
  const recipe = recipeOf(input);
  const { e, generator, responder, judge } = engines(judgeReply);
  const store = new MemoryRunStore();
  const counts = await runRecipe({ runId: 'r', recipe, seeds, engines: e, store, concurrency: 1 });
  expect(counts.done).toBe(counts.total);
  return { recipe, counts, store, byRole: { generator: generator.calls.length, responder: responder.calls.length, judge: judge.calls.length } };
}

const RECIPES: Record<string, RecipeInput> = {
  ...PRESETS,
  evolLimited: { ...PRESETS.evol4!, maxSeeds: 3 },
  selfInstructSmall: { version: 1, name: 'si', steps: [{ op: 'selfInstruct', count: 4 }, { op: 'respond' }, { op: 'judge' }, { op: 'filter' }] },
  multiTurnFixed: { version: 1, name: 'mt', maxSeeds: 3, steps: [{ op: 'respond' }, { op: 'multiTurn', minTurns: 3, maxTurns: 3 }, { op: 'filter' }] },
  critiqueJudge: { version: 1, name: 'cj', copiesPerSeed: 2, maxSeeds: 2, steps: [{ op: 'respond' }, { op: 'critique' }, { op: 'judge' }, { op: 'filter' }] },
  evolKeepRespond: {
    version: 1,
    name: 'ekr',
    maxSeeds: 2,
    steps: [{ op: 'respond' }, { op: 'evolve', rounds: 2, eliminate: false, keepOriginal: true }, { op: 'respond' }, { op: 'bestOfN', n: 3, k: 2 }, { op: 'judge' }, { op: 'filter' }],
  },
};

describe('the run estimate counts the calls a run makes', () => {
  // Document recipes run over chunks, not these seeds: the same check for them, with chunks and
  // engines that answer their prompts, is in pipelineDocuments.test.ts.
  for (const [name, input] of Object.entries(RECIPES).filter(([, r]) => !isDocumentRecipe(r))) {
    it(`${name}: calls and calls per role match a scripted run where every call succeeds`, async () => {
      const { recipe, counts, byRole, store } = await actualCalls(input);
      const est = estimateCalls(recipe, seeds.length);
      expect(est.tasks).toBe(counts.total);
      // A multi-turn step draws each conversation's length from its range: the estimate counts
      // every conversation at maxTurns, an upper bound (exact when the range is one number).
      const drawn = recipe.steps.some((s) => s.op === 'multiTurn' && s.minTurns !== s.maxTurns);
      if (drawn) {
        expect(est.calls).toBeGreaterThanOrEqual(counts.calls);
        for (const role of ['generator', 'responder', 'judge'] as const) expect(est.byRole[role] ?? 0).toBeGreaterThanOrEqual(byRole[role]);
      } else {
        expect(est.calls).toBe(counts.calls);
        expect(est.byRole).toEqual(byRole);
      }
      // The first-time path: nothing was rejected on it (Self-Instruct may drop nothing either).
      expect(store.samples.filter((s) => s.status === 'rejected' && s.rejectReason !== 'bestOfN:notSelected').map((s) => s.rejectReason)).toEqual([]);
      expect(est.maxCalls).toBeGreaterThanOrEqual(est.calls);
      expect(est.maxCompletionTokens).toBeGreaterThan(0);
    });
  }

  it('counts every judge retry in maxCalls: a judge that never answers readably uses them all', async () => {
    for (const input of [PRESETS.answerJudge!, { version: 1 as const, name: 'b', maxSeeds: 2, steps: [{ op: 'bestOfN' as const, n: 3, k: 1 }, { op: 'judge' as const, retries: 1 }] }]) {
      const { recipe, counts } = await actualCalls(input, 'no idea');
      const est = estimateCalls(recipe, seeds.length);
      expect(counts.calls).toBe(est.maxCalls);
      expect(est.maxCalls).toBeGreaterThan(est.calls);
    }
  });

  it('uses the seed limit: "uses N of M seeds"', () => {
    const r = recipeOf({ ...PRESETS.evol4!, maxSeeds: 10 });
    expect(estimateCalls(r, 175)).toMatchObject({ seedsUsed: 10, tasks: 10, calls: 10 * (4 * 3 + 4) });
    expect(estimateCalls(r, 4)).toMatchObject({ seedsUsed: 4, tasks: 4 });
    expect(estimateCalls(recipeOf(PRESETS.evol4!), 175)).toMatchObject({ seedsUsed: 175, tasks: 175 });
    expect(estimateCalls(recipeOf(PRESETS.selfInstruct!), 175)).toMatchObject({ seedsUsed: 0, tasks: 50 });
    expect(estimateCalls(r, 0)).toMatchObject({ tasks: 0, calls: 0, maxCalls: 0, maxCompletionTokens: 0 });
  });
});

describe('Try on 3 seeds first', () => {
  it('runs the same recipe on 3 seeds, and leaves the recipe as it was', async () => {
    for (const input of [PRESETS.evol4!, { ...PRESETS.answerJudge!, maxSeeds: 2 }, { ...PRESETS.answerJudge!, copiesPerSeed: 2 }, RECIPES.selfInstructSmall!]) {
      const recipe = recipeOf(input);
      const before = JSON.stringify(recipe);
      const trial = trialRecipe(recipe, 3, 'trial');
      expect(JSON.stringify(recipe)).toBe(before);
      expect(trial.name).toBe('trial');
      expect(JSON.stringify({ ...trial, name: recipe.name, maxSeeds: recipe.maxSeeds, steps: recipe.steps })).toBe(JSON.stringify(recipe));
      const { e, generator } = engines();
      const store = new MemoryRunStore();
      const counts = await runRecipe({ runId: 't', recipe: trial, seeds, engines: e, store, concurrency: 1 });
      const est = estimateCalls(trial, seeds.length);
      expect(counts.total).toBe(Math.min(3, input.maxSeeds ?? 3) * (input.copiesPerSeed ?? 1));
      expect(counts.calls).toBe(est.calls);
      // Only the first seeds were read.
      const used = new Set(store.samples.map((s) => s.seedId).filter(Boolean));
      for (const id of used) expect(['s0', 's1', 's2']).toContain(id);
      expect(generator.calls.length).toBe(est.byRole.generator);
    }
  });
});

describe('measured speed and time', () => {
  const models = { generator: 'wllama:a', responder: 'wllama:a', judge: 'wllama:b' };
  const run = (m: Record<string, string>, calls: number, modelMs: number, completionTokens = calls * 100) => ({ models: m, counts: { calls, modelMs, completionTokens } });

  it('uses earlier runs with the same model in every role, summed', () => {
    const s = measuredSpeed([run(models, 10, 20_000), run(models, 30, 40_000, 2000), run({ ...models, judge: 'wllama:c' }, 100, 1)], models);
    expect(s).toEqual({ basis: 'runs', msPerCall: 60_000 / 40, tokensPerCall: 3000 / 40, calls: 40 });
    const est = estimateCalls(recipeOf({ ...PRESETS.answerJudge!, maxSeeds: 10 }), 20);
    expect(est.calls).toBe(20);
    expect(estimateTime(est, s)).toEqual({ seconds: 30, upperBound: false, completionTokens: 1500 });
    expect(estimateTime(est, s, 4).seconds).toBe(7.5);
  });

  it('falls back on the playground speed of every role model (the slowest: an upper bound), then says why it cannot tell', () => {
    const est = estimateCalls(recipeOf({ ...PRESETS.answerJudge!, maxSeeds: 1 }), 1);
    const other = [run({ ...models, judge: 'x' }, 5, 5000)];
    const pg = measuredSpeed(other, models, { 'wllama:a': 20, 'wllama:b': 10, 'wllama:z': 1 });
    expect(pg).toEqual({ basis: 'playground', tokensPerSecond: 10 });
    expect(estimateTime(est, pg)).toEqual({ seconds: est.maxCompletionTokens / 10, upperBound: true, completionTokens: null });
    // One role's model never measured: the time is not known.
    expect(measuredSpeed(other, models, { 'wllama:a': 20 })).toEqual({ basis: 'unknown', why: 'otherModels' });
    expect(measuredSpeed([], models, { other: 10 })).toEqual({ basis: 'unknown', why: 'noRuns' });
    expect(measuredSpeed([...other, run(models, 0, 0)], models, null)).toEqual({ basis: 'unknown', why: 'otherModels' });
    expect(estimateTime(est, { basis: 'unknown', why: 'noRuns' })).toEqual({ seconds: null, upperBound: false, completionTokens: null });
  });
});
