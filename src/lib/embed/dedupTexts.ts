import * as Comlink from 'comlink';
import type { DedupApi } from '../dedup/dedupApi';
import type { DedupProgress, PairList } from '../dedup/types';
import type { ModelSource } from '../engines/modelSource';
import type { Fallback } from '../fallback';
import type { EmbedApi, EmbedDevice, EmbedEngine, EmbedProgress } from './embedApi';

/** Starts the two workers a Dedup panel needs; terminate them with `close()`. */
export function startDedupWorkers(): { embed: Comlink.Remote<EmbedApi>; dedup: Comlink.Remote<DedupApi>; close: () => void } {
  const ew = new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), { type: 'module' });
  const dw = new Worker(new URL('../../../workers/dedup.worker.ts', import.meta.url), { type: 'module' });
  return {
    embed: Comlink.wrap<EmbedApi>(ew),
    dedup: Comlink.wrap<DedupApi>(dw),
    close: () => {
      ew.terminate();
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
 * Embeds texts (cached) with the model loaded in `embed`, keeps a copy of the vectors for the
 * caller, and finds every pair at or above the threshold in `dedup` (the vectors move there by
 * transfer). Progress: 'load' once the model is being loaded, then 'embed' and 'pairs' with counts.
 * @throws EmbedError, DedupError (as the two workers' APIs).
 */
export async function embedAndPair(
  w: { embed: Comlink.Remote<EmbedApi>; dedup: Comlink.Remote<DedupApi> },
  texts: string[],
  r: EmbedPairsRequest,
  onProgress: (stage: 'embed' | 'pairs', done: number, total: number) => void,
): Promise<{ vectors: { data: Float32Array; n: number; d: number }; pairs: PairList; embedded: EmbeddedInfo }> {
  const loaded = await w.embed.load({ model: r.model, source: r.source, appBase: r.appBase, dbName: r.dbName });
  const t0 = performance.now();
  const v = await w.embed.embed(
    texts,
    {},
    Comlink.proxy((p: EmbedProgress) => {
      if (p.status === 'embed') onProgress('embed', p.done, p.total);
    }),
  );
  const embedded: EmbeddedInfo = { model: loaded.model, engine: loaded.engine, device: loaded.device, threads: loaded.threads, computed: v.computed, cached: v.cached, seconds: (performance.now() - t0) / 1000, fallbacks: loaded.fallbacks };
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
