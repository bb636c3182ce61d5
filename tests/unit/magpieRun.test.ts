import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { RemoteEngine, type EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import { complete, type ChatEvent, type ChatRequest, type ChatTemplateSource } from '../../src/lib/engines/types';
import { validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe, taskCount } from '../../src/lib/pipeline/run';
import { ScriptedEngine } from '../support/scriptedEngine';
import { MemoryRunStore } from '../support/memoryRunStore';
import { recipeOf } from './helpers';

/** TinyLlama-1.1B-Chat's template (Zephyr), as its GGUF carries it. */
const ZEPHYR =
  "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";
const TEMPLATE: ChatTemplateSource = { kind: 'jinja', template: ZEPHYR, bosToken: '<s>', eosToken: '</s>' };

/** A scripted engine that completes raw text: it records the raw prompts it was sent. */
class RawScripted extends ScriptedEngine {
  readonly rawCompletion = true;
  raw: ChatRequest[] = [];
  async promptTemplate() {
    return TEMPLATE;
  }
  override chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    if (req.prompt !== undefined) this.raw.push(req);
    return super.chat(req, signal);
  }
}

const ANSWER = 'A careful, complete and correct answer that is long enough for every length filter in the recipe.';

describe('the Magpie recipe source', () => {
  it('is a first step that needs no seeds and leaves the answer to a later step', () => {
    const r = recipeOf({ version: 1, name: 'm', steps: [{ op: 'magpie', count: 3 }, { op: 'respond' }, { op: 'filter', minChars: 10 }] });
    expect(taskCount(r, 0)).toBe(3);
    const judgeFirst = validateRecipe({ version: 1, name: 'm', steps: [{ op: 'magpie' }, { op: 'judge' }] });
    expect(judgeFirst.ok ? [] : judgeFirst.problems.map((p) => p.message)).toEqual(['judge needs a response: put Respond, Best-of-N or Evolve (with elimination) before it']);
    const second = validateRecipe({ version: 1, name: 'm', steps: [{ op: 'respond' }, { op: 'magpie' }] });
    expect(second.ok ? [] : second.problems.map((p) => p.message)).toContain('Magpie must be the first step');
  });

  it('sends the template prefix as raw text, keeps what passes the instruction filter, answers it with a chat call', async () => {
    const gen = new RawScripted([{ match: /^<\|user\|>\n$/, reply: (_p, n) => [`How do plants turn sunlight into food, step ${n}?</s>`, '!!!', 'Explain why the sky looks blue during the day.'][n % 3]! }, { match: /./, reply: ANSWER }], 'tinyllama');
    const store = new MemoryRunStore();
    const recipe = recipeOf({ version: 1, name: 'm', steps: [{ op: 'magpie', count: 3, temperature: 1 }, { op: 'respond' }] });
    const counts = await runRecipe({ runId: 'r1', recipe, seeds: [], engines: { generator: gen, responder: gen, judge: gen }, store, concurrency: 1 });
    expect(counts.total).toBe(3);
    expect(gen.raw.map((r) => [r.prompt, r.stop])).toEqual(Array(3).fill(['<|user|>\n', ['</s>']]));
    const accepted = store.samples.filter((s) => s.status !== 'rejected');
    expect(accepted.map((s) => [s.operation, s.instruction, s.output])).toEqual([
      ['magpie', 'How do plants turn sunlight into food, step 0?', ANSWER],
      ['magpie', 'Explain why the sky looks blue during the day.', ANSWER],
    ]);
    const rejected = store.samples.filter((s) => s.status === 'rejected');
    expect(rejected.map((s) => [s.instruction, s.rejectReason])).toEqual([['!!!', 'magpie:tooShort']]);
    // The lineage keeps the raw call beside the chat call that answered it.
    expect(accepted[0]!.calls.map((c) => [c.op, c.template])).toEqual([['magpie', 'magpie.query'], ['respond', 'respond.answer']]);
  });

  it('stops before any task with the reason when the generator is a chat-only API', async () => {
    const chat = new ScriptedEngine([{ match: /./, reply: ANSWER }], 'gpt-4o-mini');
    const recipe = recipeOf({ version: 1, name: 'm', steps: [{ op: 'magpie', count: 2 }, { op: 'respond' }] });
    const store = new MemoryRunStore();
    const err = await runRecipe({ runId: 'r1', recipe, seeds: [], engines: { generator: chat, responder: chat, judge: chat }, store, concurrency: 1 }).catch((e) => e);
    expect(err).toMatchObject({ name: 'MagpieUnsupportedError', reason: 'noRawCompletion' });
    expect(err.message).toMatch(/gpt-4o-mini cannot complete raw text .* assign one to the generator role/);
    expect(chat.calls).toEqual([]);
    expect(store.samples).toEqual([]);
  });
});

