import { describe, expect, it } from 'vitest';
import { toSample } from '../../src/lib/db/runsRepo';
import type { HumanAction } from '../../src/lib/db/samplesRepo';
import type { Sample } from '../../src/lib/db/types';
import type { RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { buildPairs, DEFAULT_PAIR_OPTIONS, PairOptionsError, type PairDraft, type PairOptions } from '../../src/lib/preference/build';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine, type Rule } from '../support/scriptedEngine';
import { recipeOf } from './helpers';

/**
 * Pair building from the lineage the real pipeline writes (runRecipe over a scripted engine,
 * stored as the app stores it with runsRepo.toSample), then the rules at their edges on
 * hand-made rows: margins, ties, self-pairs, decisions by hand, idempotence.
 */

const LONG = 'a complete and careful answer that is long enough for every length filter of the recipe.';
const seeds: SeedRef[] = [
  { id: 's1', instruction: 'Explain how compound interest works.', input: '', output: '' },
  { id: 's2', instruction: 'Describe the water cycle for a child.', input: '', output: '' },
];

/** Runs a recipe with answers numbered in call order and the judge's scores taken in turn. */
async function samplesOf(steps: RecipeInput['steps'], scores: number[], extra: Partial<RecipeInput> = {}, rules: Rule[] = []): Promise<Sample[]> {
  let k = 0;
  let j = 0;
  const gen = new ScriptedEngine([...rules, { match: /./, reply: () => `Answer ${++k}: ${LONG}` }], 'gen');
  const judge = new ScriptedEngine([{ match: /./, reply: () => `{"score": ${scores[j++ % scores.length]}, "reason": "read"}` }], 'judge');
  const store = new MemoryRunStore();
  await runRecipe({ runId: 'run1', recipe: recipeOf({ version: 1, name: 't', maxSeeds: 1, ...extra, steps }), seeds, engines: { generator: gen, responder: gen, judge }, store, concurrency: 1 });
  return store.samples.map((d) => toSample('run1', 'p1', d, 1000));
}

const opts = (o: Partial<PairOptions>): PairOptions => ({ ...DEFAULT_PAIR_OPTIONS, ...o });
const scoresOf = (ps: PairDraft[]) => ps.map((p) => [p.chosen.score, p.rejected.score]);

/** A person's edit as samplesRepo.editSample records it. */
function edited(s: Sample, output: string): Sample {
  const h: HumanAction = { kind: 'edit', at: 2000, before: { instruction: s.instruction, input: s.input, output: s.output } };
  return { ...s, output, lineage: { ...s.lineage, human: [...(s.lineage.human ?? []), h] } };
}

describe('best-of-N pairs', () => {
  it('pairs the best against the worst of one instruction’s N answers', async () => {
    const samples = await samplesOf([{ op: 'bestOfN', n: 4, k: 1 }], [2, 5, 3, 4]);
    const pairs = buildPairs(samples, opts({ sources: ['bestOfN'] }));
    expect(pairs).toHaveLength(1);
    const [p] = pairs;
    expect(p).toMatchObject({ source: 'bestOfN', projectId: 'p1', runId: 'run1', gap: 3, prompt: { system: '', instruction: seeds[0]!.instruction, input: '' }, reason: 'best of 4: score 5 against 2' });
    expect(p!.chosen).toEqual({ text: `Answer 2: ${LONG}`, score: 5, sampleId: samples.find((s) => s.score === 5)!.id });
    expect(p!.rejected).toEqual({ text: `Answer 1: ${LONG}`, score: 2, sampleId: samples.find((s) => s.score === 2)!.id });
    expect(p!.sampleId).toBe(p!.chosen.sampleId);
  });

  it('in margin mode pairs every accepted answer with each answer at least the margin below it', async () => {
    const samples = await samplesOf([{ op: 'bestOfN', n: 4, k: 2 }], [2, 5, 3, 4]);
    expect(scoresOf(buildPairs(samples, opts({ sources: ['bestOfN'], mode: 'margin', margin: 1 })))).toEqual([[5, 2], [5, 3], [5, 4], [4, 2], [4, 3]]);
    expect(scoresOf(buildPairs(samples, opts({ sources: ['bestOfN'], mode: 'margin', margin: 2 })))).toEqual([[5, 2], [5, 3], [4, 2]]);
    expect(scoresOf(buildPairs(samples, opts({ sources: ['bestOfN'], mode: 'margin', margin: 3.5 })))).toEqual([]);
    // A margin of 0 still never pairs equal scores.
    const tied = await samplesOf([{ op: 'bestOfN', n: 3, k: 1 }], [4, 4, 2]);
    expect(scoresOf(buildPairs(tied, opts({ sources: ['bestOfN'], mode: 'margin', margin: 0 })))).toEqual([[4, 2]]);
  });

  it('gives no pair when every answer scored the same, or when only one was judged', async () => {
    expect(buildPairs(await samplesOf([{ op: 'bestOfN', n: 3, k: 1 }], [4, 4, 4]), opts({ sources: ['bestOfN'] }))).toEqual([]);
    // Two answers the judge could not read (retries 0): one scored answer is left, nothing to pair.
    const j = await samplesOf([{ op: 'bestOfN', n: 3, k: 1 }], [4], {}, []);
    const one = j.map((s, i) => (i === 0 ? s : { ...s, score: null, status: 'rejected' as const, rejectReason: 'judgeFailed' }));
    expect(buildPairs(one, opts({ sources: ['bestOfN'] }))).toEqual([]);
  });

  it('takes no best that a later step rejected, and no two answers with the same text', async () => {
    const samples = await samplesOf([{ op: 'bestOfN', n: 3, k: 1 }], [5, 2, 3]);
    const best = samples.find((s) => s.score === 5)!;
    expect(buildPairs(samples.map((s) => (s === best ? { ...s, status: 'rejected' as const, rejectReason: 'filter:tooShort' } : s)), opts({ sources: ['bestOfN'] }))).toEqual([]);
    const worst = samples.find((s) => s.score === 2)!;
    expect(buildPairs(samples.map((s) => (s === worst ? { ...s, output: ` ${best.output}\n` } : s)), opts({ sources: ['bestOfN'] })).map((p) => p.rejected.score)).toEqual([3]);
  });
});

