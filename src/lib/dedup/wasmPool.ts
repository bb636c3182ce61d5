import * as Comlink from 'comlink';
import { DedupError } from './errors';
import type { WasmThreadApi } from './wasmThread';
import { finish, prepareScreen, wasmFindPairsSingle } from './wasmKernel';
import type { DedupProgress, PairList, SemanticOptions, Vectors } from './types';

export interface WasmModules {
  /** screenKernel.shared.wasm: threads on a shared memory (cross-origin isolated pages). */
  shared: WebAssembly.Module;
  /** screenKernel.unshared.wasm: one thread, ordinary memory. */
  unshared: WebAssembly.Module;
}

/** How many kernel threads to start: one per core (the coordinator only waits). */
export function defaultThreads(): number {
  const c = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(16, c || 1));
}

/**
 * The WebAssembly kernel on every core: the vectors are quantised once into a shared
 * WebAssembly.Memory, `threads` workers instantiate the kernel on it and take row blocks from an
 * atomic counter (the first blocks hold the most pairs, so dynamic assignment balances the
 * triangle), and the candidates they return are verified here. Without cross-origin isolation
 * (no SharedArrayBuffer) it runs on this thread with the unshared build.
 * @throws {DedupError} DedupInputError, DedupOutOfMemoryError (see prepareScreen);
 * WasmUnavailableError when a thread cannot start.
 */
export async function wasmFindPairs(
  v: Vectors,
  modules: WasmModules,
  options: SemanticOptions = {},
  onProgress?: (p: DedupProgress) => void,
  threads = defaultThreads(),
): Promise<PairList> {
  if (!globalThis.crossOriginIsolated || threads <= 1) return wasmFindPairsSingle(v, modules.unshared, options, onProgress);
  onProgress?.({ phase: 'prepare' });
  const prep = prepareScreen(v, options, threads, true);
  const workers = Array.from({ length: threads }, () => new Worker(new URL('../../../workers/wasmThread.worker.ts', import.meta.url), { type: 'module' }));
  const ctrl = new Int32Array(prep.memory.buffer, 0, 16);
  let lastDone = 0;
  const poll = onProgress
    ? setInterval(() => {
        const done = Math.min(v.n, Atomics.load(ctrl, 1));
        if (done > lastDone) onProgress({ phase: 'screen', done: (lastDone = done), total: v.n });
      }, 250)
    : undefined;
  try {
    onProgress?.({ phase: 'screen', done: 0, total: v.n });
    // A worker that fails to load never answers its comlink call: turn its error event into a
    // rejection instead of a hang.
    const failed = new Promise<never>((_, reject) => {
      for (const w of workers) {
        w.addEventListener('error', (e) => reject(new DedupError('WasmUnavailableError', `A dedup kernel thread failed to start (${e.message || 'worker error'}): reload the page, or use the JavaScript kernel.`)));
      }
    });
    const parts = await Promise.race([
      Promise.all(workers.map((w, k) => Comlink.wrap<WasmThreadApi>(w).run({ module: modules.shared, memory: prep.memory, layout: prep.layout }, k))),
      failed,
    ]);
    if (poll) clearInterval(poll);
    if (lastDone < v.n) onProgress?.({ phase: 'screen', done: v.n, total: v.n });
    let total = 0;
    for (const p of parts) total += p.length;
    const flat = new Uint32Array(total);
    let o = 0;
    for (const p of parts) {
      flat.set(p, o);
      o += p.length;
    }
    return finish(v, prep, flat, options, onProgress);
  } finally {
    if (poll) clearInterval(poll);
    for (const w of workers) w.terminate();
  }
}
