import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSource } from '../../src/lib/db/datasetSource';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, getRun, listRunSamples } from '../../src/lib/db/runsRepo';
import { installErrorTransfer } from '../../src/lib/engines/errors';
import { deleteGguf, saveGguf } from '../../src/lib/engines/local/ggufStore';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { BlobSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS } from '../../src/lib/io/export/types';
import { parseVerdict } from '../../src/lib/pipeline/judgeParse';
import { parseTurnVerdict } from '../../src/lib/pipeline/operators/multiTurn';
import { PRESETS, validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { taskCount } from '../../src/lib/pipeline/run';
import type { RunnerApi } from '../../src/lib/runner/runnerApi';
import { chatModelFile } from '../support/chatModel';

/**
 * A multi-turn recipe on the real chat model (TinyLlama-1.1B-Chat in wllama, `npm run
 * models:chat`) through the pipeline worker, on real IndexedDB, then a ShareGPT export. Budgets are
 * for a loaded 2-core machine; nothing asserts speed or the model's quality: every conversation
 * ends accepted or rejected with a reason, its turns alternate and match its lineage, every
 * verdict was held to its schema and parses, and the file carries each accepted conversation whole.
 */
describe('multi-turn conversations on the real chat model', () => {
  let db: AppDb;
  let worker: Worker;
  let file: File;
  beforeAll(async () => {
    installErrorTransfer();
    file = await chatModelFile();
    db = openDb(`multiturn-${crypto.randomUUID()}`);
    await db.open();
    await saveGguf(new File([file], 'tinyllama-multiturn.gguf'));
    worker = new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  }, 600_000);
  afterAll(async () => {
    worker?.terminate();
    db?.close();
    if (db) await Dexie.delete(db.name);
    await deleteGguf('tinyllama-multiturn.gguf').catch(() => {});
  });

  it('1 seed, 2 exchanges: the conversation is stored turn by turn with its lineage and exported whole as ShareGPT', async () => {
    const small = PRESETS.smallModel!;
    const input: RecipeInput = {
      ...small,
      name: 'multi-turn',
      steps: [
        { op: 'respond', maxTokens: 40 },
        // minScore 1: the model's grades are not under test; repeats and drift still end a conversation.
        // Short answers and the preset's short templates keep each prompt small (prompt tokens are most of the time).
        { op: 'multiTurn', minTurns: 2, maxTurns: 2, followUpTokens: 32, maxTokens: 40, minScore: 1, retries: 1 },
      ],
    };
    const v = validateRecipe(input);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const seeds = [
      // One seed and one follow-up: each call on this model costs seconds of prompt processing in
      // WebAssembly, and the scripted unit tests (tests/unit/multiTurn.test.ts) cover the ranges.
      { id: 'a', instruction: 'Name the three primary colours.', input: '', output: '' },
    ];
    const api = Comlink.wrap<RunnerApi>(worker);
    await api.useDatabase(db.name);
    const p = await createProject(db, 'multi-turn');
    const ref = { kind: 'wllama' as const, file: 'tinyllama-multiturn.gguf' };
    const run = await createRun(db, { projectId: p.id, name: 'multi-turn', recipe: v.recipe, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds, concurrency: 1, total: taskCount(v.recipe, seeds.length) });
    const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: {}, appBase: new URL('/', location.href).href });
    expect(status).toBe('done');
    const counts = (await getRun(db, run.id))!.counts;
    expect(counts.done).toBe(1);
    expect(counts.freeTextShapes ?? 0).toBe(0); // every verdict was held to its schema
    const samples = await listRunSamples(db, run.id);
    expect(samples).toHaveLength(1); // one conversation per task
    for (const s of samples) {
      const lin = s.lineage.notes!.multiTurn!;
      expect(lin.planned).toBe(2);
      expect(s.turns!.length % 2).toBe(0);
      s.turns!.forEach((t, i) => {
        expect(t.role).toBe(i % 2 ? 'assistant' : 'user');
        expect(t.content.trim().length).toBeGreaterThan(0);
      });
      expect(s.turns!.slice(0, 2)).toEqual([{ role: 'user', content: s.instruction }, { role: 'assistant', content: s.output }]);
      const calls = s.lineage.calls!;
      expect(calls[0]!.op).toBe('respond');
      // Every call of a turn is in the lineage, in order: follow-up, answer, the turn's verdict.
      for (const t of lin.turns.slice(1)) {
        const ops = t.calls.map((i) => calls[i]!.op);
        expect(ops[0]).toBe('multiTurn:followUp');
        if (ops.length > 1) expect(ops[1]).toBe('multiTurn:answer');
        if (t.verdict) expect(ops.slice(2).every((o) => o === 'multiTurn:judgeTurn')).toBe(true);
      }
      for (const c of calls.filter((c) => c.op === 'multiTurn:judgeTurn')) {
        expect(c).toMatchObject({ engine: 'wllama', schema: 'turnVerdict', constrained: 'grammar' });
        expect(parseTurnVerdict(c.raw).ok).toBe(true);
      }
      const exchanges = s.turns!.length / 2;
      if (s.status === 'accepted') {
        expect(exchanges).toBeGreaterThanOrEqual(2);
        expect(exchanges).toBeLessThanOrEqual(lin.planned);
        const whole = calls.at(-1)!;
        expect(whole).toMatchObject({ op: 'multiTurn:judge', schema: 'verdict', constrained: 'grammar' });
        expect(parseVerdict(whole.raw).ok).toBe(true);
        expect(s.score).toBe(JSON.parse(whole.raw).score);
      } else {
        expect(s.rejectReason).toMatch(/^multiTurn:(?:repeat|drift|empty)$/);
        expect(lin.stopped?.reason).toBe(s.rejectReason);
        expect(exchanges).toBe(1);
      }
      if (lin.stopped) expect(lin.turns.find((t) => t.turn === lin.stopped!.turn)?.eliminated?.reason).toBe(lin.stopped.reason);
    }

    // ShareGPT from IndexedDB: each accepted conversation, every turn, in order.
    const accepted = samples.filter((s) => s.status === 'accepted');
    expect(accepted.length, `rejected: ${samples.map((s) => s.rejectReason).join(', ')}`).toBeGreaterThan(0);
    const sink = new BlobSink('application/json');
    const summary = await exportDataset(datasetSource(db), p.id, { ...DEFAULT_FILTERS, format: 'sharegpt-json', provenance: true }, sink);
    expect(summary.plan.synthetic).toBe(accepted.length);
    const records = JSON.parse(await sink.blob().text()) as { conversations: { from: string; value: string }[]; provenance: { id: string } }[];
    expect(records).toHaveLength(accepted.length);
    for (const s of accepted) {
      const r = records.find((x) => x.provenance.id === s.id)!;
      expect(r.conversations).toEqual(s.turns!.map((t) => ({ from: t.role === 'user' ? 'human' : 'gpt', value: t.content })));
      expect(r.conversations.length).toBeGreaterThanOrEqual(4);
    }
  }, 3_600_000);
});
