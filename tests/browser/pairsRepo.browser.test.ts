import { beforeEach, describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { buildProjectPairs, countPairs, deletePairs, dexiePairReader, listPairs, setPairsStatus } from '../../src/lib/db/pairsRepo';
import { deleteRun, restoreRun, takeRun, toSample } from '../../src/lib/db/runsRepo';
import { editSample, setSamplesStatus } from '../../src/lib/db/samplesRepo';
import type { Sample } from '../../src/lib/db/types';
import { exportPairs } from '../../src/lib/io/export/pairs';
import { BlobSink } from '../../src/lib/io/export/sink';
import { runRecipe } from '../../src/lib/pipeline/run';
import { validateRecipe } from '../../src/lib/pipeline/recipe';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { freshDb } from './freshDb';

/**
 * The pairs repository on real IndexedDB: pairs built from samples a real pipeline run wrote
 * (runRecipe over a scripted engine, stored with runsRepo.toSample), decisions kept across builds,
 * stale pairs removed, pages on the [projectId+id] index, and the export reading the store.
 */

let db: AppDb;
beforeEach(async () => {
  db = await freshDb('pairs');
});

const LONG = 'an answer long enough for every filter of the recipe, careful and complete.';

/** Best-of-4 over `seeds` seeds (judge scores 2, 5, 3, 4 per seed), as run `runId` of project p1. */
async function bestOfNRun(runId: string, seeds: number): Promise<Sample[]> {
  let k = 0;
  let j = 0;
  const gen = new ScriptedEngine([{ match: /./, reply: () => `Answer ${++k}: ${LONG}` }], 'gen');
  const judge = new ScriptedEngine([{ match: /./, reply: () => `{"score": ${[2, 5, 3, 4][j++ % 4]}, "reason": "ok"}` }], 'judge');
  const v = validateRecipe({ version: 1, name: 'b', steps: [{ op: 'bestOfN', n: 4, k: 1 }] });
  if (!v.ok) throw new Error('recipe');
  const store = new MemoryRunStore();
  const seedRefs = Array.from({ length: seeds }, (_, i) => ({ id: `s${i}`, instruction: `Question ${i}: explain topic ${i}.`, input: '', output: '' }));
  await runRecipe({ runId, recipe: v.recipe, seeds: seedRefs, engines: { generator: gen, responder: gen, judge }, store, concurrency: 1 });
  const samples = store.samples.map((d) => toSample(runId, 'p1', d, 1000));
  await db.runs.add({ id: runId, projectId: 'p1', name: runId, status: 'done', recipe: v.recipe, roles: {}, models: {}, seedCount: seeds, concurrency: 1, counts: store.counts, error: null, createdAt: 1, updatedAt: 1 });
  await db.samples.bulkAdd(samples);
  return samples;
}

async function allPairs(pageSize: number) {
  const out = [];
  let after: string | null = null;
  for (;;) {
    const page = await listPairs(db, 'p1', { after, limit: pageSize });
    out.push(...page);
    if (page.length < pageSize) return out;
    after = page.at(-1)!.id;
  }
}

describe('pairs repository (real IndexedDB)', () => {
  it('builds a project’s pairs from its runs, pages them in id order, counts them by status', async () => {
    await bestOfNRun('rA', 7);
    await bestOfNRun('rB', 5);
    const built = await buildProjectPairs(db, 'p1', { mode: 'bestWorst', margin: 1, sources: ['bestOfN', 'critique', 'edit', 'judge'] });
    expect(built).toEqual({ added: 12, updated: 0, removed: 0, total: 12 });
    const pairs = await allPairs(5);
    expect(pairs).toHaveLength(12);
    expect(pairs.map((p) => p.id)).toEqual([...pairs.map((p) => p.id)].sort());
    expect(pairs.every((p) => p.status === 'accepted' && p.chosen.score === 5 && p.rejected.score === 2 && p.gap === 3 && p.decidedAt === undefined)).toBe(true);
    expect(await countPairs(db, 'p1')).toEqual({ pending: 0, accepted: 12, rejected: 0, total: 12 });
    // Another project's pairs are never listed or counted.
    await db.pairs.add({ ...pairs[0]!, id: 'x', projectId: 'p2' });
    expect(await countPairs(db, 'p1')).toMatchObject({ total: 12 });
    expect((await listPairs(db, 'p1', { limit: 100 })).some((p) => p.projectId !== 'p1')).toBe(false);
  });

  it('keeps decisions made by hand when built again, and removes pairs the rules no longer make', async () => {
    const samples = await bestOfNRun('rA', 3);
    await buildProjectPairs(db, 'p1');
    const [a, b, c] = await allPairs(10);
    expect(await setPairsStatus(db, [a!.id, b!.id], 'rejected')).toBe(2);
    expect(await setPairsStatus(db, [a!.id], 'rejected')).toBe(0);
    expect(await listPairs(db, 'p1', { status: 'rejected', limit: 10 })).toHaveLength(2);
    // An edit adds an edit pair; the best answer of c's group rejected by hand takes c away.
    const best = samples.find((s) => s.id === a!.chosen.sampleId)!;
    await editSample(db, best.id, { instruction: best.instruction, input: best.input, output: 'A hand-written answer.' });
    await setSamplesStatus(db, [c!.chosen.sampleId!], 'rejected');
    const again = await buildProjectPairs(db, 'p1');
    expect(again).toEqual({ added: 1, updated: 2, removed: 1, total: 3 });
    const now = await allPairs(10);
    expect(now.map((p) => [p.id, p.status])).toEqual(
      [
        [a!.id, 'rejected'],
        [b!.id, 'rejected'],
        [`edit:${best.id}`, 'accepted'],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );
    // The pair built again keeps its first createdAt; the sides stay the model's texts.
    expect(now.find((p) => p.id === a!.id)).toMatchObject({ createdAt: a!.createdAt, chosen: { text: a!.chosen.text } });
    expect(await countPairs(db, 'p1')).toEqual({ pending: 0, accepted: 1, rejected: 2, total: 3 });
  });

  it('builds one run alone, leaves other sources alone, and writes nothing for bad options', async () => {
    await bestOfNRun('rA', 2);
    await bestOfNRun('rB', 2);
    expect(await buildProjectPairs(db, 'p1', undefined, 'rB')).toMatchObject({ added: 2, total: 2 });
    expect(new Set((await allPairs(10)).map((p) => p.runId))).toEqual(new Set(['rB']));
    // A build of the edit source alone removes no best-of-N pair.
    expect(await buildProjectPairs(db, 'p1', { mode: 'bestWorst', margin: 1, sources: ['edit'] })).toEqual({ added: 0, updated: 0, removed: 0, total: 2 });
    await expect(buildProjectPairs(db, 'p1', { mode: 'margin', margin: -1, sources: ['bestOfN'] })).rejects.toMatchObject({ name: 'PairOptionsError' });
    expect(await countPairs(db, 'p1')).toMatchObject({ total: 2 });
    expect(await deletePairs(db, 'p1', 'rB')).toBe(2);
    expect(await countPairs(db, 'p1')).toMatchObject({ total: 0 });
  });

  it('exports the accepted pairs from the store', async () => {
    await bestOfNRun('rA', 4);
    await buildProjectPairs(db, 'p1');
    const [first] = await allPairs(10);
    await setPairsStatus(db, [first!.id], 'rejected');
    const sink = new BlobSink('application/jsonl');
    const s = await exportPairs(dexiePairReader(db), 'p1', { format: 'openai-dpo-jsonl', acceptedOnly: true, provenance: false }, sink);
    const lines = (await sink.blob().text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(s).toMatchObject({ pairs: 3, leftOut: { status: 1 }, bySource: { bestOfN: 3 } });
    expect(lines).toHaveLength(3);
    expect(lines[0].preferred_output[0].content).toMatch(/^Answer \d+: an answer long enough/);
  });

  it('deletes a run’s pairs with it, and puts them back with an undo', async () => {
    await bestOfNRun('rA', 2);
    await bestOfNRun('rB', 3);
    await buildProjectPairs(db, 'p1');
    const before = await allPairs(10);
    const taken = (await takeRun(db, 'rB'))!;
    expect(taken.pairs).toHaveLength(3);
    expect((await allPairs(10)).map((p) => p.runId)).toEqual(['rA', 'rA']);
    await restoreRun(db, taken);
    expect(await allPairs(10)).toEqual(before);
    await deleteRun(db, 'rA');
    expect(new Set((await allPairs(10)).map((p) => p.runId))).toEqual(new Set(['rB']));
  });
});
