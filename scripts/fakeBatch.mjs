#!/usr/bin/env node
// @ts-check
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { replyFor, serverArgs, tokensOf } from './fakeLlm.mjs';

/**
 * A fake batch server on 127.0.0.1 for the batch-API mode's tests: the OpenAI Batch API (files
 * uploaded with purpose "batch", /v1/batches over /v1/chat/completions, output and error files)
 * and Anthropic Message Batches (/v1/messages/batches, results as JSONL at results_url).
 *
 * A batch stays in progress for `processingMs`, then ends with every request answered by
 * scripts/fakeLlm.mjs's deterministic reply, except a seeded share (`failures`) that fails: the
 * draw depends on the custom_id and how many times this server has seen it, so a request sent
 * again in a later batch may succeed, and runs repeat. A request whose body contains `poison`
 * fails every time (a 400). Like the real services it refuses a batch that repeats a custom_id,
 * keeps an OpenAI batch's metadata, lists batches newest first in pages (OpenAI `after`,
 * Anthropic `after_id`), and counts what it saw (uploads, submits, polls, lists, downloads,
 * cancels, each custom_id's lines).
 *
 * Standalone: `node scripts/fakeBatch.mjs --port 8100 --processing 2000 [--failures 0.1]`.
 */

/** The share of the 32-bit range under which a draw fails. */
const draw = (/** @type {string} */ s) => createHash('sha256').update(s).digest().readUInt32LE(0) / 4294967296;

/**
 * @typedef {object} FakeBatchOptions
 * @property {number} [port] 0 (any free port) by default
 * @property {number} [processingMs] how long a batch stays in progress after it is created (50 by default)
 * @property {number} [failures] share 0..1 of requests that fail (500 or expired), drawn per custom_id and sending
 * @property {number} [failSeed] changes which requests fail (1 by default)
 * @property {string} [poison] a request whose JSON contains this text fails every time, as a bad request
 * @property {number} [httpFailures] share 0..1 of the protocol's own HTTP calls (upload, create, poll, download, cancel) answered 500 or 429, seeded
 * @property {string} [key] the bearer / x-api-key to expect: other keys get 401 (any key when unset)
 */

/**
 * @typedef {object} FakeBatchStats
 * @property {number} uploads files uploaded (OpenAI)
 * @property {number} submits batches created (both APIs)
 * @property {number} polls batch retrievals
 * @property {number} lists batch list pages read
 * @property {number} downloads result files read
 * @property {number} cancels cancel requests
 * @property {number} lines requests received inside batches
 * @property {number} succeeded requests answered
 * @property {number} failed requests that failed (injected, poisoned, cancelled)
 * @property {number} unauthorized 401 answers
 * @property {number} httpFaults protocol calls answered 500 or 429 (httpFailures)
 */

/**
 * @typedef {object} Line one request of a batch, with its outcome once the batch ended
 * @property {string} customId
 * @property {any} body the Chat Completions body (OpenAI) or the Messages params (Anthropic)
 * @property {'succeeded' | 'failed' | 'poisoned' | 'canceled' | null} [outcome]
 * @property {number} [k] how many times the custom_id came before (its fate's draw depends on it)
 */

/**
 * @typedef {object} Batch
 * @property {string} id
 * @property {'openai' | 'anthropic'} api
 * @property {number} createdAt
 * @property {Line[]} lines
 * @property {boolean} ended
 * @property {boolean} cancelled
 * @property {string | null} outputFileId
 * @property {string | null} errorFileId
 * @property {string} [inputFileId]
 * @property {Record<string, string> | null} [metadata] what the OpenAI create carried
 */

/**
 * Starts the server on 127.0.0.1.
 * @param {FakeBatchOptions} [opts]
 */
