import type { Fallback } from '../fallback';
import { approximateFindPairs, type ApproximateOptions, type ApproximatePlan } from './approximate';
import { resolveClusters, type ClusterResult } from './clusters';
import { DedupError } from './errors';
import { exactDuplicates } from './exact';
import { clusterGroups, similarityHistogram } from './report';
import { jsFindPairs } from './jsKernel';
import { minhashPairs } from './minhash';
import { pairSimilarity, squaredNorms } from './threshold';
import type { DedupProgress, KernelId, PairList, Vectors } from './types';
import { wasmFindPairs, type WasmModules } from './wasmPool';
import { wasmSimdSupported } from './wasmKernel';
import type { GpuDispatchTuning } from './webgpuKernel';

export interface SemanticRequest extends ApproximateOptions {
  /**
   * Which kernel; 'auto' (default) takes WebAssembly when this engine has SIMD, else JavaScript.
   * 'approximate' is LSH buckets + the WebAssembly screen (every pair it reports is exact; it may
   * miss a few: `recall`, `bits`, `tables`, `seed` tune it, see approximate.ts).
   */
  kernel?: KernelId | 'auto';
  /** Judge scores per item (higher is better; NaN = unscored). */
  scores?: Float64Array;
  /** See resolveClusters: let strictly better-scored new items replace existing ones. */
  replaceExisting?: boolean;
  /** Kernel threads (WebAssembly); default one per core. */
  threads?: number;
  /** How much work each WebGPU dispatch does (defaults adapt to the device; tests shrink it). */
  gpuTuning?: GpuDispatchTuning;
}

export interface SemanticResult {
  kernel: KernelId;
  pairs: PairList;
  clusters: ClusterResult;
  /** The approximate mode's bits and tables (absent for the exact kernels). */
  plan?: ApproximatePlan;
}

export interface FindPairsResult {
  kernel: KernelId;
  pairs: PairList;
  plan?: ApproximatePlan;
  /** Set when 'auto' wanted the WebAssembly kernel and ran another: why (shown in the Dedup panel). */
  fallback?: Fallback;
}

let wasmLoad: Promise<WasmModules> | null = null;
/**
 * Compiles the two kernel builds once. A failed load is not cached.
 * @throws {DedupError} WasmUnavailableError when this engine lacks WebAssembly SIMD or the files
 * cannot be fetched.
 */
export function loadWasmModules(): Promise<WasmModules> {
  wasmLoad ??= (async () => {
    const get = async (url: URL) => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    };
    const [shared, unshared] = await Promise.all([
      get(new URL('./screenKernel.shared.wasm', import.meta.url)),
      get(new URL('./screenKernel.unshared.wasm', import.meta.url)),
    ]);
    if (!wasmSimdSupported(unshared)) {
      throw new DedupError('WasmUnavailableError', 'This browser has no WebAssembly SIMD: dedup runs with the slower JavaScript kernel.');
    }
    // The shared build only compiles where threads are available; the unshared one always does.
    const sharedModule = globalThis.crossOriginIsolated ? await WebAssembly.compile(shared) : await WebAssembly.compile(unshared);
    return { shared: sharedModule, unshared: await WebAssembly.compile(unshared) };
  })().catch((e: unknown) => {
    wasmLoad = null;
    throw e instanceof DedupError ? e : new DedupError('WasmUnavailableError', `The dedup kernel could not be loaded: ${String(e)}`, { cause: e });
  });
  return wasmLoad;
}

/**
 * The dedup API the worker exposes. Everything is plain data in and out; vectors arrive as a
 * transferred Float32Array.
 */
export function createDedupApi() {
  return {
    /** Exact duplicates by normalised-text hash. */
    exact: exactDuplicates,
    /** Near-duplicate texts by MinHash-LSH over character n-grams, verified by exact Jaccard. */
    lexical: minhashPairs,
    /** Counts of similarities per bin (for the threshold slider's histogram). */
    histogram: similarityHistogram,
    /** A semantic result as a list of clusters: the kept item and its duplicates, for browsing. */
    groups: clusterGroups,

    /**
     * All pairs above the threshold with the chosen kernel.
     * @throws {DedupError} DedupInputError, WasmUnavailableError, NoWebGpuError, DedupOutOfMemoryError.
     */
    async findPairs(v: Vectors, request: SemanticRequest = {}, onProgress?: (p: DedupProgress) => void): Promise<FindPairsResult> {
      // Across comlink a progress call is a message on its own port, which can arrive after the
      // result: wait for every one, so the caller has seen 'done' when the result resolves.
      const pending: unknown[] = [];
      const report = onProgress && ((p: DedupProgress) => void pending.push(onProgress(p)));
      const result = await this.findPairsInner(v, request, report);
      await Promise.all(pending);
      return result;
    },

    async findPairsInner(v: Vectors, request: SemanticRequest, onProgress?: (p: DedupProgress) => void): Promise<FindPairsResult> {
      const want = request.kernel ?? 'auto';
      if (want === 'approximate') {
        const modules = await loadWasmModules();
        const { plan, ...pairs } = await approximateFindPairs(v, modules.unshared, request, onProgress);
        return { kernel: 'approximate', pairs, plan };
      }
      if (want === 'js') return { kernel: 'js', pairs: jsFindPairs(v, request, onProgress) };
      if (want === 'wasm' || want === 'auto') {
        try {
          const modules = await loadWasmModules();
          return { kernel: 'wasm', pairs: await wasmFindPairs(v, modules, request, onProgress, request.threads) };
        } catch (e) {
          if (want === 'auto' && e instanceof DedupError && e.name === 'WasmUnavailableError') {
            return { kernel: 'js', pairs: jsFindPairs(v, request, onProgress), fallback: { part: 'kernel', reason: e.message } };
          }
          throw e;
        }
      }
      const { webgpuFindPairs } = await import('./webgpuKernel');
      return { kernel: 'webgpu', pairs: await webgpuFindPairs(v, request, onProgress, request.gpuTuning) };
    },

    /**
     * Semantic dedup: pairs, then clusters with keep-best (see resolveClusters for the rules).
     * @throws {DedupError} as findPairs.
     */
    async semantic(v: Vectors, request: SemanticRequest = {}, onProgress?: (p: DedupProgress) => void): Promise<SemanticResult> {
      const { kernel, pairs, plan } = await this.findPairs(v, request, onProgress);
      const norms2 = squaredNorms(v.data, v.n, v.d);
      const clusters = resolveClusters(v.n, pairs, {
        scores: request.scores,
        existingCount: request.existingCount,
        replaceExisting: request.replaceExisting,
        similarity: (i, j) => pairSimilarity(v.data, v.d, norms2, i, j),
      });
      return plan ? { kernel, pairs, clusters, plan } : { kernel, pairs, clusters };
    },
  };
}
export type DedupApi = ReturnType<typeof createDedupApi>;
