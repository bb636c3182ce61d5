import * as Comlink from 'comlink';
import { clustersPerGroup, meanPairwise, pca2 } from './embedStats';

export interface EmbeddingStatsRequest {
  data: Float32Array;
  n: number;
  d: number;
  /** The round of each vector. */
  rounds: Int32Array;
  /** Pairs at or above some floor (from the dedup worker), for the cluster counts. */
  pairs: { a: Uint32Array; b: Uint32Array; sim: Float32Array };
  clusterThreshold: number;
}

export interface RoundEmbeddingStats {
  round: number;
  items: number;
  clusters: number;
  meanSimilarity: number;
  sampled: boolean;
}

export interface EmbeddingStats {
  /** x0,y0,x1,y1,… */
  map: Float32Array;
  rounds: RoundEmbeddingStats[];
}

/** The Review charts' embedding figures, computed off the main thread (thin worker: reviewStats.worker.ts). */
export function createReviewStatsApi() {
  return {
    embeddingStats(req: EmbeddingStatsRequest): EmbeddingStats {
      const map = pca2(req.data, req.n, req.d);
      const members = new Map<number, number[]>();
      req.rounds.forEach((r, i) => {
        const list = members.get(r) ?? [];
        list.push(i);
        members.set(r, list);
      });
      const clusters = clustersPerGroup(req.rounds, req.pairs, req.clusterThreshold);
      const rounds = [...members.keys()]
        .sort((a, b) => a - b)
        .map((round) => {
          const m = meanPairwise(req.data, req.d, members.get(round)!);
          return { round, items: members.get(round)!.length, clusters: clusters.get(round)!.clusters, meanSimilarity: m.mean, sampled: m.sampled };
        });
      return Comlink.transfer({ map, rounds }, [map.buffer]);
    },
  };
}

export type ReviewStatsApi = ReturnType<typeof createReviewStatsApi>;
