import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI- and Anthropic-compatible test server on 127.0.0.1 that streams real SSE and injects
 * faults. The model name picks the behaviour:
 *   ok                 streams ANSWER word by word
 *   ratelimit-once     first call of each key → 429 with Retry-After: 1, then ok
 *   error500-once      first call → 500, then ok
 *   drop-once          first call → two words, then the connection is destroyed, then ok
 *   slow               waits `slowMs` before the first byte
 *   always500          always 500
 *   no-json-schema     400 to a JSON-schema response format; JSON mode and free text answer JSON_ANSWER
 *   schema             answers JSON_ANSWER (as the forced tool call's input on the Anthropic path when tools are sent)
 *   bad-param          400 "Unsupported parameter: 'max_tokens'" (OpenAI's reasoning models)
 *   too-long           400 "maximum context length" as OpenAI and vLLM word it
 *   reasoning, qwen3-reasoning  streams THINKING as reasoning_content (OpenAI) or thinking deltas (Anthropic), then ANSWER
 * Under /nocors/ the same API answers without CORS headers, as many servers do by default.
 * GET /v1/models lists MODELS without a key (under /locked/: only with GOOD_KEY); other GET paths 404.
 * A request whose key is not GOOD_KEY gets 401 (its message echoes part of the key, as real
 * servers do). Requests may carry `x-test-id` to separate the "once" counters of parallel calls.
 */
export const ANSWER = 'Hello from the test server, streamed word by word.';
export const GOOD_KEY = 'sk-test-0123456789abcdefSECRET';
export const JSON_ANSWER = '{"score": 4, "reason": "a <b>fine</b> answer"}';
export const THINKING = 'The user wants a greeting. I will greet.';
/** What GET /v1/models lists. */
export const MODELS = ['ok', 'slow', 'schema', 'reasoning'];

export interface FakeServer {
  url: string;
  requests: { path: string; model: string; id: string; auth: string; body: Record<string, unknown> }[];
  maxInFlight: number;
  closedEarly: number;
  slowMs: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeLlmServer(): Promise<FakeServer> {
  const seen = new Map<string, number>();
  let inFlight = 0;
  const state: FakeServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    closedEarly: 0,
    slowMs: 300,
    reset() {
      seen.clear();
      state.requests = [];
      state.maxInFlight = 0;
      state.closedEarly = 0;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };

  const cors = (res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-api-key, anthropic-version, anthropic-dangerous-direct-browser-access, x-test-id');
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'retry-after');
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    // Paths under /nocors/ answer like a server that does not allow browser calls.
    const noCors = req.url?.startsWith('/nocors/') ?? false;
    if (noCors) req.url = req.url!.slice('/nocors'.length);
    else cors(res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    // The model list, as local servers (llama.cpp, Ollama, LM Studio) serve it: no key needed,
    // except under /locked/ (a server started with an API key). Not counted in `requests`.
    if (req.method === 'GET') {
      const locked = req.url?.startsWith('/locked/') ?? false;
      const path = locked ? req.url!.slice('/locked'.length) : req.url;
      if (path !== '/v1/models') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      if (locked && String(req.headers.authorization ?? '') !== `Bearer ${GOOD_KEY}`) {
        return void res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: 'Invalid API Key' } }));
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ object: 'list', data: MODELS.map((id) => ({ id, object: 'model', owned_by: 'test' })) }));
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    const anthropic = req.url === '/v1/messages';
    const auth = anthropic ? String(req.headers['x-api-key'] ?? '') : String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const model = String(body.model ?? '');
    const id = String(req.headers['x-test-id'] ?? '');
    state.requests.push({ path: req.url ?? '', model, id, auth, body });
    const key = `${model}:${id}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);

    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => {
      inFlight--;
      if (!res.writableEnded) state.closedEarly++;
    });

    if (auth !== GOOD_KEY) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth.slice(0, 8)}****${auth.slice(-4)}` } }));
    }
    if ((model === 'ratelimit-once' && n === 1)) {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      return void res.end(JSON.stringify({ error: { message: 'Rate limit reached' } }));
    }
    if ((model === 'error500-once' && n === 1) || model === 'always500') {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: 'internal error' } }));
    }
    if (model === 'no-json-schema' && (body.response_format as { type?: string } | undefined)?.type === 'json_schema') {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: "response_format type 'json_schema' is not supported by this server" } }));
    }
    if (model === 'bad-param') {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." } }));
    }
    if (model === 'too-long') {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens." } }));
    }
    if (model === 'slow') await new Promise((r) => setTimeout(r, state.slowMs));
    if (res.destroyed) return;

    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const send = (event: string | null, data: unknown) =>
      res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    const jsonAnswer = model === 'no-json-schema' || model === 'schema';
    const toolCall = anthropic && jsonAnswer && Array.isArray(body.tools);
    const words = (jsonAnswer ? JSON_ANSWER : ANSWER).split(/(?<= )/);
    if (anthropic) send('message_start', { type: 'message_start', message: { usage: { input_tokens: 11, output_tokens: 1 } } });
    if (model === 'reasoning' || model === 'qwen3-reasoning') {
      for (const w of THINKING.split(/(?<= )/)) {
        if (anthropic) send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: w } });
        else send(null, { choices: [{ index: 0, delta: { reasoning_content: w }, finish_reason: null }] });
      }
    }
    for (let i = 0; i < words.length; i++) {
      if (model === 'drop-once' && n === 1 && i === 2) {
        res.socket?.destroy();
        return;
      }
      if (toolCall) send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: words[i] } });
      else if (anthropic) send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: words[i] } });
      else send(null, { choices: [{ index: 0, delta: { content: words[i] }, finish_reason: null }] });
      await new Promise((r) => setTimeout(r, 5));
    }
    if (anthropic) {
      send('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: words.length } });
      send('message_stop', { type: 'message_stop' });
    } else {
      send(null, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      send(null, { choices: [], usage: { prompt_tokens: 11, completion_tokens: words.length } });
      send(null, '[DONE]');
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
