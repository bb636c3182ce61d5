import { datasetSource } from '../../src/lib/db/datasetSource';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, dexieRunStore, listRunSamples } from '../../src/lib/db/runsRepo';
import { addSeeds } from '../../src/lib/db/seedsRepo';
import type { SampleDraft } from '../../src/lib/pipeline/types';
import { newCandidate } from '../../src/lib/pipeline/types';
import { runDedupPhase } from '../../src/lib/runner/dedupPhase';
import { seedHash } from '../../src/lib/text/normalize';

let db: AppDb;
beforeAll(async () => {
  db = openDb(`dedupphase-${crypto.randomUUID()}`);
  await db.open();
});
afterAll(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const sample = (k: number, instruction: string, score: number): SampleDraft => ({
  ...newCandidate(`${k}.0`, { instruction, output: 'An answer long enough to be kept by every filter in the recipe.', operation: 'respond', score }),
  status: 'accepted',
  rejectReason: null,
  taskIndex: k,
});

/** A project with one seed and an empty run to commit samples into. */
async function projectWithSeed(name: string, instruction: string, output: string) {
  const p = await createProject(db, name);
  await addSeeds(db, p.id, [{ instruction, input: '', output, system: '', tags: [], hash: seedHash({ instruction, input: '', output }), source: { file: 'f', line: 1, format: 'jsonl' } }]);
  const run = await createRun(db, { projectId: p.id, name: 'r', recipe: { version: 1, name: 'r', steps: [] }, roles: {}, models: {}, seeds: [], concurrency: 1, total: 6 });
  return { p, run, store: dexieRunStore(db) };
}

describe("a recipe's Dedup step (real MiniLM embeddings, real dedup kernels, real IndexedDB)", () => {
  it('keeps the best-scored item of each cluster, marks the others with their similarity, and never removes a seed', async () => {
    const { p, run, store } = await projectWithSeed('P', 'How do I reset my email password?', 'Use the reset link.');
    const items = [
      sample(0, 'A man is eating food.', 3),
      sample(1, 'A man is eating a piece of bread.', 5),
      sample(2, 'The new movie is awesome.', 4),
      sample(3, 'How can I reset the password of my email account?', 5),
      sample(4, 'Explain how vaccines train the immune system.', 4),
      sample(5, 'Describe how a vaccine teaches the immune system to fight disease.', 2),
    ];
    for (const [t, s] of items.entries()) await store.commitTask(run.id, t, { samples: [s], pool: [], calls: 0, promptTokens: 0, completionTokens: 0, modelMs: 0 });

    // The phase uses the run's connection for the embedding cache: it opens no other one.
    const open = indexedDB.open.bind(indexedDB);
    const opened: string[] = [];
    indexedDB.open = (name: string, version?: number) => (opened.push(name), open(name, version));
    let r: Awaited<ReturnType<typeof runDedupPhase>>;
    try {
      r = await runDedupPhase(datasetSource(db), p.id, { threshold: 0.7, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: `${location.origin}/`, source: { kind: 'huggingface' } });
    } finally {
      indexedDB.open = open;
    }
    expect(opened.filter((n) => n === db.name)).toEqual([]);
    expect(db.isOpen()).toBe(true);
    expect(await db.table('embeddings').count()).toBeGreaterThanOrEqual(7);
    const rows = await listRunSamples(db, run.id);
    const byText = new Map(rows.map((s) => [s.instruction, s]));
    expect(r.compared).toBe(7);
    // "eating food" (score 3) and "eating a piece of bread" (score 5, cos ≈ 0.75): the better one stays.
    expect(byText.get('A man is eating a piece of bread.')!.duplicateOf).toBeNull();
    const food = byText.get('A man is eating food.')!;
    expect(food.duplicateOf).toBe(byText.get('A man is eating a piece of bread.')!.id);
    expect(food.lineage.dedup?.similarity).toBeGreaterThan(0.7);
    // A near-duplicate of a seed is marked as the seed's duplicate (the seed is never removed).
    expect(byText.get('How can I reset the password of my email account?')!.duplicateOf).toMatch(/^seed:/);
    expect(byText.get('The new movie is awesome.')!.duplicateOf).toBeNull();
    expect(r.removed).toBe(rows.filter((s) => s.duplicateOf).length);
    // Every sample it looked at records how it was checked (for the dataset card).
    expect(rows.every((s) => s.lineage.dedupCheck?.threshold === 0.7)).toBe(true);
    expect(rows[0]!.lineage.dedupCheck).toMatchObject({ model: 'all-MiniLM-L6-v2', againstSeeds: true });
    expect(rows[0]!.lineage.dedupCheck).toMatchObject({ method: 'exact' });
    // The approximate mode (LSH buckets, the choice above 100k items) on the same items: the same
    // marks here, and the samples record how they were checked.
    const exactMarks = rows.map((s) => [s.id, s.duplicateOf]);
    await runDedupPhase(datasetSource(db), p.id, { threshold: 0.7, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: `${location.origin}/`, source: { kind: 'huggingface' }, method: 'approximate' });
    const approx = await listRunSamples(db, run.id);
    expect(approx.map((s) => [s.id, s.duplicateOf])).toEqual(exactMarks);
    expect(approx[0]!.lineage.dedupCheck).toMatchObject({ method: 'approximate', recall: 0.99 });
    // Applying again with a stricter threshold clears the marks that no longer hold.
    await runDedupPhase(datasetSource(db), p.id, { threshold: 0.99, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: `${location.origin}/`, source: { kind: 'huggingface' } });
    expect((await listRunSamples(db, run.id)).filter((s) => s.duplicateOf)).toEqual([]);
  }, 120_000);

  it('removes exact copies and near-copies before embedding, and embeds only what is left', async () => {
    const { p, run, store } = await projectWithSeed('Passes', 'Write a limerick about a cat who learns to code in Python.', 'There once was a cat…');
    const items = [
      sample(0, 'write a limerick about a cat who learns to code in  PYTHON.', 5), // the seed's exact copy
      sample(1, 'Explain how vaccines train the immune system, step by step, for a ten-year-old.', 3),
      sample(2, 'Explain how vaccines train the immune system step by step, for a ten-year-old!', 5), // near-copy of 1, better scored
    ];
    for (const [t, s] of items.entries()) await store.commitTask(run.id, t, { samples: [s], pool: [], calls: 0, promptTokens: 0, completionTokens: 0, modelMs: 0 });
    const r = await runDedupPhase(datasetSource(db), p.id, { threshold: 0.9, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: `${location.origin}/`, source: { kind: 'huggingface' } });
    expect(r).toMatchObject({ compared: 4, removed: 2, byPass: { exact: 1, lexical: 1, semantic: 0 }, semanticRefused: null });
    // The seed and the kept sample only.
    expect(r.embedded).toBe(2);
    const byText = new Map((await listRunSamples(db, run.id)).map((s) => [s.instruction, s]));
    const copy = byText.get(items[0]!.instruction)!;
    expect(copy.duplicateOf).toMatch(/^seed:/);
    expect(copy.lineage.dedup).toMatchObject({ pass: 'exact', similarity: 1 });
    const near = byText.get(items[1]!.instruction)!;
    expect(near.duplicateOf).toBe(byText.get(items[2]!.instruction)!.id);
    expect(near.lineage.dedup?.pass).toBe('lexical');
    expect(near.lineage.dedup?.similarity).toBeGreaterThanOrEqual(0.8);
    expect(byText.get(items[2]!.instruction)!.duplicateOf).toBeNull();
    expect(copy.lineage.dedupCheck).toMatchObject({ lexical: 0.8, threshold: 0.9 });
    // With the lexical pass off, the near-copies reach the semantic pass (and are marked there).
    const off = await runDedupPhase(datasetSource(db), p.id, { threshold: 0.9, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: `${location.origin}/`, source: { kind: 'huggingface' }, lexical: 0 });
    expect(off.byPass).toMatchObject({ exact: 1, lexical: 0 });
    expect(off.embedded).toBe(3);
  }, 120_000);

  it('on Chinese text, does not run the English-only model: exact and lexical passes only, and it says why', async () => {
    const { p, run, store } = await projectWithSeed('Chinese', '写一首关于秋天的短诗。', '秋风起，落叶飞。');
    const items = [
      sample(0, '请用三句话解释为什么天空是蓝色的，并举一个日常生活中的例子。', 4),
      sample(1, '请用三句话解释为什么天空是蓝色的，并举一个日常生活中的例子！', 2), // near-copy of 0
      sample(2, '写一首关于秋天的短诗。', 3), // the seed's exact copy
      sample(3, '列出三种在家里节约用水的方法。', 4),
      sample(4, '给出三个在家节水的小窍门。', 4), // same meaning, other words: only a semantic pass could find it
    ];
    for (const [t, s] of items.entries()) await store.commitTask(run.id, t, { samples: [s], pool: [], calls: 0, promptTokens: 0, completionTokens: 0, modelMs: 0 });
    const r = await runDedupPhase(datasetSource(db), p.id, { threshold: 0.5, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: `${location.origin}/`, source: { kind: 'huggingface' } });
    expect(r).toMatchObject({ compared: 6, removed: 2, embedded: 0, byPass: { exact: 1, lexical: 1, semantic: 0 } });
    expect(r.semanticRefused).toMatchObject({ model: 'all-MiniLM-L6-v2', recommended: 'bge-small-zh-v1.5', chineseShare: 1 });
    const byText = new Map((await listRunSamples(db, run.id)).map((s) => [s.instruction, s]));
    expect(byText.get(items[1]!.instruction)!.duplicateOf).toBe(byText.get(items[0]!.instruction)!.id);
    expect(byText.get(items[4]!.instruction)!.duplicateOf).toBeNull();
    expect(byText.get(items[0]!.instruction)!.lineage.dedupCheck).toMatchObject({ model: 'lexical', lexical: 0.8 });
  }, 120_000);
});
