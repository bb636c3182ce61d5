import type { ChatTurn } from '../db/types';

/**
 * One interface for every model backend (WebLLM, wllama, remote APIs). The pipeline receives an
 * `LlmEngine` and never knows which backend answers. A new provider is one file plus one line in
 * ./registry.ts.
 */

/** `llamacpp`: llama.cpp natively through node-llama-cpp (the command-line runner's local engine). */
export type EngineKind = 'webllm' | 'wllama' | 'openai' | 'anthropic' | 'llamacpp';

/** Loading progress, converted by each backend from its own shape (transformers.js' style). */
export type LoadProgress =
  | { status: 'initiate'; model: string }
  | { status: 'download'; model: string; loaded: number; total: number; bytesPerSecond: number; etaSeconds: number | null; /** The bytes are a guess (fraction × listed size): shown with ≈. */ estimated?: boolean }
  | { status: 'progress'; model: string; fraction: number; text: string }
  | { status: 'ready'; model: string };

/**
 * The JSON Schema subset the app asks for when it needs a fixed shape (a verdict, a yes/no, an
 * input/output pair): objects with required properties in a fixed order, bounded strings, string
 * enums, small integer ranges, booleans. Small enough to become a GBNF grammar exactly
 * (./structured.ts) and plain JSON Schema for servers that take one.
 */
export type JsonSchema =
  | { type: 'object'; properties: Record<string, JsonSchema>; required: string[]; additionalProperties: false; description?: string }
  | { type: 'string'; minLength?: number; maxLength?: number; enum?: string[]; description?: string }
  | { type: 'integer'; minimum: number; maximum: number; description?: string }
  | { type: 'boolean'; description?: string };

/** A named output shape. */
export interface OutputSchema {
  name: string;
  schema: JsonSchema;
}

/** How an engine held the model to a schema: its own mechanism, or not at all (free text). */
export type Constraint = 'grammar' | 'json_schema' | 'json_object' | 'tool';

export interface ChatRequest {
  messages: ChatTurn[];
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  /**
   * The shape the answer must have. Each engine applies its own mechanism (GBNF grammar, JSON
   * schema response format, tool use) and says which in the final event's `constrained`; an
   * engine that cannot constrain answers in free text (`constrained: null`).
   */
  schema?: OutputSchema;
  /**
   * `false` asks a reasoning model not to think (Qwen3's `enable_thinking`), where the engine
   * has a way to say so; undefined leaves the model's default.
   */
  thinking?: boolean;
  /**
   * Raw text completion: this text is sent as it is, with no chat template applied (`messages`
   * then only sizes the budget). Only for engines with `rawCompletion` (Magpie sends a chat
   * template's pre-query prefix, pipeline/magpie.ts); others refuse it as BadRequestError.
   */
  prompt?: string;
}

/**
 * A model's chat template as its backend knows it, for building text the model reads as a turn
 * (pipeline/magpie.ts): a Jinja template with the special tokens it writes (GGUF
 * `tokenizer.chat_template`, a server's `/props`), or WebLLM's `conv_template` (mlc-chat-config.json).
 */
export type ChatTemplateSource =
  | { kind: 'jinja'; template: string; bosToken: string; eosToken: string }
  | { kind: 'conv'; conv: ConvTemplate };

/** The part of WebLLM's ConvTemplateConfig (mlc-chat-config.json `conv_template`) that lays out text. */
export interface ConvTemplate {
  system_template: string;
  system_message: string;
  roles: { user: string; assistant: string };
  role_templates?: { user?: string; assistant?: string };
  seps: string[];
  role_content_sep?: string;
  role_empty_sep?: string;
  stop_str: string[];
  add_role_after_system_message?: boolean;
  render_empty_system_message?: boolean;
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
  /** Prompt tokens processed per second, where the backend reports it (llama.cpp's timings). */
  promptTokensPerSecond?: number | null;
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
  | {
      type: 'done';
      text: string;
      usage: TokenUsage | null;
      timing: CallTiming;
      finishReason: FinishReason;
      model: string;
      /** Reasoning the backend returned apart from the answer (`reasoning_content`, thinking blocks). */
      reasoning?: string;
      /** The mechanism that held the answer to `req.schema`; null when the answer is free text. */
      constrained?: Constraint | null;
    };

export interface LlmEngine {
  readonly kind: EngineKind;
  /** The model this engine serves, as the backend names it. */
  readonly model: string;
  /** Whether calls may run concurrently (remote) or must be serialised (local). */
  readonly maxConcurrency: number;
  /**
   * Tokens the model sees at once (prompt and answer), once known (after `load` for local
   * models); null or absent when unknown, in which case no budget is checked before a call.
   */
  readonly contextLength?: number | null;
  /** Counts a conversation's prompt tokens with the model's own tokenizer, where the engine has one. */
  countTokens?(messages: ChatTurn[]): Promise<number>;
  /**
   * Whether `chat` takes `ChatRequest.prompt` (raw text completion, no chat template): llama.cpp
   * (wllama), WebLLM's completions API, a remote `/completions` endpoint (vLLM, llama.cpp server).
   * Absent or false: hosted chat APIs, which apply their own template and cannot continue raw text.
   */
  readonly rawCompletion?: boolean;
  /**
   * The model's chat template, where the engine can read it (after `load` for local models);
   * null when the model has none (a base model).
   */
  promptTemplate?(): Promise<ChatTemplateSource | null>;
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
