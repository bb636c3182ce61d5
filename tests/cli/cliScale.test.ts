import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FaultKind } from '../../scripts/fakeLlm.mjs';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import { cleanup, cli, ensureCli, jsonLines, tempDir, writeSeeds } from './support';

/**
 * Issue 15's scale test of the command line: 256 calls in flight against OpenAI-compatible fake
 * servers with 20 % injected faults (429 + Retry-After, 500, stalls, cut streams), one server and
 * two behind the pool. The run completes with every item once — 0 lost, 0 duplicated — and the
 * retries stay bounded. Counts, never durations, are asserted.
 */

const SEEDS = 256;
let fakes: FakeLlm[] = [];
let dir: string;
let seeds: string;

beforeAll(async () => {
  // The first server answers slowly enough (300 ms) that all 256 calls are open at once however
  // slowly this machine starts them, with every kind of fault; the pool's two are quick, and their
  // faults are the ones that do not wait for the client's timeout (429, 500, cut streams).
  const quick = { latencyMs: 20, faults: 0.2, faultKinds: ['429', '500', 'truncated'] as FaultKind[], retryAfterS: 0.05, record: false };
  fakes = await Promise.all([startFakeLlm({ latencyMs: 300, faults: 0.2, faultSeed: 5, retryAfterS: 0.05, record: false }), startFakeLlm({ ...quick, faultSeed: 6 }), startFakeLlm({ ...quick, faultSeed: 7 })]);
  dir = tempDir('scale');
  seeds = writeSeeds(dir, SEEDS);
  await ensureCli();
}, 120_000);

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  cleanup();
});

function checkStore(store: string, runId: string): void {
  const s = openStore(store);
  try {
    const samples = s.listRunSamples(runId);
    expect(samples).toHaveLength(SEEDS);
    expect(new Set(samples.map((x) => x.lineage.taskIndex)).size).toBe(SEEDS);
    expect(samples.filter((x) => x.rejectReason?.startsWith('error:'))).toEqual([]);
  } finally {
    s.close();
  }
}

describe('the CLI at 256 calls in flight with 20 % faults', () => {
  it('one endpoint: completes, 0 lost, 0 duplicated, bounded retries', async () => {
    const [f] = fakes;
    const store = join(dir, 'one');
    const r = await cli(['run', '--store', store, '--preset', 'answer-judge', '--seeds', seeds, '--endpoint', f!.url, '--model', 'fake-model', '--concurrency', '256', '--timeout-s', '2', '--retries', '12', '--retry-delay-ms', '100', '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    const summary = jsonLines(r.stdout).at(-1)!;
    expect(summary).toMatchObject({ status: 'done', done: SEEDS, calls: 2 * SEEDS });
    checkStore(store, summary.run as string);
    const st = f!.stats();
    expect(st.maxInFlight).toBeGreaterThanOrEqual(200);
    // Every call answered (a reply the client gave up on, past its timeout on a loaded machine, is
    // asked again: the server may answer a call twice, the store never holds it twice).
    expect(st.completed).toBeGreaterThanOrEqual(2 * SEEDS);
    const faults = Object.values(st.failed).reduce((a, b) => a + b, 0);
    expect(faults).toBeGreaterThan(0);
    // Bounded: the requests beyond the calls are retries, never a runaway loop.
    expect(st.requests).toBeLessThan(2 * SEEDS * 1.6);
  });

  it('two endpoints behind the pool: the calls are spread, and the run is the same', async () => {
    const store = join(dir, 'two');
    const pool = fakes.slice(1);
    const r = await cli(['run', '--store', store, '--preset', 'answer-judge', '--seeds', seeds, '--endpoint', pool.map((f) => f.url).join(','), '--model', 'fake-model', '--concurrency', '128', '--timeout-s', '3', '--retries', '12', '--retry-delay-ms', '100', '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    const summary = jsonLines(r.stdout).at(-1)!;
    expect(summary).toMatchObject({ status: 'done', done: SEEDS, calls: 2 * SEEDS });
    checkStore(store, summary.run as string);
    const served = pool.map((f) => f.stats().completed);
    expect(served[0]! + served[1]!).toBeGreaterThanOrEqual(2 * SEEDS);
    for (const n of served) expect(n).toBeGreaterThan(SEEDS / 2);
  });
});
