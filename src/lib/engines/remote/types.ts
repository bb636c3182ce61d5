import type { CallPolicy } from './http';

/**
 * The shapes of remote endpoints that the store keeps, apart from the engine's code: src/lib/db
 * and the exporters import them from here and so depend on no engine module.
 */

/** A remote endpoint as the user configured it. The key is kept apart: it is never part of this object. */
export interface EndpointConfig {
  id: string;
  name: string;
  kind: 'openai' | 'anthropic';
  baseUrl: string;
  model: string;
  policy: CallPolicy;
  /** Prices in the user's currency per million tokens, for the cost estimate. */
  prices?: { input: number; output: number } | null;
  /** The model's context length in tokens; DEFAULT_REMOTE_CONTEXT when not set. */
  contextLength?: number | null;
  /**
   * The server also serves raw text completion at `/completions` (vLLM, llama.cpp server; not
   * hosted chat APIs): Magpie can run on it. OpenAI-compatible endpoints only.
   */
  rawCompletion?: boolean;
  /**
   * The model's Jinja chat template, for servers that do not say it (vLLM); a llama.cpp server's
   * own, read from its `/props`, comes first.
   */
  chatTemplate?: string;
}
