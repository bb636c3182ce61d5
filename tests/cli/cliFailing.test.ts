import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeLlm } from '../../scripts/fakeLlm.mjs';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import { cli, cliFixture, jsonLines, runArgs, runSamples } from './support';

/**
 * An endpoint that fails after its retries — down, or refusing the key — must not turn a run's
 * remaining seeds into rejected samples: the failed tasks are held back (not kept), the run stops
 * (a streak of failures, or at once for a refused key), and `resume` makes them once the endpoint
 * works, ending with the items of an uninterrupted run.
 */

const fx = cliFixture('failing', { servers: [{ latencyMs: 5, record: false }], seeds: 24, reference: true });
const args = (store: string, url?: string) => runArgs(fx, store, { url });

describe('an endpoint that fails', () => {
  it('down: the run stops after a streak of failed tasks, keeps none of them, and resume against a live server ends with the reference items', async () => {
    const gone = await startFakeLlm({ record: false });
    const url = gone.url;
    await gone.close(); // nothing listens there now: connection refused
    const store = join(fx.dir, 'down');
    const r = await cli([...args(store, url), '--retries', '0']);
    expect(r.code, r.stderr).toBe(EXIT.paused);
    const lines = jsonLines(r.stdout);
    expect(lines.some((l) => l.type === 'endpointFailing')).toBe(true);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ status: 'paused', done: 0, accepted: 0, rejected: 0 });
    expect(summary.heldBack as number).toBeGreaterThanOrEqual(10);
    expect(summary.heldBackReasons).toEqual({ 'error:NetworkError': summary.heldBack });
    expect(summary.stopped).toMatch(/NetworkError/);
    const s = openStore(store);
    const [run] = s.listProjects().flatMap((x) => s.listRuns(x.id));
    expect(s.listRunSamples(run!.id)).toEqual([]);
    s.close();
    const resumed = await cli(['resume', '--store', store, '--endpoint', fx.fake.url, '--json']);
    expect(resumed.code, resumed.stderr).toBe(EXIT.done);
    expect(runSamples(store)).toEqual(runSamples(fx.reference));
  });

  it('a key the server refuses stops the run at once with exit 1, nothing kept, resumable with the right key', async () => {
    const locked = await startFakeLlm({ key: 'sk-right', record: false });
    try {
      const store = join(fx.dir, 'badkey');
      const withKey = [...args(store, locked.url), '--api-key-env', 'SEEDFORGE_TEST_KEY'];
      const r = await cli(withKey, { SEEDFORGE_TEST_KEY: 'sk-wrong' });
      expect(r.code).toBe(EXIT.failed);
      expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'paused', done: 0, stopped: expect.stringMatching(/BadKeyError/) });
      expect(r.stdout + r.stderr).not.toContain('sk-wrong');
      const resumed = await cli(['resume', '--store', store, '--json'], { SEEDFORGE_TEST_KEY: 'sk-right' });
      expect(resumed.code, resumed.stderr).toBe(EXIT.done);
      expect(runSamples(store)).toEqual(runSamples(fx.reference));
    } finally {
      await locked.close();
    }
  });
});
