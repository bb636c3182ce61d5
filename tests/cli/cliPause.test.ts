import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeLlm } from '../../scripts/fakeLlm.mjs';
import { EXIT } from '../../src/cli/args';
import { createReporter, type ProgressView } from '../../src/cli/progress';
import { openStore } from '../../src/cli/store/store';
import { emptyCounts } from '../../src/lib/pipeline/types';
import { cli, cliFixture, jsonLines, runArgs, runSamples, startCli } from './support';

/**
 * A run stops before its end in two ways a script must tell apart from failure: Ctrl+C (SIGINT)
 * and a budget cap. Both leave the run 'paused' with exit code 3, and `resume` finishes it with
 * the items an uninterrupted run makes.
 */

// The server is slow enough that a run is still going when the signal comes.
const fx = cliFixture('pause', { servers: [{ latencyMs: 40, record: false }], seeds: 24, reference: true });
const args = (store: string, url?: string) => runArgs(fx, store, { url });

/** Resolves once the child printed a progress line with at least `n` tasks done. */
function afterDone(p: ReturnType<typeof startCli>, n: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      const last = p.stdout().split('\n').filter((l) => l.includes('"type":"progress"')).at(-1);
      if ((last && (JSON.parse(last) as { done: number }).done >= n) || p.child.exitCode !== null) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
}

describe('pausing a run', () => {
  it('Ctrl+C pauses with exit 3 and resume finishes with the items of an uninterrupted run', async () => {
    const store = join(fx.dir, 'sigint');
    // A slow server (the same replies): the run is surely still going while the next process starts.
    const slow = await startFakeLlm({ latencyMs: 400, record: false });
    const p = startCli(args(store, slow.url));
    await afterDone(p, 3);
    // While it runs, a second process may not drive it too (every call would be paid twice).
    const busy = await cli(['resume', '--store', store]);
    expect(busy.code).toBe(EXIT.failed);
    expect(busy.stderr).toMatch(/RunBusyError: run .* is being run by process \d+/);
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(EXIT.paused);
    const lines = jsonLines(r.stdout);
    expect(lines.some((l) => l.type === 'pausing')).toBe(true);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', status: 'paused' });
    const s = openStore(store);
    const [run] = s.listProjects().flatMap((x) => s.listRuns(x.id));
    expect(run!.status).toBe('paused');
    expect(s.runStatusSummary(run!.id).completedTasks).toBeLessThan(24);
    s.close();

    await slow.close();
    // Resumed against the usual server (the stored engine replaced from the command line).
    const resumed = await cli(['resume', '--store', store, '--endpoint', fx.fake.url, '--json']);
    expect(resumed.code, resumed.stderr).toBe(EXIT.done);
    expect(runSamples(store)).toEqual(runSamples(fx.reference));
  });

  it('a second Ctrl+C leaves at once, the run paused and resumable', async () => {
    const store = join(fx.dir, 'twice');
    const slow = await startFakeLlm({ latencyMs: 400, record: false });
    const p = startCli(args(store, slow.url));
    await afterDone(p, 2);
    p.child.kill('SIGINT');
    p.child.kill('SIGINT');
    const r = await p.done;
    await slow.close();
    expect(r.code).toBe(EXIT.paused);
    const s = openStore(store);
    expect(s.listProjects().flatMap((x) => s.listRuns(x.id))[0]!.status).toBe('paused');
    s.close();
    expect((await cli(['resume', '--store', store, '--endpoint', fx.fake.url])).code).toBe(EXIT.done);
    expect(runSamples(store)).toEqual(runSamples(fx.reference));
  });

  it('a token cap pauses with exit 3 and says so; resume with a raised cap finishes', async () => {
    const store = join(fx.dir, 'budget');
    const r = await cli([...args(store), '--max-tokens', '2500']);
    expect(r.code, r.stderr).toBe(EXIT.paused);
    const summary = jsonLines(r.stdout).at(-1)!;
    expect(summary).toMatchObject({ status: 'paused' });
    expect(summary.budget).toMatch(/budget reached: used [\d,]+ of 2,500 tokens/);
    expect(summary.tokens as number).toBeLessThanOrEqual(2500);
    const status = jsonLines((await cli(['status', '--store', store, '--json'])).stdout)[0]!.runs as { status: string; budget: { maxTokens: number; spent: { tokens: number } } }[];
    expect(status[0]).toMatchObject({ status: 'paused', budget: { maxTokens: 2500 } });
    expect(status[0]!.budget.spent.tokens).toBe(summary.tokens);
    const still = await cli(['resume', '--store', store, '--json']);
    expect(still.code).toBe(EXIT.paused);
    const done = await cli(['resume', '--store', store, '--max-tokens', '1000000', '--json']);
    expect(done.code, done.stderr).toBe(EXIT.done);
    expect(runSamples(store)).toEqual(runSamples(fx.reference));
  });

  it('a spend cap without prices is a usage error, before anything is stored', async () => {
    const store = join(fx.dir, 'noprices');
    const r = await cli([...args(store), '--max-spend', '1']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--max-spend needs the prices/);
    // And a verb that reads a store refuses a directory without one (a typo must not make a store).
    const none = await cli(['status', '--store', store]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toMatch(/no Seedforge store there/);
  });
});

describe('progress output', () => {
  const view = (done: number): ProgressView => ({ runId: 'r1', counts: { ...emptyCounts(10), done, accepted: done - 1, rejected: 1, reasons: { lowScore: 1 } }, tokensPerSecond: 12.5, etaSeconds: 75, spend: 0.0123, tokens: 4567 });
  const collect = (s: PassThrough) => {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('utf8')));
    return () => text;
  };

  it('plain: lines with done/total, rejections by reason, tokens/s, spend and ETA; the last always', () => {
    const out = new PassThrough();
    const text = collect(out);
    const r = createReporter('plain', out, new PassThrough(), 60_000);
    r.progress(view(2));
    r.progress(view(5));
    r.progress(view(10));
    r.finish({}, 'finished');
    const lines = text().trim().split('\n');
    expect(lines[0]).toBe('2/10 (20%) · accepted 1 · rejected 1 (lowScore 1) · 12.5 tokens/s · 4,567 tokens · spent 0.0123 · ETA 1m 15s');
    expect(lines).toHaveLength(3); // the middle one was within the interval
    expect(lines[1]).toMatch(/^10\/10 \(100%\)/);
    expect(lines[2]).toBe('finished');
  });

  it('json: one object per line, every change of done, then the summary', () => {
    const out = new PassThrough();
    const text = collect(out);
    const r = createReporter('json', out);
    r.progress(view(1));
    r.progress(view(2));
    r.note('taskFailed', 'task 3: X', { task: 3 });
    r.finish({ status: 'done' }, 'ignored');
    const lines = text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(['progress', 'progress', 'taskFailed', 'summary']);
    expect(lines[1]).toMatchObject({ run: 'r1', done: 2, total: 10, spend: 0.0123, tokens: 4567, etaSeconds: 75 });
  });

  it('tty: log-update redraws a block with a bar and the same figures', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    const text = collect(out);
    const r = createReporter('tty', out, new PassThrough());
    r.progress(view(5));
    r.progress(view(6));
    r.finish({}, 'finished');
    const t = text();
    expect(t).toContain('run r1  [############------------] 5/10 (50%)');
    expect(t).toContain('6/10 (60%)');
    expect(t).toContain('ETA 1m 15s');
    expect(t).toMatch(/\u001b\[/); // redrawn in place, by log-update's escape codes
    expect(t.trimEnd().endsWith('finished')).toBe(true);
  });
});
