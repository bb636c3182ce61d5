#!/usr/bin/env node
// @ts-check
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
// The app's generator (the fault draws and the reply words), in plain JS so that this runs unbuilt.
import { mulberry32 } from '../src/lib/mulberry32.mjs';

/**
 * A fake LLM server for scale tests and the throughput benchmark: OpenAI Chat Completions and
 * Anthropic Messages on 127.0.0.1, streamed and not, with a fixed latency, a capacity of requests
 * served at once (the rest wait in a queue, like vLLM's max_num_seqs) and a seeded share of
 * faults (429 + Retry-After, 500, a stall that only the client's timeout ends, a stream cut short).
 *
 * Replies are a function of (model, messages, seed, max_tokens) alone, so a resumed run gets the
 * text an uninterrupted one got. A JSON-schema (or JSON-mode, or forced-tool) request gets JSON
 * valid for the schema sent: integers from the upper part of their range (a judge's 1–5 score is
 * 3–5, so most items pass), enums by the hash ('Not Equal' mostly, so evolutions survive), strings
 * of words within their bounds.
 *
 * Standalone: `node scripts/fakeLlm.mjs --port 8000 --latency 50 --capacity 64 [--faults 0.2]`
 * prints its base URL. tests/support/fakeLlmServer.ts is the other fake: fixed answers chosen by
 * the model name, for the engines' protocol tests; this one is for runs of many items.
 */

/** @typedef {'429' | '500' | 'stall' | 'truncated'} FaultKind */
export const FAULT_KINDS = /** @type {FaultKind[]} */ (['429', '500', 'stall', 'truncated']);

const WORDS = (
  'the a clear short answer explains each step with care because good data needs simple words ' +
  'model river stone garden light number method reason result small large quick steady careful ' +
  'first then finally often always keeps makes shows gives uses finds builds checks adds turns ' +
  'useful honest exact plain practical example detail summary question idea list rule case point'
).split(' ');

/** Tokens of a text as the usage counts them: about four characters a token. */
export const tokensOf = (/** @type {string} */ text) => Math.ceil(text.length / 4);

/** The words of a reply, drawn from `rnd`, as one or two sentences of `min..max` characters. */
function sentences(rnd, min = 40, max = 160) {
  const target = min + Math.floor(rnd() * Math.max(1, max - min + 1));
  let out = '';
  let start = true;
  while (out.length < target) {
    let w = WORDS[Math.floor(rnd() * WORDS.length)];
    if (start) w = w[0].toUpperCase() + w.slice(1);
    start = false;
    const next = out ? `${out} ${w}` : w;
    if (next.length + 1 > max) break;
    out = next;
    if (out.length > target / 2 && !out.includes('.') && rnd() < 0.3) {
      out += '.';
      start = true;
    }
  }
  out = out.replace(/\.$/, '');
  while (out.length + 1 < min) out += ' ok';
  return `${out}.`;
}

/**
 * A JSON value valid for the app's schema subset (objects, bounded strings, enums, integer ranges,
 * booleans; arrays too, for schemas from elsewhere).
 */
