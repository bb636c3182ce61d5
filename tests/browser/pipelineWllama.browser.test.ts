import * as Comlink from 'comlink';
import Dexie from 'dexie';
import ggufUrl from '../fixtures/stories260K.gguf?url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, getRun, listRunSamples } from '../../src/lib/db/runsRepo';
import { saveGguf } from '../../src/lib/engines/local/ggufStore';
import { installErrorTransfer } from '../../src/lib/engines/errors';
import { validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { taskCount } from '../../src/lib/pipeline/run';
import type { RunnerApi, RunnerEvent } from '../../src/lib/runner/runnerApi';

let db: AppDb;
let worker: Worker;
let api: Comlink.Remote<RunnerApi>;
const seeds = [
  { id: 'a', instruction: 'Write a short story about a brave little girl.', input: '', output: '' },
  { id: 'b', instruction: 'Explain why the sky is blue.', input: '', output: '' },
  { id: 'c', instruction: '写一个关于小猫的故事。', input: '', output: '' },
];
const ref = { kind: 'wllama', file: 'stories260K.gguf' } as const;

beforeAll(async () => {
  installErrorTransfer();
  db = openDb(`pipeline-${crypto.randomUUID()}`);
  await db.open();
  await saveGguf(new File([await (await fetch(ggufUrl)).blob()], 'stories260K.gguf'));
  worker = new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<RunnerApi>(worker);
  await api.useDatabase(db.name);
}, 60_000);
afterAll(async () => {
  worker?.terminate();
  db?.close();
  await Dexie.delete(db.name);
});

async function runWith(input: RecipeInput) {
  const v = validateRecipe(input);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const p = await createProject(db, input.name);
  const run = await createRun(db, { projectId: p.id, name: input.name, recipe: v.recipe, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds, concurrency: 1, total: taskCount(v.recipe, seeds.length) });
  const events: RunnerEvent[] = [];
  const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: {}, appBase: new URL('/', location.href).href }, Comlink.proxy((e: RunnerEvent) => void events.push(e)));
  return { status, run: (await getRun(db, run.id))!, samples: await listRunSamples(db, run.id), events };
}

describe('a recipe end to end on the real TinyStories model (wllama in the pipeline worker, real IndexedDB)', () => {
  it('Evol-Instruct with elimination and a judge: every item ends accepted or rejected with a reason', async () => {
    const { status, run, samples, events } = await runWith({ version: 1, name: 'evol', steps: [{ op: 'evolve', rounds: 2, maxTokens: 96 }, { op: 'judge', retries: 1 }, { op: 'filter' }] });
    expect(status).toBe('done');
    const counts = run.counts;
    expect(counts.done).toBe(3);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const s of samples) {
      expect(['accepted', 'rejected']).toContain(s.status);
      if (s.status === 'rejected') expect(s.rejectReason).toBeTruthy();
    }
    expect(counts.accepted + counts.rejected).toBe(samples.length);
    // A story model writes stories, not answers: nearly everything is rejected.
    expect(counts.rejected).toBeGreaterThanOrEqual(counts.accepted);
    const reasons = Object.keys(counts.reasons);
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r).toMatch(/^(evol:|judgeFailed|lowScore|filter:)/);
    // The lineage names the engine and model of every call, with the raw output.
    const call = samples[0]!.lineage.calls![0]!;
    expect(call).toMatchObject({ engine: 'wllama', model: 'stories260K.gguf' });
    expect(typeof call.raw).toBe('string');
    expect(counts.calls).toBeGreaterThan(5);
    expect(counts.completionTokens).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'load')).toBe(true);
    expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ counts: { done: 3, total: 3 } });
  }, 240_000);

  it('Self-Instruct: generated instructions go through the filters; nothing crashes on nonsense', async () => {
    const { status, run, samples } = await runWith({ version: 1, name: 'si', steps: [{ op: 'selfInstruct', count: 4, humanShots: 3, machineShots: 1 }, { op: 'filter' }] });
    expect(status).toBe('done');
    const counts = run.counts;
    expect(counts.done).toBe(4);
    expect(samples).toHaveLength(4);
    expect(counts.accepted + counts.rejected).toBe(4);
    for (const s of samples) if (s.status === 'rejected') expect(s.rejectReason).toMatch(/^(selfInstruct:|filter:)/);
  }, 240_000);
});
