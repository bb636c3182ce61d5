import * as Comlink from 'comlink';
import { similarityHistogram, type SimilarityHistogram } from '../dedup/report';
import { embedAndPair, startDedupWorkers } from '../embed/dedupTexts';
import { DEFAULT_EMBEDDING_MODEL } from '../embed/models';
import type { ModelSource } from '../engines/modelSource';
import type { RoundEmbeddingStats, ReviewStatsApi } from '../review/statsApi';
import type { ReviewRow } from '../review/rows';
import { dedupText } from '../runner/dedupPhase';
import { errorInfo } from './engines.svelte';

/** Pairs below this are not looked for; the similarity chart starts here. */
export const SIM_FLOOR = 0.7;
export const CLUSTER_THRESHOLD = 0.85;

/**
 * The embedding half of the Review charts: embeds the rows on show (the IndexedDB cache answers
 * what the Dedup panel or step already embedded), then in workers finds the similar pairs, the
 * 2-D map and each round's mean similarity and cluster count.
 */
export class ChartsState {
  #workers: (ReturnType<typeof startDedupWorkers> & { stats: Comlink.Remote<ReviewStatsApi> }) | null = null;
  #dbName: string;
  stage = $state<'idle' | 'load' | 'embed' | 'pairs' | 'stats' | 'ready' | 'failed'>('idle');
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state.raw<{ name: string; message: string } | null>(null);
  /** The rows the figures were computed for (in map order). */
  rows = $state.raw<ReviewRow[]>([]);
  map = $state.raw<Float32Array | null>(null);
  rounds = $state.raw<RoundEmbeddingStats[]>([]);
  similarity = $state.raw<SimilarityHistogram | null>(null);
  pairCount = $state(0);

  constructor(dbName: string) {
    this.#dbName = dbName;
  }

  #start() {
    if (!this.#workers) {
      const w = new Worker(new URL('../../../workers/reviewStats.worker.ts', import.meta.url), { type: 'module' });
      const base = startDedupWorkers();
      this.#workers = { ...base, stats: Comlink.wrap<ReviewStatsApi>(w), close: () => (base.close(), w.terminate()) };
    }
    return this.#workers;
  }

  async compute(rows: ReviewRow[], source: ModelSource): Promise<void> {
    this.error = null;
    this.stage = 'load';
    this.map = null;
    try {
      const w = this.#start();
      const { vectors, pairs } = await embedAndPair(
        w,
        rows.map(dedupText),
        { model: DEFAULT_EMBEDDING_MODEL, source, appBase: new URL('./', document.baseURI).href, dbName: this.#dbName, threshold: SIM_FLOOR },
        (stage, done, total) => {
          this.stage = stage;
          this.progress = { done, total };
        },
      );
      this.stage = 'stats';
      this.progress = null;
      const rounds = Int32Array.from(rows, (r) => r.round);
      const res = await w.stats.embeddingStats(
        Comlink.transfer({ ...vectors, rounds, pairs, clusterThreshold: CLUSTER_THRESHOLD }, [vectors.data.buffer, rounds.buffer]),
      );
      this.rows = rows;
      this.map = res.map;
      this.rounds = res.rounds;
      this.similarity = similarityHistogram(pairs.sim, 30, SIM_FLOOR, 1);
      this.pairCount = pairs.sim.length;
      this.stage = 'ready';
    } catch (e) {
      this.error = errorInfo(e);
      this.stage = 'failed';
    } finally {
      this.progress = null;
    }
  }

  dispose(): void {
    this.#workers?.close();
    this.#workers = null;
  }
}
