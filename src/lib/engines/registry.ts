import { WllamaEngine, type WllamaOptions } from './local/wllamaEngine';
import { EngineError } from './errors';
import { assertSameOrigin, type ModelSource } from './modelSource';
import { anthropicDialect } from './remote/anthropic';
import { openaiDialect } from './remote/openai';
import { RemoteEngine, type Dialect, type EndpointConfig } from './remote/remoteEngine';
import type { EngineRef } from './roles';
import type { LlmEngine, LoadProgress } from './types';
import { WebLlmEngine } from './webllm/webllmEngine';

/** What building an engine may need from the app: the model source, stored files, endpoints, keys. */
export interface EngineDeps {
  source: ModelSource;
  openGguf(name: string): Promise<File>;
  endpoint(id: string): Promise<EndpointConfig>;
  key(id: string): Promise<string>;
  /** Settings for local GGUF models: threads, the user's context-length cap. */
  wllama?: WllamaOptions;
}

export const DIALECTS: Record<EndpointConfig['kind'], Dialect> = {
  openai: openaiDialect,
  anthropic: anthropicDialect,
};

/** One line per backend. */
const FACTORIES: { [K in EngineRef['kind']]: (ref: Extract<EngineRef, { kind: K }>, deps: EngineDeps) => Promise<LlmEngine> } = {
  webllm: async (ref, deps) => {
    // WebLLM fetches weights and its wasm from the source; only an on-origin folder passes the air gap.
    if (deps.source.airGapped && deps.source.kind !== 'local') throw new EngineError('AirGappedError', `air-gapped mode is on: WebLLM would download ${ref.family} from another origin (set the model source to a folder served by this app, or turn air-gapped mode off)`);
    return new WebLlmEngine(ref.family, deps.source);
  },
  wllama: async (ref, deps) => new WllamaEngine({ kind: 'file', file: await deps.openGguf(ref.file), name: ref.file }, deps.wllama),
  remote: async (ref, deps) => {
    const ep = await deps.endpoint(ref.endpointId);
    if (deps.source.airGapped) assertSameOrigin(ep.baseUrl);
    return new RemoteEngine(ep, await deps.key(ref.endpointId), DIALECTS[ep.kind]);
  },
};

/** Builds (does not load) the engine a reference names. */
export function createEngine(ref: EngineRef, deps: EngineDeps): Promise<LlmEngine> {
  return (FACTORIES[ref.kind] as (r: EngineRef, d: EngineDeps) => Promise<LlmEngine>)(ref, deps);
}

/** A hold on a shared engine: `release` lets go of it (once), and the last holder's release unloads it. */
export interface EngineLease {
  readonly engine: LlmEngine;
  release(): Promise<void>;
}

/**
 * Local models loaded in this realm, one per model and settings, with the number of holders. The
 * playground and a run asking for the same GGUF (or WebLLM model) get the same loaded instance
 * instead of two copies in memory. Concurrent calls on it are safe: a local engine serialises its
 * own generations (`maxConcurrency` 1, a semaphore inside).
 */
const shared = new Map<string, { engine: Promise<LlmEngine>; holders: number }>();

/** What makes two local engines interchangeable: the model, and for GGUF the load settings. */
function shareKey(ref: EngineRef, deps: EngineDeps): string | null {
  if (ref.kind === 'remote') return null; // no model in memory, and keys and endpoints change: one per holder
  if (ref.kind === 'wllama') return `wllama:${ref.file}:${JSON.stringify(deps.wllama ?? {})}`;
  return `webllm:${ref.family}:${deps.source.kind}`;
}

/**
 * Builds and loads the engine a reference names, or joins the one already loaded for it in this
 * realm. A load that fails or is aborted leaves no holder behind (the next acquire loads anew).
 */
export async function acquireEngine(ref: EngineRef, deps: EngineDeps, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<EngineLease> {
  const key = shareKey(ref, deps);
  if (key === null) {
    const engine = await createEngine(ref, deps);
    await engine.load(onProgress, signal);
    return leaseOf(engine, () => engine.unload());
  }
  let entry = shared.get(key);
  if (!entry) {
    entry = { engine: createEngine(ref, deps), holders: 0 };
    shared.set(key, entry);
  }
  entry.holders++;
  const release = async () => {
    if (--entry.holders > 0) return;
    if (shared.get(key) === entry) shared.delete(key);
    await (await entry.engine.catch(() => null))?.unload();
  };
  try {
    const engine = await entry.engine;
    await engine.load(onProgress, signal); // joins a load in flight (LoadOnce); a loaded engine returns at once
    return leaseOf(engine, release);
  } catch (e) {
    await release().catch(() => undefined);
    throw e;
  }
}

function leaseOf(engine: LlmEngine, release: () => Promise<void>): EngineLease {
  let done: Promise<void> | null = null;
  return { engine, release: () => (done ??= release()) };
}

/** How many shared local engines are held in this realm (for tests and diagnostics). */
export function sharedEngineCount(): number {
  return shared.size;
}
