import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { datasetSource } from '../../src/lib/db/datasetSource';
import { createProject, deleteProject } from '../../src/lib/db/projectsRepo';
import { createRun, deleteRun, dexieRunStore, getRun, listRunSamples, listRunTasks, restoreRun, takeRun } from '../../src/lib/db/runsRepo';
import type { Run } from '../../src/lib/db/types';
import { restoreBackupFile, writeBackup } from '../../src/lib/io/export/projectBackup';
import { BlobSink } from '../../src/lib/io/export/sink';
import { newCandidate, type TaskDelta } from '../../src/lib/pipeline/types';
import { freshDb } from './freshDb';

/** A task's delta: one accepted sample, and the Self-Instruct instructions it adds to the pool. */
function delta(t: number, pool: string[] = []): TaskDelta {
  const sample = { ...newCandidate(`${t}.0`, { instruction: `Question ${t}?`, output: `Answer ${t}.`, operation: 'respond' }), status: 'accepted' as const, rejectReason: null, taskIndex: t };
  return { samples: [sample], pool, calls: 1, promptTokens: 10, completionTokens: 20, modelMs: 5 };
}

async function newRun(db: AppDb, total = 1000): Promise<Run> {
  const project = await createProject(db, 'Runs');
  return createRun(db, {
    projectId: project.id,
    name: 'r',
    recipe: { version: 1, name: 'r', seed: 1, language: 'auto', steps: [{ op: 'respond' }] },
    roles: { generator: null, responder: { kind: 'wllama', file: 'tiny' }, judge: null },
    models: { responder: 'wllama:tiny' },
    concurrency: 4,
    total,
    seeds: [{ id: 's1', instruction: 'Seed?', input: '', output: 'Yes.' }],
  });
}

/** The bytes a run row takes as JSON: what IndexedDB rewrites on every commit. */
const rowBytes = async (db: AppDb, id: string) => new TextEncoder().encode(JSON.stringify(await db.runs.get(id))).length;

describe('run progress as task rows (schema 9, real IndexedDB)', () => {
  it('commits a task as its samples, one task row and the counts; a second commit of it changes nothing', async () => {
    const db = await freshDb('run-tasks');
    const run = await newRun(db);
    const store = dexieRunStore(db);
    await store.commitTask(run.id, 5, delta(5, ['Write a haiku.']));
    await store.commitTask(run.id, 2, delta(2));
    await store.commitTask(run.id, 5, delta(5, ['Another instruction.']));
    expect(await listRunTasks(db, run.id)).toEqual([
      { runId: run.id, task: 2 },
      { runId: run.id, task: 5, pool: ['Write a haiku.'] },
    ]);
    expect((await listRunSamples(db, run.id)).map((s) => s.id).sort()).toEqual([`${run.id}:2.0`, `${run.id}:5.0`]);
    const progress = await store.progress(run.id);
    expect([...progress.completed].sort((a, b) => a - b)).toEqual([2, 5]);
    expect(progress.pool).toEqual([{ task: 5, text: 'Write a haiku.' }]);
    expect(progress.counts).toMatchObject({ done: 2, accepted: 2, calls: 2 });
    const row = (await getRun(db, run.id))!;
    expect(row).not.toHaveProperty('completed');
    expect(row).not.toHaveProperty('pool');
  });

  it('keeps the run row the same size however many tasks are committed (the bytes a commit rewrites are flat)', async () => {
    const db = await freshDb('run-tasks-flat');
    const run = await newRun(db, 2000);
    const store = dexieRunStore(db);
    await store.commitTask(run.id, 0, delta(0, ['first']));
    const after1 = await rowBytes(db, run.id);
    for (let t = 1; t < 500; t++) await store.commitTask(run.id, t, delta(t, [`instruction ${t}`]));
    const after500 = await rowBytes(db, run.id);
    // Only the counts' digits grow (done, calls, tokens: a few bytes each); before schema 9 the row
    // grew by every task index and pool text (~25 bytes per task here: ~12 kB at 500 tasks).
    expect(after500 - after1).toBeLessThan(40);
    expect((await store.progress(run.id)).completed.size).toBe(500);
    expect((await store.progress(run.id)).pool).toHaveLength(500);
  }, 120_000);

  it('refuses a commit to a missing run and writes nothing', async () => {
    const db = await freshDb('run-tasks-missing');
    await expect(dexieRunStore(db).commitTask('nope', 0, delta(0, ['x']))).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await db.runTasks.count()).toBe(0);
    expect(await db.samples.count()).toBe(0);
  });

  it('deletes, takes and restores a run with its task rows; deleting the project removes them', async () => {
    const db = await freshDb('run-tasks-undo');
    const run = await newRun(db);
    const store = dexieRunStore(db);
    for (const t of [0, 1, 2]) await store.commitTask(run.id, t, delta(t, t === 1 ? ['pooled'] : []));
    const before = await listRunTasks(db, run.id);

    const taken = (await takeRun(db, run.id))!;
    expect(taken.tasks).toEqual(before);
    expect(await db.runTasks.count()).toBe(0);
    await restoreRun(db, taken);
    expect(await listRunTasks(db, run.id)).toEqual(before);
    expect((await store.progress(run.id)).pool).toEqual([{ task: 1, text: 'pooled' }]);

    await deleteRun(db, run.id);
    expect(await db.runTasks.count()).toBe(0);
    expect(await db.runs.count()).toBe(0);

    const other = await newRun(db);
    await store.commitTask(other.id, 0, delta(0));
    await deleteProject(db, other.projectId);
    expect(await db.runTasks.count()).toBe(0);
  });
});

