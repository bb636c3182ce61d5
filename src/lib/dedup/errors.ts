/**
 * The errors dedup throws, keyed by `name`: comlink keeps only name and message across a worker
 * boundary, so callers match on `err.name`.
 */
export type DedupErrorName =
  /** The vectors are not n × d, contain NaN/Infinity, or are not unit length. */
  | 'DedupInputError'
  /** The WebAssembly kernel cannot run here (no SIMD / relaxed SIMD, or the module failed to load). */
  | 'WasmUnavailableError'
  /** No WebGPU adapter, or the device was lost during a run. */
  | 'NoWebGpuError'
  /** The work does not fit in memory (wasm memory cannot grow, GPU buffer too large). */
  | 'DedupOutOfMemoryError';

export class DedupError extends Error {
  override name: DedupErrorName;
  constructor(name: DedupErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}
