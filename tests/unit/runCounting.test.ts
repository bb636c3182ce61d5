import { describe, expect, it } from 'vitest';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { emptyCounts, type PipelineEngines, type RunCounts, type RunEvent } from '../../src/lib/pipeline/types';
import { runRowView, sampleCount, topReasons } from '../../src/lib/state/runView';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { recipeOf } from './helpers';

const seeds: SeedRef[] = [
  { id: 's1', instruction: 'Explain how compound interest works.', input: '', output: 'Interest on interest.' },
  { id: 's2', instruction: 'Describe the water cycle for a child.', input: '', output: 'Water goes up and comes down.' },
  { id: 's3', instruction: 'Name three uses of a paper clip.', input: '', output: 'Holding paper, a hook, a reset pin.' },
];
const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';

/** Engines whose judge never gives a score (as the tiny test GGUF): every sample is judgeFailed. */
function unjudgeable(): PipelineEngines {
  let k = 0;
  const gen = new ScriptedEngine(
    [
      { match: /Prompt Rewriter|Prompt Creator/, reply: () => `Explain topic number ${k++} to a curious reader with one worked example.` },
      { match: /Your Judgement/, reply: 'Not Equal' },
      { match: /./, reply: LONG },
    ],
    'gen',
  );
  const judge = new ScriptedEngine([{ match: /./, reply: 'Once upon a time there was a little cat.' }], 'judge');
  return { generator: gen, responder: gen, judge };
}

async function runWith(steps: unknown[], onEvent?: (e: RunEvent) => void) {
  const recipe = recipeOf({ version: 1, name: 'r', steps } as never);
  const store = new MemoryRunStore();
  const counts = await runRecipe({ runId: 'r1', recipe, seeds, engines: unjudgeable(), store, concurrency: 1, onEvent });
  return { counts, store, recipe };
}

describe('items and samples', () => {
  it('an item is one seed through the recipe; its samples are counted apart, and reasons count samples', async () => {
    const { counts, store } = await runWith([{ op: 'evolve', rounds: 2 }, { op: 'judge', minScore: 3, retries: 1 }]);
    // 3 items (one per seed), each yielding 2 evolved samples, all rejected by the judge.
    expect(counts.total).toBe(3);
    expect(counts.done).toBe(3);
    expect(sampleCount(counts)).toBe(store.samples.length);
    expect(store.samples.length).toBe(6);
    expect(counts.rejected).toBe(6);
    expect(counts.reasons).toEqual({ judgeFailed: 6 });
    // The reasons add up to the rejected samples, never to more than were written.
    expect(Object.values(counts.reasons).reduce((a, b) => a + b, 0)).toBe(counts.rejected);
    expect(topReasons(counts)).toEqual([{ id: 'judgeFailed', samples: 6 }]);
  });
});

describe('ETA', () => {
  it('is estimated after the first model call, before any item is done, and never goes up to null again', async () => {
    const events: Extract<RunEvent, { type: 'progress' }>[] = [];
    await runWith([{ op: 'evolve', rounds: 2 }, { op: 'judge', minScore: 3, retries: 1 }], (e) => {
      if (e.type === 'progress') events.push(e);
    });
    // The first event (nothing measured yet) has no ETA: the screen says "estimating…".
    expect(events[0]!.etaSeconds).toBeNull();
    const beforeFirstItem = events.filter((e) => e.counts.done === 0);
    expect(beforeFirstItem.length).toBeGreaterThan(1);
    expect(beforeFirstItem.slice(1).every((e) => e.etaSeconds !== null && e.etaSeconds >= 0)).toBe(true);
    expect(events.slice(1).every((e) => e.etaSeconds !== null)).toBe(true);
    // Progress never goes backwards and ends at every item.
    const done = events.map((e) => e.counts.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(3);
  });
});

describe('the run list', () => {
  const stored = (status: string, c: Partial<RunCounts>) => ({ id: 'a', status: status as never, counts: { ...emptyCounts(10), ...c } });

  it('shows the running run as Running with its live counts, not the row written when it was created', () => {
    const live = { runId: 'a', status: 'running' as const, counts: { ...emptyCounts(10), done: 1, rejected: 4, reasons: { judgeFailed: 4 } } };
    const v = runRowView(stored('paused', {}), [live]);
    expect(v).toMatchObject({ status: 'running', live: true });
    expect(v.counts.done).toBe(1);
    expect(sampleCount(v.counts)).toBe(4);
    // Another run's live view does not touch this row.
    expect(runRowView(stored('paused', { done: 3 }), [{ ...live, runId: 'b' }])).toMatchObject({ status: 'paused', live: false });
    // A live view without counts yet, or behind the stored row, keeps the stored counts.
    expect(runRowView(stored('paused', { done: 3 }), [{ ...live, counts: null }]).counts.done).toBe(3);
    expect(runRowView(stored('paused', { done: 3 }), [live]).counts.done).toBe(3);
    // A finished live run shows its final status.
    expect(runRowView(stored('running', {}), [{ ...live, status: 'done' }])).toMatchObject({ status: 'done', live: false });
  });

  it('top reasons: most samples first, ties in a stable order, at most n', () => {
    expect(topReasons({ reasons: { lowScore: 2, judgeFailed: 5, 'filter:refusal': 2, x: 0, 'evol:noGain': 1 } }, 3)).toEqual([
      { id: 'judgeFailed', samples: 5 },
      { id: 'filter:refusal', samples: 2 },
      { id: 'lowScore', samples: 2 },
    ]);
  });
});
