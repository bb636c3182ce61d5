import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SeedDraft } from '../../src/lib/db/types';
import { PRESETS, validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe } from '../../src/lib/pipeline/run';
import { emptyCounts, type RunCounts, type SampleDraft, type TaskDelta } from '../../src/lib/pipeline/types';
import { SCHEMA_VERSION } from '../../src/cli/store/schema';
import { openStore, STORE_FILE, type Store } from '../../src/cli/store/store';
import { ScriptedEngine } from '../support/scriptedEngine';

let dir: string;
let store: Store | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seedforge-store-'));
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function draft(i: number, hash = `h${i}`): SeedDraft {
  return { instruction: `Task ${i}`, input: '', output: `Answer ${i}`, system: '', tags: [], hash, source: { file: 'seeds.jsonl', line: i + 1, format: 'jsonl' } };
}

function sample(taskIndex: number, key: string, status: 'accepted' | 'rejected' = 'accepted'): SampleDraft {
  return {
    key,
    instruction: `Instruction ${key}`,
    input: '',
    output: `Output ${key}`,
    seedId: 's1',
    parentKey: key.split('.').length > 2 ? key.slice(0, key.lastIndexOf('.')) : null,
    operation: 'respond',
    round: 0,
    persona: null,
    score: status === 'accepted' ? 5 : 1,
    verdict: null,
    outputFrom: 'responder',
    calls: [],
    revisedFrom: null,
    source: null,
    notes: { n: taskIndex },
    status,
    rejectReason: status === 'rejected' ? 'judge:low' : null,
    taskIndex,
  };
}

function delta(samples: SampleDraft[], pool: string[] = []): TaskDelta {
  return { samples, pool, calls: samples.length, promptTokens: 10, completionTokens: 20, modelMs: 5 };
}

function newRun(s: Store, total = 4) {
  const p = s.createProject('Demo');
  const run = s.createRun({ projectId: p.id, name: 'r', recipe: { version: 1, name: 'x', steps: [] }, roles: {}, models: { generator: 'm' }, concurrency: 2, total, seeds: [{ id: 's1', instruction: 'I', input: '', output: 'O' }] });
  return { p, run };
}

describe('opening a store', () => {
  it('creates the schema on first open, records its version, and reopens with the rows kept', () => {
    store = openStore(join(dir, 'nested', 'store'));
    const p = store.createProject('  Demo ');
    expect(p.name).toBe('Demo');
    store.close();
    const raw = new Database(join(dir, 'nested', 'store', STORE_FILE), { readonly: true });
    expect(raw.prepare(`SELECT value FROM meta WHERE key = 'schemaVersion'`).pluck().get()).toBe(String(SCHEMA_VERSION));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    store = openStore(join(dir, 'nested', 'store'));
    expect(store.project(p.id)).toEqual(p);
    expect(store.listProjects()).toEqual([p]);
    expect(store.project('nope')).toBeUndefined();
  });

  it('refuses a file written by a newer schema, a file that is no store, and a directory that is a file — naming the path', () => {
    store = openStore(dir);
    store.close();
    const raw = new Database(join(dir, STORE_FILE));
    raw.prepare(`UPDATE meta SET value = ? WHERE key = 'schemaVersion'`).run(String(SCHEMA_VERSION + 1));
    raw.close();
    expect(() => openStore(dir)).toThrow(expect.objectContaining({ name: 'StoreError', path: join(dir, STORE_FILE), message: expect.stringMatching(/newer.*update Seedforge/) }));

    const junk = join(dir, 'junk');
    writeFileSync(join(dir, 'plain'), 'x');
    expect(() => openStore(join(dir, 'plain'))).toThrow(expect.objectContaining({ name: 'StoreError' }));
    // A file named like the store that is not SQLite.
    openStore(junk).close();
    writeFileSync(join(junk, STORE_FILE), 'this is not a database, just text that is long enough to be a header of sorts');
    rmSync(join(junk, `${STORE_FILE}-wal`), { force: true });
    rmSync(join(junk, `${STORE_FILE}-shm`), { force: true });
    expect(() => openStore(junk)).toThrow(expect.objectContaining({ name: 'StoreError', path: join(junk, STORE_FILE) }));
  });
});

