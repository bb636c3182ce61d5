import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import { mulberry32 } from '../../src/lib/random';
import { cleanup, cli, ensureCli, jsonLines, startCli, tempDir, writeSeeds } from './support';

/**
 * Issue 15's durability promise, tested as a user would break it: `seedforge run` is killed with
 * SIGKILL at a random point — after a random number of committed tasks, or after a random delay
 * that may fall before the first commit — ten times, each time `seedforge resume` finishes the run,
 * and every run ends with exactly the items of an uninterrupted run (same keys, texts, statuses,
 * reasons and scores). The fake server's replies depend only on the request, as a seeded local
 * engine's do.
 */

const SEEDS = 30;
const RUNS = 10;

let fake: FakeLlm;
let dir: string;
let seeds: string;

beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 8, record: false });
  dir = tempDir('kill');
  seeds = writeSeeds(dir, SEEDS);
  await ensureCli();
}, 120_000);

afterAll(async () => {
  await fake?.close();
  cleanup();
});

const runArgs = (store: string) => ['run', '--store', store, '--preset', 'persona-evol', '--seeds', seeds, '--endpoint', fake.url, '--model', 'fake-model', '--concurrency', '6', '--json'];

/** A run's items as comparable rows: the key within the run (the id after the run's id) and what the item is. */
function items(store: string): string[] {
  const s = openStore(store);
  try {
    const [run] = s.listProjects().flatMap((p) => s.listRuns(p.id));
    return s
      .listRunSamples(run!.id)
      .map((x) => JSON.stringify([x.id.slice(run!.id.length + 1), x.instruction, x.input, x.output, x.status, x.rejectReason, x.score, x.operation, x.persona]))
      .sort();
  } finally {
    s.close();
  }
}

function committed(store: string): { done: number; total: number; status: string } {
  const s = openStore(store);
  try {
    const [run] = s.listProjects().flatMap((p) => s.listRuns(p.id));
    if (!run) return { done: 0, total: SEEDS, status: 'none' };
    const sum = s.runStatusSummary(run.id);
    return { done: sum.completedTasks, total: sum.counts.total, status: sum.status };
  } finally {
    s.close();
  }
}

describe('kill -9 at random points, then resume', () => {
  let expected: string[] = [];

  it('an uninterrupted run makes the reference items', async () => {
    const store = join(dir, 'reference');
    const r = await cli(runArgs(store));
    expect(r.code, r.stderr).toBe(EXIT.done);
    expected = items(store);
    expect(expected.length).toBeGreaterThanOrEqual(SEEDS);
    // Deterministic: a second uninterrupted run makes the same.
    const again = join(dir, 'reference2');
    expect((await cli(runArgs(again))).code).toBe(EXIT.done);
    expect(items(again)).toEqual(expected);
  });

  it(`${RUNS} runs killed with SIGKILL at random points end, after resume, with exactly those items`, async () => {
    const rnd = mulberry32(0x6b11);
    const interrupted: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const store = join(dir, `killed-${i}`);
      const p = startCli(runArgs(store));
      // Even runs: after 1..SEEDS-2 commits (each commit prints a progress line); odd: after a delay.
      const afterCommits = i % 2 === 0 ? 1 + Math.floor(rnd() * (SEEDS - 2)) : null;
      const delayMs = Math.floor(rnd() * 1500);
      await new Promise<void>((resolve) => {
        const check = () => {
          const done = jsonLines(p.stdout().split('\n').slice(0, -1).join('\n'))
            .filter((l) => l.type === 'progress')
            .map((l) => l.done as number);
          if (afterCommits !== null && (done.at(-1) ?? 0) < afterCommits) return;
          clearInterval(timer);
          resolve();
        };
        const timer = setInterval(check, 5);
        if (afterCommits === null) {
          clearInterval(timer);
          setTimeout(resolve, delayMs);
        }
        void p.done.then(() => {
          clearInterval(timer);
          resolve();
        });
      });
      p.child.kill('SIGKILL');
      const killed = await p.done;
      const at = committed(store);
      if (killed.signal !== 'SIGKILL') {
        // It finished before the kill came (a delay longer than the run): nothing to resume.
        expect(killed.code, killed.stderr).toBe(EXIT.done);
      } else if (at.status === 'none') {
        // Killed before the run was created: start it again (what a user would do).
        expect((await cli(runArgs(store))).code).toBe(EXIT.done);
      } else {
        if (at.done > 0 && at.done < at.total) interrupted.push(at.done);
        const r = await cli(['resume', '--store', store, '--json']);
        // Killed after its last commit but before it marked itself done: resume marks it.
        expect(r.code, r.stderr).toBe(at.status === 'done' ? EXIT.nothing : EXIT.done);
        if (at.status !== 'done') expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'done', done: SEEDS, total: SEEDS });
      }
      expect(items(store), `run ${i} (killed after ${at?.done ?? 'its end'} tasks)`).toEqual(expected);
    }
    // Most kills landed in the middle of a run, not before it or after it.
    expect(interrupted.length).toBeGreaterThanOrEqual(RUNS / 2);
  });
});
