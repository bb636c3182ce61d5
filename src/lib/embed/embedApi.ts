import { AutoTokenizer, env, pipeline, type FeatureExtractionPipeline, type PreTrainedTokenizer, type ProgressInfo } from '@huggingface/transformers';
import * as Comlink from 'comlink';
import { openDb, type AppDb } from '../db/db';
import { getEmbeddings, putEmbeddings } from '../db/embeddingsRepo';
import { HF_BASE, rewriteHfUrl, type ModelSource } from '../engines/modelSource';
import { reasonOf, type Fallback } from '../fallback';
import { EmbedError } from './errors';
import type { BertConfig } from './encoder/bertEncoder';
import { EncoderPool } from './encoder/encoderPool';
import { OnnxFormatError } from './encoder/onnxWeights';
import { cacheModelKey, findEmbeddingModel, type EmbeddingModel, type EmbedRole } from './models';
import { ortWasmPaths } from './ortFiles';
import { batches, byLength, prepareTexts } from './prepare';

export type EmbedDevice = 'webgpu' | 'wasm';
/**
 * What runs the model: Seedforge's own WebAssembly SIMD encoder (encoder/: the bundled BERT on the
 * CPU, 3.0–3.4× onnxruntime-web's speed there in bench:embed) or onnxruntime-web (every other model, and WebGPU).
 */
export type EmbedEngine = 'seedforge-wasm' | 'onnxruntime';

export interface EmbedLoadRequest {
  /** A registry id (models.ts). */
  model: string;
  /** Where a non-bundled model comes from (the model-source setting). The bundled model ignores it. */
  source?: ModelSource;
  /** The app's root URL, where public/ is served (the main thread's `new URL('./', document.baseURI)`). */
  appBase: string;
  /** The IndexedDB database holding the cache (tests pass their own). */
  dbName?: string;
  /** 'auto' (default): WebGPU when an adapter exists, else WebAssembly. */
  device?: 'auto' | EmbedDevice;
  /**
   * WebAssembly threads (default: every core; Seedforge's encoder at most 4 unless asked). For
   * onnxruntime-web only a cross-origin isolated page has more than one, and it reads the number
   * once per worker, so it counts on a worker's first load only.
   */
  threads?: number;
  /**
   * 'auto' (default): Seedforge's encoder where it can run the model (the bundled model on
   * WebAssembly), else onnxruntime-web. 'onnxruntime' always uses onnxruntime-web.
   */
  engine?: 'auto' | 'onnxruntime';
}

export interface EmbedRequest {
  /** Default 'symmetric' (text against text, as dedup compares). */
  role?: EmbedRole;
  /** Texts per model call (default 32). */
  batchSize?: number;
  /** Batch texts of similar length together (default true; the output order is always the input's). */
  sortByLength?: boolean;
}

/** Loading and embedding progress, converted from transformers.js' own shape. */
export type EmbedProgress =
  | { status: 'initiate'; model: string; file: string }
  | { status: 'download'; model: string; file: string; loaded: number; total: number }
  | { status: 'ready'; model: string; device: EmbedDevice; engine: EmbedEngine; threads: number }
  | { status: 'embed'; done: number; total: number; cached: number };

/** n unit vectors of d numbers, row i for text i; `data` is transferred. */
export interface EmbedResult {
  data: Float32Array;
  n: number;
  d: number;
  /** The cache key the vectors are stored under. */
  model: string;
  /** Distinct texts found in the cache / embedded now. */
  cached: number;
  computed: number;
}

export interface EmbedStats {
  model: string | null;
  device: EmbedDevice | null;
  engine: EmbedEngine | null;
  threads: number;
  /** Why the bundled model runs on onnxruntime-web instead of Seedforge's encoder (null when it does not). */
  encoderFallback: string | null;
  /** Model calls (batches) and texts run through the model since this worker started. */
  modelCalls: number;
  textsEmbedded: number;
}

/** Seedforge's encoder with the model's own tokenizer. */
interface OwnEncoder {
  pool: EncoderPool;
  tokenizer: PreTrainedTokenizer;
}

