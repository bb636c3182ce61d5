import * as Comlink from 'comlink';
import type { DedupApi, SemanticRequest, SemanticResult } from '../dedup/dedupApi';
import type { ClusterGroup, SimilarityHistogram } from '../dedup/report';
import type { DedupProgress, PairList } from '../dedup/types';
import type { ModelSource } from '../engines/modelSource';
import type { EmbedApi, EmbedDevice, EmbedEngine, EmbedProgress, EmbedRequest } from './embedApi';

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

export type TextDedupProgress = ({ stage: 'embed' } & EmbedProgress) | ({ stage: 'dedup' } & DedupProgress);

export interface TextDedupResult extends SemanticResult {
  /** Clusters that removed something, each kept item with its duplicates and similarities. */
  groups: ClusterGroup[];
  /** Similarities of the found pairs, for the threshold slider. */
  histogram: SimilarityHistogram;
  /** Distinct texts answered by the embedding cache / embedded now. */
  cached: number;
  computed: number;
}

/**
 * Semantic dedup of texts: embed them (cached) with the model already loaded in `embed`, then
 * pairs, clusters and keep-best in `dedup`. The vectors move between the workers by transfer.
 * @throws EmbedError (EmbedderNotLoadedError…), DedupError (as DedupApi.semantic).
 */
export async function dedupTexts(
  embed: Comlink.Remote<EmbedApi>,
  dedup: Comlink.Remote<DedupApi>,
  texts: string[],
  request: SemanticRequest & EmbedRequest = {},
  onProgress?: (p: TextDedupProgress) => void,
): Promise<TextDedupResult> {
  // Each callback is exposed on its own MessageChannel; only the worker side holds a Remote of it
  // (comlink releases that when it is garbage-collected), so there is nothing to release here.
  const ep = onProgress && Comlink.proxy((p: EmbedProgress) => onProgress({ stage: 'embed', ...p }));
  const dp = onProgress && Comlink.proxy((p: DedupProgress) => onProgress({ stage: 'dedup', ...p }));
  const v = await embed.embed(texts, { role: request.role, batchSize: request.batchSize }, ep);
  const { data, n, d, cached, computed } = v;
  const res = await dedup.semantic(Comlink.transfer({ data, n, d }, [data.buffer]), request, dp);
  const [groups, histogram] = await Promise.all([dedup.groups(res.clusters), dedup.histogram(res.pairs.sim, 30, request.threshold ?? 0.85, 1)]);
  return { ...res, groups, histogram, cached, computed };
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
  const embedded: EmbeddedInfo = { model: loaded.model, engine: loaded.engine, device: loaded.device, threads: loaded.threads, computed: v.computed, cached: v.cached, seconds: (performance.now() - t0) / 1000 };
  const vectors = { data: v.data.slice(), n: v.n, d: v.d };
  const found = await w.dedup.findPairs(
    Comlink.transfer({ data: v.data, n: v.n, d: v.d }, [v.data.buffer]),
    { threshold: r.threshold, existingCount: r.existingCount ?? 0, ...(r.approximateRecall ? { kernel: 'approximate' as const, recall: r.approximateRecall } : {}) },
    Comlink.proxy((p: DedupProgress) => {
      if (p.phase === 'screen') onProgress('pairs', p.done, p.total);
    }),
  );
  return { vectors, pairs: found.pairs, embedded };
}
