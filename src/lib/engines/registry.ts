import { WllamaEngine, type WllamaOptions } from './local/wllamaEngine';
import { EngineError } from './errors';
import { assertSameOrigin, type ModelSource } from './modelSource';
import { anthropicDialect } from './remote/anthropic';
import { openaiDialect } from './remote/openai';
import { RemoteEngine, type Dialect, type EndpointConfig } from './remote/remoteEngine';
import type { EngineRef } from './roles';
import type { LlmEngine } from './types';
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