function valueFor(schema, rnd) {
  const s = schema ?? {};
  if (Array.isArray(s.enum) && s.enum.length) {
    // Evol-Instruct's elimination asks Equal / Not Equal: mostly Not Equal, so evolutions survive.
    if (s.enum.includes('Not Equal')) return rnd() < 0.9 ? 'Not Equal' : 'Equal';
    return s.enum[Math.floor(rnd() * s.enum.length)];
  }
  switch (s.type) {
    case 'object': {
      /** @type {Record<string, unknown>} */
      const out = {};
      const props = s.properties ?? {};
      for (const k of Object.keys(props)) out[k] = valueFor(props[k], rnd);
      return out;
    }
    case 'array': {
      const n = Math.max(s.minItems ?? 1, Math.min(s.maxItems ?? 3, 1 + Math.floor(rnd() * 3)));
      return Array.from({ length: n }, () => valueFor(s.items, rnd));
    }
    case 'integer':
    case 'number': {
      const lo = Number.isFinite(s.minimum) ? s.minimum : 0;
      const hi = Number.isFinite(s.maximum) ? s.maximum : lo + 10;
      // The upper three values of the range: a 1–5 judge score is 3–5.
      const from = Math.max(lo, hi - 2);
      return from + Math.floor(rnd() * (hi - from + 1));
    }
    case 'boolean':
      return rnd() < 0.8;
    case 'string':
    default: {
      const max = Math.min(s.maxLength ?? 160, 160);
      const min = Math.min(s.minLength ?? 0, max);
      if (max < 5) return 'ok'.slice(0, max).padEnd(min, 'k');
      return sentences(rnd, Math.max(min, Math.min(20, max)), max).slice(0, max);
    }
  }
}

/**
 * The reply to a request: text, and whether it was cut by max_tokens. `schema` is the JSON schema
 * asked for (or `{}` for JSON mode), undefined for free text.
 * @param {{ model: string, messages: unknown, seed?: unknown, maxTokens?: unknown, schema?: object }} r
 */
export function replyFor(r) {
  const h = createHash('sha256').update(JSON.stringify([r.model, r.messages, r.seed ?? null, r.maxTokens ?? null])).digest();
  const rnd = mulberry32(h.readUInt32LE(0));
  // Free text: 80–240 characters, past the pipeline's default 50-character answer filter.
  let text = r.schema ? JSON.stringify(valueFor(Object.keys(r.schema).length ? r.schema : { type: 'object', properties: { answer: { type: 'string' } } }, rnd)) : sentences(rnd, 80, 240);
  let finish = 'stop';
  const max = Number(r.maxTokens);
  if (Number.isFinite(max) && max > 0 && tokensOf(text) > max) {
    text = text.slice(0, max * 4);
    finish = 'length';
  }
  return { text, finish };
}

/**
 * The reply to a raw text completion: a question (what a chat model writes after its template's
 * user-turn prefix, Magpie), a function of (model, prompt, seed, max_tokens), cut at the first
 * `stop` text as servers do.
 * @param {{ model: string, prompt: string, seed?: unknown, maxTokens?: unknown, stop?: unknown }} r
 */
export function completionFor(r) {
  const { text: body, finish } = replyFor({ model: r.model, messages: r.prompt, seed: r.seed, maxTokens: r.maxTokens });
  let text = finish === 'stop' ? `${body.replace(/[.!]\s*$/, '')}?` : body;
  for (const s of Array.isArray(r.stop) ? r.stop : typeof r.stop === 'string' ? [r.stop] : []) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  return { text, finish };
}

/**
 * The fake reward of an (prompt, answer) pair: a number in [0, 1) from their hash, four decimals.
 * The reward routes (vLLM's /score, /pooling, /classify, and chat completions for a model whose name
 * ends in "-reward") all answer it, so tests know which answers a reward step keeps.
 * @param {string} prompt
 * @param {string} answer
 */
export function rewardFor(prompt, answer) {
  const h = createHash('sha256').update(JSON.stringify([prompt, answer])).digest();
  return Math.floor((h.readUInt32LE(0) / 2 ** 32) * 10_000) / 10_000;
}

/**
 * The answer of a vLLM reward route (docs.vllm.ai: Score, Pooling and Classification APIs), or
 * null when the body is not one it takes (400).
 * @param {'/score' | '/pooling' | '/classify'} path
 * @param {any} body
 */
