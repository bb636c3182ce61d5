import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { saveEndpoint } from '../../src/lib/db/endpointsRepo';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, getRun, listRunSamples, listRunTasks } from '../../src/lib/db/runsRepo';
import { installErrorTransfer } from '../../src/lib/engines/errors';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { PRESETS, validateRecipe } from '../../src/lib/pipeline/recipe';
import { taskCount } from '../../src/lib/pipeline/run';
import { HELD_BACK_ERROR } from '../../src/lib/pipeline/types';
import type { RunnerApi, RunnerEvent } from '../../src/lib/runner/runnerApi';

/**
 * The app's side of the held-back policy (pipeline/run.ts holdOf), in the real pipeline worker
 * over real IndexedDB: an endpoint that refuses every call (no API behind the URL) stores no
 * rejected `error:` sample, halts the run, and ends it paused with the HeldBackError the run list
 * reads its count from.
 */
let db: AppDb;
let worker: Worker;
let api: Comlink.Remote<RunnerApi>;

beforeAll(async () => {
  installErrorTransfer();
  db = openDb(`run-held-${crypto.randomUUID()}`);
  await db.open();
  worker = new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<RunnerApi>(worker);
  await api.useDatabase(db.name);
}, 60_000);
afterAll(async () => {
  worker?.terminate();
  db?.close();
  await Dexie.delete(db.name);
});

describe('an endpoint that fails every call', () => {
  it('holds the tasks back, stores nothing, and pauses the run with how many were held', async () => {
    const project = await createProject(db, 'held');
    // Same origin, no API there: every call fails on the endpoint, never on the item.
    await saveEndpoint(db, { id: 'ep-none', name: 'None', kind: 'openai', baseUrl: new URL('/no-api-here/v1', location.href).href, model: 'm', policy: { ...DEFAULT_POLICY, maxRetries: 0, baseDelayMs: 1 } });
    const v = validateRecipe(PRESETS.answerJudge);
    if (!v.ok) throw new Error('the preset is not valid');
    const ref = { kind: 'remote', endpointId: 'ep-none' } as const;
    const seeds = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, instruction: `Explain idea number ${i} in two sentences.`, input: '', output: '' }));
    const run = await createRun(db, { projectId: project.id, name: 'held', recipe: v.recipe, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds, concurrency: 2, total: taskCount(v.recipe, seeds.length) });
    const events: RunnerEvent[] = [];
    const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: { 'ep-none': 'sk-test' }, appBase: new URL('/', location.href).href }, Comlink.proxy((e: RunnerEvent) => void events.push(e)));
    expect(status).toBe('paused');
    const stored = (await getRun(db, run.id))!;
    expect(stored.status).toBe('paused');
    const held = Number(new RegExp(`^${HELD_BACK_ERROR}: (\\d+) tasks held back`).exec(stored.error ?? '')?.[1]);
    expect(held).toBeGreaterThanOrEqual(1);
    expect(stored.error).toContain('Resume retries them');
    expect(stored.error).not.toContain('sk-test');
    expect(await listRunTasks(db, run.id)).toEqual([]);
    expect(await listRunSamples(db, run.id)).toEqual([]);
    expect(events.filter((e) => e.type === 'halted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'taskFailed' && e.held)).toHaveLength(held);
  }, 60_000);
});
