import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveClusters } from '../../src/lib/dedup/clusters';
import { clusterGroups, similarityHistogram } from '../../src/lib/dedup/report';
import { pairSimilarity, squaredNorms } from '../../src/lib/dedup/threshold';
import type { EmbedApi, EmbedProgress } from '../../src/lib/embed/embedApi';

// The real all-MiniLM-L6-v2 (int8) served from public/models by the test server, through the real
// embed worker: Seedforge's WebAssembly encoder by default (two encoder threads on this 2-core
// machine), onnxruntime-web (its WebAssembly files from our own origin) when asked.
const appBase = `${location.origin}/`;
const dbName = `embed-test-${crypto.randomUUID()}`;
let worker: Worker;
let api: Comlink.Remote<EmbedApi>;
const pageUrls: string[] = [];
const observer = new PerformanceObserver((list) => pageUrls.push(...list.getEntries().map((e) => e.name)));

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

beforeAll(() => {
  observer.observe({ type: 'resource', buffered: true });
  worker = new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<EmbedApi>(worker);
});
afterAll(() => {
  observer.disconnect();
  worker.terminate();
});

describe('embedding worker with the bundled MiniLM model', () => {
  // The first model load of the file.
  it('loads offline from the app, with progress ending in ready', async () => {
    const progress: EmbedProgress[] = [];
    const r = await api.load({ model: 'all-MiniLM-L6-v2', appBase, dbName }, Comlink.proxy((p: EmbedProgress) => void progress.push(p)));
    expect(r).toMatchObject({ model: 'all-MiniLM-L6-v2', device: 'wasm', engine: 'seedforge-wasm', dims: 384 });
    expect(progress.at(-1)).toMatchObject({ status: 'ready', model: 'all-MiniLM-L6-v2', device: 'wasm', engine: 'seedforge-wasm' });
    expect(progress.some((p) => p.status === 'initiate')).toBe(true);
    const model = progress.filter((p) => p.status === 'download' && p.file === 'onnx/model_quantized.onnx');
    expect(model.at(-1)).toMatchObject({ loaded: 23543507, total: 23543507 });
    // One encoder thread per core, at most 4 by default.
    const threads = Math.min(4, navigator.hardwareConcurrency);
    expect(r.threads).toBe(threads);
    expect(await api.stats()).toMatchObject({ engine: 'seedforge-wasm', threads, encoderFallback: null });
  }, 120_000);

  it('scores the known paraphrase pair ≈ 0.75 and above unrelated pairs', async () => {
    const texts = ['A man is eating food.', 'A man is eating a piece of bread.', 'The new movie is awesome.', 'The cat sits outside.'];
    const v = await api.embed(texts);
    expect(v.n).toBe(4);
    expect(v.d).toBe(384);
    expect(v.data).toBeInstanceOf(Float32Array);
    expect(v.data.length).toBe(4 * 384);
    const row = (i: number) => v.data.subarray(i * 384, (i + 1) * 384);
    for (let i = 0; i < 4; i++) expect(cosine(row(i), row(i))).toBeCloseTo(1, 4);
    const para = cosine(row(0), row(1));
    expect(para).toBeGreaterThan(0.72);
    expect(para).toBeLessThan(0.78);
    for (const [a, b] of [[0, 2], [1, 2], [0, 3], [2, 3]] as const) expect(cosine(row(a), row(b))).toBeLessThan(para - 0.3);
  });

  it('never embeds a text twice: the IndexedDB cache answers, even in a new worker', async () => {
    const before = await api.stats();
    const texts = ['The quick brown fox jumps over the lazy dog.', 'A quick brown fox jumped over a lazy dog.', 'Quantum computing uses qubits.'];
    const first = await api.embed(texts);
    expect(first.computed).toBe(3);
    const mid = await api.stats();
    expect(mid.textsEmbedded - before.textsEmbedded).toBe(3);
    // Same texts (one with different case and spacing), one new: only the new one runs.
    const second = await api.embed(['the quick  brown fox jumps over the lazy dog.', ...texts.slice(1), 'Tea is a drink.']);
    expect(second).toMatchObject({ cached: 3, computed: 1 });
    expect((await api.stats()).textsEmbedded - mid.textsEmbedded).toBe(1);
    expect(Array.from(second.data.subarray(0, 384))).toEqual(Array.from(first.data.subarray(0, 384)));
    // A fresh worker on the same database embeds nothing.
    const w2 = new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
    try {
      const api2 = Comlink.wrap<EmbedApi>(w2);
      await api2.load({ model: 'all-MiniLM-L6-v2', appBase, dbName });
      const third = await api2.embed([...texts, 'Tea is a drink.']);
      expect(third).toMatchObject({ cached: 4, computed: 0 });
      expect((await api2.stats()).modelCalls).toBe(0);
    } finally {
      w2.terminate();
    }
  });

  it('batches: many texts in several model calls, progress never goes backwards and ends at the total', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `Sentence number ${i} about topic ${i % 7}.`);
    const before = await api.stats();
    const progress: EmbedProgress[] = [];
    const r = await api.embed(texts, { batchSize: 16 }, Comlink.proxy((p: EmbedProgress) => void progress.push(p)));
    expect(r.computed).toBe(70);
    expect((await api.stats()).modelCalls - before.modelCalls).toBe(5);
    const done = progress.flatMap((p) => (p.status === 'embed' ? [p.done] : []));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(70);
  });

  it('batching by length returns each vector in the input order, the same as input-order batches', async () => {
    // Lengths from 1 to ~60 words, shuffled, so sorting reorders across batches.
    const texts = Array.from({ length: 40 }, (_, i) => `Item ${i}: ` + 'word '.repeat((i * 17) % 41 + 1).trim() + ` about topic ${i % 5}.`);
    const sorted = await api.embed(texts, { batchSize: 8 });
    expect(sorted.computed).toBe(40);
    // A second worker on its own database, so nothing comes from the cache.
    const w2 = new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
    try {
      const api2 = Comlink.wrap<EmbedApi>(w2);
      await api2.load({ model: 'all-MiniLM-L6-v2', appBase, dbName: `${dbName}-order` });
      const plain = await api2.embed(texts, { batchSize: 8, sortByLength: false });
      expect(plain.computed).toBe(40);
      let worst = 0;
      for (let k = 0; k < sorted.data.length; k++) worst = Math.max(worst, Math.abs(sorted.data[k]! - plain.data[k]!));
      // Input-order batches put row i in place i; equal rows mean the sorted run restored the order.
      expect(worst).toBeLessThan(1e-5);
    } finally {
      w2.terminate();
    }
  });

  it("a closed encoder pool fails its pending and later calls instead of hanging", async () => {
    const { EncoderPool } = await import('../../src/lib/embed/encoder/encoderPool');
    const kernel = await WebAssembly.compile(await (await fetch(new URL('../../src/lib/embed/encoder/encoder.wasm', import.meta.url))).arrayBuffer());
    const model = await (await fetch(`${appBase}models/all-MiniLM-L6-v2/onnx/model_quantized.onnx`)).arrayBuffer();
    const config = await (await fetch(`${appBase}models/all-MiniLM-L6-v2/config.json`)).json();
    const pool = await EncoderPool.start(kernel, model, config, 'mean', 2);
    expect(pool.size).toBe(2);
    const ids = Array.from({ length: 40 }, (_, i) => [101, 2000 + i, 2001 + i, 102]);
    expect((await pool.encode(ids)).length).toBe(40 * 384);
    const pending = pool.encode(Array.from({ length: 400 }, (_, i) => [101, ...Array.from({ length: 60 }, (_, j) => 1000 + ((i * 7 + j) % 20000)), 102]));
    pool.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(pool.encode(ids)).rejects.toThrow(/closed/);
  });

  it('typed errors cross the worker boundary', async () => {
    const e = await api.load({ model: 'no-such-model', appBase, dbName }).catch((x: Error) => x);
    expect((e as Error).name).toBe('UnknownEmbeddingModelError');
  });

  // Loads the model in two more workers (one on onnxruntime-web) and embeds 32 texts three times:
  // well past the 15 s default on a loaded two-core machine, where it once timed out.
  it('gives the same vectors as onnxruntime-web on the same file, one thread or several', async () => {
    const texts = [
      'A man is eating food.',
      'A man is eating a piece of bread.',
      'The new movie is awesome.',
      '我喜欢吃苹果，也喜欢吃香蕉。',
      'x',
      'Explain three simple ways to improve sleep for a night-shift nurse who works twelve-hour shifts.',
      'word '.repeat(600).trim(),
      ...Array.from({ length: 25 }, (_, i) => `Write a short story about a ${['river', 'teacher', 'garden', 'market', 'city'][i % 5]} in ${i + 3} sentences.`),
    ];
    const ort = new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
    const single = new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
    try {
      const apiOrt = Comlink.wrap<EmbedApi>(ort);
      const apiOne = Comlink.wrap<EmbedApi>(single);
      // The test before this one loaded an unknown model, which unloads this worker's model.
      await api.load({ model: 'all-MiniLM-L6-v2', appBase, dbName: `${dbName}-again` });
      expect(await apiOrt.load({ model: 'all-MiniLM-L6-v2', appBase, dbName: `${dbName}-ort`, engine: 'onnxruntime' })).toMatchObject({ engine: 'onnxruntime', device: 'wasm' });
      expect(await apiOne.load({ model: 'all-MiniLM-L6-v2', appBase, dbName: `${dbName}-one`, threads: 1 })).toMatchObject({ engine: 'seedforge-wasm', threads: 1 });
      const [a, b, c] = await Promise.all([api.embed(texts, { batchSize: 8 }), apiOrt.embed(texts, { batchSize: 8 }), apiOne.embed(texts, { batchSize: 8 })]);
      expect([a.computed, b.computed, c.computed]).toEqual([texts.length, texts.length, texts.length]);
      const row = (v: Float32Array, i: number) => v.subarray(i * 384, (i + 1) * 384);
      const vsOrt = texts.map((_, i) => cosine(row(a.data, i), row(b.data, i)));
      console.log(`cosine, Seedforge encoder vs onnxruntime-web: min ${Math.min(...vsOrt).toFixed(6)}, mean ${(vsOrt.reduce((x, y) => x + y, 0) / vsOrt.length).toFixed(6)}`);
      // onnxruntime-web runs this file's matrix products in float (measured: min 0.999992); the
      // encoder's 16-bit activations stay within 1e-4 of that.
      for (const v of vsOrt) expect(v).toBeGreaterThan(0.9999);
      // One thread or two: the same numbers (each text is computed alone, whichever thread runs it).
      for (let k = 0; k < a.data.length; k++) expect(Math.abs(a.data[k]! - c.data[k]!)).toBeLessThan(1e-6);
      // Both rank the paraphrase far above unrelated text.
      for (const v of [a.data, b.data]) expect(cosine(row(v, 0), row(v, 1)) - cosine(row(v, 0), row(v, 2))).toBeGreaterThan(0.5);
      const ortUrls = await apiOrt.resourceUrls();
      expect(ortUrls.some((u) => u.includes('ort-wasm-simd-threaded'))).toBe(true);
      expect(ortUrls.filter((u) => !u.startsWith(location.origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      ort.terminate();
      single.terminate();
    }
  }, 120_000);

  it('fetched nothing from any other origin (page and worker)', async () => {
    const urls = [...pageUrls, ...(await api.resourceUrls())];
    expect(urls.some((u) => u.includes('/models/all-MiniLM-L6-v2/'))).toBe(true);
    expect(urls.some((u) => /encoder[^/]*\.wasm/.test(u))).toBe(true);
    const foreign = urls.filter((u) => !u.startsWith(location.origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
  });
});

describe('embed → semantic dedup, as the Dedup panel calls it', () => {
  it('clusters paraphrases, keeps the best-scored one, reports similarities and a histogram', async () => {
    const { embedAndPair, startDedupWorkers } = await import('../../src/lib/embed/dedupTexts');
    const w = startDedupWorkers();
    try {
      const texts = ['How do I reset my password?', 'The weather is sunny today.', 'How can I reset my password?', 'Explain photosynthesis to a child.', 'how do i reset my PASSWORD?'];
      const scores = Float64Array.from([1, 5, 7, 2, 3]);
      // As the Dedup panel does it: pairs from the workers, clusters at the threshold here.
      const found = await embedAndPair(w, texts, { model: 'all-MiniLM-L6-v2', source: { kind: 'huggingface' }, appBase, dbName, threshold: 0.85 }, () => {});
      const norms2 = squaredNorms(found.vectors.data, found.vectors.n, found.vectors.d);
      const clusters = resolveClusters(texts.length, found.pairs, { scores, similarity: (i, j) => pairSimilarity(found.vectors.data, found.vectors.d, norms2, i, j) });
      const r = { pairs: found.pairs, clusters, groups: clusterGroups(clusters), histogram: similarityHistogram(found.pairs.sim, 30, 0.85, 1), cached: found.embedded.cached, computed: found.embedded.computed };
      // The three password questions are one cluster kept at the highest score (index 2).
      expect(Array.from(r.clusters.duplicateOf)).toEqual([2, -1, -1, -1, 2]);
      expect(r.groups).toHaveLength(1);
      expect(r.groups[0]!.kept).toBe(2);
      expect(r.groups[0]!.duplicates.map((x) => x.index).sort()).toEqual([0, 4]);
      for (const x of r.groups[0]!.duplicates) expect(x.similarity).toBeGreaterThan(0.85);
      expect(r.histogram.counts.reduce((s, c) => s + c, 0)).toBe(r.pairs.a.length);
      // Texts 0 and 4 normalise to the same string: embedded once.
      expect(r.cached + r.computed).toBe(4);
    } finally {
      w.close();
    }
  });
});
