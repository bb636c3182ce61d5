import Dexie from 'dexie';
import type { AppDb } from './db';
import { newId } from './db';
import type { ChunkRef } from '../documents/types';
import { toTaskLists } from './runTasks';
import type { Run, RunSeeds, RunStatus, RunTaskRow, RunWithTasks, Sample } from './types';
import type { PreferencePair } from '../preference/types';
import type { BudgetCaps, RunBudget } from '../pipeline/budget';
import { addTask, emptyCounts, type RunStore, type SampleDraft, type TaskDelta } from '../pipeline/types';

/** The only code that writes runs and generated samples. */

export async function createRun(
  db: AppDb,
  r: Omit<Run, 'id' | 'status' | 'counts' | 'error' | 'createdAt' | 'updatedAt' | 'seedCount'> & { total: number; seeds: RunSeeds['seeds']; chunks?: ChunkRef[] },
): Promise<Run> {
  const now = Date.now();
  const { total, seeds, chunks, ...rest } = r;
  const run: Run = { ...rest, id: newId(), status: 'paused', seedCount: seeds.length, counts: emptyCounts(total), error: null, createdAt: now, updatedAt: now };
  await db.transaction('rw', db.runs, db.runSeeds, async () => {
    await db.runs.add(run);
    // A document recipe's chunks are snapshotted with the seeds: a resumed run grounds on the same text.
    await db.runSeeds.add({ runId: run.id, seeds, ...(chunks ? { chunks } : {}) });
  });
  return run;
}

/** @throws NotFoundError when the snapshot is missing: resuming without it would change the items. */
export async function getRunSeeds(db: AppDb, runId: string): Promise<RunSeeds['seeds']> {
  const row = await db.runSeeds.get(runId);
  if (!row) throw Object.assign(new Error(`the seed snapshot of run ${runId} is missing`), { name: 'NotFoundError' });
  return row.seeds;
}

/**
 * The chunks a document run was created with (empty for a seed run).
 * @throws NotFoundError when the snapshot is missing.
 */
export async function getRunChunks(db: AppDb, runId: string): Promise<ChunkRef[]> {
  const row = await db.runSeeds.get(runId);
  if (!row) throw Object.assign(new Error(`the seed snapshot of run ${runId} is missing`), { name: 'NotFoundError' });
  return row.chunks ?? [];
}

export async function getRun(db: AppDb, id: string): Promise<Run | undefined> {
  return db.runs.get(id);
}

export async function listRuns(db: AppDb, projectId: string): Promise<Run[]> {
  return (await db.runs.where('projectId').equals(projectId).toArray()).sort((a, b) => b.createdAt - a.createdAt);
}

export async function listRunSamples(db: AppDb, runId: string): Promise<Sample[]> {
  return db.samples.where('runId').equals(runId).toArray();
}

/** A run's committed tasks (its `runTasks` rows), in task order. */
export async function listRunTasks(db: AppDb, runId: string): Promise<RunTaskRow[]> {
  return db.runTasks.where('[runId+task]').between([runId, Dexie.minKey], [runId, Dexie.maxKey]).toArray();
}

/** A run with its committed tasks as lists (what a backup writes and the dataset card reads), or undefined. */
export async function getRunWithTasks(db: AppDb, id: string): Promise<RunWithTasks | undefined> {
  return db.transaction('r', db.runs, db.runTasks, async () => {
    const run = await db.runs.get(id);
    return run ? { ...run, ...toTaskLists(await listRunTasks(db, id)) } : undefined;
  });
}

/** The project's runs with their committed tasks, newest first (the dataset card's runs). */
export async function listRunsWithTasks(db: AppDb, projectId: string): Promise<RunWithTasks[]> {
  const out: RunWithTasks[] = [];
  for (const run of await listRuns(db, projectId)) {
    const withTasks = await getRunWithTasks(db, run.id);
    if (withTasks) out.push(withTasks);
  }
  return out;
}

/** Deletes a run with its samples, seed snapshot, task rows and preference pairs, together. */
export async function deleteRun(db: AppDb, id: string): Promise<void> {
  await db.transaction('rw', [db.runs, db.samples, db.runSeeds, db.runTasks, db.pairs], async () => {
    await db.samples.where('runId').equals(id).delete();
    await db.runSeeds.delete(id);
    await db.runTasks.where('runId').equals(id).delete();
    await db.pairs.where('runId').equals(id).delete();
    await db.runs.delete(id);
  });
}

/** A deleted run as it was: what `restoreRun` puts back (Undo). */
export interface DeletedRun {
  run: Run;
  seeds: RunSeeds | undefined;
  samples: Sample[];
  tasks: RunTaskRow[];
  /** The run's preference pairs (absent in copies taken before pairs existed). */
  pairs?: PreferencePair[];
}

/**
 * Deletes a run with its samples, seed snapshot and task rows in one transaction and returns them,
 * so that the user can undo (the Run screen keeps the copy until its toast closes).
 */
export async function takeRun(db: AppDb, id: string): Promise<DeletedRun | null> {
  return db.transaction('rw', [db.runs, db.samples, db.runSeeds, db.runTasks, db.pairs], async () => {
    const run = await db.runs.get(id);
    if (!run) return null;
    const samples = await db.samples.where('runId').equals(id).toArray();
    const seeds = await db.runSeeds.get(id);
    const tasks = await listRunTasks(db, id);
    const pairs = await db.pairs.where('runId').equals(id).toArray();
    await db.samples.where('runId').equals(id).delete();
    await db.runSeeds.delete(id);
    await db.runTasks.where('runId').equals(id).delete();
    await db.pairs.where('runId').equals(id).delete();
    await db.runs.delete(id);
    return { run, seeds, samples, tasks, pairs };
  });
}

