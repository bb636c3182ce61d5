import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isEngineError } from '../../src/lib/engines/errors';
import { anthropicDialect } from '../../src/lib/engines/remote/anthropic';
import { DEFAULT_POLICY, parseRetryAfter, redact, retryDelay, Semaphore } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { costOf, RemoteEngine, type EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import type { ChatEvent, ChatRequest } from '../../src/lib/engines/types';
import { EQUALITY, VERDICT } from '../../src/lib/pipeline/schemas';
import { ANSWER, GOOD_KEY, JSON_ANSWER, THINKING, startFakeLlmServer, type FakeServer } from '../support/fakeLlmServer';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

let n = 0;
function engine(model: string, over: Partial<EndpointConfig['policy']> = {}, kind: 'openai' | 'anthropic' = 'openai', key = GOOD_KEY) {
  const cfg: EndpointConfig = {
    id: `ep-${++n}`,
    name: 'Test server',
    kind,
    baseUrl: kind === 'openai' ? `${server.url}/v1` : server.url,
    model,
    policy: { ...DEFAULT_POLICY, baseDelayMs: 10, maxDelayMs: 2000, timeoutMs: 5000, ...over },
  };
  return new RemoteEngine(cfg, key, kind === 'openai' ? openaiDialect : anthropicDialect);
}

async function run(e: RemoteEngine, signal?: AbortSignal): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const ev of e.chat({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 50 }, signal)) out.push(ev);
  return out;
}
const text = (evs: ChatEvent[]) => evs.filter((e) => e.type === 'delta').map((e) => (e.type === 'delta' ? e.text : '')).join('');
const done = (evs: ChatEvent[]) => evs.find((e) => e.type === 'done') as Extract<ChatEvent, { type: 'done' }>;