describe('seeds', () => {
  it('adds drafts in import order after the last seed, flagging exact duplicates as the importer does', () => {
    store = openStore(dir);
    const p = store.createProject('Demo');
    const first = store.addSeeds(p.id, [draft(0), draft(1)]);
    expect(first).toMatchObject({ duplicateInImport: 0, duplicateExisting: 0, skipped: 0 });
    expect(first.seeds.map((s) => s.order)).toEqual([0, 1]);
    const second = store.addSeeds(p.id, [draft(2), draft(3, 'h2'), draft(4, 'h0')]);
    expect(second).toMatchObject({ duplicateInImport: 1, duplicateExisting: 1, skipped: 0 });
    expect(second.seeds.map((s) => s.order)).toEqual([2, 3, 4]);
    const third = store.addSeeds(p.id, [draft(5), draft(6, 'h5'), draft(7, 'h1')], { skipDuplicates: true });
    expect(third).toMatchObject({ duplicateInImport: 1, duplicateExisting: 1, skipped: 2 });
    expect(store.listSeeds(p.id).map((s) => s.instruction)).toEqual(['Task 0', 'Task 1', 'Task 2', 'Task 3', 'Task 4', 'Task 5']);
    expect(store.listSeeds(p.id)[0]).toEqual(first.seeds[0]);
    expect(store.seedHashes(p.id)).toEqual(new Set(['h0', 'h1', 'h2', 'h5']));
    expect(store.countSeeds(p.id)).toBe(6);
  });

  it('writes nothing for a project that does not exist', () => {
    store = openStore(dir);
    expect(() => store!.addSeeds('missing', [draft(0)])).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    expect(store.countSeeds('missing')).toBe(0);
  });
});

describe('runs', () => {
  it('creates a paused run with its snapshot, as the app does', () => {
    store = openStore(dir);
    const p = store.createProject('Demo');
    const chunks = [{ id: 'c1', documentId: 'd1', index: 0, text: 'chunk text' }] as never;
    const run = store.createRun({ projectId: p.id, name: 'r', recipe: { version: 1, name: 'x', steps: [] }, roles: { generator: { kind: 'remote', endpointId: 'openai' } }, models: { generator: 'm' }, concurrency: 3, total: 7, seeds: [{ id: 's1', instruction: 'I', input: '', output: 'O' }], chunks });
    expect(run).toMatchObject({ status: 'paused', seedCount: 1, error: null, concurrency: 3 });
    // The tasks and pool are rows of their own (runTasks, runPool), as the app's are since its schema version 9.
    expect(run).not.toHaveProperty('completed');
    expect(run.counts).toEqual(emptyCounts(7));
    expect(store.getRun(run.id)).toEqual(run);
    expect(store.listRuns(p.id)).toEqual([run]);
    expect(store.getRunSeeds(run.id)).toEqual([{ id: 's1', instruction: 'I', input: '', output: 'O' }]);
    expect(store.getRunChunks(run.id)).toEqual(chunks);
    expect(() => store!.getRunSeeds('nope')).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    expect(() => store!.createRun({ ...run, projectId: 'nope', total: 1, seeds: [] })).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
  });

  it('reads the snapshot’s seeds in pages, in order, and the chunks without them', async () => {
    store = openStore(dir);
    const p = store.createProject('Demo');
    const seeds = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, instruction: `I ${i} "quoted" 中文`, input: '', output: `O ${i}` }));
    const run = store.createRun({ projectId: p.id, name: 'r', recipe: { version: 1, name: 'r', steps: [] }, roles: {}, models: {}, concurrency: 1, total: 10, seeds });
    const pages = store.runSeedPages(run.id);
    expect(pages.count).toBe(10);
    expect(await pages.read(3, 7)).toEqual(seeds.slice(3, 7));
    expect(await pages.read(8, 20)).toEqual(seeds.slice(8));
    expect(await pages.read(0, 10)).toEqual(seeds);
    expect(store.getRunChunks(run.id)).toEqual([]);
    expect(() => store!.runSeedPages('nope')).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    expect(() => store!.getRunChunks('nope')).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
  });

  it('sets the status, adds wall time, keeps an error only while failed', () => {
    store = openStore(dir);
    const { run } = newRun(store);
    store.setRunStatus(run.id, 'running');
    store.setRunStatus(run.id, 'failed', { error: 'boom', wallMs: 100 });
    expect(store.getRun(run.id)).toMatchObject({ status: 'failed', error: 'boom', counts: { wallMs: 100 } });
    store.setRunStatus(run.id, 'failed', { wallMs: 50 });
    expect(store.getRun(run.id)).toMatchObject({ status: 'failed', error: 'boom', counts: { wallMs: 150 } });
    store.setRunStatus(run.id, 'paused');
    expect(store.getRun(run.id)).toMatchObject({ status: 'paused', error: null });
  });
});

