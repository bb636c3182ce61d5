import type { Fallback } from '../fallback';
import type { EmbedDevice, EmbedEngine, EmbedLoadRequest, EmbedProgress, EmbedRequest, EmbedResult } from './embedApi';

/**
 * One loaded embedding model, as `LlmEngine` is one loaded chat model: whoever holds it embeds
 * texts and lets go with `dispose`. Held through the embedding service (service.ts), so the Dedup
 * step, the Dedup panel and the charts in one realm share one loaded encoder per model.
 */
export interface Embedder {
  /** The registry id of the model (models.ts). */
  readonly model: string;
  /** Numbers per vector. */
  readonly dims: number;
  /** How it runs: shown beside results (engine, device, threads, and what fell back). */
  readonly info: { engine: EmbedEngine; device: EmbedDevice; threads: number; fallbacks: Fallback[] };
  /**
   * n unit vectors of `dims` numbers in `data`, row i for text i (cached ones from IndexedDB).
   * Checked for abort before and after the model runs (one call is not interrupted midway).
   * @throws EmbedError; AbortError when `signal` is aborted.
   */
  embed(texts: string[], signal?: AbortSignal, onProgress?: (p: EmbedProgress) => void): Promise<EmbedResult>;
  /** Lets go of the model; the last holder's dispose frees it. Idempotent. */
  dispose(): Promise<void>;
}

/** What loads and runs one model: the embedding API in this realm (createEmbedApi) or in a worker. */
export interface EmbedBackend {
  load(req: EmbedLoadRequest, onProgress?: (p: EmbedProgress) => void): Promise<{ model: string; device: EmbedDevice; engine: EmbedEngine; threads: number; dims: number; fallbacks: Fallback[] }>;
  embed(texts: string[], request?: EmbedRequest, onProgress?: (p: EmbedProgress) => void): Promise<EmbedResult>;
  /** Frees the model and whatever runs it (a worker is terminated). */
  dispose(): Promise<void>;
}
