import type { ChatTurn } from '../db/types';

/**
 * One interface for every model backend (WebLLM, wllama, remote APIs). The pipeline receives an
 * `LlmEngine` and never knows which backend answers. A new provider is one file plus one line in
 * ./registry.ts.
 */

export type EngineKind = 'webllm' | 'wllama' | 'openai' | 'anthropic';

/** Loading progress, converted by each backend from its own shape (transformers.js' style). */
export type LoadProgress =
  | { status: 'initiate'; model: string }
  | { status: 'download'; model: string; loaded: number; total: number; bytesPerSecond: number; etaSeconds: number | null }
  | { status: 'progress'; model: string; fraction: number; text: string }
  | { status: 'ready'; model: string };

export interface ChatRequest {
  messages: ChatTurn[];
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What one call cost in time. */
export interface CallTiming {
  /** From the call to the first token (ms). */
  firstTokenMs: number | null;
  totalMs: number;
  /** Completion tokens per second of generation (after the first token where known). */
  tokensPerSecond: number | null;
}

export type FinishReason = 'stop' | 'length' | 'aborted' | 'error';

/**
 * A streamed chat completion. `retry` tells the consumer that the text streamed so far is void:
 * the call failed mid-stream and is being sent again (the final `done` covers the last attempt
 * only, so no text is ever duplicated or silently lost).
 */
export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'retry'; attempt: number; reason: string; delayMs: number }
  | { type: 'done'; text: string; usage: TokenUsage | null; timing: CallTiming; finishReason: FinishReason; model: string };

export interface LlmEngine {
  readonly kind: EngineKind;
  /** The model this engine serves, as the backend names it. */
  readonly model: string;
  /** Whether calls may run concurrently (remote) or must be serialised (local). */
  readonly maxConcurrency: number;
  /**
   * Loads the model (downloads it when needed).
   * @throws NoWebGpuError, ModelNotFoundError, InvalidModelError, OutOfMemoryError, NetworkError, CorsError, AbortedError
   */
  load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void>;
  /**
   * Streams a chat completion. Abort with `signal`: the iterator ends with AbortedError.
   * @throws BadKeyError, RateLimitedError (after retries), NetworkError, CorsError, TimeoutError, AbortedError, OutOfMemoryError
   */
  chat(req: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent>;
  /** Frees the model (GPU memory, workers). */
  unload(): Promise<void>;
}

/** Runs a chat to completion and returns its final event (retries already resolved). */
export async function complete(engine: LlmEngine, req: ChatRequest, signal?: AbortSignal): Promise<Extract<ChatEvent, { type: 'done' }>> {
  for await (const ev of engine.chat(req, signal)) if (ev.type === 'done') return ev;
  throw new Error('the engine ended a chat without a final event');
}
