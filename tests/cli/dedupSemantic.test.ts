import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm } from '../../scripts/fakeLlm.mjs';
import { nodeEmbedder, repositoryRoot, storeVectorCache, unsupportedModel } from '../../src/cli/embed';
import { openStore, type Store } from '../../src/cli/store/store';
import { dedupLine, dedupStore } from '../../src/cli/verbs/data';
import type { Vectors } from '../../src/lib/dedup/types';
import type { Sample, Seed, SeedDraft } from '../../src/lib/db/types';
import { BertEncoder, type BertConfig } from '../../src/lib/embed/encoder/bertEncoder';
import { DEFAULT_EMBEDDING_MODEL, findEmbeddingModel } from '../../src/lib/embed/models';
import type { SampleDraft } from '../../src/lib/pipeline/types';
import { runDedupPhase } from '../../src/lib/runner/dedupPhase';
import { normalizeText } from '../../src/lib/text/normalize';
import { MemoryDatasetSource } from '../support/memoryDatasetSource';
import { cleanup, cli, ensureCli, jsonLines, ROOT, tempDir } from './support';

/**
 * The Dedup step's semantic pass on the command line (src/cli/embed.ts): the bundled MiniLM read
 * from disk, its vectors against the app's encoder run text by text, and the marks of a store's
 * dedup against the shared dedup phase given the same vectors. Model loading takes about a second
 * on a quiet machine; the timeouts are for a loaded one (nothing here is timed).
 */
const MODEL = DEFAULT_EMBEDDING_MODEL;
/** The bundled model's calibrated threshold: what the app's Dedup step uses by default. */
const THRESHOLD = findEmbeddingModel(MODEL)!.threshold;
const REQUEST = { model: MODEL, source: { kind: 'huggingface' } as never, appBase: '' };
const SLOW = 120_000;

/**
 * Planted paraphrase pairs (the first kept, the second marked): MiniLM puts each above 0.98
 * while their character 3-grams differ too much for the lexical pass.
 */
const PARAPHRASES: [string, string][] = [
  ['How do I reset my password?', 'How can I reset my password?'],
  ['How many days are in a leap year?', 'How many days does a leap year have?'],
];
/** Distinct items, some close in meaning (0.85–0.96) but under the threshold: none is marked at it. */
const DISTINCT = [
  'What is the capital of France?',
  "What's the capital city of France?",
  'Explain how photosynthesis works in plants.',
  'Describe how plants carry out photosynthesis.',
  'Give three tips for better sleep.',
  'Provide 3 tips to sleep better.',
  'Write a short poem about the sea.',
  'List the planets of the solar system.',
];

/** The app's encoder run on one text at a time (no batching, no de-duplication): the reference. */
let reference: (texts: string[]) => Vectors;

beforeAll(async () => {
  const dir = join(ROOT, 'public/models', MODEL);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as BertConfig;
  const kernel = new WebAssembly.Module(readFileSync(join(ROOT, 'src/lib/embed/encoder/encoder.wasm')));
  const encoder = await BertEncoder.create(kernel, new Uint8Array(readFileSync(join(dir, 'onnx/model_quantized.onnx'))), config, 'mean');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = join(ROOT, 'public/models') + '/';
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL);
  reference = (texts) => {
    const data = new Float32Array(texts.length * 384);
    texts.forEach((t, i) => {
      const ids = tokenizer([normalizeText(t)], { padding: false, truncation: true, max_length: encoder.maxTokens, return_tensor: false }).input_ids as number[][];
      data.set(encoder.encode(ids), i * 384);
    });
    return { data, n: texts.length, d: 384 };
  };
  // The CLI verb below runs the built bin: build it (when stale) before anything else.
  await ensureCli();
}, SLOW);
afterAll(cleanup);

function cosine(a: Vectors, i: number, b: Vectors, j: number): number {
  let s = 0;
  for (let k = 0; k < a.d; k++) s += a.data[i * a.d + k]! * b.data[j * b.d + k]!;
  return s;
}

function seed(i: number): SeedDraft {
  return { instruction: `Seed question number ${i} about gardening tools?`, input: '', output: `Seed answer ${i}.`, system: '', tags: [], hash: `seed${i}`, source: { file: 'seeds.jsonl', line: i + 1, format: 'jsonl' } };
}

