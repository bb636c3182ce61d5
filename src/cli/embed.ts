import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vectors } from '../lib/dedup/types';
import { BertEncoder, type BertConfig } from '../lib/embed/encoder/bertEncoder';
import { EmbedError } from '../lib/embed/errors';
import { aborted } from '../lib/engines/errors';
import { cacheModelKey, DEFAULT_EMBEDDING_MODEL, findEmbeddingModel } from '../lib/embed/models';
import { batches, byLength, prepareTexts } from '../lib/embed/prepare';
import type { DedupEmbedRequest } from '../lib/io/export/source';
import type { Store } from './store/store';

/**
 * The command line's embedder for the Dedup step's semantic pass: the app's bundled model
 * (all-MiniLM-L6-v2) read from the repository's files on disk — public/models/<id>/ (tokenizer,
 * config, int8 ONNX) and src/lib/embed/encoder/encoder.wasm — never the network. The same pieces
 * as the app's embedder on WebAssembly (embedApi.ts): texts normalised and de-duplicated by
 * prepareTexts, the model's own tokenizer through transformers.js, truncated to the encoder's
 * length, Seedforge's BERT encoder; so the vectors, and the pairs a threshold finds, are the app's.
 *
 * One thread (the encoder's kernels on this one): the process has nothing else to do while the
 * Dedup step runs, and worker_threads would need a second entry file in the one-file build.
 */

/** Texts per encoder call, as the app's embedder (its default batch). */
const BATCH = 32;

/** What a DedupTarget's `embed` is (src/lib/io/export/source.ts). */
export type DedupEmbedFn = (texts: string[], request: DedupEmbedRequest, onProgress?: (done: number, total: number) => void) => Promise<Vectors>;

/**
 * The folder holding public/models and src/lib/embed/encoder: the first folder at or above this
 * module's with both. The same walk finds it from the sources (src/cli/) and from the build
 * (dist-cli/), in a clean clone or a working copy.
 */
export function repositoryRoot(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'public', 'models')) && existsSync(join(dir, 'src', 'lib', 'embed', 'encoder', 'encoder.wasm'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Why the command line cannot run the semantic pass with `model` (null when it can): only the
 * bundled model is on disk; another model is a download the app makes from its model source.
 */
export function unsupportedModel(model: string): string | null {
  const m = findEmbeddingModel(model);
  if (!m) return `No embedding model "${model}": the command line runs the semantic pass with the bundled ${DEFAULT_EMBEDDING_MODEL}.`;
  if (!m.bundled) {
    return `The embedding model ${model} is a download the app makes (from its model source); the command line runs the semantic pass with the bundled ${DEFAULT_EMBEDDING_MODEL} only: set the Dedup step's model to it, or run the Dedup step in the app.`;
  }
  return null;
}

interface Loaded {
  encoder: BertEncoder;
  // transformers.js' tokenizer: called as tokenizer(texts, options).
  tokenizer: (texts: string[], o: { padding: false; truncation: true; max_length: number; return_tensor: false }) => { input_ids: unknown };
}

/**
 * Loads the bundled model's tokenizer and encoder from `root`.
 * @throws {EmbedError} EmbeddingModelLoadError naming the missing or unreadable file.
 */
async function load(root: string, id: string): Promise<Loaded> {
  const m = findEmbeddingModel(id)!;
  const dir = join(root, 'public', 'models', id);
  const wasm = join(root, 'src', 'lib', 'embed', 'encoder', 'encoder.wasm');
  const file = (path: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new EmbedError('EmbeddingModelLoadError', `Could not read ${path} (the bundled embedding model): ${(e as Error).message}. A clean clone of the repository has it; restore the file with git.`, { cause: e });
    }
  };
  const config = JSON.parse(file(join(dir, 'config.json')).toString('utf8')) as BertConfig;
  const onnx = file(join(dir, 'onnx', 'model_quantized.onnx'));
  const kernel = await WebAssembly.compile(file(wasm));
  // Imported here: the other verbs never load transformers.js (nor onnxruntime-node beneath it).
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  // The tokenizer from the folder on disk only, as the app loads the bundled model from its own origin.
  const saved = { local: env.allowLocalModels, remote: env.allowRemoteModels, path: env.localModelPath };
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = join(root, 'public', 'models') + '/';
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const encoder = await BertEncoder.create(kernel, new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength), config, m.pooling);
    return { encoder, tokenizer: tokenizer as unknown as Loaded['tokenizer'] };
  } catch (e) {
    if (e instanceof EmbedError) throw e;
    throw new EmbedError('EmbeddingModelLoadError', `Could not load the bundled embedding model ${id} from ${dir}: ${(e as Error).message}`, { cause: e });
  } finally {
    env.allowLocalModels = saved.local;
    env.allowRemoteModels = saved.remote;
    env.localModelPath = saved.path;
  }
}