function rewardAnswer(path, body) {
  const model = String(body.model ?? '');
  const head = { id: 'reward-fake', object: 'list', created: 0, model, usage: { prompt_tokens: 0, total_tokens: 0 } };
  if (path === '/score') {
    const t1 = body.text_1;
    const t2 = Array.isArray(body.text_2) ? body.text_2 : [body.text_2];
    if (typeof t2[0] !== 'string') return null;
    // text_1 a string: scored against each text_2; both lists: pair by pair (equal lengths).
    if (Array.isArray(t1) && t1.length !== t2.length) return null;
    const firsts = Array.isArray(t1) ? t1 : t2.map(() => t1);
    return { ...head, data: t2.map((t, index) => ({ index, object: 'score', score: rewardFor(String(firsts[index]), String(t)) })) };
  }
  if (path === '/pooling') {
    const m = body.messages;
    if (!Array.isArray(m)) return null;
    const user = m.find((x) => x?.role === 'user')?.content ?? '';
    const assistant = m.findLast((x) => x?.role === 'assistant')?.content ?? '';
    return { ...head, data: [{ index: 0, object: 'pooling', data: [rewardFor(String(user), String(assistant))] }] };
  }
  const input = Array.isArray(body.input) ? body.input : [body.input];
  if (typeof input[0] !== 'string') return null;
  return {
    ...head,
    data: input.map((t, index) => {
      // The classify input is "prompt\n\nanswer": the same reward as the other routes give the pair.
      const at = String(t).indexOf('\n\n');
      const p = rewardFor(at < 0 ? String(t) : String(t).slice(0, at), at < 0 ? '' : String(t).slice(at + 2));
      return { index, label: p >= 0.5 ? 'good' : 'bad', probs: [1 - p, p], num_classes: 2 };
    }),
  };
}

/**
 * @typedef {object} FakeLlmOptions
 * @property {number} [port] 0 (any free port) by default
 * @property {number} [latencyMs] fixed wait before each answer, once a capacity slot is held
 * @property {number} [capacity] requests served at once; the rest wait in a queue (Infinity by default)
 * @property {number} [faults] share 0..1 of requests that fail, drawn from a seeded generator
 * @property {number} [faultSeed] seed of the fault draws (1 by default), so runs repeat
 * @property {FaultKind[]} [faultKinds] which faults to inject, equally likely (all four by default)
 * @property {number} [retryAfterS] the Retry-After of a 429, seconds (fractions allowed; 1 by default)
 * @property {string} [key] the bearer / x-api-key to expect: other keys get 401 (any key when unset)
 * @property {string[]} [models] what GET /v1/models lists
 * @property {boolean} [record] keep each request in `requests` (true by default; a long benchmark turns it off)
 * @property {boolean} [cors] answer a browser page's cross-origin calls (CORS headers and the preflight), as a hosted API does; off by default
 * @property {{ template: string, bosToken: string, eosToken: string }} [chatTemplate] serve it at GET /props as llama.cpp server does (no /props when unset, as vLLM)
 */

/**
 * @typedef {object} FakeStats
 * @property {number} requests chat requests received (401s included)
 * @property {number} completed answered whole
 * @property {Record<FaultKind, number>} failed injected faults by kind
 * @property {number} unauthorized 401 answers
 * @property {number} inFlight chat requests open now (queued ones included)
 * @property {number} maxInFlight most chat requests open at once
 * @property {number} queued requests waiting for a capacity slot now
 * @property {number} maxActive most requests served at once (never above the capacity)
 * @property {number} promptTokens prompt tokens of completed requests
 * @property {number} completionTokens completion tokens of completed requests
 */

/**
 * @typedef {object} ReceivedRequest
 * @property {string} path
 * @property {Record<string, string | string[] | undefined>} headers
 * @property {any} body the JSON body as received
 */

/**
 * Starts the server on 127.0.0.1.
 * @param {FakeLlmOptions} [opts]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void>, stats(): FakeStats, requests: ReceivedRequest[] }>}
 */
