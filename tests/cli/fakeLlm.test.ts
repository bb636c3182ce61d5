import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../../scripts/fakeLlm.mjs';
import { VERDICT, EQUALITY } from '../../src/lib/pipeline/schemas';
import { matchesSchema } from '../../src/lib/engines/structured';

/** The fake LLM server itself: what the scale tests and the throughput benchmark lean on. */

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

const chat = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer k', ...headers }, body: JSON.stringify(body) });

/** The text of an OpenAI SSE stream, and its usage. */
async function streamed(resp: Response): Promise<{ text: string; usage: { prompt_tokens: number; completion_tokens: number } | null; done: boolean }> {
  let text = '';
  let usage = null;
  let done = false;
  for (const block of (await resp.text()).split('\n\n')) {
    const data = block.replace(/^data: /, '').trim();
    if (!data) continue;
    if (data === '[DONE]') done = true;
    else {
      const j = JSON.parse(data);
      text += j.choices[0]?.delta?.content ?? '';
      if (j.usage) usage = j.usage;
    }
  }
  return { text, usage, done };
}

describe('fake LLM server', () => {
  it('answers deterministically from (model, messages, seed, max_tokens), streamed or not', async () => {
    const a = await start();
    const b = await start();
    const messages = [{ role: 'user', content: 'Write a haiku about rivers.' }];
    const plain = await (await chat(a.url, { model: 'm', messages, seed: 7 })).json();
    const again = await (await chat(b.url, { model: 'm', messages, seed: 7 })).json();
    expect(plain.choices[0].message.content).toBe(again.choices[0].message.content);
    expect(plain.choices[0].message.content).toMatch(/^[A-Z].{20,}\.$/);
    const s = await streamed(await chat(a.url, { model: 'm', messages, seed: 7, stream: true, stream_options: { include_usage: true } }));
    expect(s.text).toBe(plain.choices[0].message.content);
    expect(s.done).toBe(true);
    expect(s.usage).toEqual({ prompt_tokens: Math.ceil(messages[0]!.content.length / 4), completion_tokens: Math.ceil(s.text.length / 4), total_tokens: expect.any(Number) });
    // Another prompt, seed or model gives other text.
    const texts = new Set<string>([plain.choices[0].message.content]);
    for (const body of [{ model: 'm', messages, seed: 8 }, { model: 'n', messages, seed: 7 }, { model: 'm', messages: [{ role: 'user', content: 'Other.' }], seed: 7 }]) {
      texts.add((await (await chat(a.url, body)).json()).choices[0].message.content);
    }
    expect(texts.size).toBe(4);
    // max_tokens cuts the answer and says so.
    const cut = await (await chat(a.url, { model: 'm', messages, max_tokens: 3 })).json();
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(cut.usage.completion_tokens).toBeLessThanOrEqual(3);
    const st = a.stats();
    expect(st.completed).toBe(6);
    expect(st.promptTokens).toBeGreaterThan(0);
    expect(a.requests.map((r) => r.body.seed)).toEqual([7, 7, 8, 7, 7, undefined]);
  });

  it('answers a JSON schema with JSON valid for it: judge scores 3–5, mostly Not Equal', async () => {
    const s = await start();
    const scores = new Set<number>();
    let notEqual = 0;
    for (let i = 0; i < 40; i++) {
      const messages = [{ role: 'user', content: `Judge item ${i}` }];
      const v = JSON.parse((await (await chat(s.url, { model: 'm', messages, response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema: VERDICT.schema, strict: true } } })).json()).choices[0].message.content);
      expect(matchesSchema(v, VERDICT.schema)).toBe(true);
      scores.add(v.score);
      const e = JSON.parse((await streamed(await chat(s.url, { model: 'm', messages, stream: true, response_format: { type: 'json_schema', json_schema: { name: 'equality', schema: EQUALITY.schema } } }))).text);
      expect(matchesSchema(e, EQUALITY.schema)).toBe(true);
      if (e.judgement === 'Not Equal') notEqual++;
    }
    expect([...scores].sort()).toEqual([3, 4, 5]);
    expect(notEqual).toBeGreaterThanOrEqual(30);
    // JSON mode: some JSON object.
    const j = (await (await chat(s.url, { model: 'm', messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } })).json()).choices[0].message.content;
    expect(typeof JSON.parse(j)).toBe('object');
  });

  it('speaks Anthropic Messages: SSE events, a forced tool call as JSON, and the same text unstreamed', async () => {
    const s = await start({ key: 'ak' });
    const headers = { 'Content-Type': 'application/json', 'x-api-key': 'ak', 'anthropic-version': '2023-06-01' };
    const body = { model: 'claude-fake', max_tokens: 300, system: 'Be brief.', messages: [{ role: 'user', content: 'Judge this.' }], tools: [{ name: 'verdict', input_schema: VERDICT.schema }], tool_choice: { type: 'tool', name: 'verdict' } };
    const sse = await (await fetch(`${s.url}/messages`, { method: 'POST', headers, body: JSON.stringify({ ...body, stream: true }) })).text();
    const events = sse.split('\n\n').filter(Boolean).map((b) => JSON.parse(b.split('\n')[1]!.slice(6)));
    expect(events.map((e) => e.type).filter((t, i, a) => a.indexOf(t) === i)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const json = events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.partial_json).join('');
    expect(matchesSchema(JSON.parse(json), VERDICT.schema)).toBe(true);
    const whole = await (await fetch(`${s.url}/messages`, { method: 'POST', headers, body: JSON.stringify(body) })).json();
    expect(whole.content[0]).toMatchObject({ type: 'tool_use', name: 'verdict', input: JSON.parse(json) });
    expect(whole.usage.output_tokens).toBe(events.find((e) => e.type === 'message_delta').usage.output_tokens);
  });

  it('refuses a wrong key with 401, on both APIs and the model list', async () => {
    const s = await start({ key: 'right' });
    expect((await chat(s.url, { model: 'm', messages: [] }, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${s.url}/messages`, { method: 'POST', headers: { 'x-api-key': 'wrong' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${s.url}/models`)).status).toBe(401);
    const models = await (await fetch(`${s.url}/models`, { headers: { Authorization: 'Bearer right' } })).json();
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(['fake-model']);
    expect(s.stats()).toMatchObject({ requests: 2, unauthorized: 2, completed: 0 });
  });

  it('injects the share of faults asked for, of every kind, the same on every run', async () => {
    const run = async () => {
      const s = await start({ faults: 0.2, faultSeed: 42, retryAfterS: 2 });
      const outcomes: string[] = [];
      for (let i = 0; i < 120; i++) {
        const ctl = new AbortController();
        const t = setTimeout(() => ctl.abort(), 200); // a stall sends no byte: only this ends it
        try {
          const r = await fetch(`${s.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${i}` }], stream: true }), signal: ctl.signal });
          if (r.status === 429) expect(r.headers.get('retry-after')).toBe('2');
          if (r.status !== 200) outcomes.push(String(r.status));
          else outcomes.push((await streamed(r)).done ? 'ok' : 'cut');
        } catch (e) {
          outcomes.push(ctl.signal.aborted ? 'stall' : 'cut');
        } finally {
          clearTimeout(t);
        }
      }
      return { outcomes, stats: s.stats() };
    };
    const a = await run();
    const b = await run();
    expect(a.outcomes).toEqual(b.outcomes);
    const failed = a.outcomes.filter((o) => o !== 'ok').length;
    expect(failed).toBeGreaterThan(12);
    expect(failed).toBeLessThan(40);
    for (const kind of ['429', '500', 'stall', 'cut']) expect(a.outcomes).toContain(kind);
    expect(a.stats.failed).toEqual({ 429: a.outcomes.filter((o) => o === '429').length, 500: a.outcomes.filter((o) => o === '500').length, stall: a.outcomes.filter((o) => o === 'stall').length, truncated: a.outcomes.filter((o) => o === 'cut').length });
    expect(a.stats.completed).toBe(120 - failed);
  }, 60_000);

  it('serves `capacity` requests at once and queues the rest', async () => {
    const s = await start({ capacity: 4, latencyMs: 200 });
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(s.url, { model: 'm', messages: [{ role: 'user', content: `${i}` }] }).then((r) => r.json())));
    expect(new Set(replies.map((r) => r.choices[0].message.content)).size).toBeGreaterThan(30);
    const st = s.stats();
    expect(st).toMatchObject({ completed: 40, maxActive: 4, inFlight: 0, queued: 0 });
    expect(st.maxInFlight).toBeGreaterThan(4); // some waited in the queue
  }, 60_000);

  it('holds hundreds of requests from one Node fetch client at once (no per-origin connection cap)', async () => {
    // Every request stalls, so all of them are open together however slow this machine is.
    const s = await start({ faults: 1, faultKinds: ['stall'] });
    const all = Array.from({ length: 300 }, (_, i) => chat(s.url, { model: 'm', messages: [{ role: 'user', content: `${i}` }] }).catch((e: Error) => e.name));
    while (s.stats().requests < 300) await new Promise((r) => setTimeout(r, 20));
    expect(s.stats()).toMatchObject({ inFlight: 300, maxInFlight: 300 });
    await s.close(); // ends the stalled requests
    servers = servers.filter((x) => x !== s);
    expect((await Promise.all(all)).every((x) => typeof x === 'string')).toBe(true);
  }, 60_000);
});
