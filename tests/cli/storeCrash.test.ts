import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, STORE_FILE } from '../../src/cli/store/store';

/**
 * A process killed with SIGKILL while it commits tasks leaves a store that opens, passes SQLite's
 * integrity check, and holds exactly the tasks that committed: each with all its samples and its
 * pool entry, counts equal to the samples, nothing of a half-written task.
 *
 * The child is the real store code, bundled for Node by vite (the dependencies stay external and
 * resolve from the repository's node_modules, where the bundle is written).
 */

const SAMPLES_PER_TASK = 40;
const TASKS = 100_000;
const repo = resolve(__dirname, '../..');
let work: string;
let child: string;

beforeAll(async () => {
  work = join(repo, 'node_modules', '.cache', `seedforge-store-crash-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const entry = join(work, 'child.ts');
  writeFileSync(
    entry,
    `
import { openStore } from ${JSON.stringify(join(repo, 'src/cli/store/store.ts'))};
const [dir, runId, limit] = process.argv.slice(2);
const tasks = limit ? Number(limit) : ${TASKS};
const store = openStore(dir);
const rs = store.runStore();
const { completed } = await rs.progress(runId);
const text = 'x'.repeat(400);
for (let t = 0; t < tasks; t++) {
  if (completed.has(t)) continue;
  const samples = Array.from({ length: ${SAMPLES_PER_TASK} }, (_, i) => ({
    key: t + '.' + i, instruction: 'Instruction ' + t + '.' + i + ' ' + text, input: '', output: 'Output ' + text,
    seedId: 's1', parentKey: null, operation: 'respond', round: 0, persona: null, score: 5, verdict: null,
    outputFrom: 'responder', calls: [], revisedFrom: null, source: null, notes: {},
    status: i % 4 === 0 ? 'rejected' : 'accepted', rejectReason: i % 4 === 0 ? 'judge:low' : null, taskIndex: t,
  }));
  await rs.commitTask(runId, t, { samples, pool: ['pool ' + t], calls: 2, promptTokens: 3, completionTokens: 4, modelMs: 5 });
  process.stdout.write(t + '\\n');
}
store.close();
`,
  );
  await build({
    configFile: false,
    logLevel: 'silent',
    root: repo,
    build: { ssr: entry, outDir: join(work, 'out'), emptyOutDir: true, minify: false, target: 'node20', rollupOptions: { output: { format: 'es', entryFileNames: 'child.mjs' } } },
  });
  child = join(work, 'out', 'child.mjs');
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Starts the child and SIGKILLs it once it has reported `after` more commits. Resolves when it is dead. */
function runAndKill(dir: string, runId: string, after: number): Promise<void> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [child, dir, runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let err = '';
    p.stdout.on('data', (b: Buffer) => {
      seen += b.toString().split('\n').length - 1;
      if (seen >= after && p.exitCode === null && !p.killed) p.kill('SIGKILL');
    });
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`child ended with ${code ?? signal} before it was killed: ${err}`))));
  });
}

/** Runs the child to the end (`limit` tasks); rejects unless it exits 0. */
function runToEnd(dir: string, runId: string, limit: number): Promise<void> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [child, dir, runId, String(limit)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', (code, signal) => (code === 0 ? done() : fail(new Error(`child ended with ${code ?? signal}: ${err}`))));
  });
}

describe('a store after SIGKILL', () => {
  it('keeps exactly the committed tasks, whole, across three kills at different points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedforge-crash-'));
    try {
      let store = openStore(dir);
      const p = store.createProject('Crash');
      const run = store.createRun({ projectId: p.id, name: 'c', recipe: { version: 1, name: 'r', steps: [] }, roles: {}, models: {}, concurrency: 1, total: TASKS, seeds: [{ id: 's1', instruction: 'I', input: '', output: 'O' }] });
      store.close();
      let lastDone = 0;
      for (const after of [3, 11, 6]) {
        await runAndKill(dir, run.id, after);
        const raw = new Database(join(dir, STORE_FILE));
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        raw.close();
        store = openStore(dir);
        const prog = await store.runStore().progress(run.id);
        const samples = store.listRunSamples(run.id);
        // At least what the child reported; what it committed after its last line is kept too.
        expect(prog.completed.size).toBeGreaterThanOrEqual(lastDone + after);
        expect(prog.counts.done).toBe(prog.completed.size);
        expect(samples).toHaveLength(prog.completed.size * SAMPLES_PER_TASK);
        expect(prog.counts.accepted + prog.counts.rejected).toBe(samples.length);
        expect(prog.counts.rejected).toBe(prog.completed.size * (SAMPLES_PER_TASK / 4));
        expect(prog.pool.map((x) => x.task).sort((a, b) => a - b)).toEqual([...prog.completed].sort((a, b) => a - b));
        const perTask = new Map<number, number>();
        for (const s of samples) perTask.set(s.lineage.taskIndex!, (perTask.get(s.lineage.taskIndex!) ?? 0) + 1);
        expect([...perTask.keys()].sort((a, b) => a - b)).toEqual([...prog.completed].sort((a, b) => a - b));
        expect([...perTask.values()].every((n) => n === SAMPLES_PER_TASK)).toBe(true);
        expect(store.runStatusSummary(run.id).completedTasks).toBe(prog.completed.size);
        lastDone = prog.completed.size;
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes two processes committing to the same file at once: both finish, nothing lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedforge-two-'));
    try {
      let store = openStore(dir);
      const p = store.createProject('Two');
      const mk = (name: string) => store.createRun({ projectId: p.id, name, recipe: { version: 1, name: 'r', steps: [] }, roles: {}, models: {}, concurrency: 1, total: 60, seeds: [] });
      const [a, b] = [mk('a'), mk('b')];
      store.close();
      await Promise.all([runToEnd(dir, a.id, 60), runToEnd(dir, b.id, 60)]);
      store = openStore(dir);
      for (const run of [a, b]) {
        expect(store.runStatusSummary(run.id)).toMatchObject({ completedTasks: 60, counts: { done: 60 }, samples: { accepted: 60 * 30, rejected: 60 * 10 } });
      }
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
