import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLlamaCppEngine, toHistory } from '../../src/cli/engines/llamaCpp';
import { engineConfigOf } from '../../src/cli/verbs/run';
import { complete, type ChatEvent, type LlmEngine, type OutputSchema } from '../../src/lib/engines/types';
import { PRESETS } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import type { RunEvent } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { recipeOf } from '../unit/helpers';
// @ts-expect-error -- a plain .mjs script without types; it exports the path as a string
import { chatModelPath } from '../../scripts/models-chat.mjs';

/**
 * llama.cpp natively (node-llama-cpp) on the real chat model (`npm run models:chat`: TinyLlama
 * 1.1B Chat, Q4_K_M), in Node as the command-line runner uses it. Short answers keep the file
 * near 30 s on two quiet cores; no assertion depends on speed.
 */

const modelPath: string = chatModelPath();
// One thread: llama.cpp's threads spin while they wait, and beside other busy processes (the unit
// project runs its files in parallel) two threads on this 2-core machine generated 0.5–0.7
// tokens/s where one generated 3–4. Two sequences: the pipeline's two tasks are decoded in one
// batch, for about the cost of one.
const engine = createLlamaCppEngine({ path: modelPath, threads: 1, sequences: 2, contextSize: 2048, gpu: false });

const question = [{ role: 'user' as const, content: 'What is the capital of France? Answer in one short sentence.' }];

beforeAll(async () => {
  await engine.load();
}, 120_000);

afterAll(async () => {
  await engine.unload();
});

