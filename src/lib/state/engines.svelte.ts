import type { AppDb } from '../db/db';
import { deleteEndpoint, listEndpoints, saveEndpoint } from '../db/endpointsRepo';
import { getSetting, setSetting } from '../db/settingsRepo';
import { downloadTracker } from '../engines/local/progress';
import { deleteGguf, downloadGguf, keepStored, openGguf, saveGguf, scanGguf, type RejectedGguf, type StoredGguf } from '../engines/local/ggufStore';
import { missingModels, type MissingModel } from '../engines/availability';
import { DEFAULT_CONTEXT_CAP } from '../engines/local/wllamaEngine';
import { assertSameOrigin, hfFileUrl } from '../engines/modelSource';
import type { AirGapLayer } from '../net/airGap';
import { AirGapState } from './airGap.svelte';
import { DEFAULT_SOURCE, type ModelSource } from '../engines/modelSource';
import type { EndpointConfig } from '../engines/remote/remoteEngine';
import { acquireEngine, createEngine, type EngineLease } from '../engines/registry';
import { NO_ROLES, ROLES, refKey, type EngineRef, type Role, type Roles } from '../engines/roles';
import type { CallTiming, LlmEngine, LoadProgress, TokenUsage } from '../engines/types';
import { deleteCachedModel, listCachedModels, type CachedModel } from '../engines/webllm/cache';
import { checkWebGpu, type GpuCheck } from '../engines/webllm/preflight';
import type { KeysState } from './keys.svelte';
import { ModelDownloads } from './modelDownloads.svelte';
import { autoAssignRoles } from '../engines/autoAssign';

export interface EngineSlot {
  ref: EngineRef;
  status: 'loading' | 'ready' | 'failed';
  progress: LoadProgress | null;
  error: { name: string; message: string } | null;
}

/** A generation speed measured on this device. */
export interface MeasuredSpeed {
  tokensPerSecond: number;
  model: string;
  /** When it was measured (ms since the epoch). */
  at: number;
}

export interface PlaygroundResult {
  text: string;
  usage: TokenUsage | null;
  timing: CallTiming | null;
  model: string;
  retries: number;
  /** The engine that answered (refKey): the Run screen's estimate uses its speed. */
  ref?: string;
}

/** Errors as the UI keeps them: name (for the message catalogue) and message. */
export function errorInfo(e: unknown): { name: string; message: string } {
  const err = e as Error;
  return { name: err?.name ?? 'Error', message: err?.message ?? String(e) };
}

/**
 * The Models screen's state: local GGUF files, WebLLM's catalogue and cache, remote endpoints,
 * the model source, role assignments, loaded engines and the playground.
 */
