import { Wllama, WllamaAbortError, WllamaError } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { ChatTurn } from '../../db/types';
import { EngineError, aborted, contextOverflow } from '../errors';
import { Semaphore } from '../remote/http';
import { schemaToGbnf } from '../structured';
import type { ChatEvent, ChatRequest, ChatTemplateSource, Constraint, FinishReason, LlmEngine, LoadProgress, TokenUsage } from '../types';
import { GgufFormatError, ggufChatTemplate, readGguf } from './gguf';
import { downloadTracker } from './progress';
import { LoadOnce } from '../loadOnce';

/** Where a GGUF model comes from: a file the user picked (or kept in OPFS), or a URL. */
export type GgufSource = { kind: 'file'; file: Blob; name: string } | { kind: 'url'; url: string; name: string };

export interface WllamaOptions {
  /** The user's cap on the context length in tokens (the model's own length and memory cap it too). */
  nCtx?: number;
  /** Threads; defaults to every core when cross-origin isolated (wasm threads), else 1. */
  threads?: number;
}

/**
 * Threads wllama may use here: wasm threads need SharedArrayBuffer, i.e. cross-origin isolation.
 * Half the cores (at most 8): llama.cpp's threads spin while they wait, and on a machine whose
 * every core is taken (the page, the import worker, another tab) that spinning made generation
 * 40× slower in our measurements on a 2-core machine.
 */
export function defaultThreads(): number {
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  return isolated ? Math.max(1, Math.min(8, Math.floor((navigator.hardwareConcurrency || 1) / 2))) : 1;
}

/** Context length used when the user sets none: long enough for evolved items, cheap in memory. */
export const DEFAULT_CONTEXT_CAP = 8192;

/**
 * The context length to load a GGUF with: the model's trained length (`<arch>.context_length`),
 * capped by the user's setting and by memory — the f16 KV cache (2 × layers × KV width × 2 bytes a
 * token) gets what the 4 GiB wasm heap leaves beside the weights, at most 1 GiB. Rounded down to
 * a multiple of 256. At least 2048 where memory allows, even for a model trained on less (the
 * length every model had before; llama.cpp runs past a short trained length, with poorer output).
 */
export function contextFor(meta: Record<string, unknown>, fileBytes: number, cap = DEFAULT_CONTEXT_CAP): number {
  const arch = String(meta['general.architecture'] ?? '');
  const num = (k: string) => (typeof meta[`${arch}.${k}`] === 'number' ? (meta[`${arch}.${k}`] as number) : null);
  const trained = num('context_length') ?? 2048;
  const layers = num('block_count');
  const embd = num('embedding_length');
  const heads = num('attention.head_count');
  const kvHeads = num('attention.head_count_kv') ?? heads;
  let memoryCap = Infinity;
  if (layers && embd && heads && kvHeads) {
    const perToken = 2 * layers * (embd / heads) * kvHeads * 2;
    const budget = Math.min(1024 ** 3, Math.max(128 * 1024 ** 2, 3.5 * 1024 ** 3 - fileBytes));
    memoryCap = Math.floor(budget / perToken);
  }
  const n = Math.min(Math.max(trained, 2048), memoryCap, cap);
  return Math.max(256, Math.floor(n / 256) * 256);
}

/**
 * For a model without a chat template (base models such as the TinyStories test model) the
 * conversation becomes plain text: a lone user message is the prompt itself, several turns a
 * role-labelled transcript ending where the assistant speaks.
 */
export function plainPrompt(messages: ChatTurn[]): string {
  if (messages.length === 1 && messages[0]!.role === 'user') return messages[0]!.content;
  const label = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return messages.map((m) => `${label[m.role]}: ${m.content}`).join('\n\n') + '\n\nAssistant:';
}

/** wllama's and the browser's errors as ours. */
export function wllamaError(e: unknown, what: string): EngineError {
  if (e instanceof EngineError) return e;
  if (e instanceof GgufFormatError) return new EngineError('InvalidModelError', `${what}: ${e.message}`, { cause: e });
  if (e instanceof WllamaAbortError || (e as Error)?.name === 'AbortError') return aborted();
  const msg = (e as Error)?.message ?? String(e);
  if (e instanceof RangeError || /out of memory|could not allocate|allocation failed|memory access out of bounds/i.test(msg)) {
    return new EngineError('OutOfMemoryError', `${what}: not enough memory (${msg})`, { cause: e });
  }
  if (e instanceof WllamaError) {
    if (e.type === 'download_error') {
      return /404|not found/i.test(msg)
        ? new EngineError('ModelNotFoundError', `${what}: ${msg}`, { cause: e })
        : new EngineError('NetworkError', `${what}: ${msg}`, { cause: e });
    }
    if (e.type === 'load_error' || e.type === 'version_mismatch') return new EngineError('InvalidModelError', `${what}: ${msg}`, { cause: e });
    if (e.type === 'kv_cache_full' || /exceed.*context|context size|too long|n_ctx/i.test(msg)) return new EngineError('BadRequestError', `${what}: the prompt does not fit in the context window (${msg})`, { cause: e });
  }
  if (/gguf|magic|invalid model|failed to load/i.test(msg)) return new EngineError('InvalidModelError', `${what}: ${msg}`, { cause: e });
  return new EngineError('ServerError', `${what}: ${msg}`, { cause: e });
}