describe('critique-revise pairs', () => {
  const steps: RecipeInput['steps'] = [{ op: 'respond' }, { op: 'judge', minScore: 1 }, { op: 'critique' }, { op: 'judge', minScore: 1 }];
  const rules: Rule[] = [{ match: /Critique the response/, reply: 'It misses an example.' }, { match: /Rewrite the response/, reply: `Revised: ${LONG}` }];

  it('pairs the revision against the first response when the revision scores higher', async () => {
    const samples = await samplesOf(steps, [3, 5], {}, rules);
    const pairs = buildPairs(samples, opts({ sources: ['critique'] }));
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ id: `critique:${samples[0]!.id}`, source: 'critique', gap: 2, chosen: { text: `Revised: ${LONG}`, score: 5 }, rejected: { text: `Answer 1: ${LONG}`, score: 3 } });
    expect(pairs[0]!.chosen.sampleId).toBe(pairs[0]!.rejected.sampleId);
  });

  it('gives no pair when the revision scores the same or lower, or the first response was never judged', async () => {
    expect(buildPairs(await samplesOf(steps, [4, 4], {}, rules), opts({ sources: ['critique'] }))).toEqual([]);
    expect(buildPairs(await samplesOf(steps, [5, 3], {}, rules), opts({ sources: ['critique'] }))).toEqual([]);
    expect(buildPairs(await samplesOf([{ op: 'respond' }, { op: 'critique' }, { op: 'judge', minScore: 1 }], [5], {}, rules), opts({ sources: ['critique'] }))).toEqual([]);
  });
});

describe('human-edit pairs', () => {
  it('pairs the edited answer against the model’s, on the prompt as edited', async () => {
    const [s] = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 1 }], [4]);
    const e = edited(s!, 'A better answer, written by hand.');
    const pairs = buildPairs([e], opts({ sources: ['edit'] }));
    expect(pairs).toEqual([
      expect.objectContaining({ id: `edit:${s!.id}`, source: 'edit', gap: null, chosen: { text: 'A better answer, written by hand.', score: null, sampleId: s!.id }, rejected: { text: `Answer 1: ${LONG}`, score: 4, sampleId: s!.id } }),
    ]);
    // Two edits: still the model's text against the latest.
    expect(buildPairs([edited(e, 'Third words.')], opts({ sources: ['edit'] }))[0]).toMatchObject({ chosen: { text: 'Third words.' }, rejected: { text: `Answer 1: ${LONG}` } });
  });

  it('gives no pair for an edit that left the answer as it was, or for a rejected sample', async () => {
    const [s] = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 1 }], [4]);
    expect(buildPairs([edited(s!, `${s!.output}  `)], opts({ sources: ['edit'] }))).toEqual([]);
    expect(buildPairs([{ ...edited(s!, 'New.'), status: 'rejected', rejectReason: 'human:rejected' }], opts({ sources: ['edit'] }))).toEqual([]);
    // Best-of-N and judge pairs compare the model's texts, whatever was edited since.
    const group = await samplesOf([{ op: 'bestOfN', n: 2, k: 1 }], [5, 1]);
    const best = group.find((x) => x.score === 5)!;
    const p = buildPairs(group.map((x) => (x === best ? edited(x, 'Hand text.') : x)), opts({ sources: ['bestOfN'] }));
    expect(p[0]!.chosen.text).toBe(best.output);
  });
});