/**
 * Vectors kept between dedups, by the app's cache key (model key + hash of the normalised text):
 * a second dedup of a project (another threshold, more items after a resume) embeds only the new
 * texts, as the app's IndexedDB cache does.
 */
export interface VectorCache {
  get(hash: string): Float32Array | undefined;
  /** Stores one batch's vectors together. */
  put(entries: readonly (readonly [string, Float32Array])[]): void;
}

/**
 * The store's cache table as a VectorCache for one model key: each vector as the base64 of its
 * float32 bytes, one transaction per batch.
 */
export function storeVectorCache(store: Store, modelKey: string): VectorCache {
  const ns = `embed:${modelKey}`;
  const put = store.db.transaction((entries: readonly (readonly [string, Float32Array])[]) => {
    for (const [hash, v] of entries) store.cachePut(ns, hash, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  });
  return {
    get(hash) {
      const b64 = store.cacheGet<string>(ns, hash);
      // Copied: a decoded Buffer may sit unaligned in Node's pool.
      return b64 === undefined ? undefined : new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);
    },
    put: (entries) => put.immediate(entries),
  };
}

/** Where `nodeEmbedder` finds its files, keeps its vectors, and hears that it should stop. */
export interface NodeEmbedderOptions {
  /** The repository (default: found from this module's location; null: not found). */
  root?: string | null;
  /** Vectors of earlier calls, by the model's cache key. */
  cache?: (modelKey: string) => VectorCache;
  signal?: AbortSignal;
}

/**
 * A DedupTarget `embed` for the command line: unit vectors in the texts' order, equal normalised
 * texts run once, cached ones (options.cache) not run at all; the model is loaded only when some
 * text needs it, for this call (the Dedup step calls it once). Between encoder calls it yields to
 * the event loop (Ctrl+C is heard) and stops when the signal is aborted.
 * @throws {EmbedError} EmbeddingModelUnavailableError for a catalogue model other than the bundled
 * one, UnknownEmbeddingModelError for an id not in it, EmbeddingModelLoadError when the files are
 * missing; EngineError AbortedError when the signal aborts it.
 */
export function nodeEmbedder(options: NodeEmbedderOptions = {}): DedupEmbedFn {
  const root = options.root === undefined ? repositoryRoot() : options.root;
  const signal = options.signal;
  return async (texts, request, onProgress) => {
    const why = unsupportedModel(request.model);
    if (why) throw new EmbedError(findEmbeddingModel(request.model) ? 'EmbeddingModelUnavailableError' : 'UnknownEmbeddingModelError', why);
    if (!root) throw new EmbedError('EmbeddingModelLoadError', `The bundled embedding model was not found: no public/models and src/lib/embed/encoder/encoder.wasm above ${dirname(fileURLToPath(import.meta.url))}. Run seedforge from a clone of the repository.`);
    const model = findEmbeddingModel(request.model)!;
    const d = model.dims;
    const cache = options.cache?.(cacheModelKey(model, 'symmetric'));
    const prep = prepareTexts(texts, model, 'symmetric');
    const m = prep.inputs.length;
    const uniq = new Float32Array(m * d);
    const missing: number[] = [];
    prep.hashes.forEach((h, k) => {
      const v = cache?.get(h);
      if (v && v.length === d) uniq.set(v, k * d);
      else missing.push(k);
    });
    const cached = m - missing.length;
    onProgress?.(cached, m);
    if (missing.length) {
      const l = await load(root, model.id);
      // Similar lengths together (less padding in the tokenizer's batch); rows go back by index.
      const order = byLength(missing, prep.inputs);
      for (const [s, e] of batches(order.length, BATCH)) {
        if (signal?.aborted) throw aborted('the dedup step');
        const idx = order.slice(s, e);
        const ids = l.tokenizer(idx.map((k) => prep.inputs[k]!), { padding: false, truncation: true, max_length: l.encoder.maxTokens, return_tensor: false }).input_ids as number[][];
        const data = l.encoder.encode(ids);
        idx.forEach((k, r) => uniq.set(data.subarray(r * d, (r + 1) * d), k * d));
        cache?.put(idx.map((k, r) => [prep.hashes[k]!, data.subarray(r * d, (r + 1) * d)] as const));
        onProgress?.(cached + e, m);
        await new Promise((r) => setImmediate(r));
      }
    }
    const n = texts.length;
    const rows = new Float32Array(n * d);
    for (let i = 0; i < n; i++) rows.set(uniq.subarray(prep.slot[i]! * d, (prep.slot[i]! + 1) * d), i * d);
    return { data: rows, n, d };
  };
}
