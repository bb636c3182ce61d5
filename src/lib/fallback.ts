/**
 * A part that could not run here and what ran instead. Recorded where it happens (the embedder,
 * the dedup kernels) and shown where the user sees the engine ("running on …, because …"):
 * issue 18, a fallback that nobody sees leaves a slow run unexplained.
 */
export interface Fallback {
  /**
   * `encoder`: Seedforge's WebAssembly encoder → onnxruntime-web; `gpu`: WebGPU → WebAssembly
   * (the embedder's device); `kernel`: the WebAssembly dedup kernel → JavaScript.
   */
  part: 'encoder' | 'gpu' | 'kernel';
  /** The failure's own words (the browser's, a file reader's): shown as the reason. */
  reason: string;
}

/** The words of a caught failure, for `Fallback.reason`. */
export function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message || e.name : String(e);
}
