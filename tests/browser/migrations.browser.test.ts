import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/lib/db/db';
import { declareSchema, schemaVersions } from '../../src/lib/db/schema';
import { listSeeds } from '../../src/lib/db/seedsRepo';
import { addDocument, countDocumentChunks, listChunks, listDocumentIds, listDocuments, updateChunks } from '../../src/lib/db/documentsRepo';
import { deleteProject } from '../../src/lib/db/projectsRepo';
import { addEvalSet, listEvalSets } from '../../src/lib/db/evalSetsRepo';
import { dexieRunStore, listRunSamples, listRunTasks, toSample } from '../../src/lib/db/runsRepo';
import { toTaskRows } from '../../src/lib/db/runTasks';
import { mixSeed } from '../../src/lib/random';
import { validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe } from '../../src/lib/pipeline/run';
import type { PipelineEngines } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';

const name = `migrate-${crypto.randomUUID()}`;
afterEach(async () => {
  await Dexie.delete(name);
});

describe('store migrations (real IndexedDB)', () => {
  it('upgrades version 1 data to version 2: seeds get an order and tags, nothing is lost', async () => {
    // A browser that last ran a build with schema version 1.
    const v1 = new Dexie(name);
    declareSchema(v1, 1);
    await v1.open();
    expect(v1.verno).toBe(1);
    await v1.table('projects').bulkAdd([
      { id: 'p1', name: 'A', createdAt: 1, updatedAt: 1 },
      { id: 'p2', name: 'B', createdAt: 2, updatedAt: 2 },
    ]);
    const base = { input: '', output: 'o', system: '', hash: 'h', source: { file: 'f', line: 1, format: 'jsonl' }, updatedAt: 0 };
    await v1.table('seeds').bulkAdd([
      { ...base, id: 's3', projectId: 'p1', instruction: 'third', createdAt: 30 },
      { ...base, id: 's1', projectId: 'p1', instruction: 'first', createdAt: 10 },
      { ...base, id: 's2', projectId: 'p1', instruction: 'second', createdAt: 20 },
      { ...base, id: 't1', projectId: 'p2', instruction: 'other', createdAt: 5 },
    ]);
    v1.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    const p1 = await listSeeds(db, 'p1');
    expect(p1.map((s) => [s.instruction, s.order])).toEqual([
      ['first', 0],
      ['second', 1],
      ['third', 2],
    ]);
    expect((await listSeeds(db, 'p2')).map((s) => s.order)).toEqual([0]);
    for (const s of p1) expect(s.tags).toEqual([]);
    // The new multi-entry index works on upgraded rows.
    await db.seeds.update('s2', { tags: ['law'] });
    expect((await db.seeds.where('tags').equals('law').toArray()).map((s) => s.id)).toEqual(['s2']);
    expect(await db.projects.count()).toBe(2);
    db.close();
  });

  it('upgrades version 5 data to version 6: the document tables appear empty, everything else is as it was', async () => {
    // A browser that last ran the build before documents (schema version 5), with a project,
    // seeds and samples.
    const v5 = new Dexie(name);
    declareSchema(v5, 5);
    await v5.open();
    expect(v5.verno).toBe(5);
    expect(v5.tables.map((t) => t.name)).not.toContain('documents');
    const project = { id: 'p1', name: '诊所', createdAt: 1, updatedAt: 1 };
    await v5.table('projects').add(project);
    const seed = { id: 's1', projectId: 'p1', order: 0, tags: ['law'], instruction: 'i', input: '', output: 'o', system: '', hash: 'h', source: { file: 'f', line: 1, format: 'jsonl' }, createdAt: 1, updatedAt: 1 };
    await v5.table('seeds').add(seed);
    const sample = { id: 'r1:0', projectId: 'p1', runId: 'r1', seedId: 's1', parentId: null, operation: 'respond', round: 0, persona: null, instruction: 'i', input: '', output: 'o', status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, lineage: {}, createdAt: 1, updatedAt: 1 };
    await v5.table('samples').add(sample);
    v5.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    expect(await db.projects.get('p1')).toEqual(project);
    expect(await listSeeds(db, 'p1')).toEqual([seed]);
    expect(await db.samples.where('[projectId+status]').equals(['p1', 'accepted']).toArray()).toEqual([sample]);
    expect(await listDocuments(db, 'p1')).toEqual([]);
    // The new tables and their indexes work on the upgraded store.
    const text = '# 范围\n\n本指南适用于成人。';
    const { document } = await addDocument(
      db,
      'p1',
      { name: 'g.md', type: 'markdown', bytes: 30, sha256: 'cd'.repeat(32), pages: null, title: '范围', text, blocks: [], outline: [], pageStarts: [], status: 'ready', error: null },
      [{ text: '本指南适用于成人。', headingPath: ['范围'], pages: null, span: [6, text.length], tokens: 9, label: '范围' }],
      new Blob([text]),
    );
    expect((await listChunks(db, document.id)).map((c) => c.text)).toEqual(['本指南适用于成人。']);
    expect(await db.chunks.where('[projectId+label]').equals(['p1', '范围']).count()).toBe(1);
    await deleteProject(db, 'p1');
    expect([await db.documents.count(), await db.chunks.count(), await db.documentFiles.count(), await db.seeds.count()]).toEqual([0, 0, 0, 0]);
    db.close();
  });

  it('upgrades version 6 data to version 7: chunks stored before are counted on the new excluded index, nothing else changes', async () => {
    const v6 = new Dexie(name);
    declareSchema(v6, 6);
    await v6.open();
    expect(v6.verno).toBe(6);
    await v6.table('projects').add({ id: 'p1', name: 'Docs', createdAt: 1, updatedAt: 1 });
    const text = 'one two three four';
    const document = { id: 'd1', projectId: 'p1', name: 'g.md', type: 'markdown', bytes: 18, sha256: 'ab'.repeat(32), pages: null, title: 'g', text, blocks: [], outline: [], pageStarts: [], status: 'ready', error: null, createdAt: 1, updatedAt: 1 };
    await v6.table('documents').add(document);
    const chunk = (index: number, excluded?: string) => ({ id: `c${index}`, projectId: 'p1', documentId: 'd1', index, text: 'x', headingPath: [], pages: null, span: [0, 1], tokens: 1, ...(excluded ? { excluded } : {}) });
    const rows = [chunk(0), chunk(1, 'duplicate'), chunk(2), chunk(3, 'boilerplate'), chunk(4, 'user')];
    await v6.table('chunks').bulkAdd(rows);
    v6.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    expect(await db.documents.get('d1')).toEqual(document);
    expect(await listChunks(db, 'd1')).toEqual(rows);
    expect(await countDocumentChunks(db, 'd1')).toEqual({ chunks: 5, excluded: 3 });
    expect(await listDocumentIds(db, 'p1')).toEqual(['d1']);
    await updateChunks(db, ['c0'], { excluded: 'user' });
    await updateChunks(db, ['c1'], { excluded: null });
    expect(await countDocumentChunks(db, 'd1')).toEqual({ chunks: 5, excluded: 3 });
    await updateChunks(db, ['c3', 'c4'], { excluded: null });
    expect(await countDocumentChunks(db, 'd1')).toEqual({ chunks: 5, excluded: 1 });
    db.close();
  });

  it('upgrades version 7 data to version 8: the eval-set table appears empty, samples and projects read as before (no contamination mark)', async () => {
    const v7 = new Dexie(name);
    declareSchema(v7, 7);
    await v7.open();
    expect(v7.verno).toBe(7);
    const project = { id: 'p1', name: 'Bench', createdAt: 1, updatedAt: 1 };
    const sample = { id: 'r:0.0', projectId: 'p1', runId: 'r', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null, instruction: 'Q', input: '', output: 'A', status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, lineage: {}, createdAt: 1, updatedAt: 1 };
    await v7.table('projects').add(project);
    await v7.table('samples').add(sample);
    v7.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    expect(await db.projects.get('p1')).toEqual(project);
    expect(await db.samples.get('r:0.0')).toEqual(sample);
    expect(await listEvalSets(db, 'p1')).toEqual([]);
    const added = await addEvalSet(db, 'p1', { name: 'e.jsonl', shape: 'text', count: 1, bytes: 2, sha256: 'cd'.repeat(32), items: [{ text: 'Q' }] });
    expect(await listEvalSets(db, 'p1')).toEqual([added.set]);
    expect((await addEvalSet(db, 'p1', { name: 'renamed.jsonl', shape: 'text', count: 1, bytes: 2, sha256: 'cd'.repeat(32), items: [{ text: 'Q' }] })).existing).toBe(true);
    db.close();
  });

  it('upgrades version 8 runs to version 9: completed and pool move into runTasks rows, and the resumed run gives the items of an uninterrupted one', async () => {
    // A Self-Instruct run (the one recipe with a pool), stopped after its first two batches.
    const SEED = 7;
    const SEEDS = [
      { id: 's1', instruction: 'Explain how compound interest works.', input: '', output: 'Interest on interest.' },
      { id: 's2', instruction: 'Describe the water cycle for a child.', input: '', output: 'Water goes up and comes down.' },
    ];
    const instructions = ['Write a limerick about a cat.', 'List three uses of vinegar.', 'Explain why the sky is blue.', 'Translate good morning into French.', 'Summarise the plot of Hamlet.', 'Give a recipe for pancakes.', 'Name five prime numbers.', 'Describe a sunset over the sea.'];
    const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';
    const taskOf = new Map(instructions.map((_, t) => [mixSeed(SEED, t, 0), t]));
    const engines = (stopAt?: { task: number; ctl: AbortController }): PipelineEngines => {
      const gen = new ScriptedEngine([
        { match: /Come up with a series of tasks/, reply: (_p, _n, seed) => instructions[taskOf.get(seed)!]! },
        { match: /write one example of an input/, reply: 'Input: <noinput>\nOutput: ' + LONG },
      ]);
      if (stopAt) {
        const chat = gen.chat.bind(gen);
        gen.chat = async function* (req, signal) {
          // The first call of task `stopAt.task` pauses the run: it and every later task stay uncommitted.
          if (req.seed === mixSeed(SEED, stopAt.task, 0)) {
            stopAt.ctl.abort();
            throw Object.assign(new Error('aborted'), { name: 'AbortedError' });
          }
          yield* chat(req, signal);
        };
      }
      return { generator: gen, responder: gen, judge: gen };
    };
    const v = validateRecipe({ version: 1, name: 'si', seed: SEED, steps: [{ op: 'selfInstruct', count: instructions.length, humanShots: 2, machineShots: 2 }, { op: 'filter' }] });
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const recipe = v.recipe;
    const whole = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe, seeds: SEEDS, engines: engines(), store: whole, concurrency: 2 });
    const partial = new MemoryRunStore();
    const ctl = new AbortController();
    await runRecipe({ runId: 'r', recipe, seeds: SEEDS, engines: engines({ task: 4, ctl }), store: partial, concurrency: 2, signal: ctl.signal });
    expect([...partial.completed].sort()).toEqual([0, 1, 2, 3]);
    expect(partial.pool.length).toBeGreaterThan(0);

    // What a version-8 build stored for it: the lists in the run row.
    const v8 = new Dexie(name);
    declareSchema(v8, 8);
    await v8.open();
    expect(v8.verno).toBe(8);
    await v8.table('projects').add({ id: 'p1', name: 'SI', createdAt: 1, updatedAt: 1 });
    const fixed = { id: 'r', projectId: 'p1', name: 'si', status: 'paused', recipe, roles: {}, models: {}, seedCount: SEEDS.length, concurrency: 2, counts: partial.counts, error: null, createdAt: 1, updatedAt: 1 };
    await v8.table('runs').bulkAdd([
      { ...fixed, completed: [...partial.completed], pool: partial.pool },
      // A run with no task done, and one whose row misses the lists altogether (written by hand or by a broken build).
      { ...fixed, id: 'r-empty', completed: [], pool: [] },
      { ...fixed, id: 'r-bare' },
    ]);
    await v8.table('runSeeds').add({ runId: 'r', seeds: SEEDS });
    await v8.table('samples').bulkAdd(partial.samples.map((d) => toSample('r', 'p1', d, 1)));
    v8.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    expect(await db.runs.get('r')).toEqual(fixed);
    expect(await db.runs.get('r-empty')).toEqual({ ...fixed, id: 'r-empty' });
    expect(await listRunTasks(db, 'r')).toEqual(toTaskRows('r', { completed: [0, 1, 2, 3], pool: partial.pool }));
    expect((await listRunTasks(db, 'r')).flatMap((row) => row.pool ?? [])).toEqual(partial.pool.map((p) => p.text));
    expect(await db.runTasks.where('runId').anyOf('r-empty', 'r-bare').count()).toBe(0);

    const store = dexieRunStore(db);
    const progress = await store.progress('r');
    expect([...progress.completed].sort()).toEqual([0, 1, 2, 3]);
    expect(progress.pool).toEqual(partial.pool);
    // Resumed on the upgraded store: the same items as the run that was never stopped.
    await runRecipe({ runId: 'r', recipe, seeds: SEEDS, engines: engines(), store, concurrency: 2 });
    const item = (s: { id: string; status: string; rejectReason: string | null; instruction: string; output: string }) => JSON.stringify([s.id, s.status, s.rejectReason, s.instruction, s.output]);
    expect((await listRunSamples(db, 'r')).map(item).sort()).toEqual(whole.samples.map((d) => item(toSample('r', 'p1', d, 0))).sort());
    const done = await store.progress('r');
    expect(done.completed.size).toBe(instructions.length);
    expect(done.pool).toEqual(whole.pool);
    expect(done.counts.accepted).toBe(whole.counts.accepted);
    db.close();
  });
});