describe('judge-verdict pairs', () => {
  it('pairs accepted against judge-rejected answers to one instruction', async () => {
    // Three copies of one seed, judged 5, 2 and 4 (pass mark 4).
    const samples = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 4 }], [5, 2, 4], { copiesPerSeed: 3 });
    expect(samples.map((s) => s.status)).toEqual(['accepted', 'rejected', 'accepted']);
    const pairs = buildPairs(samples, opts({ sources: ['judge'] }));
    expect(scoresOf(pairs)).toEqual([[5, 2]]);
    expect(pairs[0]).toMatchObject({ source: 'judge', gap: 3, id: `judge:${samples[0]!.id}>${samples[1]!.id}` });
    expect(scoresOf(buildPairs(samples, opts({ sources: ['judge'], mode: 'margin', margin: 2 })))).toEqual([[5, 2], [4, 2]]);
  });

  it('never pairs answers to different instructions, nor across runs', async () => {
    const samples = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 4 }], [5, 2], { maxSeeds: 2 });
    expect(samples.map((s) => s.status)).toEqual(['accepted', 'rejected']);
    expect(buildPairs(samples, opts({ sources: ['judge'] }))).toEqual([]);
    const copies = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 4 }], [5, 2], { copiesPerSeed: 2 });
    const split = copies.map((s, i) => (i === 1 ? { ...s, id: `run2:${s.id}`, runId: 'run2' } : s));
    expect(buildPairs(split, opts({ sources: ['judge'] }))).toEqual([]);
  });
});

describe('every source at once', () => {
  it('never pairs a sample with itself, gives the same pairs in any row order, and leaves out marked samples', async () => {
    const a = await samplesOf([{ op: 'bestOfN', n: 4, k: 2 }, { op: 'critique' }, { op: 'judge', minScore: 1 }], [2, 5, 3, 4, 5, 5], { copiesPerSeed: 2 }, [
      { match: /Critique the response/, reply: 'Short.' },
      { match: /Rewrite the response/, reply: (p) => `Revised ${p.length}: ${LONG}` },
    ]);
    const rows = a.map((s, i) => (i === 0 ? edited(s, 'Edited by hand.') : s));
    const all = buildPairs(rows, opts({ mode: 'margin', margin: 1 }));
    expect(all.length).toBeGreaterThan(3);
    for (const p of all) {
      expect(p.chosen.text.trim()).not.toBe(p.rejected.text.trim());
      if (p.source === 'bestOfN' || p.source === 'judge') expect(p.chosen.sampleId).not.toBe(p.rejected.sampleId);
      if (p.gap !== null) expect(p.gap).toBeGreaterThan(0);
    }
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    expect(buildPairs([...rows].reverse(), opts({ mode: 'margin', margin: 1 }))).toEqual(all);
    expect(buildPairs(rows, opts({ mode: 'margin', margin: 1 }))).toEqual(all);
    const marked = rows.map((s) => ({ ...s, contamination: { evalSetId: 'e', evalSet: 'gsm8k', itemIndex: 0, method: 'ngram', value: 1 } as unknown as Sample['contamination'] }));
    expect(buildPairs(marked, opts({ mode: 'margin', margin: 1 }))).toEqual([]);
  });

  it('leaves conversations (notes.multiTurn) out of the best-of-N, judge and critique sources: their score is the whole conversation’s', async () => {
    const bon = await samplesOf([{ op: 'bestOfN', n: 3, k: 2 }], [5, 2, 3]);
    const judged = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 4 }], [5, 2], { copiesPerSeed: 2 });
    const revised = await samplesOf([{ op: 'respond' }, { op: 'judge', minScore: 1 }, { op: 'critique' }, { op: 'judge', minScore: 1 }], [3, 5], {}, [
      { match: /Critique the response/, reply: 'It misses an example.' },
      { match: /Rewrite the response/, reply: `Revised: ${LONG}` },
    ]);
    const rows = [...bon, ...judged.map((s) => ({ ...s, id: `j-${s.id}` })), ...revised.map((s) => ({ ...s, id: `c-${s.id}` }))];
    const sources = ['bestOfN', 'judge', 'critique'] as const;
    expect(buildPairs(rows, opts({ sources })).map((p) => p.source).sort()).toEqual(['bestOfN', 'critique', 'judge']);
    // As the multi-turn step leaves them: the first answer in `output`, the conversation's score in `score`.
    const multiTurn = { planned: 2, lang: 'en', turns: [], stopped: null };
    const conversations = rows.map((s) => ({ ...s, lineage: { ...s.lineage, notes: { ...s.lineage.notes, multiTurn } } }) as Sample);
    expect(buildPairs(conversations, opts({ sources }))).toEqual([]);
    expect(buildPairs(conversations, opts({ sources, mode: 'margin', margin: 0 }))).toEqual([]);
    // One conversation among plain answers leaves only it out.
    const best = bon.find((s) => s.score === 5)!;
    const mixed = buildPairs(rows.map((s) => (s === best ? conversations[rows.indexOf(s)]! : s)), opts({ sources: ['bestOfN'] }));
    expect(scoresOf(mixed)).toEqual([[3, 2]]);
  });

  it('refuses bad options with the field named', () => {
    expect(() => buildPairs([], opts({ margin: -1 }))).toThrow(PairOptionsError);
    expect(() => buildPairs([], opts({ margin: Number.NaN }))).toThrow(/margin/);
    expect(() => buildPairs([], opts({ mode: 'all' as 'margin' }))).toThrow(/mode/);
    expect(() => buildPairs([], opts({ sources: ['votes' as 'edit'] }))).toThrow(/source 'votes'/);
  });
});
