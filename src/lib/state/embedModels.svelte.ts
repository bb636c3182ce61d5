import * as Comlink from 'comlink';
import type { AppDb } from '../db/db';
import { listSeeds } from '../db/seedsRepo';
import type { EmbedApi, EmbedProgress } from '../embed/embedApi';
import { chineseShare, recommendedEmbeddingModel, textsLanguage, type TextsLanguage } from '../embed/recommend';
import { EMBEDDING_MODELS } from '../embed/models';
import { hfFileUrl, type ModelSource } from '../engines/modelSource';
import { errorInfo } from './engines.svelte';

/** transformers.js' Cache Storage name (its `env.cacheKey`; read here without loading the library). */
const TRANSFORMERS_CACHE = 'transformers-cache';

export type EmbedModelFetch =
  | { state: 'downloading'; loaded: number; total: number }
  | { state: 'ready' }
  | { state: 'failed'; error: { name: string; message: string } };

/**
 * The Models screen's embedding models: which one the project's seeds call for (by their
 * language), and a download ahead of use. A download is the embed worker's own load of the model
 * (transformers.js fetches `<source>/<repo>/resolve/main/<file>` and keeps the files in the
 * browser's Cache Storage, where the Dedup panel and the recipe's Dedup step find them later).
 */
export class EmbedModelsState {
  #db: AppDb;
  /** Per model id, the last download's state. */
  fetches = $state.raw<Record<string, EmbedModelFetch>>({});
  /** The seeds' language and the model recommended for it (null before `inspect` or without seeds). */
  seeds = $state.raw<{ chineseShare: number; language: TextsLanguage; recommended: string } | null>(null);

  constructor(db: AppDb) {
    this.#db = db;
  }

  async inspect(projectId: string): Promise<void> {
    const texts = (await listSeeds(this.#db, projectId)).map((s) => (s.input ? `${s.instruction}\n${s.input}` : s.instruction));
    if (!texts.length) {
      this.seeds = null;
      return;
    }
    const share = chineseShare(texts);
    const language = textsLanguage(share);
    this.seeds = { chineseShare: share, language, recommended: recommendedEmbeddingModel(language).id };
  }

  /**
   * Marks the models whose weights are already in transformers.js' Cache Storage (its cache name,
   * keyed by the URL it fetched), e.g. downloaded before a reload.
   */
  async checkCache(source: ModelSource): Promise<void> {
    if (!globalThis.caches) return;
    const cache = await caches.open(TRANSFORMERS_CACHE);
    for (const m of EMBEDDING_MODELS) {
      if (m.bundled || this.fetches[m.id]) continue;
      let url: string;
      try {
        url = hfFileUrl(m.repo, 'onnx/model_quantized.onnx', source);
      } catch {
        continue; // air-gapped with a remote source: nothing to look up
      }
      if (await cache.match(url)) this.#set(m.id, { state: 'ready' });
    }
  }

  #set(id: string, f: EmbedModelFetch): void {
    this.fetches = { ...this.fetches, [id]: f };
  }

  /** Downloads a model's files through the model source (a worker of its own, closed after). */
  async download(id: string, source: ModelSource): Promise<void> {
    this.#set(id, { state: 'downloading', loaded: 0, total: 0 });
    const worker = new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
    const api = Comlink.wrap<EmbedApi>(worker);
    // Bytes per file, summed: transformers.js reports each file's own progress.
    const files = new Map<string, { loaded: number; total: number }>();
    const onProgress = Comlink.proxy((p: EmbedProgress) => {
      if (p.status !== 'download') return;
      files.set(p.file, { loaded: p.loaded, total: p.total });
      let loaded = 0;
      let total = 0;
      for (const f of files.values()) {
        loaded += f.loaded;
        total += f.total;
      }
      this.#set(id, { state: 'downloading', loaded, total });
    });
    try {
      await api.load({ model: id, source, appBase: new URL('./', document.baseURI).href, device: 'wasm' }, onProgress);
      this.#set(id, { state: 'ready' });
    } catch (e) {
      this.#set(id, { state: 'failed', error: errorInfo(e) });
    } finally {
      await api.dispose().catch(() => undefined);
      worker.terminate();
    }
  }
}
