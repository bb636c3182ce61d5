// The page scripts/bench-quality.mjs drives: imports the seed file with the app's importer, keeps
// the real chat model in OPFS as the app does, and runs recipes through the real pipeline worker
// on a fresh IndexedDB database; then a fixed-prompt speed probe through the wllama engine.
import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { openDb } from '../src/lib/db/db';
import { createProject } from '../src/lib/db/projectsRepo';
import { createRun, getRun, listRunSamples } from '../src/lib/db/runsRepo';
import { installErrorTransfer } from '../src/lib/engines/errors';
import { openGguf, saveGguf } from '../src/lib/engines/local/ggufStore';
import { WllamaEngine } from '../src/lib/engines/local/wllamaEngine';
import { complete } from '../src/lib/engines/types';
import { ImportSession } from '../src/lib/io/importSession';
import { parseVerdict } from '../src/lib/pipeline/judgeParse';
import { PRESETS, SMALL_MODEL_TEMPLATES, validateRecipe, type RecipeInput } from '../src/lib/pipeline/recipe';
import { taskCount } from '../src/lib/pipeline/run';
import type { CallRecord, RunCounts } from '../src/lib/pipeline/types';
import type { RunnerApi } from '../src/lib/runner/runnerApi';

installErrorTransfer();
const MODEL = 'bench-chat.gguf';
let modelUrl = '';

/**
 * Whether the model stored in OPFS is still there, storing it again when not. Seen in an
 * off-the-record Playwright context (storage in memory, a small quota): after a run, opening it
 * failed with NotFoundError, and storing it again with QuotaExceededError — perhaps the symptom
 * issue 13 saw in headless Chromium ("the added GGUF model was gone"). The benchmark now runs in a
 * persistent profile; this check stays and the result counts what it had to store again.
 */
async function ensureModel(): Promise<boolean> {
  try {
    await (await openGguf(MODEL)).slice(0, 4).arrayBuffer();
    return false;
  } catch (e) {
    console.warn(`the stored model could not be read (${(e as Error).name}: ${(e as Error).message}); storing it again`);
    await saveGguf(new File([await (await fetch(modelUrl)).blob()], MODEL));
    return true;
  }
}

async function prepare(o: { seedsUrl: string; seedsName: string; modelUrl: string; n: number }) {
  const session = new ImportSession();
  const seedsResp = await fetch(o.seedsUrl);
  if (!seedsResp.ok) throw new Error(`${o.seedsName}: the benchmark page could not read it (HTTP ${seedsResp.status})`);
  const file = new File([await seedsResp.blob()], o.seedsName);
  const [a] = await session.analyse([file], ['auto']);
  if (!a) throw new Error(`${o.seedsName}: nothing to import`);
  await session.plan([a.mapping], new Set());
  const seeds = session.drafts(true).slice(0, o.n).map((d, i) => ({ id: `s${i}`, instruction: d.instruction, input: d.input, output: d.output }));
  if (!seeds.length && o.n > 0) throw new Error(`${o.seedsName}: no seeds (${a.issueCount} rows with problems)`);
  const resp = await fetch(o.modelUrl);
  if (!resp.ok) throw new Error(`the chat model is missing (${resp.status}): run npm run models:chat`);
  await saveGguf(new File([await resp.blob()], MODEL));
  modelUrl = o.modelUrl;
  (globalThis as unknown as { seeds: typeof seeds }).seeds = seeds;
  return seeds.length;
}

async function runRecipe(input: RecipeInput, threads: number) {
  const seeds = (globalThis as unknown as { seeds: { id: string; instruction: string; input: string; output: string }[] }).seeds;
  const v = validateRecipe(input);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const modelStoredAgain = await ensureModel();
  const db = openDb(`bench-quality-${crypto.randomUUID()}`);
  await db.open();
  const worker = new Worker(new URL('../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<RunnerApi>(worker);
  try {
    await api.useDatabase(db.name);
    const p = await createProject(db, input.name);
    const ref = { kind: 'wllama' as const, file: MODEL };
    const run = await createRun(db, { projectId: p.id, name: input.name, recipe: v.recipe as never, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds, concurrency: 1, total: taskCount(v.recipe, seeds.length) });
    const t0 = performance.now();
    const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: {}, appBase: new URL('/', location.href).href, wllama: { threads } });
    const seconds = (performance.now() - t0) / 1000;
    const counts = (await getRun(db, run.id))!.counts as unknown as RunCounts;
    const samples = await listRunSamples(db, run.id);
    return {
      status,
      modelStoredAgain,
      seconds,
      counts,
      samples: samples.map((s) => ({
        status: s.status,
        rejectReason: s.rejectReason,
        operation: s.operation,
        instruction: s.instruction,
        input: s.input,
        output: s.output,
        score: s.score,
        // Whether the free-text parser reads each judge reply (the parser every verdict goes through).
        calls: ((s.lineage.calls ?? []) as CallRecord[]).map((c) => ({ ...c, parses: c.op === 'judge' ? parseVerdict(c.raw).ok : null })),
      })),
    };
  } finally {
    worker.terminate();
    db.close();
    await Dexie.delete(db.name);
  }
}

/** One fixed prompt through the wllama engine: prompt and generation speed from llama.cpp's timings. */
async function probe(o: { modelUrl: string; threads: number; prompt: string; tokens: number }) {
  const file = new File([await (await fetch(o.modelUrl)).blob()], MODEL);
  const engine = new WllamaEngine({ kind: 'file', file, name: MODEL }, { threads: o.threads });
  await engine.load();
  try {
    // The first call warms up (wasm tier-up, first allocations); the second is measured.
    await complete(engine, { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4, temperature: 0, seed: 1 });
    const d = await complete(engine, { messages: [{ role: 'user', content: o.prompt }], maxTokens: o.tokens, temperature: 0, seed: 1 });
    return { threads: engine.threads, usage: d.usage, prompt: d.timing.promptTokensPerSecond, generation: d.timing.tokensPerSecond, text: d.text };
  } finally {
    await engine.unload();
  }
}

/** The fixed recipes: the small-model preset (Evol 1 round + Respond + judge) and Answer + judge with its settings. */
function recipes(): RecipeInput[] {
  const small = PRESETS.smallModel!;
  const answerJudge: RecipeInput = { ...small, name: 'Answer + judge (small-model settings)', steps: small.steps.filter((s) => s.op !== 'evolve') };
  return [small, answerJudge];
}

/** The same judge with constrained output off: what the free-text parser alone reads. */
function freeJudge(): RecipeInput {
  return { version: 1, name: 'Judge, free text', constrained: false, templates: SMALL_MODEL_TEMPLATES, steps: [{ op: 'judge', minScore: 3, retries: 0 }] };
}

function useSeeds(seeds: { id: string; instruction: string; input: string; output: string }[]) {
  (globalThis as unknown as { seeds: typeof seeds }).seeds = seeds;
}

Object.assign(globalThis, { benchQuality: { prepare, runRecipe, probe, recipes, freeJudge, useSeeds } });
document.title = 'ready';
