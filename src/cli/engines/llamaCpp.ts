import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import type { ChatTurn } from '../../lib/db/types';
import { EngineError, aborted, contextOverflow } from '../../lib/engines/errors';
import { GgufFormatError, readGguf } from '../../lib/engines/local/gguf';
import { LoadOnce } from '../../lib/engines/loadOnce';
import { Semaphore } from '../../lib/engines/remote/http';
import { schemaToGbnf } from '../../lib/engines/structured';
import type { ChatEvent, ChatRequest, Constraint, FinishReason, LlmEngine, LoadProgress } from '../../lib/engines/types';

/**
 * A local GGUF model through llama.cpp natively (node-llama-cpp), for the command-line runner:
 * the same engine interface as wllama in the browser, several times faster on the same file and
 * threads (`npm run bench:llamacpp`), with no server to run.
 */

export interface LlamaCppOptions {
  /** The GGUF file. */
  path: string;
  /** The model's name in the lineage; defaults to the file name. */
  name?: string;
  /** CPU threads; defaults to node-llama-cpp's choice (the machine's math cores). */
  threads?: number;
  /** Tokens one sequence sees at once (prompt and answer); defaults to the trained length, at most 8192. */
  contextSize?: number;
  /**
   * Calls answered at once, each on its own context sequence (one KV cache each, batched together
   * by llama.cpp). Default 1: calls are serialised, and a seeded call gives the same answer
   * whatever runs beside it. With more, the total throughput is higher, but a call's logits can
   * depend on the batch it shared, so a seeded run is no longer reproducible to the token.
   */
  sequences?: number;
  /** `false` keeps the model on the CPU; by default a GPU build that node-llama-cpp ships is used when one loads. */
  gpu?: boolean;
}

/** node-llama-cpp is an optional dependency: it is absent where its install was skipped or failed. */
export class LlamaCppUnavailableError extends Error {
  override name = 'LlamaCppUnavailableError';
}

/** Trained lengths above this cost memory (a KV cache per sequence) that a synthesis prompt never needs. */
const CONTEXT_CAP = 8192;

type NodeLlamaCpp = typeof import('node-llama-cpp');

/**
 * The module, imported only when a model loads: `import type` above is erased, so the CLI starts
 * (and serves remote engines) on a machine where the optional package did not install.
 */
async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await import('node-llama-cpp');
  } catch (e) {
    throw new LlamaCppUnavailableError(
      `node-llama-cpp is not installed (an optional dependency of Seedforge; ${(e as Error).message.split('\n')[0]}): ` +
        "run 'npm install node-llama-cpp@3' in Seedforge's folder, or serve the model with llama.cpp's llama-server and pass its URL as --endpoint",
      { cause: e },
    );
  }
}

/** The app's conversation as node-llama-cpp's chat history, ending where the model speaks. */
export function toHistory(messages: ChatTurn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'system' ? { type: 'system', text: m.content } : m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
  );
  // A trailing assistant turn is a prefix the model continues; otherwise it starts an empty one.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

/** llama.cpp's and node-llama-cpp's errors as ours. */
function llamaCppError(e: unknown, what: string): Error {
  if (e instanceof EngineError || e instanceof LlamaCppUnavailableError) return e;
  if (e instanceof GgufFormatError) return new EngineError('InvalidModelError', `${what}: ${e.message}`, { cause: e });
  const msg = (e as Error)?.message ?? String(e);
  if (/out of memory|failed to allocate|could not allocate|ErrorOutOfDeviceMemory/i.test(msg)) {
    return new EngineError('OutOfMemoryError', `${what}: not enough memory (${msg}); lower --context-size or use a smaller quantisation`, { cause: e });
  }
  if (/failed to load model|gguf|magic|invalid model/i.test(msg)) return new EngineError('InvalidModelError', `${what}: llama.cpp could not load it (${msg})`, { cause: e });
  return new EngineError('ServerError', `${what}: ${msg}`, { cause: e });
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /** Sequences not answering a call now. */
  free: LlamaContextSequence[];
  wrapper: ChatWrapper;
  /** The wrapper that asks a reasoning model not to think (Qwen3's enable_thinking), made once. */
  noThinking: ChatWrapper;
  nlc: NodeLlamaCpp;
  /** Compiled grammars by their GBNF text: a run asks for the same few schemas thousands of times. */
  grammars: Map<string, Promise<LlamaGrammar>>;
}

class LlamaCppEngine implements LlmEngine {
  // Not 'wllama': lineage and the budget tell the native runtime apart from the browser's.
  readonly kind = 'llamacpp' as const;
  readonly model: string;
  readonly maxConcurrency: number;
  #opts: LlamaCppOptions;
  #loaded: Loaded | null = null;
  #loading = new LoadOnce();
  #slots: Semaphore;