export async function startFakeLlm(opts = {}) {
  const latencyMs = opts.latencyMs ?? 0;
  const capacity = Math.max(1, opts.capacity ?? Infinity);
  const faults = Math.min(1, Math.max(0, opts.faults ?? 0));
  const kinds = opts.faultKinds?.length ? opts.faultKinds : FAULT_KINDS;
  const retryAfter = String(opts.retryAfterS ?? 1);
  const draw = mulberry32(opts.faultSeed ?? 1);
  const record = opts.record ?? true;
  /** @type {ReceivedRequest[]} */
  const requests = [];
  const st = {
    requests: 0,
    completed: 0,
    failed: { 429: 0, 500: 0, stall: 0, truncated: 0 },
    unauthorized: 0,
    inFlight: 0,
    maxInFlight: 0,
    maxActive: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
  let active = 0;
  /** @type {(() => void)[]} */
  const queue = [];

  /** Waits for a capacity slot; resolves false when the client went away meanwhile. */
  const acquire = (/** @type {import('node:http').ServerResponse} */ res) =>
    new Promise((resolve) => {
      if (active < capacity) {
        active++;
        st.maxActive = Math.max(st.maxActive, active);
        return resolve(true);
      }
      const take = () => {
        res.off('close', gone);
        st.maxActive = Math.max(st.maxActive, active);
        resolve(true);
      };
      const gone = () => {
        const i = queue.indexOf(take);
        if (i >= 0) queue.splice(i, 1);
        resolve(false);
      };
      res.once('close', gone);
      queue.push(take);
    });
  const release = () => {
    const next = queue.shift();
    if (next) next(); // the slot passes straight to the next in line
    else active--;
  };

  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    if (opts.cors) {
      // For the app's end-to-end tests: the page calls the server from its own origin.
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-api-key, anthropic-version, anthropic-dangerous-direct-browser-access');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    }
    const path = (req.url ?? '').split('?')[0];
    const anthropic = path === '/v1/messages';
    const auth = anthropic ? String(req.headers['x-api-key'] ?? '') : String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const authorized = opts.key === undefined || auth === opts.key;
    if (req.method === 'GET' && path === '/v1/models') {
      if (!authorized) return json(res, 401, { error: { message: 'Invalid API key', type: 'invalid_request_error' } });
      return json(res, 200, { object: 'list', data: (opts.models ?? ['fake-model']).map((id) => ({ id, object: 'model', owned_by: 'fake' })) });
    }
    if (req.method === 'GET' && path === '/props' && opts.chatTemplate) {
      // llama.cpp server's /props: the model's chat template and the special tokens it writes.
      return json(res, 200, { chat_template: opts.chatTemplate.template, bos_token: opts.chatTemplate.bosToken, eos_token: opts.chatTemplate.eosToken });
    }
    const rewardRoute = path === '/score' || path === '/pooling' || path === '/classify' ? path : null;
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/completions' && !anthropic && !rewardRoute)) return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });

    const chunks = [];
    for await (const c of req) chunks.push(c);
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return json(res, 400, { error: { message: 'the body is not JSON' } });
    }
    st.requests++;
    if (record) requests.push({ path, headers: { ...req.headers }, body });
    st.inFlight++;
    st.maxInFlight = Math.max(st.maxInFlight, st.inFlight);
    res.once('close', () => st.inFlight--);

    if (!authorized) {
      st.unauthorized++;
      return anthropic
        ? json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })
        : json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }

    /** @type {FaultKind | null} */
    const fault = faults > 0 && draw() < faults ? kinds[Math.floor(draw() * kinds.length)] : null;
    if (fault === 'stall') {
      // No byte at all: only the client's timeout (or its abort) ends the request.
      st.failed.stall++;
      return;
    }
    if (!(await acquire(res))) return;
    try {
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      if (res.destroyed) return;
      if (fault === '429') {
        st.failed[429]++;
        return anthropic
          ? json(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited (fake)' } }, { 'Retry-After': retryAfter })
          : json(res, 429, { error: { message: 'Rate limit reached (fake)', type: 'requests', code: 'rate_limit_exceeded' } }, { 'Retry-After': retryAfter });
      }
      if (fault === '500') {
        st.failed[500]++;
        return anthropic
          ? json(res, 500, { type: 'error', error: { type: 'api_error', message: 'internal error (fake)' } })
          : json(res, 500, { error: { message: 'internal error (fake)', type: 'server_error' } });
      }
      if (rewardRoute) {
        const out = rewardAnswer(rewardRoute, body);
        if (!out) return json(res, 400, { error: { message: `${rewardRoute}: the body is not a request this route takes` } });
        st.completed++;
        return json(res, 200, out);
      }
      answer(req, res, body, anthropic, fault === 'truncated');
    } finally {
      release();
    }
  });

  /** Writes the answer, whole or (truncated) cut off in the middle with the connection destroyed. */
  function answer(req, res, body, anthropic, truncated) {
    const model = String(body.model ?? '');
    const stream = body.stream === true;
    // Text completion (vLLM's and llama.cpp server's /v1/completions): `prompt` is raw text.
    const completion = !anthropic && (req.url ?? '').split('?')[0] === '/v1/completions';
    const messages = anthropic ? [body.system ?? null, body.messages] : completion ? String(body.prompt ?? '') : body.messages;
    const tool = anthropic && Array.isArray(body.tools) && body.tool_choice?.type === 'tool' ? body.tools.find((t) => t.name === body.tool_choice.name) : undefined;
    const rf = body.response_format;
    const schema = tool ? tool.input_schema : rf?.type === 'json_schema' ? (rf.json_schema?.schema ?? {}) : rf?.type === 'json_object' ? {} : undefined;
    const reward = !anthropic && model.endsWith('-reward') && Array.isArray(body.messages);
    // A reward model behind chat completions (NVIDIA NIM style) answers its score as "reward:<value>".
    const { text, finish } = reward
      ? { text: `reward:${rewardFor(String(body.messages.find((x) => x?.role === 'user')?.content ?? ''), String(body.messages.findLast((x) => x?.role === 'assistant')?.content ?? ''))}`, finish: 'stop' }
      : completion
        ? completionFor({ model, prompt: messages, seed: body.seed, maxTokens: body.max_tokens, stop: body.stop })
        : replyFor({ model, messages, seed: body.seed, maxTokens: body.max_tokens, schema });
    const promptChars = (completion ? messages.length : 0) + (anthropic ? String(body.system ?? '').length : 0) + (Array.isArray(body.messages) ? body.messages : []).reduce((n, m) => n + (typeof m?.content === 'string' ? m.content.length : JSON.stringify(m?.content ?? '').length), 0);
    const usage = { prompt: Math.ceil(promptChars / 4), completion: tokensOf(text) };
    const id = createHash('sha256').update(text).digest('hex').slice(0, 24);
    const pieces = text.match(/\S+\s*|\s+/g) ?? [''];
    const cutAt = Math.max(1, Math.floor(pieces.length / 2));
    const cut = () => {
      st.failed.truncated++;
      res.socket?.destroy();
    };
    const done = () => {
      if (res.destroyed) return; // the client gave up (its timeout) while the answer waited
      st.completed++;
      st.promptTokens += usage.prompt;
      st.completionTokens += usage.completion;
    };

    if (!stream) {
      const full = anthropic
        ? {
            id: `msg_${id}`, type: 'message', role: 'assistant', model,
            content: tool ? [{ type: 'tool_use', id: `toolu_${id}`, name: tool.name, input: JSON.parse(text) }] : [{ type: 'text', text }],
            stop_reason: finish === 'length' ? 'max_tokens' : tool ? 'tool_use' : 'end_turn', stop_sequence: null,
            usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
          }
        : {
            id: `chatcmpl-${id}`, object: completion ? 'text_completion' : 'chat.completion', created: 0, model,
            choices: [completion ? { index: 0, text, finish_reason: finish } : { index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
            usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
          };
      const s = JSON.stringify(full);
      if (truncated) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(s) });
        res.write(s.slice(0, Math.floor(s.length / 2)));
        return cut();
      }
      done();
      return json(res, 200, full);
    }

    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const events = [];
    const sse = (event, data) => events.push(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    if (anthropic) {
      sse('message_start', { type: 'message_start', message: { id: `msg_${id}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.prompt, output_tokens: 1 } } });
      sse('content_block_start', { type: 'content_block_start', index: 0, content_block: tool ? { type: 'tool_use', id: `toolu_${id}`, name: tool.name, input: {} } : { type: 'text', text: '' } });
      sse('ping', { type: 'ping' });
      for (const p of pieces) sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: tool ? { type: 'input_json_delta', partial_json: p } : { type: 'text_delta', text: p } });
      sse('content_block_stop', { type: 'content_block_stop', index: 0 });
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: finish === 'length' ? 'max_tokens' : tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.completion } });
      sse('message_stop', { type: 'message_stop' });
    } else {
      const chunk = (delta, finishReason) =>
        completion
          ? { id: `cmpl-${id}`, object: 'text_completion', created: 0, model, choices: [{ index: 0, text: delta.content ?? '', finish_reason: finishReason }] }
          : { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
      sse(null, chunk({ role: 'assistant', content: '' }, null));
      for (const p of pieces) sse(null, chunk({ content: p }, null));
      sse(null, chunk({}, finish));
      if (body.stream_options?.include_usage) sse(null, { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: 0, model, choices: [], usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } });
      sse(null, '[DONE]');
    }
    if (truncated) {
      // The head of the stream, then the connection drops: no end marker ever comes.
      res.write(events.slice(0, anthropic ? 3 + cutAt : 1 + cutAt).join(''));
      return cut();
    }
    done();
    res.end(events.join(''));
  }

  // Hundreds of keep-alive connections from one client: no per-server cap, no idle cut mid-run.
  server.maxConnections = Infinity;
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    stats: () => ({ ...st, failed: { ...st.failed }, queued: queue.length }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        // Stalled requests and idle keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** `node scripts/fakeLlm.mjs --port 8000 --latency 50 --capacity 64 --faults 0.2 --fault-seed 1 --key-env VAR` */
async function main(argv) {
  const { num, key } = serverArgs(argv, '--port N --latency MS --capacity N --faults SHARE --fault-seed N --key-env VAR');
  const srv = await startFakeLlm({
    port: num('port', 8000),
    latencyMs: num('latency', 0),
    capacity: num('capacity', Infinity) || Infinity,
    faults: num('faults', 0),
    faultSeed: num('fault-seed', 1),
    key,
    record: false,
  });
  console.log(srv.url);
  const stop = async () => {
    console.error(JSON.stringify(srv.stats()));
    await srv.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * A fake server's command line (this one's and scripts/fakeBatch.mjs's): `--name value` or
 * `--name=value`; `num` reads a number of at least 0, `text` a string, and `key` is the value of
 * the environment variable that `--key-env` names.
 * @param {string[]} argv
 * @param {string} usage the arguments there are, for the error an unknown one gets
 * @throws {Error} naming the argument and what to give instead
 */
export function serverArgs(argv, usage) {
  const known = new Set(usage.match(/--[a-z-]+/g));
  /** @type {Record<string, string>} */
  const a = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i] ?? '');
    if (!m || !m[1] || !known.has(`--${m[1]}`)) throw new Error(`unknown argument ${argv[i]}: use ${usage}`);
    a[m[1]] = m[2] ?? argv[++i] ?? '';
  }
  const env = a['key-env'];
  const key = env ? process.env[env] : undefined;
  if (env && !key) throw new Error(`--key-env ${env}: that environment variable is empty`);
  return {
    /** @param {string} k @param {number} d what an absent argument gives */
    num(k, d) {
      if (a[k] === undefined) return d;
      const n = Number(a[k]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} ${a[k]}: give a number of at least 0`);
      return n;
    },
    /** @param {string} k */
    text: (k) => a[k],
    key,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