describe('remote engines against a local SSE server', () => {
  it('streams an OpenAI-compatible answer with usage, time to first token and tokens/s', async () => {
    const evs = await run(engine('ok'));
    expect(text(evs)).toBe(ANSWER);
    const d = done(evs);
    expect(d).toMatchObject({ text: ANSWER, usage: { promptTokens: 11, completionTokens: 9 }, finishReason: 'stop' });
    expect(d.timing.firstTokenMs).toBeGreaterThan(0);
    expect(d.timing.tokensPerSecond).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
    expect(costOf(d.usage, { input: 1, output: 2 })).toBeCloseTo((11 + 18) / 1e6);
  });

  it('streams an Anthropic answer (with the direct-browser-access header)', async () => {
    const evs = await run(engine('ok', {}, 'anthropic'));
    expect(done(evs)).toMatchObject({ text: ANSWER, usage: { promptTokens: 11, completionTokens: 9 } });
    expect(server.requests[0]!.path).toBe('/v1/messages');
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const t0 = performance.now();
    const evs = await run(engine('ratelimit-once'));
    const retry = evs.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', attempt: 1, delayMs: 1000 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(990);
    expect(done(evs).text).toBe(ANSWER);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a 500 with backoff, and gives up with ServerError after maxRetries', async () => {
    const ok = await run(engine('error500-once'));
    expect(ok.filter((e) => e.type === 'retry')).toHaveLength(1);
    expect(done(ok).text).toBe(ANSWER);
    server.reset();
    const err = await run(engine('always500', { maxRetries: 2 })).catch((e) => e);
    expect(isEngineError(err, 'ServerError')).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('re-sends a call whose stream was cut, telling the consumer to drop the partial text', async () => {
    const evs = await run(engine('drop-once'));
    const kinds = evs.map((e) => e.type);
    const r = kinds.indexOf('retry');
    expect(r).toBeGreaterThan(0); // some text came before the cut
    // Text after the retry event is the whole answer, exactly once.
    expect(text(evs.slice(r))).toBe(ANSWER);
    expect(done(evs).text).toBe(ANSWER);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a slow first byte, and waits when the limit allows it', async () => {
    server.slowMs = 400;
    const slowOk = await run(engine('slow', { timeoutMs: 3000 }));
    expect(done(slowOk).timing.firstTokenMs).toBeGreaterThanOrEqual(390);
    server.reset();
    const err = await run(engine('slow', { timeoutMs: 100, maxRetries: 1 })).catch((e) => e);
    expect(isEngineError(err, 'TimeoutError')).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('fails at once with BadKeyError on 401, and no error text contains the key', async () => {
    const key = 'sk-wrong-key-98765432109876';
    const err = await run(engine('ok', {}, 'openai', key)).catch((e) => e);
    expect(isEngineError(err, 'BadKeyError')).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(String(err.message)).not.toContain(key.slice(0, 8));
    expect(String(err.message)).not.toContain(key);
    expect(String(err.message)).toContain('401');
  });

  it('keeps at most `concurrency` calls in flight per endpoint, and every call ends exactly once', async () => {
    const e = engine('ok', { concurrency: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => run(e)));
    expect(results.map((r) => done(r).text)).toEqual(Array(6).fill(ANSWER));
    expect(server.maxInFlight).toBe(2);
    expect(server.requests).toHaveLength(6);
  });

  it('aborts mid-stream with AbortedError and closes the connection', async () => {
    const ctl = new AbortController();
    const out: ChatEvent[] = [];
    const err = await (async () => {
      for await (const ev of engine('ok').chat({ messages: [{ role: 'user', content: 'hi' }] }, ctl.signal)) {
        out.push(ev);
        if (out.length === 2) ctl.abort();
      }
    })().catch((e) => e);
    expect(isEngineError(err, 'AbortedError')).toBe(true);
    expect(out.some((e) => e.type === 'done')).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.closedEarly).toBe(1);
  });

  it('reports an unreachable server as NetworkError', async () => {
    const cfg: EndpointConfig = { id: 'dead', name: 'Dead', kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'ok', policy: { ...DEFAULT_POLICY, maxRetries: 0 } };
    const err = await run(new RemoteEngine(cfg, GOOD_KEY, openaiDialect)).catch((e) => e);
    expect(isEngineError(err, 'NetworkError')).toBe(true);
  });
});

describe('retry policy pieces', () => {
  it('backs off exponentially with jitter, capped, and honours Retry-After', () => {
    const p = { ...DEFAULT_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(0, p, undefined, () => 0)).toBe(50);
    expect(retryDelay(0, p, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, p, undefined, () => 1)).toBe(800);
    expect(retryDelay(9, p, undefined, () => 1)).toBe(1000);
    expect(retryDelay(0, p, 0.5)).toBe(500);
    expect(parseRetryAfter('2')).toBe(2);
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('redacts keys and things that look like keys', () => {
    expect(redact('bad key sk-proj-abcdef123456 for Bearer abc.def', undefined)).toBe('bad key [key] for Bearer [key]');
    expect(redact('x MYSECRETVALUE y', 'MYSECRETVALUE')).toBe('x [key] y');
  });

  it('a semaphore serves waiters in order and lets an aborted waiter go', async () => {
    const s = new Semaphore(1);
    const r1 = await s.acquire();
    const order: number[] = [];
    const ctl = new AbortController();
    const p2 = s.acquire().then((r) => (order.push(2), r));
    const p3 = s.acquire(ctl.signal).catch((e) => e);
    const p4 = s.acquire().then((r) => (order.push(4), r));
    ctl.abort();
    expect(isEngineError(await p3, 'AbortedError')).toBe(true);
    r1();
    (await p2)();
    (await p4)();
    expect(order).toEqual([2, 4]);
    expect(s.active).toBe(0);
  });
});

describe('structured output and reasoning on remote endpoints', () => {
  const call = async (e: RemoteEngine, req: Partial<ChatRequest> = {}) => {
    const evs: ChatEvent[] = [];
    for await (const ev of e.chat({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 50, ...req })) evs.push(ev);
    return evs.find((x) => x.type === 'done') as Extract<ChatEvent, { type: 'done' }>;
  };

  it('sends a JSON schema response format, falls back to JSON mode when refused, and remembers it per endpoint', async () => {
    const ok = await call(engine('schema'), { schema: VERDICT });
    expect(ok).toMatchObject({ text: JSON_ANSWER, constrained: 'json_schema' });
    expect(server.requests[0]!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'verdict', schema: VERDICT.schema, strict: true } });

    server.reset();
    const e = engine('no-json-schema');
    const first = await call(e, { schema: VERDICT });
    expect(first).toMatchObject({ text: JSON_ANSWER, constrained: 'json_object' });
    expect(server.requests.map((r) => (r.body.response_format as { type: string }).type)).toEqual(['json_schema', 'json_object']);
    const second = await call(e, { schema: VERDICT });
    expect(second.constrained).toBe('json_object');
    expect(server.requests).toHaveLength(3); // remembered: no second refusal
    // A call without a schema sends no response format.
    await call(e);
    expect(server.requests[3]!.body.response_format).toBeUndefined();
  });

  it('asks Anthropic through a forced tool call whose input is the answer', async () => {
    const d = await call(engine('schema', {}, 'anthropic'), { schema: VERDICT });
    expect(d).toMatchObject({ text: JSON_ANSWER, constrained: 'tool' });
    const body = server.requests[0]!.body;
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'verdict' });
    expect(body.tools).toEqual([expect.objectContaining({ name: 'verdict', input_schema: VERDICT.schema })]);
  });

  it('keeps reasoning_content and thinking deltas apart from the answer, and can ask for no thinking', async () => {
    const o = await call(engine('qwen3-reasoning'), { thinking: false });
    expect(o).toMatchObject({ text: ANSWER, reasoning: THINKING });
    expect(server.requests[0]!.body.chat_template_kwargs).toEqual({ enable_thinking: false });
    // Not sent to a model that does not think: OpenAI and Groq refuse arguments they do not know.
    await call(engine('reasoning'), { thinking: false });
    expect(server.requests[1]!.body.chat_template_kwargs).toBeUndefined();
    const a = await call(engine('reasoning', {}, 'anthropic'));
    expect(a).toMatchObject({ text: ANSWER, reasoning: THINKING });
  });

  it('reads a server refusing a long prompt as a context overflow, not a bad request', async () => {
    const err = await call(engine('too-long')).catch((e) => e);
    expect(isEngineError(err, 'ContextOverflowError')).toBe(true);
    expect(err.message).toMatch(/maximum context length is 8192/);
    expect(err.context).toMatchObject({ contextLength: 8192, promptTokens: 9000, counted: true });
    expect(server.requests).toHaveLength(1);
  });

  it('a refused parameter is a bad request, not a context overflow, and a 400 unrelated to the schema is not retried as one', async () => {
    const param = await call(engine('bad-param')).catch((e) => e);
    expect(param.name).toBe('BadRequestError');
    expect(param.message).toMatch(/max_completion_tokens/);
    server.reset();
    const withSchema = await call(engine('bad-param'), { schema: VERDICT }).catch((e) => e);
    expect(withSchema.name).toBe('BadRequestError');
    expect(server.requests).toHaveLength(1);
  });

  it('JSON mode gets a system line naming JSON when the prompt does not, and the fallback is remembered per schema', async () => {
    const e = engine('no-json-schema');
    await call(e, { schema: EQUALITY });
    const sent = server.requests[1]!.body as { response_format: { type: string }; messages: { role: string; content: string }[] };
    expect(sent.response_format.type).toBe('json_object');
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Reply with one JSON object with the keys: judgement.' });
    server.reset();
    await call(e, { schema: VERDICT }); // another schema starts again from the strongest mechanism
    expect(server.requests.map((r) => (r.body.response_format as { type: string }).type)).toEqual(['json_schema', 'json_object']);
  });
});
