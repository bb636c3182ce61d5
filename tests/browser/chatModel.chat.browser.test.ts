import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, getRun, listRunSamples } from '../../src/lib/db/runsRepo';
import { installErrorTransfer, isEngineError } from '../../src/lib/engines/errors';
import { deleteGguf, saveGguf } from '../../src/lib/engines/local/ggufStore';
import { WllamaEngine } from '../../src/lib/engines/local/wllamaEngine';
import { complete } from '../../src/lib/engines/types';
import { parseVerdict } from '../../src/lib/pipeline/judgeParse';
import { PRESETS, validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { taskCount } from '../../src/lib/pipeline/run';
import { VERDICT } from '../../src/lib/pipeline/schemas';
import { render } from '../../src/lib/pipeline/templates';
import type { RunnerApi } from '../../src/lib/runner/runnerApi';
import { chatModelFile } from '../support/chatModel';

/**
 * The real chat model (TinyLlama-1.1B-Chat, 2-bit weights re-quantised to Q4_K_M; `npm run
 * models:chat`) in wllama, with the engine's default threads. Budgets are for a loaded 2-core
 * machine, where one call takes seconds to minutes; nothing here asserts speed or the model's
 * quality, only that the real model goes through every path: template, EOS, grammar, context.
 */
let file: File;
let engine: WllamaEngine;
beforeAll(async () => {
  installErrorTransfer();
  file = await chatModelFile();
  engine = new WllamaEngine({ kind: 'file', file, name: 'tinyllama' });
  await engine.load();
}, 600_000);
afterAll(() => engine?.unload());

describe('the real chat model through wllama', () => {
  it('applies the chat template from the GGUF and stops at EOS', async () => {
    expect(engine.chatTemplate).toMatch(/<\|assistant\|>/);
    expect(engine.contextLength).toBe(2048); // llama.context_length of the GGUF
    const d = await complete(engine, { messages: [{ role: 'user', content: 'What is the capital of France? Answer in one short sentence.' }], temperature: 0, maxTokens: 96, seed: 1 });
    expect(d.finishReason).toBe('stop'); // EOS, not the token limit
    expect(d.text).toMatch(/Paris/);
    expect(d.text).not.toMatch(/<\/s>|<\|user\|>|<\|assistant\|>/);
    expect(d.usage!.promptTokens).toBeGreaterThan(15);
    expect(d.usage!.completionTokens).toBeLessThan(96);
  }, 900_000);

  it('answers a judge prompt with a verdict that parses, held to the schema by a GBNF grammar', async () => {
    const prompt = render('judge.score', 'en', { instruction: 'Name the largest planet in the solar system.', response: 'Jupiter is the largest planet in the solar system.' });
    const d = await complete(engine, { messages: [{ role: 'user', content: prompt }], temperature: 0, maxTokens: 200, seed: 2, schema: VERDICT });
    expect(d.constrained).toBe('grammar');
    expect(parseVerdict(d.text).ok).toBe(true);
    const j = JSON.parse(d.text);
    expect(Object.keys(j)).toEqual(['accuracy', 'completeness', 'usefulness', 'score', 'reason']);
    for (const k of ['accuracy', 'completeness', 'usefulness', 'score']) expect([1, 2, 3, 4, 5]).toContain(j[k]);
  }, 900_000);

  it('refuses a prompt longer than the context as ContextOverflowError with the numbers, not a bad request', async () => {
    const long = 'The tenant shall pay the rent on the first day of each month. '.repeat(250);
    const err = await complete(engine, { messages: [{ role: 'user', content: long }], maxTokens: 16, seed: 3 }).catch((e) => e);
    expect(isEngineError(err, 'ContextOverflowError')).toBe(true);
    expect(err.context).toMatchObject({ contextLength: 2048, counted: true });
    expect(err.context.promptTokens).toBeGreaterThan(2048);
  }, 900_000);
});

describe('a real recipe on the real chat model (pipeline worker, OPFS, real IndexedDB)', () => {
  let db: AppDb;
  let worker: Worker;
  beforeAll(async () => {
    await engine.unload(); // one copy of the model in memory at a time
    db = openDb(`chat-${crypto.randomUUID()}`);
    await db.open();
    await saveGguf(new File([file], 'tinyllama-chat.gguf'));
    worker = new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  }, 600_000);
  afterAll(async () => {
    worker?.terminate();
    db?.close();
    if (db) await Dexie.delete(db.name);
    await deleteGguf('tinyllama-chat.gguf').catch(() => {});
  });

  it('Answer + judge on 3 seeds: every judge call is constrained and parses; every item ends accepted or rejected with a reason', async () => {
    const small = PRESETS.smallModel!;
    const input: RecipeInput = { ...small, name: 'answer + judge', steps: [{ op: 'respond', maxTokens: 64 }, { op: 'judge', minScore: 3, retries: 1 }] };
    const v = validateRecipe(input);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const seeds = [
      { id: 'a', instruction: 'Name the three primary colours.', input: '', output: '' },
      { id: 'b', instruction: 'What is 12 times 12?', input: '', output: '' },
      { id: 'c', instruction: 'Give one tip for sleeping better.', input: '', output: '' },
    ];
    const api = Comlink.wrap<RunnerApi>(worker);
    await api.useDatabase(db.name);
    const p = await createProject(db, 'chat');
    const ref = { kind: 'wllama' as const, file: 'tinyllama-chat.gguf' };
    const run = await createRun(db, { projectId: p.id, name: 'answer + judge', recipe: v.recipe, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds, concurrency: 1, total: taskCount(v.recipe, seeds.length) });
    const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: {}, appBase: new URL('/', location.href).href });
    expect(status).toBe('done');
    const counts = (await getRun(db, run.id))!.counts;
    const samples = await listRunSamples(db, run.id);
    expect(counts.done).toBe(3);
    expect(samples).toHaveLength(3);
    for (const s of samples) {
      expect(s.operation).toBe('respond');
      expect(s.output.length).toBeGreaterThan(0);
      if (s.status === 'rejected') expect(s.rejectReason).toBe('lowScore');
      else expect(s.score).toBeGreaterThanOrEqual(3);
      const calls = s.lineage.calls!;
      expect(calls.map((c) => c.op)).toEqual(['respond', 'judge']);
      const judgeCall = calls[1]!;
      expect(judgeCall).toMatchObject({ engine: 'wllama', model: 'tinyllama-chat.gguf', schema: 'verdict', constrained: 'grammar' });
      expect(parseVerdict(judgeCall.raw).ok).toBe(true);
      expect(judgeCall.promptTokens).toBeGreaterThan(0);
      expect(s.score).toBe(JSON.parse(judgeCall.raw).score);
    }
    expect(counts.reasons.judgeFailed ?? 0).toBe(0);
    expect(counts.freeTextShapes ?? 0).toBe(0); // every verdict was held to its schema
  }, 1_800_000);
});
