import * as Comlink from 'comlink';
import type { DedupApi, SemanticRequest, SemanticResult } from '../dedup/dedupApi';
import type { ClusterGroup, SimilarityHistogram } from '../dedup/report';
import type { DedupProgress } from '../dedup/types';
import type { EmbedApi, EmbedProgress, EmbedRequest } from './embedApi';

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
