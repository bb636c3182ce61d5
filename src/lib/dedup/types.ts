/** Plain data shared by the dedup modules; everything here can cross a worker boundary. */

/** Row-major float32 vectors: n rows of d numbers. */
export interface Vectors {
  data: Float32Array;
  n: number;
  d: number;
}

/**
 * Pairs (a[k], b[k]) with a[k] < b[k], sorted by (a, b), and their canonical similarity
 * (`pairSimilarity`, float32).
 */
export interface PairList {
  a: Uint32Array;
  b: Uint32Array;
  sim: Float32Array;
}

/** Which semantic kernel to run. 'auto' picks the fastest available exact one. */
export type KernelId = 'js' | 'wasm' | 'webgpu' | 'approximate';

/** Progress of a semantic run; `done` never decreases and ends equal to `total`. */
export type DedupProgress =
  | { phase: 'prepare' }
  | { phase: 'screen'; done: number; total: number }
  | { phase: 'verify'; candidates: number }
  | { phase: 'done'; pairs: number };

export interface SemanticOptions {
  /** Cosine above which two items are duplicates (default 0.85), in (0, 1). */
  threshold?: number;
  /**
   * Incremental dedup: rows [0, existingCount) are the existing set (seeds, earlier accepted
   * items). Pairs among them are not looked for (they were resolved before); pairs new×new and
   * new×existing are.
   */
  existingCount?: number;
}