/** llama.cpp in WebAssembly (wllama): works in every browser, WebGPU or not, on GGUF files. */
export class WllamaEngine implements LlmEngine {
  readonly kind = 'wllama' as const;
  readonly maxConcurrency = 1;
  /** llama.cpp completes raw text (ChatRequest.prompt): Magpie runs here. */
  readonly rawCompletion = true;
  readonly model: string;
  #source: GgufSource;
  #opts: WllamaOptions;
  #w: Wllama | null = null;
  #loading = new LoadOnce();
  #one = new Semaphore(1);
  #contextLength: number | null = null;

  constructor(source: GgufSource, opts: WllamaOptions = {}) {
    this.#source = source;
    this.#opts = opts;
    this.model = source.name;
  }

  /** Threads actually in use once loaded. */
  get threads(): number {
    return this.#w?.getNumThreads() ?? 0;
  }

  /** Whether the multi-threaded wasm build runs (needs cross-origin isolation and threads > 1). */
  get multithread(): boolean {
    return this.#w?.isMultithread() ?? false;
  }

  get chatTemplate(): string | null {
    return this.#w?.getChatTemplate() ?? null;
  }

  /**
   * The chat template with the BOS/EOS texts it writes, read from the GGUF's header (a file); for
   * a URL, the template llama.cpp loaded, without them. Null before `load` and for base models.
   */
  async promptTemplate(): Promise<ChatTemplateSource | null> {
    if (this.#source.kind === 'file') return ggufChatTemplate((await readGguf(this.#source.file, { tokens: true })).metadata);
    const template = this.chatTemplate;
    return template ? { kind: 'jinja', template, bosToken: '', eosToken: '' } : null;
  }

  /** The context length the model was loaded with (null before `load`). */
  get contextLength(): number | null {
    return this.#contextLength;
  }

  load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    return this.#loading.run(() => this.#load(onProgress, signal));
  }

