import type { WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import { EngineError, aborted } from '../errors';
import { DEFAULT_SOURCE, type ModelSource } from '../modelSource';
import { Semaphore } from '../remote/http';
import type { ChatEvent, ChatRequest, ChatTemplateSource, ConvTemplate, FinishReason, LlmEngine, LoadProgress, TokenUsage } from '../types';
import { appConfigFor, CATALOGUE, downloadBytes, modelId, recordOf, type Precision } from './catalogue';
import { checkWebGpu } from './preflight';
import { LoadOnce } from '../loadOnce';
import { downloadTracker } from '../local/progress';
import { webllmDownloadBytes } from './progressText';

/** WebLLM's error messages as our typed errors. */
export function webllmError(e: unknown, model: string): EngineError {
  if (e instanceof EngineError) return e;
  const msg = (e as Error)?.message ?? String(e);
  // A host with an SPA fallback answers a missing file with its index.html (status 200).
  if (/unexpected token '<'|<!doctype|is not valid json/i.test(msg)) {
    return new EngineError('ModelNotFoundError', `${model}: the model source answered with a web page instead of the model's files; check the model source setting`, { cause: e });
  }
  if (/404|not found/i.test(msg)) return new EngineError('ModelNotFoundError', `${model}: ${msg}`, { cause: e });
  if (/out of memory|device.*lost|allocation|exceeds.*limit/i.test(msg)) return new EngineError('OutOfMemoryError', `${model}: ${msg}`, { cause: e });
  if (/webgpu|adapter|shader-f16/i.test(msg)) return new EngineError('NoWebGpuError', `${model}: ${msg}`, { cause: e });
  if (/failed to fetch|network|load failed/i.test(msg)) return new EngineError('NetworkError', `${model}: ${msg}`, { cause: e });
  if (/abort/i.test(msg)) return aborted();
  return new EngineError('ServerError', `${model}: ${msg}`, { cause: e });
}

/**
 * WebLLM (MLC) on WebGPU, in its own worker. Checks WebGPU before downloading anything and picks
 * the f32 variant of the model when the adapter has no `shader-f16`.
 */
export class WebLlmEngine implements LlmEngine {
  readonly kind = 'webllm' as const;
  readonly maxConcurrency = 1;
  /** WebLLM's completions API takes raw text (`engine.completions.create({ prompt })`): Magpie runs here. */
  readonly rawCompletion = true;
  readonly family: string;
  #source: ModelSource;
  #precision: Precision | null = null;
  #engine: WebWorkerMLCEngine | null = null;
  #worker: Worker | null = null;
  #loading = new LoadOnce();
  #one = new Semaphore(1);

  constructor(family: string, source: ModelSource = DEFAULT_SOURCE) {
    if (!CATALOGUE.some((c) => c.family === family)) throw new EngineError('ModelNotFoundError', `${family} is not in the WebLLM catalogue`);
    this.family = family;
    this.#source = source;
  }

  /** The WebLLM model id in use: known after the WebGPU check. */
  get model(): string {
    return this.#precision ? modelId(this.family, this.#precision) : this.family;
  }

  /** The model record's context window (WebLLM's prebuilt list sets it per model); null before the WebGPU check. */
  get contextLength(): number | null {
    if (!this.#precision) return null;
    const ctx = (recordOf(this.model)?.overrides as { context_window_size?: number } | undefined)?.context_window_size;
    return ctx && ctx > 0 ? ctx : 4096;
  }

  /** Runs the WebGPU check alone and says which variant would be loaded. */
  async choosePrecision(): Promise<Precision> {
    const gpu = await checkWebGpu();
    this.#precision = gpu.shaderF16 ? 'q4f16_1' : 'q4f32_1';
    return this.#precision;
  }

  load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    return this.#loading.run(() => this.#load(onProgress, signal));
  }

  async #load(onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<void> {
    const precision = await this.choosePrecision(); // throws NoWebGpuError before any download
    const id = modelId(this.family, precision);
    onProgress?.({ status: 'initiate', model: id });
    const { CreateWebWorkerMLCEngine } = await import('@mlc-ai/web-llm');
    const total = downloadBytes(CATALOGUE.find((c) => c.family === this.family)!, precision);
    const track = downloadTracker(id, onProgress);
    const worker = new Worker(new URL('../../../../workers/webllm.worker.ts', import.meta.url), { type: 'module' });
    this.#worker = worker;
    const onAbort = () => worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.#engine = await CreateWebWorkerMLCEngine(worker, id, {
        appConfig: appConfigFor([id], this.#source),
        initProgressCallback: (r) => {
          // WebLLM reports a fraction and a sentence: bytes from the sentence where it counts them,
          // else estimated from the model's size (and marked so).
          if (r.progress < 1 && /fetch|download|cache/i.test(r.text)) {
            track(webllmDownloadBytes(r.text, r.progress, total));
          } else onProgress?.({ status: 'progress', model: id, fraction: r.progress, text: r.text });
        },
      });
    } catch (e) {
      worker.terminate();
      this.#worker = null;
      throw signal?.aborted ? aborted('loading') : webllmError(e, id);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    onProgress?.({ status: 'ready', model: id });
  }

  /**
   * The model's conv_template, from its mlc-chat-config.json: WebLLM's cached copy (Cache Storage
   * `webllm/config`, where the load put it), else the model source. The URL is built as web-llm's
   * cleanModelUrl builds it. Null when the config has no template.
   */
  async promptTemplate(): Promise<ChatTemplateSource | null> {
    let base = appConfigFor([this.model], this.#source).model_list[0]!.model;
    base += base.endsWith('/') ? '' : '/';
    if (!/.+\/resolve\/.+\//.test(base)) base += 'resolve/main/';
    const url = new URL('mlc-chat-config.json', base).href;
    const cached = typeof caches !== 'undefined' ? await caches.open('webllm/config').then((c) => c.match(url)).catch(() => undefined) : undefined;
    let resp = cached;
    if (!resp) {
      try {
        resp = await fetch(url);
      } catch (e) {
        throw webllmError(e, this.model);
      }
    }
    if (!resp.ok) throw webllmError(new Error(`mlc-chat-config.json: HTTP ${resp.status}`), this.model);
    const conv = ((await resp.json()) as { conv_template?: ConvTemplate }).conv_template;
    return conv?.roles?.user && Array.isArray(conv.seps) ? { kind: 'conv', conv } : null;
  }

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const engine = this.#engine;
    if (!engine) throw new EngineError('ModelNotFoundError', `${this.model} is not loaded`);
    if (req.prompt !== undefined) {
      yield* this.#complete(engine, req, signal);
      return;
    }
    const release = await this.#one.acquire(signal);
    const onAbort = () => engine.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const t0 = performance.now();
    let first: number | null = null;
    let text = '';
    let usage: TokenUsage | null = null;
    let tps: number | null = null;
    let finish: FinishReason = 'stop';
    try {
      const stream = await engine.chat.completions.create({
        messages: req.messages.map((m) => ({ role: m.role, content: m.content })) as never,
        stream: true,
        stream_options: { include_usage: true },
        temperature: req.temperature,
        max_tokens: req.maxTokens,
        top_p: req.topP,
        stop: req.stop,
        seed: req.seed,
        // XGrammar holds the answer to the schema (WebLLM's JSON mode takes the schema as a string).
        ...(req.schema ? { response_format: { type: 'json_object' as const, schema: JSON.stringify(req.schema.schema) } } : {}),
        // WebLLM writes an empty thinking block into the prompt for this: only Qwen3 templates expect it.
        ...(req.thinking === false && /^Qwen3/i.test(this.family) ? { extra_body: { enable_thinking: false } } : {}),
      });
      for await (const chunk of stream) {
        const c = chunk.choices[0];
        if (c?.finish_reason === 'length') finish = 'length';
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          const extra = (chunk.usage as { extra?: { decode_tokens_per_s?: number } }).extra;
          tps = extra?.decode_tokens_per_s ?? null;
        }
        const delta = c?.delta?.content ?? '';
        if (!delta) continue;
        first ??= performance.now() - t0;
        text += delta;
        yield { type: 'delta', text: delta };
      }
    } catch (e) {
      throw signal?.aborted ? aborted() : webllmError(e, this.model);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      release();
    }
    if (signal?.aborted) throw aborted();
    yield { type: 'done', text, usage, timing: { firstTokenMs: first, totalMs: performance.now() - t0, tokensPerSecond: tps }, finishReason: finish, model: this.model, constrained: req.schema ? 'json_schema' : null };
  }

  /** Raw text completion through WebLLM's completions API (no chat template): Magpie's prefix. */
  async *#complete(engine: WebWorkerMLCEngine, req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const release = await this.#one.acquire(signal);
    const onAbort = () => engine.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const t0 = performance.now();
    let first: number | null = null;
    let text = '';
    let usage: TokenUsage | null = null;
    let finish: FinishReason = 'stop';
    try {
      const stream = await engine.completions.create({
        prompt: req.prompt!,
        stream: true,
        stream_options: { include_usage: true },
        temperature: req.temperature,
        max_tokens: req.maxTokens,
        top_p: req.topP,
        stop: req.stop,
        seed: req.seed,
      });
      for await (const chunk of stream) {
        const c = chunk.choices[0];
        if (c?.finish_reason === 'length') finish = 'length';
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        const delta = c?.text ?? '';
        if (!delta) continue;
        first ??= performance.now() - t0;
        text += delta;
        yield { type: 'delta', text: delta };
      }
    } catch (e) {
      throw signal?.aborted ? aborted() : webllmError(e, this.model);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      release();
    }
    if (signal?.aborted) throw aborted();
    yield { type: 'done', text, usage, timing: { firstTokenMs: first, totalMs: performance.now() - t0, tokensPerSecond: null }, finishReason: finish, model: this.model, constrained: null };
  }

  async unload(): Promise<void> {
    await this.#engine?.unload().catch(() => {});
    this.#worker?.terminate();
    this.#engine = null;
    this.#worker = null;
    this.#loading.reset();
  }
}
