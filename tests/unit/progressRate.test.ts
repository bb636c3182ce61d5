import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter, onRunEvent, TokenRate, type ProgressView, type Reporter } from '../../src/cli/progress';
import { emptyCounts } from '../../src/lib/pipeline/types';

/** The command line's tokens/s: the run's aggregate rate over a sliding window, not one call's. */

describe('TokenRate', () => {
  it('is null until the window spans a sample interval, then tokens over wall time', () => {
    const r = new TokenRate(10_000, 200);
    expect(r.add(0, 0)).toBeNull();
    expect(r.add(50, 100)).toBeNull();
    expect(r.add(1000, 1000)).toBe(1000); // 1000 tokens in 1 s
    expect(r.add(3000, 2000)).toBe(1500); // 3000 in 2 s
  });

  it('forgets what is older than the window: the rate follows a change of pace', () => {
    const r = new TokenRate(5000, 200);
    let tokens = 0;
    let rate: number | null = null;
    // 10 s at 100 tokens/s, then 10 s at 400 tokens/s, sampled every 250 ms.
    for (let t = 0; t <= 20_000; t += 250) {
      rate = r.add(tokens, t);
      tokens += (t < 10_000 ? 100 : 400) / 4;
    }
    expect(rate).toBeCloseTo(400, 0);
    expect(r.add(tokens, 20_250)).toBeCloseTo(400, 0);
  });

  it('gives tokens over the time spanned however often it is called', () => {
    const r = new TokenRate(1000, 100);
    // 10 000 calls within 1 s, 1 token each: the rate is still tokens over the time spanned.
    let rate: number | null = null;
    for (let i = 0; i <= 10_000; i++) rate = r.add(i, i / 10);
    expect(rate).toBeCloseTo(10_000, -1);
  });
});

describe('onRunEvent', () => {
  it("shows the budget's tokens over wall time, whatever one call's speed the pipeline reports", () => {
    const seen: ProgressView[] = [];
    const reporter: Reporter = { progress: (v) => seen.push(v), note: () => {}, finish: () => {} };
    let now = 0;
    let tokens = 0;
    const on = onRunEvent(reporter, 'r1', () => ({ spend: null, tokens }), new TokenRate(10_000, 200), () => now);
    // 256 calls in flight, each generating at 20 tokens/s: the endpoint makes 5120 tokens/s.
    for (let i = 0; i <= 10; i++) {
      now = i * 500;
      tokens = i * 2560;
      on({ type: 'progress', counts: { ...emptyCounts(100), done: i }, tokensPerSecond: 20, etaSeconds: null });
    }
    expect(seen).toHaveLength(11);
    expect(seen[0]!.tokensPerSecond).toBeNull();
    expect(seen[10]!.tokensPerSecond).toBe(5120);
    expect(seen[10]!.tokens).toBe(25_600);
  });
});

describe('the live block', () => {
  it('redraws at most every ttyEveryMs, and shows the last view at the end', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString('utf8')));
    const r = createReporter('tty', out, new PassThrough(), 2000, 60_000);
    const view = (done: number): ProgressView => ({ runId: 'r1', counts: { ...emptyCounts(100), done, accepted: done }, tokensPerSecond: null, etaSeconds: null, spend: null, tokens: 0 });
    for (let i = 1; i <= 100; i++) r.progress(view(i));
    r.finish({}, 'finished');
    expect(text.match(/run r1 /g)).toHaveLength(2); // the first view, then the last at the end
    expect(text).toContain(' 1/100 (1%)');
    expect(text).toContain('100/100 (100%)');
    expect(text).not.toContain(' 50/100');
  });
});