interface Loaded {
  model: EmbeddingModel;
  /** Exactly one of the two runs the model. */
  extractor: FeatureExtractionPipeline | null;
  encoder: OwnEncoder | null;
  engine: EmbedEngine;
  device: EmbedDevice;
  threads: number;
  db: AppDb;
  /** What could not run and what ran instead (shown beside the engine). */
  fallbacks: Fallback[];
}

/**
 * WebGPU when an adapter answers, else WebAssembly. A browser that has the WebGPU API but gives no
 * adapter (or throws) is a fallback and says why; one without the API is not.
 */
async function pickDevice(want: 'auto' | EmbedDevice, fallbacks: Fallback[]): Promise<EmbedDevice> {
  if (want !== 'auto') return want;
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return 'wasm';
  try {
    if (await gpu.requestAdapter()) return 'webgpu';
    fallbacks.push({ part: 'gpu', reason: 'the browser gave no WebGPU adapter' });
  } catch (e) {
    fallbacks.push({ part: 'gpu', reason: reasonOf(e) });
  }
  return 'wasm';
}

/**
 * Points transformers.js at this app's files: the ONNX runtime from our own origin, the bundled
 * model from public/models/ with remote loading off, other models from the chosen source.
 * Returns the model name to pass to `pipeline`.
 */
function configureEnv(model: EmbeddingModel, req: EmbedLoadRequest, threads: number): string {
  // Model files bypass the HTTP cache: transformers.js keeps them in Cache Storage itself, and
  // Chromium's in-memory HTTP cache (incognito-like profiles) failed the second fetch of the
  // 23 MB model with net::ERR_CACHE_WRITE_FAILURE, intermittently, in the e2e tests.
  env.fetch = (input: string | URL, init?: RequestInit) => fetch(input, { ...init, cache: 'no-store' });
  const onnx = env.backends.onnx;
  if (onnx.wasm) {
    onnx.wasm.wasmPaths = ortWasmPaths(globalThis.location.href);
    onnx.wasm.numThreads = threads;
  }
  if (model.bundled) {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    // A path, not a URL: transformers.js 4.3 skips its local-file check for http(s) URLs, finds no
    // tokenizer_config.json with remote models off, and builds a pipeline without a tokenizer
    // ("this.tokenizer is not a function" on the first call).
    env.localModelPath = new URL('models/', req.appBase).pathname;
    return model.id;
  }
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  // transformers.js requests `${remoteHost}${repo}/resolve/main/${file}`: the model source's
  // rewrite of the Hugging Face base gives the mirror or same-origin folder with the same paths.
  env.remoteHost = rewriteHfUrl(`${HF_BASE}/`, req.source ?? { kind: 'huggingface' }, new URL(req.appBase).origin);
  return model.repo;
}

function toProgress(model: string, p: ProgressInfo): EmbedProgress | null {
  if (p.status === 'initiate') return { status: 'initiate', model, file: p.file };
  if (p.status === 'progress') return { status: 'download', model, file: p.file, loaded: p.loaded, total: p.total };
  return null;
}

/** The encoder's default thread cap (memory: one copy of the weights per thread). */
const ENCODER_DEFAULT_MAX_THREADS = 4;

let kernelModule: Promise<WebAssembly.Module> | null = null;
/** The encoder's kernels (encoder/encoder.wasm), compiled once per worker. */
function encoderKernel(): Promise<WebAssembly.Module> {
  // compile(bytes), not compileStreaming: a static host that serves .wasm without the
  // application/wasm type would fail the streaming compile.
  kernelModule ??= (async () => {
    const res = await fetch(new URL('./encoder/encoder.wasm', import.meta.url));
    if (!res.ok) throw new Error(`encoder.wasm: HTTP ${res.status}`);
    return WebAssembly.compile(await res.arrayBuffer());
  })().catch((e: unknown) => {
    kernelModule = null;
    throw e;
  });
  return kernelModule;
}