  async #load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    const model = this.model;
    onProgress?.({ status: 'initiate', model });
    const w = new Wllama({ default: wasmUrl }, { suppressNativeLog: true, allowOffline: true, logger: quietLogger });
    const params = { n_ctx: Math.min(this.#opts.nCtx ?? DEFAULT_CONTEXT_CAP, 4096), n_threads: this.#opts.threads ?? defaultThreads(), n_gpu_layers: 0 };
    try {
      if (signal?.aborted) throw aborted('loading');
      if (this.#source.kind === 'file') {
        // Check the file first: llama.cpp maps it lazily and may accept a truncated one.
        const info = await readGguf(this.#source.file);
        params.n_ctx = contextFor(info.metadata, this.#source.file.size, this.#opts.nCtx);
        await w.loadModel([this.#source.file], params);
      } else {
        const track = downloadTracker(model, onProgress);
        await w.loadModelFromUrl(this.#source.url, { ...params, useCache: true, progressCallback: track });
      }
    } catch (e) {
      await w.exit().catch(() => {});
      throw wllamaError(e, model);
    }
    if (signal?.aborted) {
      await w.exit();
      throw aborted('loading');
    }
    this.#w = w;
    this.#contextLength = w.getLoadedContextInfo().n_ctx || params.n_ctx;
    onProgress?.({ status: 'ready', model });
  }

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const w = this.#w;
    if (!w) throw new EngineError('ModelNotFoundError', `${this.model} is not loaded`);
    const release = await this.#one.acquire(signal);
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const t0 = performance.now();
    let first: number | null = null;
    let text = '';
    let usage: TokenUsage | null = null;
    let genPerSecond: number | null = null;
    let finish: FinishReason = 'stop';
    let reasoning = '';
    const stops = req.stop?.filter(Boolean) ?? [];
    let promptPerSecond: number | null = null;
    type Timings = { predicted_per_second?: number; prompt_per_second?: number; prompt_n?: number; cache_n?: number; predicted_n?: number };
    let iterator: AsyncIterator<{ choices: unknown[]; usage?: { prompt_tokens: number; completion_tokens: number } | null; timings?: Timings }> | null = null;
    const template = w.getChatTemplate();
    // A GBNF grammar holds the answer to the schema. wllama 3.13's JSON-object and JSON-schema
    // response formats fail in chat completion ("Failed to initialize samplers": the grammar it
    // builds starts with the template's assistant marker), so the schema goes in as GBNF.
    const constrained: Constraint | null = req.schema ? 'grammar' : null;
    let finished = false;
    try {
      // With a seed the caller wants the same answer every time: reusing the KV cache of an earlier
      // prompt changes how the prompt is batched, hence the logits' last bits, hence the sample.
      // Seen in the resume test: the first task after a reload differed from the same task run
      // after others. So a seeded call processes its prompt from scratch.
      const sampling = {
        temperature: req.temperature ?? 0.7,
        max_tokens: req.maxTokens ?? 512,
        top_p: req.topP,
        seed: req.seed,
        cache_prompt: req.seed === undefined,
        abortSignal: ctl.signal,
        ...(req.schema ? { grammar: schemaToGbnf(req.schema.schema) } : {}),
      };
      // Raw completion (Magpie): the text as it is, no template; else the model's chat template.
      const stream = req.prompt !== undefined
        ? await w.createCompletion({ ...sampling, prompt: req.prompt, stream: true })
        : template
        ? await w.createChatCompletion({
            ...sampling,
            messages: req.messages,
            stream: true,
            // llama.cpp's server sends usage with the last chunk only when asked.
            ...({ stream_options: { include_usage: true } } as object),
            ...(req.thinking === false ? { chat_template_kwargs: { enable_thinking: false } } : {}),
          })
        : await w.createCompletion({ ...sampling, prompt: plainPrompt(req.messages), stream: true });
      iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        const { done, value: chunk } = await iterator.next();
        if (done) {
          finished = true;
          break;
        }
        const c = chunk.choices[0] as { text?: string; delta?: { content?: string | null; reasoning_content?: string | null }; finish_reason?: string | null } | undefined;
        if (c?.delta?.reasoning_content) reasoning += c.delta.reasoning_content;
        let delta = c?.text ?? c?.delta?.content ?? '';
        if (c?.finish_reason === 'length') finish = 'length';
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        if (chunk.timings) {
          genPerSecond = chunk.timings.predicted_per_second ?? genPerSecond;
          promptPerSecond = chunk.timings.prompt_per_second ?? promptPerSecond;
          // llama.cpp's timings count the prompt (processed + reused from the cache) and the answer.
          if (!chunk.usage && chunk.timings.prompt_n !== undefined && chunk.timings.predicted_n !== undefined) {
            usage = { promptTokens: chunk.timings.prompt_n + (chunk.timings.cache_n ?? 0), completionTokens: chunk.timings.predicted_n };
          }
        }
        if (!delta) continue;
        // Stop strings are applied here, the same way for chat and plain completions.
        const joined = text + delta;
        const hits = stops.map((s) => joined.indexOf(s, Math.max(0, text.length - s.length + 1))).filter((i) => i >= 0);
        const cut = hits.length ? Math.min(...hits) : -1;
        if (cut >= 0) delta = joined.slice(text.length, cut);
        if (delta) {
          first ??= performance.now() - t0;
          text += delta;
          yield { type: 'delta', text: delta };
        }
        if (cut >= 0) break; // the finally block cancels the rest of the generation
      }
    } catch (e) {
      if (signal?.aborted) throw aborted();
      const err = wllamaError(e, this.model);
      if (err.name === 'BadRequestError' && this.#contextLength) {
        // The prompt did not fit: say so with the numbers, as the budget check would have.
        const m = /(\d+)\s*tokens?/i.exec(err.message);
        throw contextOverflow(this.model, { promptTokens: m ? Number(m[1]) : 0, maxTokens: req.maxTokens ?? 512, contextLength: this.#contextLength, counted: !!m });
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) {
        // Stopped early (stop string, abort, or the consumer stopped reading): cancel the request
        // and read the iterator to its end, or wllama's pending promise rejects unhandled.
        ctl.abort();
        if (iterator) await drain(iterator);
      }
      release();
    }
    if (signal?.aborted) throw aborted();
    const totalMs = performance.now() - t0;
    yield {
      type: 'done',
      text,
      usage,
      timing: { firstTokenMs: first, totalMs, tokensPerSecond: genPerSecond, promptTokensPerSecond: promptPerSecond },
      finishReason: finish,
      model: this.model,
      ...(reasoning ? { reasoning } : {}),
      constrained,
    };
  }

  async unload(): Promise<void> {
    const w = this.#w;
    this.#w = null;
    this.#loading.reset();
    await w?.exit();
  }
}

async function drain(it: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await it.next()).done);
  } catch {
    /* the cancelled request ends with an abort error: expected */
  }
}

const noop = () => {};
const quietLogger = { debug: noop, log: noop, warn: console.warn, error: console.error };
