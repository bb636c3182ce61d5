// The page scripts/bench-commits.mjs drives. One case = one run already holding `size` committed
// tasks (task rows and samples written in bulk, as a long run leaves them), then `commits` more
// tasks committed one by one through the app's RunStore (runsRepo dexieRunStore: the samples, one
// runTasks row and the run row in one IndexedDB transaction), timed. The bytes a commit writes are
// estimated from the rows it writes (their JSON length; IndexedDB's structured-clone encoding is
// of the same order). For comparison, `old` times the version-8 layout's commit on the same
// store: the run row rewritten with its `completed` list and Self-Instruct pool (what every commit
// wrote until schema 9), over a copy of the run.
import Dexie from 'dexie';
import { openDb, type AppDb } from '../src/lib/db/db';
import { createProject } from '../src/lib/db/projectsRepo';
import { createRun, dexieRunStore, toSample } from '../src/lib/db/runsRepo';
import type { Run, RunTaskRow, Sample } from '../src/lib/db/types';
import { addTask, emptyCounts, newCandidate, type RunCounts, type SampleDraft, type TaskDelta } from '../src/lib/pipeline/types';

interface CaseResult {
  size: number;
  commits: number;
  msPerCommit: number;
  bytesPerCommit: number;
  /** The version-8 layout on the same store: its commit time and bytes (null when not measured). */
  oldMsPerCommit: number | null;
  oldBytesPerCommit: number;
}

/** A task's delta as a Self-Instruct task leaves it: one sample (an instruction and an answer) and one pool entry. */
function delta(t: number): TaskDelta {
  const d: SampleDraft = {
    ...newCandidate(`${t}.0`, {
      instruction: `Write a short paragraph about topic number ${t} for a curious reader.`,
      output: `Topic ${t} is interesting because it connects several ideas that a reader meets every day; this paragraph explains how, in plain words.`,
      operation: 'selfInstruct',
    }),
    status: 'accepted',
    rejectReason: null,
    taskIndex: t,
  };
  return { samples: [d], pool: [d.instruction], calls: 2, promptTokens: 300, completionTokens: 80, modelMs: 900 };
}

const bytes = (x: unknown) => new TextEncoder().encode(JSON.stringify(x)).length;

async function fill(db: AppDb, run: Run, size: number): Promise<RunCounts> {
  let counts = emptyCounts(size + 100_000);
  const CHUNK = 5000;
  for (let from = 0; from < size; from += CHUNK) {
    const tasks: RunTaskRow[] = [];
    const samples: Sample[] = [];
    for (let t = from; t < Math.min(size, from + CHUNK); t++) {
      const d = delta(t);
      tasks.push({ runId: run.id, task: t, pool: d.pool });
      samples.push(toSample(run.id, run.projectId, d.samples[0]!, 1));
      counts = addTask(counts, d);
    }
    await db.transaction('rw', db.runTasks, db.samples, async () => {
      await db.runTasks.bulkAdd(tasks);
      await db.samples.bulkAdd(samples);
    });
  }
  await db.runs.update(run.id, { counts });
  return counts;
}

async function runCase(size: number, commits: number, oldCommits: number): Promise<CaseResult> {
  const name = `bench-commits-${size}-${crypto.randomUUID()}`;
  const db = openDb(name);
  try {
    const project = await createProject(db, 'bench');
    const run = await createRun(db, {
      projectId: project.id,
      name: 'bench',
      recipe: { version: 1, name: 'Self-Instruct', seed: 1, language: 'auto', steps: [{ op: 'selfInstruct', count: size + commits }, { op: 'filter' }] },
      roles: { generator: { kind: 'remote', endpointId: 'ep' }, responder: null, judge: null },
      models: { generator: 'remote:ep' },
      concurrency: 8,
      total: size + commits,
      seeds: [{ id: 's', instruction: 'Seed task?', input: '', output: 'Seed answer.' }],
    });
    await fill(db, run, size);
    const store = dexieRunStore(db);
    let written = 0;
    let ms = 0;
    for (let t = size; t < size + commits; t++) {
      const d = delta(t);
      const c0 = performance.now();
      await store.commitTask(run.id, t, d);
      ms += performance.now() - c0;
      // Outside the timing: what that commit wrote (the samples, its task row, the run row).
      written += bytes(d.samples.map((s) => toSample(run.id, run.projectId, s, 1))) + bytes({ runId: run.id, task: t, pool: d.pool }) + bytes(await db.runs.get(run.id));
    }

    // The version-8 layout on this store: a run row that carries every completed task and the
    // pool, rewritten with the new task appended by each commit (samples as above).
    const oldRow = { ...(await db.runs.get(run.id))!, id: `${run.id}-v8`, completed: [] as number[], pool: [] as { task: number; text: string }[] };
    for (let t = 0; t < size; t++) {
      oldRow.completed.push(t);
      oldRow.pool.push({ task: t, text: delta(t).pool[0]! });
    }
    await db.table('runs').put(oldRow);
    let oldWritten = 0;
    let oldMs: number | null = null;
    if (oldCommits > 0) {
      let total = 0;
      for (let t = size + commits; t < size + commits + oldCommits; t++) {
        const d = delta(t);
        const samples = d.samples.map((s) => toSample(oldRow.id, run.projectId, s, 1));
        let next: typeof oldRow | null = null;
        const c0 = performance.now();
        await db.transaction('rw', db.runs, db.samples, async () => {
          const row = (await db.table('runs').get(oldRow.id)) as typeof oldRow;
          await db.samples.bulkAdd(samples);
          next = { ...row, completed: [...row.completed, t], pool: [...row.pool, ...d.pool.map((text) => ({ task: t, text }))], counts: addTask(row.counts, d) };
          await db.table('runs').put(next);
        });
        total += performance.now() - c0;
        oldWritten += bytes(samples) + bytes(next);
      }
      oldMs = total / oldCommits;
    } else {
      oldWritten = bytes(delta(size).samples.map((s) => toSample(oldRow.id, run.projectId, s, 1))) + bytes(oldRow);
    }
    return { size, commits, msPerCommit: ms / commits, bytesPerCommit: written / commits, oldMsPerCommit: oldMs, oldBytesPerCommit: oldWritten / Math.max(1, oldCommits) };
  } finally {
    db.close();
    await Dexie.delete(name);
  }
}

(globalThis as unknown as { runCase: typeof runCase }).runCase = runCase;
document.title = 'ready';