/** Fetches a file of the bundled model with download progress. */
async function fetchModelFile(url: URL, model: string, file: string, onProgress?: (p: EmbedProgress) => void): Promise<ArrayBuffer> {
  onProgress?.({ status: 'initiate', model, file });
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok || !res.body) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || 0;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (loaded - last > 1 << 20) {
      last = loaded;
      onProgress?.({ status: 'download', model, file, loaded, total: total || loaded });
    }
  }
  onProgress?.({ status: 'download', model, file, loaded, total: loaded });
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/**
 * Seedforge's encoder for a bundled model: its tokenizer through transformers.js, its ONNX file's
 * weights in the encoder's kernels on `threads` workers.
 * @throws {OnnxFormatError} when the file is not a BERT the encoder reads (the caller falls back).
 */
async function startOwnEncoder(model: EmbeddingModel, req: EmbedLoadRequest, threads: number, name: string, onProgress: ((p: EmbedProgress) => void) | undefined, progress_callback: (p: ProgressInfo) => void): Promise<OwnEncoder> {
  const dir = new URL(`models/${model.id}/`, req.appBase);
  const [tokenizer, configBytes, onnx, kernel] = await Promise.all([
    AutoTokenizer.from_pretrained(name, { progress_callback }),
    fetchModelFile(new URL('config.json', dir), model.id, 'config.json'),
    fetchModelFile(new URL('onnx/model_quantized.onnx', dir), model.id, 'onnx/model_quantized.onnx', onProgress),
    encoderKernel(),
  ]);
  const config = JSON.parse(new TextDecoder().decode(configBytes)) as BertConfig;
  const pool = await EncoderPool.start(kernel, onnx, config, model.pooling, threads);
  return { pool, tokenizer };
}

/**
 * The embedder the embed worker exposes. One model at a time; vectors are cached in IndexedDB by
 * (model key, hash of the normalised text), so a text is embedded at most once per model.
 * @param sharedDb a connection the caller already holds (the run worker's): used for the cache
 * instead of opening the database by name, and left open by dispose().
 */
