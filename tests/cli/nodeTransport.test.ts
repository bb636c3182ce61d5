import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../../scripts/fakeLlm.mjs';
import { nodeTransport, type NodeTransport } from '../../src/cli/nodeTransport';
import { anthropicDialect } from '../../src/lib/engines/remote/anthropic';
import { batchFetch } from '../../src/lib/engines/remote/batch';
import { DEFAULT_POLICY, httpError } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { RemoteEngine, type EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import type { ChatEvent } from '../../src/lib/engines/types';

/**
 * The command line's node:http transport, through the same RemoteEngine the app uses: what a
 * fetch must do for the engines (stream, abort, errors typed as with fetch), against the fake LLM.
 */

const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});
async function fake(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  const s = await startFakeLlm(opts);
  open.push(s);
  return s;
}
function transport(maxSockets = 8): NodeTransport {
  const t = nodeTransport({ maxSockets });
  open.push(t);
  return t;
}

let n = 0;
function engine(baseUrl: string, t: NodeTransport | undefined, over: Partial<EndpointConfig['policy']> = {}, kind: 'openai' | 'anthropic' = 'openai'): RemoteEngine {
  const cfg: EndpointConfig = { id: `nt-${++n}`, name: 'fake', kind, baseUrl, model: 'fake-model', policy: { ...DEFAULT_POLICY, concurrency: 64, baseDelayMs: 10, timeoutMs: 10_000, maxRetries: 0, ...over } };
  return new RemoteEngine(cfg, 'k', kind === 'openai' ? openaiDialect : anthropicDialect, t ? { fetch: t } : {});
}
async function events(e: RemoteEngine, content = 'hi', signal?: AbortSignal): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const ev of e.chat({ messages: [{ role: 'user', content }], maxTokens: 60, seed: 1 }, signal)) out.push(ev);
  return out;
}
const doneOf = (evs: ChatEvent[]) => evs.find((e) => e.type === 'done') as Extract<ChatEvent, { type: 'done' }>;

describe('node transport', () => {
  it('streams the same answers as fetch, OpenAI and Anthropic', async () => {
    const s = await fake();
    const t = transport();
    for (const kind of ['openai', 'anthropic'] as const) {
      const base = kind === 'openai' ? s.url : s.url.replace(/\/v1$/, '');
      const viaNode = await events(engine(base, t, {}, kind), 'Explain rivers.');
      const viaFetch = await events(engine(base, undefined, {}, kind), 'Explain rivers.');
      const a = doneOf(viaNode);
      expect(a.text.length).toBeGreaterThan(10);
      expect(viaNode.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
      expect(a.text).toBe(doneOf(viaFetch).text);
      expect(a.usage).toEqual(doneOf(viaFetch).usage);
    }
    expect(s.stats().completed).toBe(4);
  });

  it('keeps at most maxSockets calls in flight and completes every call', async () => {
    const s = await fake({ latencyMs: 20 });
    const e = engine(s.url, transport(4));
    const all = await Promise.all(Array.from({ length: 24 }, (_, i) => events(e, `q${i}`)));
    expect(all.every((evs) => doneOf(evs)?.text.length > 0)).toBe(true);
    expect(s.stats().completed).toBe(24);
    expect(s.stats().maxInFlight).toBeLessThanOrEqual(4);
  });

  it('answers a non-streamed call as a whole JSON body (the batch calls)', async () => {
    const s = await fake();
    const resp = await batchFetch(`${s.url}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 30 }) }, { key: 'k', name: 'fake', timeoutMs: 10_000, fetch: transport() });
    const j = (await resp.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    expect(resp.status).toBe(200);
    expect(resp.headers.get('content-type')).toContain('application/json');
    expect(j.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(j.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('aborts mid-stream: the call ends as AbortedError and the server sees the connection close', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    const server: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'first ' }, finish_reason: null }] })}\n\n`);
      res.on('close', () => closed()); // and nothing more: only the client ends this
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise((r) => server.close(r)) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const ctl = new AbortController();
    const seen: ChatEvent[] = [];
    const err = await (async () => {
      for await (const ev of engine(url, transport()).chat({ messages: [{ role: 'user', content: 'hi' }] }, ctl.signal)) {
        seen.push(ev);
        if (ev.type === 'delta') ctl.abort();
      }
    })().catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortedError');
    expect(seen.map((e) => e.type)).toEqual(['delta']);
    await serverSawClose;
  });

  it('aborts before the answer starts (a stalled server)', async () => {
    const s = await fake({ faults: 1, faultKinds: ['stall'] });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const err = await events(engine(s.url, transport()), 'hi', ctl.signal).catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortedError');
  });

  it('maps a refused connection to NetworkError', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await events(engine(`http://127.0.0.1:${port}/v1`, transport())).catch((e: Error) => e);
    expect((err as Error).name).toBe('NetworkError');
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('maps a server that never answers to TimeoutError', async () => {
    const s = await fake({ faults: 1, faultKinds: ['stall'] });
    const err = await events(engine(s.url, transport(), { timeoutMs: 150 })).catch((e: Error) => e);
    expect((err as Error).name).toBe('TimeoutError');
  });

  it('maps a stream cut short to NetworkError', async () => {
    const s = await fake({ faults: 1, faultKinds: ['truncated'] });
    const err = await events(engine(s.url, transport())).catch((e: Error) => e);
    expect((err as Error).name).toBe('NetworkError');
  });

  it("reads a 429's Retry-After: each retry waits what the server said", async () => {
    const s = await fake({ faults: 1, faultKinds: ['429'], retryAfterS: 0.05 });
    const t = transport();
    const resp = await t(`${s.url}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [] }) });
    const typed = await httpError(resp, 'k', 'fake');
    expect(typed.name).toBe('RateLimitedError');
    expect(typed.retryAfter).toBe(0.05);
    const seen: ChatEvent[] = [];
    const err = await (async () => {
      for await (const ev of engine(s.url, t, { maxRetries: 2 }).chat({ messages: [{ role: 'user', content: 'hi' }] })) seen.push(ev);
    })().catch((e: Error) => e);
    expect((err as Error).name).toBe('RateLimitedError');
    expect(seen.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.delayMs : -1))).toEqual([50, 50]);
    expect(s.stats().failed[429]).toBe(4);
  });

  it('refuses a body it cannot send, before any byte goes out', async () => {
    const s = await fake();
    await expect(transport()(`${s.url}/files`, { method: 'POST', body: new FormData() })).rejects.toThrow(/global fetch/);
    expect(s.stats().requests).toBe(0);
  });
});