export async function startFakeBatch(opts = {}) {
  const processingMs = opts.processingMs ?? 50;
  const failures = Math.min(1, Math.max(0, opts.failures ?? 0));
  const seed = opts.failSeed ?? 1;
  /** @type {FakeBatchStats} */
  const st = { uploads: 0, submits: 0, polls: 0, lists: 0, downloads: 0, cancels: 0, lines: 0, succeeded: 0, failed: 0, unauthorized: 0, httpFaults: 0 };
  const httpFailures = Math.min(1, Math.max(0, opts.httpFailures ?? 0));
  let calls = 0;
  /** @type {Map<string, string>} uploaded and written files by id */
  const files = new Map();
  /** @type {Map<string, Batch>} */
  const batches = new Map();
  /** How many times each custom_id came in a batch. */
  /** @type {Map<string, number>} */
  const sent = new Map();
  let n = 0;
  const newId = (/** @type {string} */ prefix) => `${prefix}${(++n).toString(36).padStart(6, '0')}`;
  const iso = (/** @type {number} */ t) => new Date(t).toISOString();

  const json = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const openaiError = (res, status, message) => json(res, status, { error: { message, type: 'invalid_request_error' } });
  const anthropicError = (res, status, message, type = 'invalid_request_error') => json(res, status, { type: 'error', error: { type, message } });

  /** Decides each line's fate once a batch's processing time has passed (or it was cancelled). */
  function settle(/** @type {Batch} */ b) {
    if (b.ended) return;
    const due = Date.now() - b.createdAt >= processingMs;
    if (!due && !b.cancelled) return;
    b.ended = true;
    for (const line of b.lines) {
      if (b.cancelled && !due) line.outcome = 'canceled';
      else if (opts.poison && JSON.stringify(line.body).includes(opts.poison)) line.outcome = 'poisoned';
      else {
        line.outcome = failures > 0 && draw(`${seed}:${line.customId}:${line.k}`) < failures ? 'failed' : 'succeeded';
      }
      if (line.outcome === 'succeeded') st.succeeded++;
      else st.failed++;
    }
    if (b.api === 'openai') {
      const out = b.lines.filter((l) => l.outcome === 'succeeded');
      const err = b.lines.filter((l) => l.outcome !== 'succeeded');
      if (out.length) files.set((b.outputFileId = newId('file-out')), out.map((l) => JSON.stringify(openaiLine(l))).join('\n') + '\n');
      if (err.length) files.set((b.errorFileId = newId('file-err')), err.map((l) => JSON.stringify(openaiLine(l))).join('\n') + '\n');
    }
  }

  /** The answer to one line, as the synchronous API would give it. */
  function answer(/** @type {Line} */ line, /** @type {'openai' | 'anthropic'} */ api) {
    const body = line.body ?? {};
    const model = String(body.model ?? '');
    const tool = api === 'anthropic' && Array.isArray(body.tools) && body.tool_choice?.type === 'tool' ? body.tools.find((t) => t.name === body.tool_choice.name) : undefined;
    const rf = body.response_format;
    const schema = tool ? tool.input_schema : rf?.type === 'json_schema' ? (rf.json_schema?.schema ?? {}) : rf?.type === 'json_object' ? {} : undefined;
    const messages = api === 'anthropic' ? [body.system ?? null, body.messages] : body.messages;
    const { text, finish } = replyFor({ model, messages, seed: body.seed, maxTokens: body.max_tokens, schema });
    const promptChars = String(body.system ?? '').length + (Array.isArray(body.messages) ? body.messages : []).reduce((s, m) => s + String(m?.content ?? '').length, 0);
    const usage = { prompt: Math.ceil(promptChars / 4), completion: tokensOf(text) };
    const id = createHash('sha256').update(text).digest('hex').slice(0, 24);
    if (api === 'openai') {
      return {
        id: `chatcmpl-${id}`, object: 'chat.completion', created: 0, model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
        usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
      };
    }
    return {
      id: `msg_${id}`, type: 'message', role: 'assistant', model,
      content: tool ? [{ type: 'tool_use', id: `toolu_${id}`, name: tool.name, input: JSON.parse(text) }] : [{ type: 'text', text }],
      stop_reason: finish === 'length' ? 'max_tokens' : tool ? 'tool_use' : 'end_turn', stop_sequence: null,
      usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
    };
  }

  /** A line of an OpenAI output or error file. */
  function openaiLine(/** @type {Line} */ l) {
    const id = `batch_req_${createHash('sha256').update(l.customId).digest('hex').slice(0, 16)}`;
    if (l.outcome === 'succeeded') return { id, custom_id: l.customId, response: { status_code: 200, request_id: id, body: answer(l, 'openai') }, error: null };
    if (l.outcome === 'poisoned') return { id, custom_id: l.customId, response: { status_code: 400, request_id: id, body: { error: { message: 'the request was refused (fake poison)', type: 'invalid_request_error' } } }, error: null };
    if (l.outcome === 'canceled') return { id, custom_id: l.customId, response: null, error: { code: 'batch_cancelled', message: 'This request was cancelled before it ran.' } };
    // Injected failures: half are server errors, half expired before they ran.
    return draw(`kind:${l.customId}:${l.k}`) < 0.5
      ? { id, custom_id: l.customId, response: { status_code: 500, request_id: id, body: { error: { message: 'internal error (fake)', type: 'server_error' } } }, error: null }
      : { id, custom_id: l.customId, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } };
  }

  /** A line of an Anthropic results file. */
  function anthropicLine(/** @type {Line} */ l) {
    if (l.outcome === 'succeeded') return { custom_id: l.customId, result: { type: 'succeeded', message: answer(l, 'anthropic') } };
    if (l.outcome === 'poisoned') return { custom_id: l.customId, result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'the request was refused (fake poison)' } } } };
    if (l.outcome === 'canceled') return { custom_id: l.customId, result: { type: 'canceled' } };
    return draw(`kind:${l.customId}:${l.k}`) < 0.5
      ? { custom_id: l.customId, result: { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: 'internal error (fake)' } } } }
      : { custom_id: l.customId, result: { type: 'expired' } };
  }

  function openaiBatch(/** @type {Batch} */ b) {
    settle(b);
    const status = b.ended ? (b.cancelled ? 'cancelled' : 'completed') : b.cancelled ? 'cancelling' : Date.now() - b.createdAt < processingMs / 4 ? 'validating' : 'in_progress';
    const done = b.lines.filter((l) => l.outcome === 'succeeded').length;
    return {
      id: b.id, object: 'batch', endpoint: '/v1/chat/completions', errors: null, input_file_id: b.inputFileId, completion_window: '24h', status,
      output_file_id: b.outputFileId, error_file_id: b.errorFileId, created_at: Math.floor(b.createdAt / 1000),
      request_counts: { total: b.lines.length, completed: done, failed: b.ended ? b.lines.length - done : 0 }, metadata: b.metadata ?? null,
    };
  }

  function anthropicBatch(/** @type {Batch} */ b, /** @type {string} */ origin) {
    settle(b);
    const count = (/** @type {string} */ o) => b.lines.filter((l) => l.outcome === o).length;
    return {
      id: b.id, type: 'message_batch', processing_status: b.ended ? 'ended' : b.cancelled ? 'canceling' : 'in_progress',
      request_counts: { processing: b.ended ? 0 : b.lines.length, succeeded: count('succeeded'), errored: count('failed') + count('poisoned'), canceled: count('canceled'), expired: 0 },
      ended_at: b.ended ? iso(Date.now()) : null, created_at: iso(b.createdAt), expires_at: iso(b.createdAt + 86_400_000),
      cancel_initiated_at: b.cancelled ? iso(Date.now()) : null, archived_at: null,
      results_url: b.ended ? `${origin}/v1/messages/batches/${b.id}/results` : null,
    };
  }

  /**
   * One page of an API's batches, newest first, after the batch `after` (both APIs' cursor).
   * @param {'openai' | 'anthropic'} api
   * @param {URLSearchParams} q
   */
  function listPage(api, q, /** @type {(b: Batch) => unknown} */ view) {
    st.lists++;
    const all = [...batches.values()].filter((b) => b.api === api).reverse();
    const after = q.get(api === 'openai' ? 'after' : 'after_id');
    const from = after ? all.findIndex((b) => b.id === after) + 1 : 0;
    const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 20) || 20));
    const page = all.slice(from, from + limit);
    const ends = { first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: from + limit < all.length };
    return api === 'openai' ? { object: 'list', data: page.map(view), ...ends } : { data: page.map(view), ...ends };
  }

  /** Records a batch's lines; a repeated custom_id refuses the whole batch (as both services do). */
  function accept(/** @type {Line[]} */ lines) {
    const ids = new Set();
    for (const l of lines) {
      if (typeof l.customId !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(l.customId)) return `custom_id ${JSON.stringify(l.customId)} must be 1 to 64 letters, digits, _ or -`;
      if (ids.has(l.customId)) return `custom_id ${l.customId} appears twice in the batch`;
      ids.add(l.customId);
    }
    for (const l of lines) {
      l.k = sent.get(l.customId) ?? 0;
      sent.set(l.customId, l.k + 1);
    }
    st.submits++;
    st.lines += lines.length;
    return null;
  }

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const origin = `http://127.0.0.1:${port}`;
    const anthropic = path.startsWith('/v1/messages/');
    const auth = anthropic ? String(req.headers['x-api-key'] ?? '') : String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (opts.key !== undefined && auth !== opts.key) {
      st.unauthorized++;
      return anthropic ? anthropicError(res, 401, 'invalid x-api-key', 'authentication_error') : openaiError(res, 401, 'Incorrect API key provided');
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    // A failed protocol call changes nothing: no file kept, no batch created, nothing polled.
    if (httpFailures > 0 && draw(`http:${seed}:${++calls}`) < httpFailures) {
      st.httpFaults++;
      if (calls % 2) {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '0' });
        return res.end(JSON.stringify(anthropic ? { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited (fake)' } } : { error: { message: 'Rate limit reached (fake)', type: 'requests' } }));
      }
      return anthropic ? anthropicError(res, 500, 'internal error (fake)', 'api_error') : json(res, 500, { error: { message: 'internal error (fake)', type: 'server_error' } });
    }
    const raw = Buffer.concat(chunks);
    const body = () => JSON.parse(raw.toString('utf8') || '{}');
    let m;
    try {
      if (req.method === 'POST' && path === '/v1/files') {
        const form = await new Response(raw, { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData();
        const file = form.get('file');
        if (form.get('purpose') !== 'batch' || !(file instanceof Blob)) return openaiError(res, 400, 'send a file with purpose "batch"');
        const id = newId('file-in');
        files.set(id, await file.text());
        st.uploads++;
        return json(res, 200, { id, object: 'file', bytes: file.size, created_at: Math.floor(Date.now() / 1000), filename: /** @type {File} */ (file).name ?? 'batch.jsonl', purpose: 'batch' });
      }
      if (req.method === 'POST' && path === '/v1/batches') {
        const b = body();
        const input = files.get(b.input_file_id);
        if (!input) return openaiError(res, 404, `No such File object: ${b.input_file_id}`);
        if (b.endpoint !== '/v1/chat/completions' || b.completion_window !== '24h') return openaiError(res, 400, 'endpoint must be /v1/chat/completions and completion_window 24h');
        /** @type {Line[]} */
        const lines = [];
        for (const text of input.split('\n')) {
          if (!text.trim()) continue;
          const l = JSON.parse(text);
          if (l.method !== 'POST' || l.url !== '/v1/chat/completions') return openaiError(res, 400, `line ${lines.length + 1}: method must be POST and url /v1/chat/completions`);
          if (l.body?.stream) return openaiError(res, 400, `line ${lines.length + 1}: streaming is not supported in a batch`);
          lines.push({ customId: l.custom_id, body: l.body, outcome: null });
        }
        const refused = accept(lines);
        if (refused) return openaiError(res, 400, refused);
        const id = newId('batch_');
        batches.set(id, { id, api: 'openai', createdAt: Date.now(), lines, ended: false, cancelled: false, outputFileId: null, errorFileId: null, inputFileId: b.input_file_id, metadata: b.metadata ?? null });
        return json(res, 200, openaiBatch(/** @type {Batch} */ (batches.get(id))));
      }
      if (req.method === 'GET' && path === '/v1/batches') return json(res, 200, listPage('openai', query, openaiBatch));
      if (req.method === 'GET' && path === '/v1/messages/batches') return json(res, 200, listPage('anthropic', query, (b) => anthropicBatch(b, origin)));
      if ((m = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path))) {
        const b = batches.get(m[1] ?? '');
        if (!b || b.api !== 'openai') return openaiError(res, 404, `No batch found with id '${m[1]}'`);
        if (req.method === 'POST' && m[2]) {
          st.cancels++;
          if (!b.ended) b.cancelled = true;
          return json(res, 200, openaiBatch(b));
        }
        st.polls++;
        return json(res, 200, openaiBatch(b));
      }
      if (req.method === 'GET' && (m = /^\/v1\/files\/([^/]+)\/content$/.exec(path))) {
        const f = files.get(m[1] ?? '');
        if (f === undefined) return openaiError(res, 404, `No such File object: ${m[1]}`);
        st.downloads++;
        res.writeHead(200, { 'Content-Type': 'application/jsonl' });
        return res.end(f);
      }
      if (req.method === 'POST' && path === '/v1/messages/batches') {
        const b = body();
        if (!Array.isArray(b.requests) || !b.requests.length) return anthropicError(res, 400, 'requests: give at least one request');
        /** @type {Line[]} */
        const lines = b.requests.map((r) => ({ customId: r.custom_id, body: r.params, outcome: null }));
        if (lines.some((l) => l.body?.stream)) return anthropicError(res, 400, 'params.stream: streaming is not supported in a batch');
        const refused = accept(lines);
        if (refused) return anthropicError(res, 400, refused);
        const id = newId('msgbatch_');
        batches.set(id, { id, api: 'anthropic', createdAt: Date.now(), lines, ended: false, cancelled: false, outputFileId: null, errorFileId: null });
        return json(res, 200, anthropicBatch(/** @type {Batch} */ (batches.get(id)), origin));
      }
      if ((m = /^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/.exec(path))) {
        const b = batches.get(m[1] ?? '');
        if (!b || b.api !== 'anthropic') return anthropicError(res, 404, `message batch ${m[1]} not found`, 'not_found_error');
        if (req.method === 'POST' && m[2] === '/cancel') {
          st.cancels++;
          if (!b.ended) b.cancelled = true;
          return json(res, 200, anthropicBatch(b, origin));
        }
        if (req.method === 'GET' && m[2] === '/results') {
          settle(b);
          if (!b.ended) return anthropicError(res, 400, `message batch ${b.id} has not ended yet`);
          st.downloads++;
          res.writeHead(200, { 'Content-Type': 'application/binary' });
          return res.end(b.lines.map((l) => JSON.stringify(anthropicLine(l))).join('\n') + '\n');
        }
        st.polls++;
        return json(res, 200, anthropicBatch(b, origin));
      }
      return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    } catch (e) {
      return json(res, 400, { error: { message: `unreadable request: ${e instanceof Error ? e.message : e}` } });
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return {
    /** OpenAI base URL (ends in /v1). */
    url: `http://127.0.0.1:${port}/v1`,
    /** Anthropic base URL (the origin). */
    origin: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...st }),
    /** How many times each custom_id came in a batch. */
    sent: () => new Map(sent),
    /** The batches created, oldest first: id, API and custom_ids. */
    batches: () => [...batches.values()].map((b) => ({ id: b.id, api: b.api, customIds: b.lines.map((l) => l.customId), cancelled: b.cancelled, metadata: b.metadata ?? null })),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}

/** `node scripts/fakeBatch.mjs --port 8100 --processing 2000 --failures 0.1 --fail-seed 1 --poison TEXT --http-failures 0.1 --key-env VAR` */
async function main(argv) {
  const { num, text, key } = serverArgs(argv, '--port N --processing MS --failures SHARE --fail-seed N --poison TEXT --http-failures SHARE --key-env VAR');
  const srv = await startFakeBatch({ port: num('port', 8100), processingMs: num('processing', 2000), failures: num('failures', 0), failSeed: num('fail-seed', 1), poison: text('poison'), httpFailures: num('http-failures', 0), key });
  console.log(`OpenAI ${srv.url}  Anthropic ${srv.origin}`);
  const stop = async () => {
    console.error(JSON.stringify(srv.stats()));
    await srv.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
