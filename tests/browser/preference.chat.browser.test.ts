import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { buildProjectPairs, dexiePairReader, listPairs } from '../../src/lib/db/pairsRepo';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, getRun, listRunSamples } from '../../src/lib/db/runsRepo';
import { editSample } from '../../src/lib/db/samplesRepo';
import { installErrorTransfer } from '../../src/lib/engines/errors';
import { deleteGguf, saveGguf } from '../../src/lib/engines/local/ggufStore';
import { exportPairs, type PairFormat } from '../../src/lib/io/export/pairs';
import { BlobSink } from '../../src/lib/io/export/sink';
import { PRESETS, validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { taskCount } from '../../src/lib/pipeline/run';
import type { RunnerApi } from '../../src/lib/runner/runnerApi';
import { chatModelFile } from '../support/chatModel';
import { checkPairFile, type PairCheckFormat } from '../support/pairChecks';

/**
 * Preference pairs from the real chat model (TinyLlama-1.1B-Chat in wllama, `npm run models:chat`):
 * a best-of-N recipe through the pipeline worker on real IndexedDB, pairs built from what the run
 * stored, and TRL and LLaMA-Factory files checked by the strict checkers. The model's grades are
 * not under test (two answers may get one score and make no pair): a person's edit of the kept
 * answer makes one pair whatever the grades. Budgets are for a loaded 2-core machine; nothing
 * asserts speed.
 */
describe('preference pairs on the real chat model', () => {
  let db: AppDb;
  let worker: Worker;
  beforeAll(async () => {
    installErrorTransfer();
    const file = await chatModelFile();
    db = openDb(`preference-${crypto.randomUUID()}`);
    await db.open();
    await saveGguf(new File([file], 'tinyllama-preference.gguf'));
    worker = new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  }, 600_000);
  afterAll(async () => {
    worker?.terminate();
    db?.close();
    if (db) await Dexie.delete(db.name);
    await deleteGguf('tinyllama-preference.gguf').catch(() => {});
  });

  it('best of 2 on 1 seed: pairs of the seed’s answers, best against worst, and an edit pair; TRL and LLaMA-Factory files pass the checkers', async () => {
    const small = PRESETS.smallModel!;
    const input: RecipeInput = { ...small, name: 'best of 2', steps: [{ op: 'bestOfN', n: 2, k: 1, maxTokens: 48, temperature: 0.9 }] };
    const v = validateRecipe(input);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const seeds = [
      // One seed: each call on this model costs tens of seconds in WebAssembly on a busy machine;
      // the builder's sources and margins are covered with scripted engines (preferenceBuild.test.ts).
      { id: 'a', instruction: 'Name the three primary colours.', input: '', output: '' },
    ];
    const api = Comlink.wrap<RunnerApi>(worker);
    await api.useDatabase(db.name);
    const p = await createProject(db, 'preference');
    const ref = { kind: 'wllama' as const, file: 'tinyllama-preference.gguf' };
    const run = await createRun(db, { projectId: p.id, name: 'best of 2', recipe: v.recipe, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds, concurrency: 1, total: taskCount(v.recipe, seeds.length) });
    const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: {}, appBase: new URL('/', location.href).href });
    expect(status).toBe('done');
    const counts = (await getRun(db, run.id))!.counts;
    expect(counts.done).toBe(1);
    const samples = await listRunSamples(db, run.id);
    expect(samples).toHaveLength(2); // two answers to the seed, each stored
    const kept = samples.filter((s) => s.status === 'accepted');

    // A person's edit of one kept answer: the edited text against the model's.
    const edited = kept[0]!;
    await editSample(db, edited.id, { instruction: edited.instruction, input: edited.input, output: `${edited.output.trim()} (Checked by a reviewer.)` });

    const built = await buildProjectPairs(db, p.id, { mode: 'bestWorst', margin: 1, sources: ['bestOfN', 'edit'] });
    const pairs = await listPairs(db, p.id, { limit: 100 });
    expect(built.total).toBe(pairs.length);
    const bySample = new Map(samples.map((s) => [s.id, s]));
    expect(pairs.filter((x) => x.source === 'edit').map((x) => x.sampleId)).toEqual([edited.id]);
    const best = pairs.filter((x) => x.source === 'bestOfN');
    expect(best.length).toBeLessThanOrEqual(1); // at most one: the best against the worst
    for (const x of best) {
      const c = bySample.get(x.chosen.sampleId!)!;
      const r = bySample.get(x.rejected.sampleId!)!;
      expect(c.seedId).toBe(r.seedId);
      expect(c.id).not.toBe(r.id);
      expect(c.status).toBe('accepted');
      expect(x.chosen.score!).toBeGreaterThan(x.rejected.score!);
      expect(x.gap).toBe(x.chosen.score! - x.rejected.score!);
      expect(x.rejected.text).toBe(r.output);
    }

    const write = async (format: PairFormat) => {
      const sink = new BlobSink('application/octet-stream');
      const summary = await exportPairs(dexiePairReader(db), p.id, { format, acceptedOnly: true, provenance: false }, sink);
      return { summary, text: await sink.blob().text() };
    };
    for (const format of ['trl-jsonl', 'trl-chat-jsonl', 'llamafactory-alpaca-json', 'llamafactory-sharegpt-json'] as const satisfies readonly PairCheckFormat[]) {
      const { summary, text } = await write(format);
      expect(checkPairFile(format, text), format).toEqual([]);
      expect(summary.pairs).toBe(pairs.length);
    }
    const trl = (await write('trl-jsonl')).text.trim().split('\n').map((l) => JSON.parse(l));
    const edit = pairs.find((x) => x.source === 'edit')!;
    expect(trl).toContainEqual({ prompt: edit.prompt.instruction, chosen: edit.chosen.text, rejected: edit.rejected.text });
  }, 1_800_000);
});