  constructor(opts: LlamaCppOptions) {
    this.#opts = opts;
    this.model = opts.name ?? basename(opts.path);
    this.maxConcurrency = Math.max(1, Math.floor(opts.sequences ?? 1));
    this.#slots = new Semaphore(this.maxConcurrency);
  }

  /** Tokens one call sees at once, once loaded. */
  get contextLength(): number | null {
    return this.#loaded?.context.contextSize ?? null;
  }

  /** Threads llama.cpp uses, once loaded. */
  get threads(): number {
    return this.#loaded?.context.currentThreads ?? 0;
  }

  /** The chat template's wrapper in use ('JinjaTemplate' for a GGUF's own template), once loaded. */
  get chatWrapper(): string | null {
    return this.#loaded?.wrapper.wrapperName ?? null;
  }

  load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    return this.#loading.run(() => this.#load(onProgress, signal));
  }

  async #load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    const { path } = this.#opts;
    const model = this.model;
    onProgress?.({ status: 'initiate', model });
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) throw new EngineError('ModelNotFoundError', `${path}: no such file: give the path of a GGUF model file (npm run models:chat makes the small test model)`);
    let llama: Llama | null = null;
    try {
      // Check the header first, with the app's reader: llama.cpp maps the file lazily and may accept a truncated one.
      await readGguf(await openAsBlob(path));
      const nlc = await importNodeLlamaCpp();
      if (signal?.aborted) throw aborted('loading');
      // build: 'never': only the prebuilt binaries the npm package brought; nothing is downloaded or compiled here.
      llama = await nlc.getLlama({ gpu: this.#opts.gpu === false ? false : 'auto', build: 'never', logLevel: nlc.LlamaLogLevel.error }).catch((e: unknown) => {
        throw new LlamaCppUnavailableError(
          `node-llama-cpp has no prebuilt llama.cpp binary that runs here (${(e as Error).message.split('\n')[0]}): reinstall it with 'npm install node-llama-cpp@3', or serve the model with llama-server and pass --endpoint`,
          { cause: e },
        );
      });
      const m = await llama.loadModel({
        modelPath: path,
        onLoadProgress: (fraction) => onProgress?.({ status: 'progress', model, fraction, text: `loading ${Math.round(fraction * 100)}%` }),
        ...(signal ? { loadSignal: signal } : {}),
      });
      const size = this.#opts.contextSize ?? Math.min(m.trainContextSize || CONTEXT_CAP, CONTEXT_CAP);
      // Flash attention (fused softmax and products, a smaller KV cache): on TinyLlama, one thread,
      // 11.5 tokens/s generated with it against 11.1 without. node-llama-cpp's "auto" resolves to
      // it on the CPU today; asked for by name so that a changed default cannot drop it silently.
      // llama.cpp leaves it off for a model that cannot use it.
      const context = await m.createContext({
        contextSize: size,
        sequences: this.maxConcurrency,
        flashAttention: true,
        ...(this.#opts.threads ? { threads: this.#opts.threads } : {}),
      });
      const free = Array.from({ length: this.maxConcurrency }, () => context.getSequence());
      const wrapper = nlc.resolveChatWrapper(m);
      const noThinking = nlc.resolveChatWrapper(m, {
        customWrapperSettings: { qwen: { thoughts: 'discourage' }, jinjaTemplate: { additionalRenderParameters: { enable_thinking: false } } },
      });
      if (signal?.aborted) {
        await llama.dispose();
        throw aborted('loading');
      }
      this.#loaded = { llama, model: m, context, free, wrapper, noThinking, nlc, grammars: new Map() };
    } catch (e) {
      await llama?.dispose().catch(() => {});
      if (signal?.aborted) throw aborted('loading');
      throw llamaCppError(e, path);
    }
    onProgress?.({ status: 'ready', model });
  }

  async countTokens(messages: ChatTurn[]): Promise<number> {
    const l = this.#need();
    return this.#promptTokens(l, l.wrapper, toHistory(messages));
  }

  /** The prompt's tokens as the chat template lays them out (tokenising is cheap beside a forward pass). */
  #promptTokens(l: Loaded, wrapper: ChatWrapper, history: ChatHistoryItem[]): number {
    return wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(l.model.tokenizer).length;
  }

  #grammar(l: Loaded, gbnf: string): Promise<LlamaGrammar> {
    let g = l.grammars.get(gbnf);
    if (!g) {
      g = l.llama.createGrammar({ grammar: gbnf });
      l.grammars.set(gbnf, g);
      g.catch(() => l.grammars.delete(gbnf));
    }
    return g;
  }

  #need(): Loaded {
    if (!this.#loaded) throw new EngineError('ModelNotFoundError', `${this.model} is not loaded`);
    return this.#loaded;
  }

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const l = this.#need();
    const release = await this.#slots.acquire(signal);
    const seq = l.free.pop()!;
    const wrapper = req.thinking === false ? l.noThinking : l.wrapper;
    const history = toHistory(req.messages);
    const maxTokens = req.maxTokens ?? 512;
    const constrained: Constraint | null = req.schema ? 'grammar' : null;
    const t0 = performance.now();
    let first: number | null = null;
    // Deltas arrive through a callback while generateResponse runs; the generator hands them on.
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const promptTokens = this.#promptTokens(l, wrapper, history);
      // Past the context node-llama-cpp would shift it (drop earlier turns) and answer another prompt: refuse instead.
      if (promptTokens + maxTokens > seq.contextSize) {
        throw contextOverflow(this.model, { promptTokens, maxTokens, contextLength: seq.contextSize, counted: true });
      }
      // With a seed the caller wants the same answer every time: reusing the KV cache of an earlier
      // prompt changes how the prompt is batched, hence the logits' last bits (wllama's resume test
      // saw it). So a seeded call evaluates its prompt from scratch; an unseeded one reuses the prefix.
      if (req.seed !== undefined) await seq.clearHistory();
      const grammar = req.schema ? await this.#grammar(l, schemaToGbnf(req.schema.schema)) : undefined;
      const meter = seq.tokenMeter.getState();
      const chat = new l.nlc.LlamaChat({ contextSequence: seq, chatWrapper: wrapper });
      let settled = false;
      const out: { result?: Awaited<ReturnType<typeof chat.generateResponse>>; failure?: unknown } = {};
      const running = chat
        .generateResponse(history, {
          maxTokens,
          temperature: req.temperature ?? 0.7,
          ...(req.topP !== undefined ? { topP: req.topP } : {}),
          ...(req.seed !== undefined ? { seed: req.seed } : {}),
          ...(req.stop?.length ? { customStopTriggers: req.stop.filter(Boolean) } : {}),
          ...(grammar ? { grammar } : {}),
          signal: ctl.signal,
          onTextChunk: (text) => {
            if (!text) return;
            first ??= performance.now() - t0;
            queue.push(text);
            wake?.();
          },
        })
        .then(
          (r) => void (out.result = r),
          (e: unknown) => void (out.failure = e ?? new Error('generation failed')),
        )
        .finally(() => {
          settled = true;
          wake?.();
        });
      try {
        for (;;) {
          while (queue.length) yield { type: 'delta', text: queue.shift()! };
          if (settled) break;
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      } finally {
        // The consumer stopped reading, or the call was aborted: stop generating before the sequence is reused.
        if (!settled) ctl.abort();
        await running;
        chat.dispose({ disposeSequence: false });
      }
      if (signal?.aborted) throw aborted();
      if (out.failure !== undefined) throw out.failure;
      const r = out.result!;
      const used = seq.tokenMeter.diff(meter);
      const completionTokens = used.usedOutputTokens;
      const totalMs = performance.now() - t0;
      const reasoning = r.fullResponse
        .filter((x): x is Exclude<typeof x, string> => typeof x !== 'string' && x.segmentType === 'thought')
        .map((x) => x.text)
        .join('');
      const stop = r.metadata.stopReason;
      const finishReason: FinishReason = stop === 'maxTokens' ? 'length' : stop === 'abort' ? 'aborted' : 'stop';
      const genMs = first !== null ? totalMs - first : 0;
      yield {
        type: 'done',
        text: r.response,
        usage: { promptTokens, completionTokens },
        timing: {
          firstTokenMs: first,
          totalMs,
          // After the first token: the tokens generated since, over the time since.
          tokensPerSecond: completionTokens > 1 && genMs > 0 ? ((completionTokens - 1) * 1000) / genMs : null,
          // The prompt tokens actually evaluated (a reused prefix is not), up to the first token.
          promptTokensPerSecond: first && used.usedInputTokens ? (used.usedInputTokens * 1000) / first : null,
        },
        finishReason,
        model: this.model,
        ...(reasoning ? { reasoning } : {}),
        constrained,
      };
    } catch (e) {
      if (signal?.aborted) throw aborted();
      throw llamaCppError(e, this.model);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      l.free.push(seq);
      release();
    }
  }

  async unload(): Promise<void> {
    const l = this.#loaded;
    this.#loaded = null;
    this.#loading.reset();
    // Disposing the Llama frees its models, contexts and the native backend (RAM, VRAM).
    await l?.llama.dispose();
  }
}

/**
 * A GGUF model run by llama.cpp in this process. Nothing loads until `load()`; node-llama-cpp is
 * imported then, so a machine without it gets LlamaCppUnavailableError saying how to install it.
 */
export function createLlamaCppEngine(opts: LlamaCppOptions): LlmEngine & { readonly threads: number; readonly chatWrapper: string | null } {
  return new LlamaCppEngine(opts);
}