describe('the RunStore', () => {
  it('commits a task once: samples with the app ids and lineage, the task and the counts together', async () => {
    store = openStore(dir);
    const { p, run } = newRun(store);
    const rs = store.runStore();
    await rs.commitTask(run.id, 2, delta([sample(2, '2.0'), sample(2, '2.0.1', 'rejected')], ['kept instruction']));
    await rs.commitTask(run.id, 2, delta([sample(2, '2.9')], ['other']));
    const samples = store.listRunSamples(run.id);
    expect(samples.map((s) => s.id)).toEqual([`${run.id}:2.0`, `${run.id}:2.0.1`]);
    expect(samples[1]).toMatchObject({ projectId: p.id, runId: run.id, parentId: `${run.id}:2.0`, status: 'rejected', rejectReason: 'judge:low', duplicateOf: null, lineage: { taskIndex: 2, outputFrom: 'responder', notes: { n: 2 } } });
    const prog = await rs.progress(run.id);
    expect([...prog.completed]).toEqual([2]);
    expect(prog.pool).toEqual([{ task: 2, text: 'kept instruction' }]);
    expect(prog.counts).toMatchObject({ done: 1, total: 4, accepted: 1, rejected: 1, reasons: { 'judge:low': 1 }, calls: 2 });
    expect(store.runStatusSummary(run.id)).toMatchObject({ completedTasks: 1, samples: { accepted: 1, rejected: 1, pending: 0 }, counts: { done: 1 } });
  });

  it('writes nothing when the transaction fails (two samples with one id), then commits the task when retried', async () => {
    store = openStore(dir);
    const { run } = newRun(store);
    const rs = store.runStore();
    await rs.commitTask(run.id, 0, delta([sample(0, '0.0')]));
    const before = await rs.progress(run.id);
    const err = await rs.commitTask(run.id, 1, delta([sample(1, '1.0'), sample(1, '1.0')], ['p'])).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StoreError', code: 'SQLITE_CONSTRAINT_PRIMARYKEY', path: store.path });
    expect(await rs.progress(run.id)).toEqual(before);
    expect(store.listRunSamples(run.id)).toHaveLength(1);
    await rs.commitTask(run.id, 1, delta([sample(1, '1.0')], ['p']));
    expect((await rs.progress(run.id)).counts.done).toBe(2);
    await expect(rs.commitTask('nope', 0, delta([]))).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('gives the same progress after a reopen, the pool in task order (as the app gives it)', async () => {
    store = openStore(dir);
    const { run } = newRun(store, 10);
    const rs = store.runStore();
    for (const t of [3, 0, 7]) await rs.commitTask(run.id, t, delta([sample(t, `${t}.0`)], [`from ${t}`]));
    await rs.setStatus(run.id, 'paused', { wallMs: 42 });
    const before = await rs.progress(run.id);
    store.close();
    store = openStore(dir);
    const after = await store.runStore().progress(run.id);
    expect(after).toEqual(before);
    expect([...after.completed].sort((a, b) => a - b)).toEqual([0, 3, 7]);
    expect(after.pool.map((x) => x.task)).toEqual([0, 3, 7]);
    expect(after.counts).toMatchObject({ done: 3, wallMs: 42 });
    expect(await store.datasetSource().get('runs', run.id)).toMatchObject({ status: 'paused', completed: [0, 3, 7], pool: before.pool });
  });

  it('runs a recipe through the shared pipeline, and a resume after reopening does nothing more', async () => {
    store = openStore(dir);
    const p = store.createProject('Demo');
    const { seeds } = store.addSeeds(p.id, Array.from({ length: 6 }, (_, i) => draft(i)));
    const v = validateRecipe({ ...PRESETS.answerJudge!, maxSeeds: 6 });
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const refs = seeds.map((s) => ({ id: s.id, instruction: s.instruction, input: s.input, output: s.output }));
    const run = store.createRun({ projectId: p.id, name: 'aj', recipe: v.recipe, roles: {}, models: {}, concurrency: 3, total: 6, seeds: refs });
    const gen = new ScriptedEngine([{ match: /grader|评分员/, reply: '{"score": 5, "reason": "fine"}' }], 'gen', 'A complete, careful and correct answer that is long enough to pass every length filter of the recipe.');
    const engines = { generator: gen, responder: gen, judge: gen };
    const counts: RunCounts = await runRecipe({ runId: run.id, recipe: v.recipe, seeds: store.getRunSeeds(run.id), engines, store: store.runStore(), concurrency: 3 });
    expect(counts.done).toBe(6);
    const calls = gen.calls.length;
    store.close();
    store = openStore(dir);
    const again = await runRecipe({ runId: run.id, recipe: v.recipe, seeds: store.getRunSeeds(run.id), engines, store: store.runStore(), concurrency: 3 });
    expect(gen.calls.length).toBe(calls);
    expect(again).toMatchObject({ done: 6, accepted: counts.accepted, rejected: counts.rejected });
    const summary = store.runStatusSummary(run.id);
    expect(summary.completedTasks).toBe(6);
    expect(summary.samples.accepted + summary.samples.rejected).toBe(counts.accepted + counts.rejected);
    expect(store.listRunSamples(run.id).every((s) => s.id.startsWith(`${run.id}:`) && s.seedId && refs.some((r) => r.id === s.seedId))).toBe(true);
  });
});

describe('the cache', () => {
  it('keeps JSON values per namespace and key, replaced on put, across reopening', () => {
    store = openStore(dir);
    expect(store.cacheGet('batch', 'k')).toBeUndefined();
    store.cachePut('batch', 'k', { id: 'batch_1', n: 2 });
    store.cachePut('other', 'k', 'x');
    store.cachePut('batch', 'k', { id: 'batch_2', n: 3 });
    store.close();
    store = openStore(dir);
    expect(store.cacheGet('batch', 'k')).toEqual({ id: 'batch_2', n: 3 });
    expect(store.cacheGet('other', 'k')).toBe('x');
    store.cacheDelete('batch', 'k');
    expect(store.cacheGet('batch', 'k')).toBeUndefined();
    expect(() => store!.cachePut('batch', 'f', undefined)).toThrow(TypeError);
    // A namespace as a map (the batch engine's ledger): its keys are the cache's.
    const ledger = store.cacheOf<{ batchId: string }>('ledger');
    ledger.put('req-1', { batchId: 'b1' });
    expect(ledger.get('req-1')).toEqual({ batchId: 'b1' });
    expect(store.cacheGet('ledger', 'req-1')).toEqual({ batchId: 'b1' });
    expect(ledger.get('req-2')).toBeUndefined();
  });
});