function draft(t: number, i: number, instruction: string, score: number): SampleDraft {
  const output = `An answer to: ${instruction}`;
  return {
    key: `${t}.${i}`, instruction, input: '', output, seedId: null, parentKey: null, operation: 'respond', round: 0, persona: null, score, verdict: null, outputFrom: 'responder',
    calls: [{ op: 'respond', role: 'responder', engine: 'openai', model: 'gen-model', template: 'respond', templateVersion: 1, templateHash: 'h', raw: output, promptTokens: 10, completionTokens: 20, ms: 5, retries: 0 }],
    revisedFrom: null, source: null, notes: {}, status: 'accepted', rejectReason: null, taskIndex: t,
  };
}

/** A store whose run committed the paraphrases (one task each, the first better scored) and the distinct items. */
async function plantedStore(items: string[][] = [...PARAPHRASES.map((pair) => [...pair]), ...DISTINCT.map((t) => [t])]): Promise<{ store: Store; dir: string; projectId: string; runId: string }> {
  const dir = tempDir('dedup-semantic');
  const store = openStore(dir);
  const p = store.createProject('Paraphrases');
  const { seeds } = store.addSeeds(p.id, [0, 1].map(seed));
  const run = store.createRun({
    projectId: p.id, name: 'planted', recipe: { version: 1, name: 'Planted', steps: [] },
    roles: { generator: { kind: 'remote', endpointId: 'ep1' }, responder: { kind: 'remote', endpointId: 'ep1' }, judge: { kind: 'remote', endpointId: 'ep1' } },
    models: { generator: 'gen-model', responder: 'gen-model', judge: 'gen-model' },
    concurrency: 1, total: items.length,
    seeds: seeds.map((s) => ({ id: s.id, instruction: s.instruction, input: s.input, output: s.output })),
  });
  const rs = store.runStore();
  for (const [t, texts] of items.entries()) {
    await rs.commitTask(run.id, t, { samples: texts.map((x, i) => draft(t, i, x, 5 - i)), pool: [], calls: texts.length, promptTokens: 10, completionTokens: 20, modelMs: 5 });
  }
  await rs.setStatus(run.id, 'done', { wallMs: 1 });
  return { store, dir, projectId: p.id, runId: run.id };
}

const lineage = (s: Sample) => s.lineage;