describe('backups of runs with task rows', () => {
  it('round trip: the run line carries the tasks and pool as lists, and a restore writes them back as task rows', async () => {
    const a = await freshDb('run-tasks-backup-a');
    const run = await newRun(a);
    const store = dexieRunStore(a);
    for (const t of [3, 0, 1]) await store.commitTask(run.id, t, delta(t, t === 0 ? ['zero'] : t === 3 ? ['three', 'three again'] : []));
    const sink = new BlobSink('application/jsonl');
    await writeBackup(datasetSource(a), run.projectId, sink);
    const text = await sink.blob().text();
    const runLine = text.split('\n').map((l) => (l ? JSON.parse(l) : null)).find((l) => l?.table === 'runs');
    expect(runLine.row.completed).toEqual([0, 1, 3]);
    expect(runLine.row.pool).toEqual([
      { task: 0, text: 'zero' },
      { task: 3, text: 'three' },
      { task: 3, text: 'three again' },
    ]);

    const b = await freshDb('run-tasks-backup-b');
    await restoreBackupFile(datasetSource(b), new Blob([text]));
    expect(await listRunTasks(b, run.id)).toEqual(await listRunTasks(a, run.id));
    expect(await b.runs.get(run.id)).toEqual(await a.runs.get(run.id));
    expect(await b.runs.get(run.id)).not.toHaveProperty('completed');
    const resumed = await dexieRunStore(b).progress(run.id);
    expect([...resumed.completed].sort((x, y) => x - y)).toEqual([0, 1, 3]);
  });

  it('restores a backup written before schema 9 (or by the command line): the run line\'s completed and pool become task rows', async () => {
    // The layout every Seedforge has written, the command line's `seedforge backup` included.
    const P = 'p-old';
    const run = {
      id: 'r-old', projectId: P, name: 'Old run', status: 'paused', recipe: { version: 1, name: 'si', seed: 3, language: 'auto', steps: [{ op: 'selfInstruct', count: 8 }] },
      roles: { generator: null, responder: null, judge: null }, models: {}, seedCount: 1, concurrency: 2,
      completed: [0, 1, 2, 3], pool: [{ task: 0, text: 'Name three rivers.' }, { task: 2, text: 'Sort these numbers.' }],
      counts: { done: 4, total: 8, accepted: 2, rejected: 2, reasons: {}, perOperation: {}, calls: 8, promptTokens: 0, completionTokens: 0, modelMs: 0, wallMs: 0 }, error: null, createdAt: 1, updatedAt: 2,
    };
    const lines = [
      { format: 'seedforge-backup', version: 2, createdAt: 1, project: { id: P, name: 'Old', createdAt: 1, updatedAt: 1 } },
      { table: 'runs', row: run },
      { table: 'runSeeds', row: { runId: 'r-old', seeds: [{ id: 's', instruction: 'Seed?', input: '', output: 'Yes.' }] } },
      { end: true, counts: { recipes: 0, endpoints: 0, runs: 1, runSeeds: 1, seeds: 0, samples: 0, documents: 0, chunks: 0 } },
    ];
    const db = await freshDb('run-tasks-old-backup');
    await restoreBackupFile(datasetSource(db), new Blob([lines.map((l) => JSON.stringify(l)).join('\n') + '\n']));
    expect(await listRunTasks(db, 'r-old')).toEqual([
      { runId: 'r-old', task: 0, pool: ['Name three rivers.'] },
      { runId: 'r-old', task: 1 },
      { runId: 'r-old', task: 2, pool: ['Sort these numbers.'] },
      { runId: 'r-old', task: 3 },
    ]);
    const { completed: _c, pool: _p, ...row } = run;
    expect(await db.runs.get('r-old')).toEqual(row);
    const progress = await dexieRunStore(db).progress('r-old');
    expect([...progress.completed].sort()).toEqual([0, 1, 2, 3]);
    expect(progress.pool).toEqual(run.pool);
    expect(progress.counts).toEqual(run.counts);
  });
});