describe('llama.cpp engine (node-llama-cpp, real model)', () => {
  it('loads the GGUF with its own chat template and answers a short chat in English, with usage and speed', async () => {
    expect(engine.kind).toBe('llamacpp');
    expect(engine.contextLength).toBeGreaterThanOrEqual(2048);
    expect(engine.threads).toBe(1);
    expect(engine.maxConcurrency).toBe(2);
    expect(engine.chatWrapper).toBe('JinjaTemplate');
    const deltas: string[] = [];
    let done: Extract<ChatEvent, { type: 'done' }> | null = null;
    for await (const ev of engine.chat({ messages: question, maxTokens: 32, temperature: 0, seed: 1 })) {
      if (ev.type === 'delta') deltas.push(ev.text);
      if (ev.type === 'done') done = ev;
    }
    expect(done).not.toBeNull();
    expect(done!.text).toMatch(/Paris/);
    // English: Latin letters, no template markers leaking into the answer.
    expect(done!.text).toMatch(/^[\x20-\x7E\n’]+$/);
    expect(done!.text).not.toMatch(/<\|(assistant|user)\|>|<\/s>/);
    // The streamed deltas are the answer.
    expect(deltas.join('').trim()).toBe(done!.text.trim());
    expect(done!.model).toBe(engine.model);
    expect(done!.constrained).toBeNull();
    expect(['stop', 'length']).toContain(done!.finishReason);
    // Usage: the prompt as the template lays it out (the same count the pipeline's budget check makes), and the answer.
    expect(done!.usage!.promptTokens).toBe(await engine.countTokens!(question));
    expect(done!.usage!.promptTokens).toBeGreaterThan(10);
    expect(done!.usage!.completionTokens).toBeGreaterThan(1);
    expect(done!.usage!.completionTokens).toBeLessThanOrEqual(32);
    expect(done!.timing.tokensPerSecond).toBeGreaterThan(0);
    expect(done!.timing.promptTokensPerSecond).toBeGreaterThan(0);
    expect(done!.timing.firstTokenMs).toBeGreaterThan(0);
  });

  it('gives the same text for the same seed, even after other calls', async () => {
    const req = { messages: [{ role: 'user' as const, content: 'Write one sentence about the sea.' }], maxTokens: 24, temperature: 0.9, seed: 42 };
    const a = await complete(engine, req);
    // Another prompt in between leaves a different KV cache behind.
    await complete(engine, { messages: question, maxTokens: 8 });
    const b = await complete(engine, req);
    expect(a.text.length).toBeGreaterThan(10);
    expect(b.text).toBe(a.text);
    expect(b.usage).toEqual(a.usage);
  });

  it('holds an answer to a JSON schema with a grammar, and says so', async () => {
    const schema: OutputSchema = {
      name: 'verdict',
      schema: {
        type: 'object',
        properties: { score: { type: 'integer', minimum: 1, maximum: 5 }, reason: { type: 'string', maxLength: 60 } },
        required: ['score', 'reason'],
        additionalProperties: false,
      },
    };
    const d = await complete(engine, {
      messages: [{ role: 'user', content: 'Grade this answer from 1 to 5. Question: 2+2? Answer: 4. Reply with JSON: score and reason.' }],
      schema,
      maxTokens: 64,
      temperature: 0.7,
      seed: 3,
    });
    expect(d.constrained).toBe('grammar');
    const v = JSON.parse(d.text) as { score: number; reason: string };
    expect(Object.keys(v)).toEqual(['score', 'reason']);
    expect(Number.isInteger(v.score) && v.score >= 1 && v.score <= 5).toBe(true);
    expect(v.reason.length).toBeLessThanOrEqual(60);
  });

  it('stops a call when its signal aborts, and answers the next call', async () => {
    const ctl = new AbortController();
    const seen: string[] = [];
    const run = (async () => {
      for await (const ev of engine.chat({ messages: [{ role: 'user', content: 'Tell a long story about a dragon.' }], maxTokens: 400, temperature: 0.7, seed: 5 }, ctl.signal)) {
        if (ev.type === 'delta') {
          seen.push(ev.text);
          if (seen.length === 3) ctl.abort();
        }
        if (ev.type === 'done') return ev;
      }
      return null;
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortedError' });
    // Stopped near where it was aborted: a handful of deltas, not the 400 tokens asked for.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(40);
    // An aborted wait for the model ends at once too.
    const pre = new AbortController();
    pre.abort();
    await expect(complete(engine, { messages: question, maxTokens: 8 }, pre.signal)).rejects.toMatchObject({ name: 'AbortedError' });
    // The sequence was given back: the next call is answered.
    const d = await complete(engine, { messages: question, maxTokens: 8, temperature: 0, seed: 1 });
    expect(d.text.length).toBeGreaterThan(0);
  });

  it('refuses a prompt that does not fit instead of shifting the context', async () => {
    const long = 'word '.repeat(2100);
    await expect(complete(engine, { messages: [{ role: 'user', content: long }], maxTokens: 16 })).rejects.toMatchObject({
      name: 'ContextOverflowError',
      context: { contextLength: engine.contextLength, maxTokens: 16, counted: true },
    });
  });

  it('runs the Answer + judge preset over two seeds with an in-memory store', async () => {
    // The preset with short answers (48 tokens) so that the run takes seconds, not minutes; both
    // seeds at once, one on each sequence.
    const preset = PRESETS.answerJudge!;
    const recipe = recipeOf({ ...preset, steps: preset.steps.map((s) => (s.op === 'respond' ? { ...s, maxTokens: 48 } : s)) });
    const seeds: SeedRef[] = [
      { id: 's1', instruction: 'Name three primary colours.', input: '', output: '' },
      { id: 's2', instruction: 'What is 12 times 3?', input: '', output: '' },
    ];
    const store = new MemoryRunStore();
    const events: RunEvent[] = [];
    // The engine as it is, counting the calls it answers at once.
    let active = 0;
    let peak = 0;
    const counted: LlmEngine = {
      kind: engine.kind,
      model: engine.model,
      maxConcurrency: engine.maxConcurrency,
      contextLength: engine.contextLength,
      countTokens: (m) => engine.countTokens!(m),
      load: () => engine.load(),
      unload: async () => {},
      async *chat(req, signal) {
        peak = Math.max(peak, ++active);
        try {
          yield* engine.chat(req, signal);
        } finally {
          active--;
        }
      },
    };
    const engines = { generator: counted, responder: counted, judge: counted };
    const counts = await runRecipe({ runId: 'llamacpp', recipe, seeds, engines, store, concurrency: engine.maxConcurrency, onEvent: (e) => events.push(e) });
    expect(peak).toBe(2);
    // Progress never went backwards and ended with every task done.
    const done = events.flatMap((e) => (e.type === 'progress' ? [e.counts.done] : []));
    expect(events.filter((e) => e.type === 'taskFailed')).toEqual([]);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(2);
    expect(counts.total).toBe(2);
    expect(counts.done).toBe(2);
    expect(store.completed.size).toBe(2);
    expect(store.samples).toHaveLength(2);
    expect(counts.accepted + counts.rejected).toBe(2);
    for (const s of store.samples) {
      // Every sample was answered and judged by the native engine: no task failed with an error.
      expect(s.output?.length).toBeGreaterThan(0);
      expect(s.rejectReason ?? '').not.toMatch(/error/i);
      expect(s.calls.map((c) => c.op)).toEqual(['respond', 'judge']);
      for (const c of s.calls) expect(c).toMatchObject({ model: engine.model });
      const judge = s.calls.find((c) => c.op === 'judge')!;
      expect(judge.constrained).toBe('grammar');
      expect(s.score).toBeGreaterThanOrEqual(1);
    }
    expect(counts.completionTokens).toBeGreaterThan(0);
  });
});

describe('llama.cpp engine errors', () => {
  it('names a missing file and changes nothing', async () => {
    const missing = createLlamaCppEngine({ path: '/nonexistent/model.gguf' });
    const err = await missing.load().catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ModelNotFoundError', message: expect.stringContaining('/nonexistent/model.gguf') });
    expect(missing.contextLength).toBeNull();
    // A failed load is not cached: the next try looks again (and fails the same way).
    await expect(missing.load()).rejects.toMatchObject({ name: 'ModelNotFoundError' });
    await expect(complete(missing, { messages: question })).rejects.toMatchObject({ name: 'ModelNotFoundError' });
  });

  it('names a file that is not a GGUF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedforge-llamacpp-'));
    try {
      const bad = join(dir, 'notes.gguf');
      writeFileSync(bad, 'these are notes, not a model');
      await expect(createLlamaCppEngine({ path: bad }).load()).rejects.toMatchObject({ name: 'InvalidModelError', message: expect.stringContaining(bad) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to install node-llama-cpp where the optional package is absent', async () => {
    // The package cannot be uninstalled under a running test: its import fails as a missing package's does.
    vi.doMock('node-llama-cpp', () => {
      throw Object.assign(new Error("Cannot find package 'node-llama-cpp' imported from src/cli/engines/llamaCpp.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
    });
    try {
      const absent = createLlamaCppEngine({ path: modelPath });
      await expect(absent.load()).rejects.toMatchObject({ name: 'LlamaCppUnavailableError', message: expect.stringContaining("npm install node-llama-cpp@3") });
      expect(absent.contextLength).toBeNull();
    } finally {
      vi.doUnmock('node-llama-cpp');
    }
  });

  it('takes --concurrency as the sequences of --gguf unless --sequences is given', () => {
    const local = (v: Record<string, string>) => engineConfigOf({ gguf: modelPath, ...v }, 16).main;
    expect(local({ concurrency: '4' })).toMatchObject({ kind: 'llamacpp', concurrency: 4, gguf: { sequences: 4 } });
    expect(local({ concurrency: '4', sequences: '2' })).toMatchObject({ concurrency: 2, gguf: { sequences: 2 } });
    // Neither: one call at a time, so that a seeded run is reproducible to the token.
    expect(local({})).toMatchObject({ concurrency: 1, gguf: { sequences: 1 } });
    expect(() => local({ concurrency: '100' })).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining('--concurrency') }));
  });

  it('turns a conversation into a chat history that ends where the model speaks', () => {
    expect(toHistory([{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }])).toEqual([
      { type: 'system', text: 'S' },
      { type: 'user', text: 'U' },
      { type: 'model', response: [] },
    ]);
    expect(toHistory([{ role: 'user', content: 'U' }, { role: 'assistant', content: 'A' }]).at(-1)).toEqual({ type: 'model', response: ['A'] });
  });
});

// The engine is typed as the pipeline's interface: nothing above reaches past it except the extra getters.
const _typed: LlmEngine = engine;
void _typed;