/** [sample instruction, instruction of the one it duplicates, pass] of every marked sample, sorted. */
function markedOf(samples: Sample[]): [string, string, string][] {
  const byId = new Map(samples.map((s) => [s.id, s]));
  return samples
    .flatMap((s): [string, string, string][] => {
      const d = lineage(s).dedup;
      return d ? [[s.instruction, byId.get(d.duplicateOf)?.instruction ?? d.duplicateOf, d.pass ?? '']] : [];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe('the command line embedder', () => {
  it("gives the app encoder's vectors, in the texts' order, a normalised text once", { timeout: SLOW }, async () => {
    const texts = ['A man is eating food.', 'The new movie is awesome.', '  a MAN is eating   food. ', 'x', 'word '.repeat(700).trim(), 'A man is eating a piece of bread.'];
    let calls = 0;
    let last = [0, 0];
    const v = await nodeEmbedder()(texts, REQUEST, (done, total) => {
      calls++;
      last = [done, total];
    });
    expect([v.n, v.d]).toEqual([6, 384]);
    // Five distinct normalised texts (case and spaces fold), progress over them.
    expect(last).toEqual([5, 5]);
    expect(calls).toBeGreaterThanOrEqual(2);
    const ref = reference(texts);
    const cos = texts.map((_, i) => cosine(v, i, ref, i));
    console.log('cosine of the CLI vectors to the app encoder, per text:', cos.map((c) => c.toFixed(6)).join(' '));
    for (const c of cos) expect(c).toBeGreaterThanOrEqual(0.9999);
    for (let i = 0; i < 6; i++) expect(cosine(v, i, v, i)).toBeCloseTo(1, 5);
    expect(Array.from(v.data.subarray(2 * 384, 3 * 384))).toEqual(Array.from(v.data.subarray(0, 384)));
    // The paraphrase pair of the encoder's own test, well under the dedup threshold.
    expect(cosine(v, 0, v, 5)).toBeGreaterThan(0.7);
    expect(cosine(v, 0, v, 5)).toBeLessThan(THRESHOLD);
  });

  it('refuses a model other than the bundled one, naming what to do', async () => {
    expect(unsupportedModel(MODEL)).toBeNull();
    expect(unsupportedModel('bge-small-en-v1.5')).toMatch(/download the app makes.*bundled all-MiniLM-L6-v2 only/);
    await expect(nodeEmbedder()(['a'], { ...REQUEST, model: 'bge-small-en-v1.5' })).rejects.toMatchObject({ name: 'EmbeddingModelUnavailableError' });
    await expect(nodeEmbedder()(['a'], { ...REQUEST, model: 'no-such-model' })).rejects.toMatchObject({ name: 'UnknownEmbeddingModelError' });
    await expect(nodeEmbedder({ root: null })(['a'], REQUEST)).rejects.toMatchObject({ name: 'EmbeddingModelLoadError', message: /Run seedforge from a clone of the repository/ });
    expect(repositoryRoot()).toBe(ROOT);
  });

  it('stops at the next batch when its signal is aborted', { timeout: SLOW }, async () => {
    const ctl = new AbortController();
    const texts = Array.from({ length: 100 }, (_, i) => `Distinct text number ${i} about the garden`);
    let batchesDone = 0;
    const run = nodeEmbedder({ signal: ctl.signal })(texts, REQUEST, (done) => {
      if (done > 0 && ++batchesDone === 1) ctl.abort();
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortedError' });
    expect(batchesDone).toBe(1);
  });
});

describe("a store's Dedup with the semantic pass", () => {
  it('marks the planted paraphrases and nothing else, as the shared dedup phase does with the same vectors', { timeout: SLOW }, async () => {
    const { store, projectId, runId } = await plantedStore();
    try {
      const settings = { threshold: THRESHOLD, model: MODEL, againstSeeds: true, method: 'auto' as const, lexical: 0.8 };
      const r = await dedupStore(store, projectId, settings);
      expect(r).toMatchObject({ compared: 2 + 2 * PARAPHRASES.length + DISTINCT.length, removed: PARAPHRASES.length, noEmbedder: false, semanticSkipped: null });
      expect(r.byPass).toEqual({ exact: 0, lexical: 0, semantic: PARAPHRASES.length });
      // The vectors are kept in the store's cache: a second dedup embeds nothing and marks the same.
      const cacheRows = () => store.db.prepare(`SELECT count(*) FROM cache WHERE ns = 'embed:all-MiniLM-L6-v2@q8/plain'`).pluck().get();
      expect(cacheRows()).toBe(r.embedded);
      const progress: number[][] = [];
      const again = await nodeEmbedder({ cache: (key) => storeVectorCache(store, key) })([...PARAPHRASES.flat(), ...DISTINCT], REQUEST, (done, total) => progress.push([done, total]));
      expect(progress).toEqual([[12, 12]]);
      const fresh = reference([...PARAPHRASES.flat(), ...DISTINCT]);
      for (let i = 0; i < again.n; i++) expect(cosine(again, i, fresh, i)).toBeGreaterThanOrEqual(0.9999);
      expect(await dedupStore(store, projectId, settings)).toEqual(r);
      expect(cacheRows()).toBe(r.embedded);
      const samples = store.listRunSamples(runId);
      const marked = markedOf(samples);
      expect(marked).toEqual(PARAPHRASES.map(([keep, copy]) => [copy, keep, 'semantic']).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
      for (const s of samples) if (lineage(s).dedup) expect(lineage(s).dedup!.similarity).toBeGreaterThanOrEqual(THRESHOLD);
      expect(samples.every((s) => lineage(s).dedupCheck?.model === MODEL && lineage(s).dedupCheck!.threshold === THRESHOLD)).toBe(true);

      // The same rows in memory, dedup'd by the shared phase over the reference vectors.
      const source = store.datasetSource();
      const memory = new (class extends MemoryDatasetSource {
        embed = async (texts: string[]) => reference(texts);
      })();
      memory.put('projects', [(await source.project(projectId))!]);
      const rows = async <T extends 'samples' | 'seeds'>(t: T) => {
        const out = [];
        for await (const page of source.pages(t, await source.ids(t, projectId))) out.push(...page);
        return out;
      };
      memory.put('seeds', (await rows('seeds')) as Seed[]);
      memory.put('samples', ((await rows('samples')) as Sample[]).map((s) => ({ ...s, duplicateOf: null, lineage: { ...s.lineage, dedup: undefined, dedupCheck: undefined } })));
      const m = await runDedupPhase(memory, projectId, { ...settings, appBase: '', source: REQUEST.source });
      expect({ removed: m.removed, byPass: m.byPass }).toEqual({ removed: r.removed, byPass: r.byPass });
      const inMemory = [...memory.tables.samples.values()];
      expect(markedOf(inMemory)).toEqual(marked);
      const sim = (list: Sample[]) => new Map(list.flatMap((s) => (lineage(s).dedup ? [[s.id, lineage(s).dedup!.similarity!] as const] : [])));
      const a = sim(samples);
      for (const [id, s] of sim(inMemory)) expect(Math.abs(s - a.get(id)!)).toBeLessThan(1e-4);

      // A model the command line cannot run: exact and lexical passes only, and why.
      expect(dedupLine(r)).toBe(`2 marked as near-duplicates of 14 texts (exact 0, lexical 0, semantic 2)`);
      const other = await dedupStore(store, projectId, { ...settings, model: 'bge-small-en-v1.5' });
      expect(other).toMatchObject({ noEmbedder: true, removed: 0, semanticSkipped: expect.stringMatching(/bge-small-en-v1.5 is a download/) });
    } finally {
      store.close();
    }
  });

  it('keeps the English model off Chinese texts, and says which model compares them', { timeout: SLOW }, async () => {
    const { store, projectId } = await plantedStore([['如何重置我的密码？', '我怎样才能重置密码？'], ['今天天气很好。'], ['请写一首关于大海的短诗。']]);
    try {
      const r = await dedupStore(store, projectId, { threshold: THRESHOLD, model: MODEL, againstSeeds: false, method: 'auto', lexical: 0.8 });
      expect(r).toMatchObject({ embedded: 0, byPass: { semantic: 0 }, semanticRefused: { model: MODEL } });
      expect(dedupLine(r)).toMatch(/; semantic pass not run: all-MiniLM-L6-v2 is English-only and 100 % of the texts are Chinese: the app's Dedup step with \S+ compares them$/);
      // Nothing was embedded, so nothing was cached.
      expect(store.db.prepare(`SELECT count(*) FROM cache WHERE ns LIKE 'embed:%'`).pluck().get()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('seedforge dedup says what each pass marked; --threshold and --no-semantic', { timeout: SLOW }, async () => {
    const { store, dir } = await plantedStore();
    store.close();
    const first = await cli(['dedup', '--store', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${PARAPHRASES.length} marked as near-duplicates of 14 texts (exact 0, lexical 0, semantic ${PARAPHRASES.length})\n`);
    const off = await cli(['dedup', '--store', dir, '--no-semantic', '--json']);
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ removed: 0, byPass: { exact: 0, lexical: 0, semantic: 0 }, semanticSkipped: 'turned off (--no-semantic)' });
    // Lower: the close pairs of DISTINCT (0.95–0.96) join.
    const lower = await cli(['dedup', '--store', dir, '--threshold', '0.95', '--json']);
    const out = JSON.parse(lower.stdout) as { removed: number; byPass: { semantic: number } };
    expect(out.removed).toBeGreaterThan(PARAPHRASES.length);
    expect(out.byPass.semantic).toBe(out.removed);
    const bad = await cli(['dedup', '--store', dir, '--threshold', '2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--threshold must be a number from 0.5 to 0.999/);
  });

  it("a run's Dedup step runs the semantic pass and its summary counts it", { timeout: SLOW }, async () => {
    const fake = await startFakeLlm({ latencyMs: 1 });
    try {
      const dir = tempDir('dedup-run');
      const seeds = join(dir, 'seeds.jsonl');
      // Respond keeps each seed's instruction: the samples carry the planted texts.
      writeFileSync(seeds, [...PARAPHRASES.flat(), ...DISTINCT].map((t) => JSON.stringify({ instruction: t, output: 'A seed answer.' })).join('\n') + '\n');
      const recipe = join(dir, 'recipe.json');
      writeFileSync(recipe, JSON.stringify({ version: 1, name: 'Answer, dedup', steps: [{ op: 'respond' }, { op: 'dedup' }] }));
      const r = await cli(['run', '--store', join(dir, 'store'), '--recipe', recipe, '--seeds', seeds, '--endpoint', fake.url, '--model', 'fake-model', '--concurrency', '4', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const summary = jsonLines(r.stdout).at(-1)!;
      expect(summary).toMatchObject({ type: 'summary', status: 'done', dedup: { removed: PARAPHRASES.length, byPass: { exact: 0, lexical: 0, semantic: PARAPHRASES.length }, semantic: true } });
    } finally {
      await fake.close();
    }
  });
});
