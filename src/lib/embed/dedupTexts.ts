import * as Comlink from 'comlink';
import type { DedupApi } from '../dedup/dedupApi';
import type { DedupProgress, PairList } from '../dedup/types';
import type { ModelSource } from '../engines/modelSource';
import type { Fallback } from '../fallback';
import type { EmbedApi, EmbedDevice, EmbedEngine, EmbedLoadRequest, EmbedProgress } from './embedApi';
import { EmbeddingService } from './service';
import type { EmbedBackend, Embedder } from './types';

/** The embedding API in a worker of its own (one per loaded model); progress callbacks cross as proxies. */
function workerBackend(): EmbedBackend {
  const w = new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<EmbedApi>(w);
  const proxied = (f?: (p: EmbedProgress) => void) => (f ? Comlink.proxy(f) : undefined);
  return {
    load: (req, onProgress) => api.load(req, proxied(onProgress)),
    embed: (texts, request, onProgress) => api.embed(texts, request, proxied(onProgress)),
    dispose: async () => {
      await api.dispose().catch(() => undefined);
      w.terminate();
    },
  };
}

/** The main thread's embedders: the Dedup panel and the charts share one loaded model. */
export const embeddings = new EmbeddingService(workerBackend);

/** What a Dedup panel or the charts hold: the dedup worker, and the embedding model they last used. */
export interface DedupWorkers {
  dedup: Comlink.Remote<DedupApi>;
  /** Holds the model the request names (letting go of another one held before). */
  embedder(req: EmbedLoadRequest): Promise<Embedder>;
  /** Terminates the dedup worker and lets go of the model. */
  close: () => void;
}

/** Starts the dedup worker a Dedup panel needs and holds its embedder from the shared service; let go with `close()`. */
export function startDedupWorkers(): DedupWorkers {
  const dw = new Worker(new URL('../../../workers/dedup.worker.ts', import.meta.url), { type: 'module' });
  let held: { model: string; embedder: Promise<Embedder> } | null = null;
  const letGo = () => {
    void held?.embedder.then((e) => e.dispose()).catch(() => undefined);
    held = null;
  };
  return {
    dedup: Comlink.wrap<DedupApi>(dw),
    embedder(req) {
      if (held?.model !== req.model) {
        letGo();
        const embedder = embeddings.acquire(req);
        embedder.catch(() => {
          if (held?.embedder === embedder) held = null; // a failed load is not kept
        });
        held = { model: req.model, embedder };
      }
      return held.embedder;
    },
    close: () => {
      letGo();
      dw.terminate();
    },
  };
}

/** How the texts were embedded: shown beside the results. */
export interface EmbeddedInfo {
  model: string;
  engine: EmbedEngine;
  device: EmbedDevice;
  threads: number;
  /** Distinct texts run through the model now / found in the cache. */
  computed: number;
  cached: number;
  seconds: number;
  /** What could not run here and what ran instead: the embedder's (encoder, GPU), then the kernel's. */
  fallbacks: Fallback[];
}

export interface EmbedPairsRequest {
  model: string;
  source: ModelSource;
  /** The app's base URL (the bundled model and onnxruntime's files are served under it). */
  appBase: string;
  dbName: string;
  /** Pairs at or above this cosine are returned. */
  threshold: number;
  /** The first `existingCount` texts are seeds: pairs among them are not looked for. */
  existingCount?: number;
  /** Find pairs with the approximate mode (LSH) planned for this pair recall at the threshold. */
  approximateRecall?: number;
}

/**
 * Embeds texts (cached) with the shared embedder of the model named, keeps a copy of the vectors for the
 * caller, and finds every pair at or above the threshold in `dedup` (the vectors move there by
 * transfer). Progress: 'load' once the model is being loaded, then 'embed' and 'pairs' with counts.
 * @throws EmbedError, DedupError (as the two workers' APIs).
 */
export async function embedAndPair(
  w: Pick<DedupWorkers, 'dedup' | 'embedder'>,
  texts: string[],
  r: EmbedPairsRequest,
  onProgress: (stage: 'embed' | 'pairs', done: number, total: number) => void,
): Promise<{ vectors: { data: Float32Array; n: number; d: number }; pairs: PairList; embedded: EmbeddedInfo }> {
  const embedder = await w.embedder({ model: r.model, source: r.source, appBase: r.appBase, dbName: r.dbName });
  const t0 = performance.now();
  const v = await embedder.embed(texts, undefined, (p) => {
    if (p.status === 'embed') onProgress('embed', p.done, p.total);
  });
  const { engine, device, threads, fallbacks } = embedder.info;
  const embedded: EmbeddedInfo = { model: embedder.model, engine, device, threads, computed: v.computed, cached: v.cached, seconds: (performance.now() - t0) / 1000, fallbacks };
  const vectors = { data: v.data.slice(), n: v.n, d: v.d };
  const found = await w.dedup.findPairs(
    Comlink.transfer({ data: v.data, n: v.n, d: v.d }, [v.data.buffer]),
    { threshold: r.threshold, existingCount: r.existingCount ?? 0, ...(r.approximateRecall ? { kernel: 'approximate' as const, recall: r.approximateRecall } : {}) },
    Comlink.proxy((p: DedupProgress) => {
      if (p.phase === 'screen') onProgress('pairs', p.done, p.total);
    }),
  );
  if (found.fallback) embedded.fallbacks = [...embedded.fallbacks, found.fallback];
  return { vectors, pairs: found.pairs, embedded };
}