describe('Magpie over a remote /completions endpoint (the fake llama.cpp server)', () => {
  let server: FakeLlm;
  let cfg: EndpointConfig;
  beforeAll(async () => {
    server = await startFakeLlm({ chatTemplate: { template: ZEPHYR, bosToken: '<s>', eosToken: '</s>' } });
    cfg = { id: 'magpie', name: 'llama-server', kind: 'openai', baseUrl: server.url, model: 'tinyllama', policy: { ...DEFAULT_POLICY, baseDelayMs: 5, maxDelayMs: 20 }, rawCompletion: true };
  });
  afterAll(() => server.close());

  it('reads the template from /props and runs the recipe: /completions for the query, /chat/completions for the answer', async () => {
    const engine = new RemoteEngine(cfg, 'k', openaiDialect);
    expect(await engine.promptTemplate()).toEqual(TEMPLATE);
    const store = new MemoryRunStore();
    const recipe = recipeOf({ version: 1, name: 'm', steps: [{ op: 'magpie', count: 2 }, { op: 'respond' }] });
    await runRecipe({ runId: 'r1', recipe, seeds: [], engines: { generator: engine, responder: engine, judge: engine }, store, concurrency: 2 });
    const raw = server.requests.filter((r) => r.path === '/v1/completions');
    expect(raw).toHaveLength(2);
    for (const r of raw) expect(r.body).toMatchObject({ model: 'tinyllama', prompt: '<|user|>\n', stop: ['</s>'], stream: true, temperature: 1, max_tokens: 200 });
    expect(raw.every((r) => !('messages' in r.body))).toBe(true);
    expect(server.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(2);
    const done = store.samples.filter((s) => s.status !== 'rejected');
    expect(done).toHaveLength(2);
    for (const s of done) {
      expect(s.instruction).toMatch(/\?$/);
      expect(s.output!.length).toBeGreaterThan(50);
      expect(server.requests.some((r) => r.path === '/v1/chat/completions' && r.body.messages.at(-1).content.includes(s.instruction))).toBe(true);
    }
  });

  it('an endpoint not marked for /completions refuses a raw prompt before sending it; vLLM (no /props) uses the configured template', async () => {
    const before = server.requests.length;
    const plain = new RemoteEngine({ ...cfg, rawCompletion: false }, 'k', openaiDialect);
    expect(plain.rawCompletion).toBe(false);
    const err = await complete(plain, { messages: [{ role: 'user', content: 'x' }], prompt: 'x' }).catch((e) => e);
    expect(err).toMatchObject({ name: 'BadRequestError' });
    expect(err.message).toMatch(/mark the endpoint as serving \/completions/);
    expect(server.requests.length).toBe(before);
    const vllm = await startFakeLlm();
    try {
      const e = new RemoteEngine({ ...cfg, baseUrl: vllm.url, chatTemplate: ZEPHYR }, 'k', openaiDialect);
      expect(await e.promptTemplate()).toEqual({ kind: 'jinja', template: ZEPHYR, bosToken: '', eosToken: '' });
      expect(await new RemoteEngine({ ...cfg, baseUrl: vllm.url }, 'k', openaiDialect).promptTemplate()).toBeNull();
    } finally {
      await vllm.close();
    }
  });
});
