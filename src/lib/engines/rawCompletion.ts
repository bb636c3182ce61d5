import type { EngineKind } from './types';

/**
 * Which engines can complete raw text (LlmEngine.rawCompletion), known before a model loads: what
 * the recipe editor and the Run screen say about Magpie (pipeline/magpie.ts). Kept apart from
 * magpie.ts so that the app's main thread does not load the Jinja renderer for it.
 */

/** Why an engine cannot run Magpie, for the recipe editor and the run's error. */
export type MagpieBlock = 'noRawCompletion' | 'noTemplate';

/**
 * What an engine kind can do before it is loaded, for the recipe editor: local llama.cpp and
 * WebLLM complete raw text; a remote OpenAI-compatible endpoint only when marked as serving
 * `/completions` (vLLM, llama.cpp server); Anthropic never.
 */
export function magpieBlockOf(kind: EngineKind, endpointRawCompletion = false): MagpieBlock | null {
  if (kind === 'wllama' || kind === 'webllm') return null;
  if (kind === 'openai' && endpointRawCompletion) return null;
  return 'noRawCompletion';
}