export class EnginesState {
  #db: AppDb;
  #keys: KeysState;
  /** The playground's holds on shared engines (a run in this realm asking for the same model joins the loaded one). */
  #engines = new Map<string, EngineLease>();
  ggufs = $state.raw<StoredGguf[]>([]);
  /** Files in the GGUF store that the reader refused, with the reason (listed, never hidden). */
  rejectedGgufs = $state.raw<RejectedGguf[]>([]);
  /** Whether the GGUF store has been read (until then no GGUF role is called missing). */
  ggufsKnown = $state(false);
  /** Why the GGUF store could not be read, or null. */
  ggufError = $state.raw<{ name: string; message: string } | null>(null);
  /** Whether WebLLM's cache has been scanned (until then no WebLLM role is called missing). */
  cachedKnown = $state(false);
  /** The browser's answer to `navigator.storage.persist()` asked when a model is stored (null: not asked / no API). */
  persisted = $state<boolean | null>(null);
  /** Generation speed measured per model (playground answers), by engine reference key; kept in settings. */
  speeds = $state.raw<Record<string, MeasuredSpeed>>({});
  gpu = $state.raw<{ ok: GpuCheck } | { error: { name: string; message: string } } | null>(null);
  cached = $state.raw<CachedModel[]>([]);
  endpoints = $state.raw<EndpointConfig[]>([]);
  #storedSource = $state.raw<ModelSource>(DEFAULT_SOURCE);
  /** Air-gapped mode and its enforcement (./airGap.svelte.ts); read here as `airGapped` / `airGapLayer`. */
  readonly airGap: AirGapState;
  /** The user's cap on a local GGUF model's context length (tokens). */
  contextCap = $state(DEFAULT_CONTEXT_CAP);
  /** The model source as used: the stored one, marked `airGapped` while the mode is on. */
  source = $derived<ModelSource>(this.airGapped ? { ...this.#storedSource, airGapped: true } : this.#storedSource);
  roles = $state.raw<Roles>(NO_ROLES);
  slots = $state.raw<Record<string, EngineSlot>>({});
  playground = $state.raw<PlaygroundResult | null>(null);
  playgroundError = $state.raw<{ name: string; message: string } | null>(null);
  running = $state(false);
  #abort: AbortController | null = null;
  /** One-click downloads of catalogue models (resumable), added to the GGUF store. */
  downloads = new ModelDownloads(this);

  constructor(db: AppDb, keys: KeysState) {
    this.#db = db;
    this.#keys = keys;
    this.airGap = new AirGapState(db);
  }

  get airGapped(): boolean {
    return this.airGap.on;
  }

  get airGapLayer(): AirGapLayer {
    return this.airGap.layer;
  }

  async load(): Promise<void> {
    this.#storedSource = (await getSetting(this.#db, 'modelSource')) ?? DEFAULT_SOURCE;
    await this.airGap.load();
    this.contextCap = (await getSetting(this.#db, 'contextCap')) ?? DEFAULT_CONTEXT_CAP;
    this.roles = { ...NO_ROLES, ...((await getSetting(this.#db, 'roles')) ?? {}) };
    this.endpoints = await listEndpoints(this.#db);
    await this.#keys.load();
    this.speeds = (await getSetting(this.#db, 'speeds')) ?? {};
    await this.refreshGgufs();
    if (this.ggufs.length) void this.keepStored(false);
    void this.downloads.refresh();
    // The WebGPU probe and the scan of WebLLM's cache can take long with large models stored; the
    // app does not wait for them (the Models screen shows their results when they land).
    void this.checkGpu();
  }

  /** Reads the GGUF store again. A store that cannot be read is an error on screen, not an empty list. */
  async refreshGgufs(): Promise<void> {
    try {
      const { models, rejected } = await scanGguf();
      this.ggufs = models;
      this.rejectedGgufs = rejected;
      this.ggufError = null;
      this.ggufsKnown = true;
    } catch (e) {
      this.ggufError = errorInfo(e);
    }
  }

  /** Asks the browser to keep the stored models when the disk runs low (see `keepStored`); `ask: false` only reads. */
  async keepStored(ask = true): Promise<boolean | null> {
    return (this.persisted = await keepStored(ask));
  }

  #askedToKeep = false;

  /**
   * Asks once per session, when the Models screen opens with models stored and the storage not yet
   * persistent, for the models stored before the browser was ever asked (it used to be asked only
   * when a model was added, so a model stored earlier stayed evictable for good).
   * Asking is safe in Chromium: `persist()` never prompts there, the browser grants or refuses
   * silently from the site's engagement (installed, bookmarked, often visited). Firefox shows the
   * user a permission prompt ("store data in persistent storage"): asked here, it comes on the
   * screen that lists the models it protects, and at most once a session (`persisted()` true
   * or a refusal then ends it until the next load).
   */
  async protectStoredModels(): Promise<void> {
    if (this.#askedToKeep || !(this.ggufs.length || this.cached.length)) return;
    this.#askedToKeep = true;
    await this.keepStored(true).catch(() => null);
  }

  /** The roles whose assigned model is missing here (file gone, endpoint deleted, no WebGPU, not downloaded). */
  missing = $derived.by<MissingModel[]>(() =>
    missingModels(this.roles, {
      ggufs: this.ggufsKnown ? this.ggufs.map((g) => g.name) : null,
      rejectedGgufs: this.rejectedGgufs.map((g) => g.name),
      endpoints: this.endpoints.map((e) => e.id),
      webGpu: this.gpu ? 'ok' in this.gpu : null,
      webllmCached: this.cachedKnown ? this.cached.map((c) => c.id) : null,
    }),
  );

  /** @throws GgufFormatError for a file that is not a whole GGUF model (nothing is stored). */
  async addGguf(file: File): Promise<StoredGguf> {
    const g = await saveGguf(file);
    await this.refreshGgufs();
    await this.autoAssign({ kind: 'wllama', file: g.name });
    void this.keepStored();
    return g;
  }

  ggufDownload = $state.raw<LoadProgress | null>(null);

  /**
   * Downloads a GGUF into this browser: a full URL as given, or `owner/repo/path/file.gguf` from
   * Hugging Face through the model source (mirror or local folder).
   */
  async fetchGguf(spec: string, signal?: AbortSignal): Promise<StoredGguf> {
    const s = spec.trim();
    let url = s;
    if (!/^https?:\/\//.test(s) && !s.startsWith('/')) {
      const [owner, repo, ...path] = s.split('/');
      if (!owner || !repo || !path.length) throw Object.assign(new Error(s), { name: 'ModelNotFoundError' });
      url = hfFileUrl(`${owner}/${repo}`, path.join('/'), this.source);
    }
    if (this.airGapped) assertSameOrigin(url);
    const track = downloadTracker(url, (p) => (this.ggufDownload = p));
    try {
      const g = await downloadGguf(url, (loaded, total) => track({ loaded, total }), signal);
      await this.refreshGgufs();
      await this.autoAssign({ kind: 'wllama', file: g.name });
      void this.keepStored();
      return g;
    } finally {
      this.ggufDownload = null;
    }
  }

  /**
   * Gives a model that was just added every role that is empty or whose model is missing; the
   * only model gets every role (the self-judging warning stays on the Models screen).
   */
  async autoAssign(ref: EngineRef): Promise<void> {
    const missing = new Set(this.missing.map((m) => refKey(m.ref)));
    const present = [
      ...this.ggufs.map((g) => refKey({ kind: 'wllama', file: g.name })),
      ...this.endpoints.map((e) => refKey({ kind: 'remote', endpointId: e.id })),
      ...Object.values(this.roles).filter((r): r is EngineRef => !!r && !missing.has(refKey(r))).map(refKey),
    ];
    const next = autoAssignRoles(this.roles, ref, [...new Set([...present, refKey(ref)])]);
    if (ROLES.every((r) => refKey(next[r]) === refKey(this.roles[r]))) return;
    this.roles = next;
    await setSetting(this.#db, 'roles', this.roles);
  }

  async removeGguf(name: string): Promise<void> {
    await this.unload({ kind: 'wllama', file: name });
    try {
      await deleteGguf(name);
    } finally {
      await this.refreshGgufs();
    }
  }

  async checkGpu(): Promise<void> {
    try {
      this.gpu = { ok: await checkWebGpu() };
      this.cached = await listCachedModels(this.source).catch(() => []);
      this.cachedKnown = true;
    } catch (e) {
      this.gpu = { error: errorInfo(e) };
    }
  }

  async deleteCached(id: string): Promise<void> {
    await deleteCachedModel(id, this.source);
    this.cached = await listCachedModels(this.source).catch(() => []);
  }

  async setSource(s: ModelSource): Promise<void> {
    const { airGapped: _, ...stored } = s;
    this.#storedSource = stored as ModelSource;
    await setSetting(this.#db, 'modelSource', this.#storedSource);
  }

  /**
   * Turns air-gapped mode on or off. On: loaded remote engines are unloaded, and every later
   * model load, download or API call that would leave the app's origin fails with AirGappedError.
   */
  async setAirGapped(on: boolean): Promise<void> {
    await this.airGap.set(on);
    if (on) {
      for (const slot of Object.values(this.slots)) {
        if (slot.ref.kind !== 'wllama') await this.unload(slot.ref).catch(() => undefined);
      }
    }
  }

  async setRole(role: Role, ref: EngineRef | null): Promise<void> {
    this.roles = { ...this.roles, [role]: ref };
    await setSetting(this.#db, 'roles', this.roles);
  }

  async saveEndpoint(cfg: EndpointConfig, key: string | null): Promise<void> {
    await saveEndpoint(this.#db, cfg);
    if (key !== null) await this.#keys.set(cfg.id, key);
    await this.unload({ kind: 'remote', endpointId: cfg.id });
    this.endpoints = await listEndpoints(this.#db);
  }

  async removeEndpoint(id: string): Promise<void> {
    await this.unload({ kind: 'remote', endpointId: id });
    await deleteEndpoint(this.#db, id);
    this.endpoints = await listEndpoints(this.#db);
    await this.#keys.load();
  }

  /** Sets the context cap for GGUF models loaded from now on (a loaded model keeps its length until reloaded). */
  async setContextCap(tokens: number): Promise<void> {
    this.contextCap = Math.max(512, Math.min(131072, Math.round(tokens) || DEFAULT_CONTEXT_CAP));
    await setSetting(this.#db, 'contextCap', this.contextCap);
  }

  /** What a run's worker needs for local models. */
  get wllamaOptions(): { nCtx: number } {
    return { nCtx: this.contextCap };
  }

  #deps() {
    return {
      wllama: this.wllamaOptions,
      source: this.source,
      openGguf,
      endpoint: async (id: string) => {
        const ep = this.endpoints.find((e) => e.id === id);
        if (!ep) throw new Error(`endpoint ${id} does not exist`);
        return ep;
      },
      key: (id: string) => this.#keys.get(id),
    };
  }

  #setSlot(key: string, slot: EngineSlot | null): void {
    const next = { ...this.slots };
    if (slot) next[key] = slot;
    else delete next[key];
    this.slots = next;
  }

  /** Builds and loads an engine; progress and errors land in its slot. */
  async loadEngine(ref: EngineRef): Promise<LlmEngine> {
    const key = refKey(ref);
    const have = this.#engines.get(key);
    if (have && this.slots[key]?.status === 'ready') return have.engine;
    this.#setSlot(key, { ref, status: 'loading', progress: null, error: null });
    try {
      const lease = await acquireEngine(ref, this.#deps(), (p) => this.#setSlot(key, { ref, status: 'loading', progress: p, error: null }));
      await this.#engines.get(key)?.release();
      this.#engines.set(key, lease);
      this.#setSlot(key, { ref, status: 'ready', progress: null, error: null });
      return lease.engine;
    } catch (e) {
      this.#setSlot(key, { ref, status: 'failed', progress: null, error: errorInfo(e) });
      throw e;
    }
  }

  async unload(ref: EngineRef): Promise<void> {
    const key = refKey(ref);
    const lease = this.#engines.get(key);
    this.#engines.delete(key);
    this.#setSlot(key, null);
    await lease?.release(); // the model stays loaded while a run still holds it
  }

  /** Sends one prompt to an engine and streams the answer into `playground`. */
  async play(ref: EngineRef, prompt: string, opts: { temperature: number; maxTokens: number; system?: string }): Promise<void> {
    this.stop();
    const ctl = new AbortController();
    this.#abort = ctl;
    this.running = true;
    this.playgroundError = null;
    let result: PlaygroundResult = { text: '', usage: null, timing: null, model: '', retries: 0, ref: refKey(ref) };
    this.playground = result;
    try {
      const engine = await this.loadEngine(ref);
      const messages = [...(opts.system ? [{ role: 'system' as const, content: opts.system }] : []), { role: 'user' as const, content: prompt }];
      for await (const ev of engine.chat({ messages, temperature: opts.temperature, maxTokens: opts.maxTokens }, ctl.signal)) {
        if (ev.type === 'delta') result = { ...result, text: result.text + ev.text };
        else if (ev.type === 'retry') result = { ...result, text: '', retries: ev.attempt };
        else result = { ...result, text: ev.text, usage: ev.usage, timing: ev.timing, model: ev.model };
        this.playground = result;
      }
      await this.#recordSpeed(ref, result);
    } catch (e) {
      this.playgroundError = errorInfo(e);
    } finally {
      if (this.#abort === ctl) this.#abort = null;
      this.running = false;
    }
  }

  stop(): void {
    this.#abort?.abort();
  }

  /** Keeps the generation speed of a finished playground answer (a few tokens say little: 8 at least). */
  async #recordSpeed(ref: EngineRef, r: PlaygroundResult): Promise<void> {
    const tps = r.timing?.tokensPerSecond;
    if (!tps || !(tps > 0) || (r.usage?.completionTokens ?? 0) < 8) return;
    this.speeds = { ...this.speeds, [refKey(ref)]: { tokensPerSecond: tps, model: r.model, at: Date.now() } };
    await setSetting(this.#db, 'speeds', this.speeds).catch(() => undefined);
  }

  /** Sends a tiny request to an endpoint to check address, model and key. */
  async testEndpoint(id: string): Promise<{ ok: true; ms: number } | { ok: false; error: { name: string; message: string } }> {
    const t0 = performance.now();
    try {
      const engine = await createEngine({ kind: 'remote', endpointId: id }, this.#deps());
      for await (const ev of engine.chat({ messages: [{ role: 'user', content: 'Reply with OK.' }], maxTokens: 5, temperature: 0 })) {
        if (ev.type === 'done') break;
      }
      return { ok: true, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: errorInfo(e) };
    }
  }
}