export function createEmbedApi(sharedDb?: AppDb) {
  let loading: Promise<Loaded> | null = null;
  let loadedId: string | null = null;
  let current: Loaded | null = null;
  const dbs = new Map<string, AppDb>();
  const counters = { modelCalls: 0, textsEmbedded: 0 };
  /** Why the last load of a bundled model went to onnxruntime-web instead of the encoder. */
  let encoderFallback: string | null = null;

  async function loadInner(req: EmbedLoadRequest, onProgress?: (p: EmbedProgress) => void): Promise<Loaded> {
    const model = findEmbeddingModel(req.model);
    if (!model) throw new EmbedError('UnknownEmbeddingModelError', `No embedding model "${req.model}": pick one from the list.`);
    const cores = Math.max(1, navigator.hardwareConcurrency || 1);
    const wanted = Math.min(cores, Math.max(1, req.threads ?? cores));
    // onnxruntime-web's threads share one memory (cross-origin isolation only); the encoder's
    // threads are separate workers and need none.
    const ortThreads = globalThis.crossOriginIsolated ? wanted : 1;
    const name = configureEnv(model, req, ortThreads);
    const want = req.device ?? 'auto';
    const fallbacks: Fallback[] = [];
    let device = await pickDevice(want, fallbacks);
    const progress_callback = (p: ProgressInfo) => {
      const ev = toProgress(model.id, p);
      if (ev) onProgress?.(ev);
    };
    const where = model.bundled ? 'the app\'s bundled copy (reload the page; if it persists the build is missing public/models)' : 'the model source (check the network, the mirror URL or the local folder in Settings)';
    const loadError = (e: unknown) => new EmbedError('EmbeddingModelLoadError', `Could not load the embedding model ${model.id} from ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    const dbName = req.dbName ?? 'seedforge';
    let db = sharedDb?.name === dbName ? sharedDb : dbs.get(dbName);
    if (!db) dbs.set(dbName, (db = openDb(dbName)));

    encoderFallback = null;
    if (device === 'wasm' && model.bundled && (req.engine ?? 'auto') === 'auto') {
      let encoder: OwnEncoder | null = null;
      try {
        // Each encoder thread holds its own weights (~35 MB for MiniLM) and takes a share of a
        // 32-text call: by default at most 4 of them.
        const threads = req.threads ? wanted : Math.min(wanted, ENCODER_DEFAULT_MAX_THREADS);
        encoder = await startOwnEncoder(model, req, threads, name, onProgress, progress_callback);
      } catch (e) {
        // A file the encoder does not read, or an encoder that cannot start here (a worker or
        // WebAssembly refused), goes to onnxruntime-web; the reason is kept for stats().
        encoderFallback = e instanceof OnnxFormatError ? `not a BERT the encoder reads: ${e.message}` : `the encoder did not start: ${reasonOf(e)}`;
        fallbacks.push({ part: 'encoder', reason: encoderFallback });
      }
      if (encoder) {
        onProgress?.({ status: 'ready', model: model.id, device, engine: 'seedforge-wasm', threads: encoder.pool.size });
        return { model, extractor: null, encoder, engine: 'seedforge-wasm', device, threads: encoder.pool.size, db, fallbacks };
      }
    }
    const create = (dev: EmbedDevice) => pipeline('feature-extraction', name, { device: dev, dtype: 'q8', progress_callback });
    let extractor: FeatureExtractionPipeline;
    try {
      try {
        extractor = await create(device);
      } catch (e) {
        // A WebGPU adapter that cannot run the graph (missing features, lost device): the
        // WebAssembly runtime always can.
        if (device !== 'webgpu' || want !== 'auto') throw e;
        fallbacks.push({ part: 'gpu', reason: reasonOf(e) });
        device = 'wasm';
        extractor = await create(device);
      }
    } catch (e) {
      throw loadError(e);
    }
    onProgress?.({ status: 'ready', model: model.id, device, engine: 'onnxruntime', threads: device === 'wasm' ? ortThreads : 0 });
    return { model, extractor, encoder: null, engine: 'onnxruntime', device, threads: device === 'wasm' ? ortThreads : 0, db, fallbacks };
  }

  /** Runs `fn` with a progress callback whose calls (comlink messages) all land before it resolves. */
  async function settled<T>(onProgress: ((p: EmbedProgress) => void) | undefined, fn: (report?: (p: EmbedProgress) => void) => Promise<T>): Promise<T> {
    const pending: unknown[] = [];
    const report = onProgress && ((p: EmbedProgress) => void pending.push(onProgress(p)));
    const result = await fn(report);
    await Promise.all(pending);
    return result;
  }

  /** Unit vectors of the texts (in order) from whichever engine runs the model. */
  async function runModel(l: Loaded, inputs: string[]): Promise<Float32Array> {
    if (l.encoder) {
      // Truncated to what the encoder takes (a tokenizer's own limit may be larger, or a sentinel).
      const ids = l.encoder.tokenizer(inputs, { padding: false, truncation: true, max_length: l.encoder.pool.maxTokens, return_tensor: false }).input_ids as number[][];
      return l.encoder.pool.encode(ids);
    }
    const out = await l.extractor!(inputs, { pooling: l.model.pooling, normalize: true });
    return out.data as Float32Array;
  }

  /** Frees a model's ONNX session or encoder threads. */
  async function release(l: Loaded): Promise<void> {
    l.encoder?.pool.close();
    await l.extractor?.dispose();
  }

  return {
    /**
     * Loads a model (a no-op when it is already loaded). A failed load is not kept.
     * @throws {EmbedError} UnknownEmbeddingModelError, EmbeddingModelLoadError.
     */
    async load(req: EmbedLoadRequest, onProgress?: (p: EmbedProgress) => void): Promise<{ model: string; device: EmbedDevice; engine: EmbedEngine; threads: number; dims: number; fallbacks: Fallback[] }> {
      return settled(onProgress, async (report) => {
        if (!loading || loadedId !== req.model) {
          const previous = loading;
          loadedId = req.model;
          loading = loadInner(req, report);
          loading.catch(() => {
            if (loadedId === req.model) {
              loading = null;
              loadedId = null;
            }
          });
          // Free the previous model's session once the new one is up.
          void previous?.then(release).catch(() => undefined);
        }
        const l = await loading;
        current = l;
        return { model: l.model.id, device: l.device, engine: l.engine, threads: l.threads, dims: l.model.dims, fallbacks: l.fallbacks };
      });
    },

    /**
     * Embeds texts with the loaded model: cached vectors come from IndexedDB, the rest are run in
     * batches and cached. Equal normalised texts are embedded once.
     * @throws {EmbedError} EmbedderNotLoadedError.
     */
    async embed(texts: string[], request: EmbedRequest = {}, onProgress?: (p: EmbedProgress) => void): Promise<EmbedResult> {
      if (!loading) throw new EmbedError('EmbedderNotLoadedError', 'No embedding model is loaded: load one first.');
      const l = await loading;
      const result = await settled(onProgress, async (report) => {
        const role = request.role ?? 'symmetric';
        const key = cacheModelKey(l.model, role);
        const d = l.model.dims;
        const prep = prepareTexts(texts, l.model, role);
        const m = prep.hashes.length;
        const uniq = new Float32Array(m * d);
        const hit = await getEmbeddings(l.db, key, prep.hashes);
        let missing: number[] = [];
        hit.forEach((v, k) => (v && v.length === d ? uniq.set(v, k * d) : missing.push(k)));
        // Vectors go back by index (uniq row k), so the order of model calls is free to choose.
        if (request.sortByLength ?? true) missing = byLength(missing, prep.inputs);
        const cached = m - missing.length;
        report?.({ status: 'embed', done: cached, total: m, cached });
        // Each batch's cache write overlaps the next batch's model call (one write in flight; a
        // failed write fails the call at the next batch or at the end).
        let writing: Promise<unknown> = Promise.resolve();
        for (const [s, e] of batches(missing.length, request.batchSize ?? 32)) {
          const idx = missing.slice(s, e);
          const data = await runModel(l, idx.map((k) => prep.inputs[k]!));
          counters.modelCalls++;
          counters.textsEmbedded += idx.length;
          if (data.length !== idx.length * d) throw new EmbedError('EmbeddingModelLoadError', `The model ${l.model.id} returned ${data.length / idx.length} numbers per text, expected ${d}: its files do not match the registry.`);
          idx.forEach((k, r) => uniq.set(data.subarray(r * d, (r + 1) * d), k * d));
          // Computed first, then written in one transaction (never await the model inside one).
          await writing;
          const write = putEmbeddings(l.db, key, idx.map((k) => prep.hashes[k]!), data, d);
          // Handled now (no unhandledrejection while the next batch runs, nor when a later step
          // throws first); still awaited below, so a failed write fails the call.
          write.catch(() => undefined);
          writing = write;
          report?.({ status: 'embed', done: cached + e, total: m, cached });
        }
        await writing;
        const n = texts.length;
        const rows = new Float32Array(n * d);
        for (let i = 0; i < n; i++) rows.set(uniq.subarray(prep.slot[i]! * d, (prep.slot[i]! + 1) * d), i * d);
        return { data: rows, n, d, model: key, cached, computed: missing.length };
      });
      return Comlink.transfer(result, [result.data.buffer]);
    },

    /** Frees the model (its ONNX session) and closes the cache databases; a later load starts afresh. */
    async dispose(): Promise<void> {
      const l = loading;
      loading = null;
      loadedId = null;
      current = null;
      await l?.then(release).catch(() => undefined);
      for (const db of dbs.values()) db.close();
      dbs.clear();
    },

    stats(): EmbedStats {
      return { model: current?.model.id ?? null, device: current?.device ?? null, engine: current?.engine ?? null, threads: current?.threads ?? 0, encoderFallback, ...counters };
    },

    /** Every URL this worker fetched (Resource Timing): lets tests and the UI show the app stays on its origin. */
    resourceUrls(): string[] {
      return performance.getEntriesByType('resource').map((e) => e.name);
    },
  };
}
export type EmbedApi = ReturnType<typeof createEmbedApi>;
