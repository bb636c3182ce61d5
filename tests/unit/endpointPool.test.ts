import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlm, replyFor, type FakeLlm, type FakeLlmOptions } from '../../scripts/fakeLlm.mjs';
import { isEngineError } from '../../src/lib/engines/errors';
import { DEFAULT_POLICY, type CallPolicy } from '../../src/lib/engines/remote/http';
import { anthropicDialect } from '../../src/lib/engines/remote/anthropic';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { matchesSchema } from '../../src/lib/engines/structured';
import { VERDICT } from '../../src/lib/pipeline/schemas';
import { EndpointPool, EndpointPoolError, remotePool, type PoolOptions } from '../../src/lib/engines/remote/pool';
import { complete, type ChatEvent, type ChatRequest } from '../../src/lib/engines/types';

/** The endpoint pool against real HTTP servers on 127.0.0.1 (scripts/fakeLlm.mjs). */

let servers: FakeLlm[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function start(opts?: FakeLlmOptions): Promise<FakeLlm> {
  const s = await startFakeLlm(opts);
  servers.push(s);
  return s;
}

let n = 0;
function pool(urls: string[], policy: Partial<CallPolicy> = {}, opts?: PoolOptions, key = 'k'): EndpointPool {
  return remotePool(urls, { id: `pool-${++n}`, name: 'Fake', kind: 'openai', model: 'fake-model', policy: { ...DEFAULT_POLICY, baseDelayMs: 10, maxDelayMs: 200, timeoutMs: 5000, ...policy } }, key, openaiDialect, opts);
}
const ask = (i: number): ChatRequest => ({ messages: [{ role: 'user', content: `Question ${i}?` }], maxTokens: 100, seed: i });
/** What the fake server answers to ask(i), as the OpenAI dialect sends it. */
const expected = (i: number) => replyFor({ model: 'fake-model', messages: ask(i).messages, seed: i, maxTokens: 100 }).text;

describe('endpoint pool', () => {
  it('spreads calls over the endpoints by outstanding calls, within each endpoint’s concurrency', async () => {
    const a = await start({ latencyMs: 30 });
    const b = await start({ latencyMs: 30 });
    const p = pool([a.url, b.url], { concurrency: 4 });
    expect(p.maxConcurrency).toBe(8);
    const texts = await Promise.all(Array.from({ length: 40 }, (_, i) => complete(p, ask(i)).then((d) => d.text)));
    expect(texts).toEqual(Array.from({ length: 40 }, (_, i) => expected(i)));
    // Each endpoint's own limiter held it to 4 at once, and the pool kept both busy.
    expect(a.stats().maxInFlight).toBeLessThanOrEqual(4);
    expect(b.stats().maxInFlight).toBeLessThanOrEqual(4);
    const served = p.stats().map((s) => s.served);
    expect(served[0]! + served[1]!).toBe(40);
    expect(Math.min(...served)).toBeGreaterThanOrEqual(12);
    expect([a.stats().completed, b.stats().completed]).toEqual(served);
    expect(p.stats().every((s) => s.outstanding === 0 && s.failures === 0)).toBe(true);
  });

  it('backs off an endpoint killed mid-run; its calls move to the others and every call is answered once', async () => {
    const a = await start({ latencyMs: 10 });
    const b = await start({ latencyMs: 10 });
    const c = await start({ latencyMs: 10 });
    const p = pool([a.url, b.url, c.url], { concurrency: 6, maxRetries: 3 }, { failuresToBackOff: 2, backoffBaseMs: 60_000 });
    const retries: string[] = [];
    const call = async (i: number) => {
      let last: Extract<ChatEvent, { type: 'done' }> | null = null;
      for await (const ev of p.chat(ask(i))) {
        if (ev.type === 'retry') retries.push(ev.reason);
        if (ev.type === 'done') last = ev;
      }
      return last!.text;
    };
    const all = Array.from({ length: 90 }, (_, i) => call(i));
    // Kill b once it has answered a few: its open requests are cut, later ones refused.
    while (b.stats().completed < 5) await new Promise((r) => setTimeout(r, 5));
    await b.close();
    servers = servers.filter((s) => s !== b);
    const servedByB = b.stats().completed;
    const texts = await Promise.all(all);
    expect(texts).toEqual(Array.from({ length: 90 }, (_, i) => expected(i)));
    const st = p.stats();
    expect(st[1]!.backoffs).toBe(1); // one back-off of 60 s: never tried again in this run
    expect(st[1]!.backedOffUntil).not.toBeNull();
    // b may have finished an answer that its closing cut before the client read it.
    expect(st[1]!.served).toBeLessThanOrEqual(servedByB);
    expect(st[0]!.served + st[1]!.served + st[2]!.served).toBe(90);
    expect([a.stats().completed, c.stats().completed]).toEqual([st[0]!.served, st[2]!.served]);
    expect(retries.some((r) => /backed off/.test(r))).toBe(true);
    expect(st.every((s) => s.outstanding === 0)).toBe(true);
  });

  it('waits for the earliest back-off to end when every endpoint is backed off', async () => {
    // A port with nothing behind it, where a server starts once the pool has backed it off.
    const probe = await start();
    const port = probe.port;
    await probe.close();
    servers = [];
    const p = pool([`http://127.0.0.1:${port}/v1`], { maxRetries: 0 }, { failuresToBackOff: 1, backoffBaseMs: 50, backoffMaxMs: 400, maxFailovers: 50 });
    const reply = complete(p, ask(1));
    while (p.stats()[0]!.backoffs < 1) await new Promise((r) => setTimeout(r, 5));
    await start({ port });
    expect((await reply).text).toBe(expected(1));
    expect(p.stats()[0]).toMatchObject({ served: 1, outstanding: 0 });
    expect(p.stats()[0]!.failures).toBeGreaterThanOrEqual(1);
  });

  it('does not move a call that another endpoint would refuse too (a bad key)', async () => {
    const a = await start({ key: 'right' });
    const b = await start({ key: 'right' });
    const p = pool([a.url, b.url], {}, {}, 'wrong');
    const err = await complete(p, ask(1)).catch((e: unknown) => e);
    expect(isEngineError(err, 'BadKeyError')).toBe(true);
    expect(a.stats().requests + b.stats().requests).toBe(1);
  });

  it('honours abort: a call stalled at its endpoint ends with AbortedError and frees its slot', async () => {
    const a = await start({ faults: 1, faultKinds: ['stall'] });
    const p = pool([a.url], { timeoutMs: 60_000 });
    const ctl = new AbortController();
    const reply = complete(p, ask(1), ctl.signal).catch((e: unknown) => e);
    while (a.stats().inFlight < 1) await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    expect(isEngineError(await reply, 'AbortedError')).toBe(true);
    expect(p.stats()[0]).toMatchObject({ outstanding: 0, failures: 0 });
  });

  it('carries Anthropic endpoints through faults too: plain answers and forced-tool verdicts', async () => {
    const opts: FakeLlmOptions = { faults: 0.2, faultKinds: ['429', '500', 'truncated'], retryAfterS: 0.01 };
    const a = await start({ ...opts, faultSeed: 3 });
    const b = await start({ ...opts, faultSeed: 4 });
    // The Anthropic dialect adds /v1/messages to the base URL itself.
    const p = remotePool([a.url, b.url].map((u) => u.replace(/\/v1$/, '')), { id: `pool-${++n}`, name: 'Fake Anthropic', kind: 'anthropic', model: 'claude-fake', policy: { ...DEFAULT_POLICY, concurrency: 4, baseDelayMs: 10, maxDelayMs: 100, maxRetries: 8, timeoutMs: 5000 } }, 'k', anthropicDialect);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => complete(p, { messages: ask(i).messages, maxTokens: 100, ...(i % 2 ? { schema: VERDICT } : {}) })),
    );
    replies.forEach((d, i) => {
      if (i % 2) {
        expect(d.constrained).toBe('tool');
        expect(matchesSchema(JSON.parse(d.text), VERDICT.schema)).toBe(true);
      } else expect(d.text).toBe(replyFor({ model: 'claude-fake', messages: [null, ask(i).messages], maxTokens: 100 }).text);
      expect(d.usage!.completionTokens).toBe(Math.ceil(d.text.length / 4));
    });
    const faults = [a, b].reduce((n, s) => n + s.stats().failed[429] + s.stats().failed[500] + s.stats().failed.truncated, 0);
    expect(faults).toBeGreaterThan(0);
    expect(a.stats().completed + b.stats().completed).toBe(40);
  });

  it('refuses an empty list with a typed error', () => {
    expect(() => new EndpointPool([])).toThrow(EndpointPoolError);
  });
});