/** Puts a run taken by `takeRun` back, exactly as it was, in one transaction. */
export async function restoreRun(db: AppDb, d: DeletedRun): Promise<void> {
  await db.transaction('rw', [db.runs, db.samples, db.runSeeds, db.runTasks, db.pairs], async () => {
    await db.runs.put(d.run);
    if (d.seeds) await db.runSeeds.put(d.seeds);
    await db.samples.bulkPut(d.samples);
    await db.runTasks.bulkPut(d.tasks);
    if (d.pairs?.length) await db.pairs.bulkPut(d.pairs);
  });
}

export async function setRunStatus(db: AppDb, id: string, status: RunStatus, extra: { error?: string; wallMs?: number } = {}): Promise<void> {
  await db.transaction('rw', db.runs, async () => {
    const run = await db.runs.get(id);
    if (!run) return;
    const { counts } = run;
    await db.runs.put({
      ...run,
      status,
      error: extra.error ?? (status === 'failed' ? run.error : null),
      counts: extra.wallMs ? { ...counts, wallMs: counts.wallMs + extra.wallMs } : counts,
      updatedAt: Date.now(),
    });
  });
}

/**
 * Saves what a running run's budget has spent (while it runs: a crash then loses only what was
 * spent since). The caps are the stored ones, never the runner's copy: a cap raised meanwhile stays.
 */
export async function setRunSpent(db: AppDb, id: string, spent: RunBudget['spent']): Promise<void> {
  await db.transaction('rw', db.runs, async () => {
    const run = await db.runs.get(id);
    if (!run?.budget) return;
    await db.runs.put({ ...run, budget: { ...run.budget, spent }, updatedAt: Date.now() });
  });
}

/**
 * Sets a run's caps (Budget on the Run screen: raised to resume a run the budget paused); what it
 * has spent stays. A cap left null is no cap.
 */
export async function setRunCaps(db: AppDb, id: string, caps: BudgetCaps): Promise<void> {
  await db.transaction('rw', db.runs, async () => {
    const run = await db.runs.get(id);
    if (!run) return;
    const spent = run.budget?.spent ?? { spend: 0, tokens: 0, calls: 0 };
    await db.runs.put({ ...run, budget: { maxSpend: caps.maxSpend ?? null, maxTokens: caps.maxTokens ?? null, spent }, updatedAt: Date.now() });
  });
}

export function toSample(runId: string, projectId: string, d: SampleDraft, now: number): Sample {
  return {
    id: `${runId}:${d.key}`,
    projectId,
    runId,
    seedId: d.seedId,
    parentId: d.parentKey ? `${runId}:${d.parentKey}` : null,
    operation: d.operation,
    round: d.round,
    persona: d.persona,
    instruction: d.instruction,
    input: d.input,
    output: d.output ?? '',
    status: d.status,
    rejectReason: d.rejectReason,
    score: d.score,
    duplicateOf: null,
    ...(d.source ? { source: d.source } : {}),
    ...(d.turns ? { turns: d.turns } : {}),
    lineage: {
      taskIndex: d.taskIndex,
      outputFrom: d.outputFrom,
      verdict: d.verdict,
      revisedFrom: d.revisedFrom,
      calls: d.calls,
      notes: d.notes,
    },
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The pipeline's RunStore over IndexedDB: a task's samples, its `runTasks` row and the run's counts
 * commit in one transaction. What a commit writes does not grow with the run: the samples, one
 * small task row, and the run row, whose size is fixed (recipe, roles, counts). Until version 9
 * the run row carried every completed task and the whole Self-Instruct pool, so each commit
 * rewrote them: ~1 MB per commit at 100k tasks (issue 18).
 */
export function dexieRunStore(db: AppDb): RunStore {
  return {
    async progress(runId) {
      return db.transaction('r', db.runs, db.runTasks, async () => {
        const run = await db.runs.get(runId);
        if (!run) throw Object.assign(new Error(`run ${runId} does not exist`), { name: 'NotFoundError' });
        const { completed, pool } = toTaskLists(await listRunTasks(db, runId));
        return { completed: new Set(completed), pool, counts: run.counts };
      });
    },
    async commitTask(runId, taskIndex, delta: TaskDelta) {
      await db.transaction('rw', [db.runs, db.samples, db.runTasks], async () => {
        // Committed already (a resumed run redoing a task): the task's row says so, read by its key alone.
        if (await db.runTasks.get([runId, taskIndex])) return;
        const run = await db.runs.get(runId);
        if (!run) throw Object.assign(new Error(`run ${runId} does not exist`), { name: 'NotFoundError' });
        const now = Date.now();
        if (delta.samples.length) await db.samples.bulkAdd(delta.samples.map((d) => toSample(runId, run.projectId, d, now)));
        await db.runTasks.add(delta.pool.length ? { runId, task: taskIndex, pool: [...delta.pool] } : { runId, task: taskIndex });
        await db.runs.put({ ...run, counts: addTask(run.counts, delta), updatedAt: now });
      });
    },
    async setStatus(runId, status, extra) {
      await setRunStatus(db, runId, status, extra);
    },
  };
}
