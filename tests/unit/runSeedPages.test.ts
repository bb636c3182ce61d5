import { describe, expect, it } from 'vitest';
import { runRecipe, type SeedPages, type SeedRef } from '../../src/lib/pipeline/run';
import type { PipelineEngines } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { recipeOf } from './helpers';

/**
 * Seeds given in pages (the command line's store at 100k seeds) make the same tasks in the same
 * order as seeds given whole, and the run only ever asks for pages of the stated size — a run and
 * a resume around committed tasks alike.
 */

const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';
const seeds: SeedRef[] = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, instruction: `Explain idea number ${i} of the plan in plain words.`, input: '', output: '' }));
const r = recipeOf({ version: 1, name: 'rj', seed: 7, copiesPerSeed: 2, steps: [{ op: 'respond' }, { op: 'judge' }] });

function engines(): PipelineEngines {
  const e = new ScriptedEngine([{ match: /grader|评分员/, reply: (_p, _n, seed) => `{"score": ${(seed % 5) + 1}, "reason": "ok"}` }, { match: /./, reply: (p, _n, seed) => `${LONG} (${p.length}, ${seed % 11})` }], 'm');
  return { generator: e, responder: e, judge: e };
}

/** Pages over `list`, recording every range read. */
function paged(list: SeedRef[], pageSize: number): SeedPages & { reads: [number, number][] } {
  const reads: [number, number][] = [];
  return { count: list.length, pageSize, reads, read: async (from, to) => (reads.push([from, to]), list.slice(from, to)) };
}
const key = (s: MemoryRunStore['samples'][number]) => JSON.stringify([s.taskIndex, s.key, s.seedId, s.instruction, s.output, s.status, s.rejectReason, s.score]);

describe('seeds in pages', () => {
  it('make the same samples as seeds given whole, reading only pages of the stated size', async () => {
    const whole = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: r, seeds, engines: engines(), store: whole, concurrency: 4 });
    const store = new MemoryRunStore();
    const pages = paged(seeds, 8);
    const out = await runRecipe({ runId: 'r', recipe: r, seeds: pages, engines: engines(), store, concurrency: 4 });
    expect(out.done).toBe(100);
    expect(store.samples.map(key).sort()).toEqual(whole.samples.map(key).sort());
    // The first read is the language sample (auto: the first 50); then 8-seed pages, each once.
    for (const [from, to] of pages.reads.slice(1)) expect([from % 8, to - from <= 8]).toEqual([0, true]);
    expect(pages.reads.slice(1).map(([f]) => f)).toEqual([0, 8, 16, 24, 32, 40, 48]);
  });

  it('a resume around committed tasks reads the pages it needs and ends with the same samples', async () => {
    const whole = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: r, seeds, engines: engines(), store: whole, concurrency: 3 });
    const partial = new MemoryRunStore();
    const ctl = new AbortController();
    await runRecipe({ runId: 'r', recipe: r, seeds: paged(seeds, 8), engines: engines(), store: partial, concurrency: 3, signal: ctl.signal, onEvent: (e) => e.type === 'progress' && e.counts.done >= 37 && ctl.abort() });
    expect(partial.completed.size).toBeGreaterThan(30);
    expect(partial.completed.size).toBeLessThan(100);
    // The pages of the tasks still open (2 tasks per seed, 8 seeds per page), each read once.
    const needed = [...new Set([...Array(100).keys()].filter((t) => !partial.completed.has(t)).map((t) => Math.floor(t / 2 / 8) * 8))];
    const pages = paged(seeds, 8);
    await runRecipe({ runId: 'r', recipe: r, seeds: pages, engines: engines(), store: partial, concurrency: 3 });
    expect(partial.completed.size).toBe(100);
    expect(partial.samples.map(key).sort()).toEqual(whole.samples.map(key).sort());
    expect(pages.reads.slice(1).map(([f]) => f)).toEqual(needed);
  });
});
