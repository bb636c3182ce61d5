import { describe, expect, it } from 'vitest';
import { openRunChannel, runLockHeld, runLockName, withRunLock, type RunBroadcast } from '../../src/lib/runner/runLock';

/** Holds a lock from another agent (a worker: like another tab, it has its own lock requests). */
function holdElsewhere(name: string): Promise<Worker> {
  const code = `onmessage = (e) => navigator.locks.request(e.data, () => new Promise(() => postMessage('held')));`;
  const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  return new Promise((resolve) => {
    w.onmessage = () => resolve(w);
    w.postMessage(name);
  });
}

const until = async (cond: () => Promise<boolean>, ms = 5000) => {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the per-project run lock (real Web Locks)', () => {
  it('is held while the run goes; a second start of the same project is refused at once; another project is free', async () => {
    const p = `p-${crypto.randomUUID()}`;
    let release!: () => void;
    const first = withRunLock(p, () => new Promise<string>((r) => (release = () => r('done'))));
    await until(() => runLockHeld(p));
    let called = false;
    expect(
      await withRunLock(p, async () => {
        called = true;
      }),
    ).toEqual({ acquired: false });
    expect(called).toBe(false);
    expect(await withRunLock(`other-${p}`, async () => 'ran')).toEqual({ acquired: true, value: 'ran' });
    release();
    expect(await first).toEqual({ acquired: true, value: 'done' });
    expect(await runLockHeld(p)).toBe(false);
    expect(await withRunLock(p, async () => 1)).toEqual({ acquired: true, value: 1 });
  });

  it('a holder in another agent blocks this one until it goes away (a closed tab releases its lock)', async () => {
    const p = `p-${crypto.randomUUID()}`;
    const w = await holdElsewhere(runLockName(p));
    expect(await runLockHeld(p)).toBe(true);
    expect(await withRunLock(p, async () => 'x')).toEqual({ acquired: false });
    w.terminate();
    await until(async () => !(await runLockHeld(p)));
    expect(await withRunLock(p, async () => 'x')).toEqual({ acquired: true, value: 'x' });
  });

  it('a failing run releases the lock and keeps its error', async () => {
    const p = `p-${crypto.randomUUID()}`;
    const err = await withRunLock(p, async () => {
      throw Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
    }).catch((e: Error) => e);
    expect((err as Error).name).toBe('QuotaExceededError');
    expect(await runLockHeld(p)).toBe(false);
  });
});

describe('the run channel (real BroadcastChannel)', () => {
  it('delivers a run’s events to the other listeners as plain data', async () => {
    const got: RunBroadcast[] = [];
    const a = openRunChannel(() => {})!;
    const b = openRunChannel((m) => got.push(m))!;
    const msg: RunBroadcast = { projectId: 'p', runId: 'r', event: { type: 'status', status: 'running' } };
    a.post(msg);
    await until(async () => got.length > 0);
    expect(got).toEqual([msg]);
    a.close();
    b.close();
  });
});
