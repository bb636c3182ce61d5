import * as Comlink from 'comlink';
import type { AppDb } from '../db/db';
import { listChunks, listDocuments } from '../db/documentsRepo';
import { createRun, listRuns, restoreRun, setRunCaps, setRunStatus, takeRun, type DeletedRun } from '../db/runsRepo';
import { chunkPieces } from '../documents/cite';
import type { ChunkRef } from '../documents/types';
import type { Run } from '../db/types';
import { refKey, ROLES, type EngineRef, type Role } from '../engines/roles';
import type { LoadProgress } from '../engines/types';
import type { BudgetCaps } from '../pipeline/budget';
import { isDocumentRecipe, type Recipe } from '../pipeline/recipe';
import { taskCount } from '../pipeline/run';
import type { RunCounts, RunStatus } from '../pipeline/types';
import type { RunnerApi, RunnerEvent } from '../runner/runnerApi';
import { openRunChannel, runLockHeld, withRunLock, type RunBroadcast } from '../runner/runLock';
import { errorInfo, type EnginesState } from './engines.svelte';
import type { KeysState } from './keys.svelte';
import { runBlocker, type RunBlocker } from './runBlocker';
import { magpieBlockOf, type MagpieBlock } from '../engines/rawCompletion';

export interface LiveRun {
  runId: string;
  status: RunStatus;
  counts: RunCounts | null;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  live: { task: number; op: string; text: string } | null;
  load: { role: Role; progress: LoadProgress } | null;
  dedup: { stage: string; done?: number; total?: number; removed?: number; byPass?: { exact: number; lexical: number; semantic: number }; semanticRefused?: { model: string; recommended: string; chineseShare: number } | null } | null;
  failures: number;
}

/** Errors that end a run paused, resumable once their cause is dealt with. */
const PAUSING_ERRORS = ['QuotaExceededError', 'BudgetError', 'BudgetPricesError'];

/** How often a tab that sees another tab's run checks whether that run is still going. */
const WATCH_MS = 1000;
const LIST_REFRESH_MS = 2000;

/**
 * Runs of the current project and the one running in this tab (in the pipeline worker). A run
 * found "running" when the app opens, with no tab holding the project's run lock, was interrupted
 * (closed tab, crash): it is shown as paused and offered for resume.
 *
 * Two tabs never run one project's pipeline at once: the running tab holds the Web Lock
 * `seedforge-run-<projectId>` (./runner/runLock.ts) and broadcasts its events; another tab shows
 * that run's progress as `remote`, and its Start and Resume are off while the lock is held.
 */
export class RunsState {
  #db: AppDb;
  #api: Comlink.Remote<RunnerApi>;
  #engines: EnginesState;
  #keys: KeysState;
  #projectId: string | null = null;
  /** Set synchronously by start/resume: a double click must not start two runs. */
  #starting = false;
  /** True while this tab holds the project's run lock. */
  #holding = false;
  #channel: ReturnType<typeof openRunChannel>;
  #watch: ReturnType<typeof setInterval> | null = null;
  #listedAt = 0;
  list = $state.raw<Run[]>([]);
  active = $state.raw<LiveRun | null>(null);
  error = $state.raw<{ name: string; message: string } | null>(null);
  /** Another tab holds this project's run lock: its run, as far as its broadcasts have told. */
  otherTab = $state(false);
  remote = $state.raw<LiveRun | null>(null);
  /** The project's chunks a document recipe would ground on (excluded ones left out), and the documents they come from. */
  chunks = $state.raw<ChunkRef[]>([]);
  chunkDocuments = $state(0);
  /** The caps the next run starts with (Budget on the Run screen; null: no cap), stored with it. */
  budget = $state<{ maxSpend: number | null; maxTokens: number | null }>({ maxSpend: null, maxTokens: null });

  constructor(db: AppDb, api: Comlink.Remote<RunnerApi>, engines: EnginesState, keys: KeysState) {
    this.#db = db;
    this.#api = api;
    this.#engines = engines;
    this.#keys = keys;
    this.#channel = openRunChannel((m) => this.#onBroadcast(m));
  }

  async load(projectId: string): Promise<void> {
    if (this.#projectId !== projectId) {
      this.remote = null;
      this.chunks = [];
      this.chunkDocuments = 0;
      this.#projectId = projectId;
      void this.loadChunks().catch((e: unknown) => (this.error = errorInfo(e)));
    }
    this.#projectId = projectId;
    const held = await runLockHeld(projectId);
    this.otherTab = held && !this.#holding;
    let runs = await listRuns(this.#db, projectId);
    // "running" with nobody holding the lock: that tab closed or crashed mid-run.
    if (!held) {
      // (Without Web Locks nothing is "held": this tab's own run is still skipped.)
      const stale = runs.filter((r) => r.status === 'running' && !(this.#holding && this.active?.runId === r.id)).map((r) => r.id);
      // Even when the disk is too full for this small write, the run is shown as paused.
      for (const id of stale) await setRunStatus(this.#db, id, 'paused').catch(() => {});
      if (stale.length) runs = runs.map((r) => (stale.includes(r.id) ? { ...r, status: 'paused' as const } : r));
    }
    if (this.otherTab && !this.remote) {
      const r = runs.find((x) => x.status === 'running');
      if (r) this.remote = liveRun(r.id, r.counts);
    }
    this.list = runs;
    this.#watchOtherTab();
  }

  /**
   * While another tab holds the run lock, checks once a second whether it still does (its
   * progress arrives by broadcast); when it lets go, the list is read again. Nothing polls while
   * no other tab runs.
   */
  #watchOtherTab(): void {
    if (!this.otherTab) {
      if (this.#watch) clearInterval(this.#watch);
      this.#watch = null;
      return;
    }
    this.#watch ??= setInterval(() => void this.#checkOtherTab(), WATCH_MS);
  }

  async #checkOtherTab(): Promise<void> {
    const id = this.#projectId;
    if (!id || this.#holding) return;
    const held = await runLockHeld(id);
    if (id !== this.#projectId || this.#holding || held) return;
    this.otherTab = false;
    this.remote = null;
    await this.load(id);
  }

  #onBroadcast(m: RunBroadcast): void {
    if (m.projectId !== this.#projectId || this.#holding) return;
    // The end of that run is seen by the lock check (#checkOtherTab), which then reloads the list.
    if (m.event.type !== 'status' || m.event.status === 'running') {
      this.otherTab = true;
      this.#watchOtherTab();
    }
    const base = this.remote?.runId === m.runId ? this.remote : liveRun(m.runId, null);
    this.remote = reduce(base, m.event);
    // The run list (its counts) follows that run's events, read again at most every 2 s.
    const now = Date.now();
    if (m.event.type !== 'live' && now - this.#listedAt > LIST_REFRESH_MS) {
      this.#listedAt = now;
      const id = m.projectId;
      void listRuns(this.#db, id)
        .then((runs) => {
          if (id === this.#projectId && !this.#holding) this.list = runs;
        })
        .catch(() => {}); // the next event or the run's end reads it again
    }
  }

  /**
   * Reads the project's chunks again (the Run screen does on opening: the Documents screen may have
   * changed them). A failed read is shown (`error`): a run would otherwise start on the chunks last read.
   */
  async loadChunks(): Promise<void> {
    const projectId = this.#projectId;
    if (!projectId) return;
    let r: Awaited<ReturnType<typeof readProjectChunks>>;
    try {
      r = await readProjectChunks(this.#db, projectId);
    } catch (e) {
      if (projectId === this.#projectId) this.error = errorInfo(e);
      throw e;
    }
    if (projectId !== this.#projectId) return;
    this.chunks = r.chunks;
    this.chunkDocuments = r.documents;
  }

  get busy(): boolean {
    return this.#starting || this.active?.status === 'running' || this.otherTab;
  }

  /** Why a run cannot start now (a message key), or null. */
  blocker(seedCount: number, recipe: Recipe | null): RunBlocker | null {
    return runBlocker({
      otherTab: this.otherTab,
      busy: this.busy,
      firstOp: recipe ? (recipe.steps[0]?.op ?? '') : null,
      seedCount,
      chunkCount: this.chunks.length,
      roles: this.#engines.roles,
      missingCount: this.#engines.missing.length,
      ggufStoreUnreadable: !!this.#engines.ggufError,
      magpieBlock: recipe?.steps[0]?.op === 'magpie' ? this.generatorMagpieBlock() : null,
    });
  }

  /** Why the generator role cannot run Magpie (null: it can): a remote endpoint only when marked as serving /completions. */
  generatorMagpieBlock(): MagpieBlock | null {
    const ref = this.#engines.roles.generator;
    if (!ref) return null;
    if (ref.kind !== 'remote') return magpieBlockOf(ref.kind);
    const ep = this.#engines.endpoints.find((e) => e.id === ref.endpointId);
    return ep ? magpieBlockOf(ep.kind, ep.rawCompletion) : null;
  }

  /**
   * Creates a run and starts it. A document recipe (it starts with Questions) runs over `chunks`
   * (by default the project's chunks read again now: another tab, or this one since the Run screen
   * opened, may have changed them), which are snapshotted with the run.
   */
  async start(recipe: Recipe, seeds: { id: string; instruction: string; input: string; output: string }[], chunks?: ChunkRef[]): Promise<void> {
    const projectId = this.#projectId;
    if (!projectId || this.busy) return;
    this.#starting = true;
    this.error = null;
    let docChunks: ChunkRef[] | undefined;
    if (isDocumentRecipe(recipe)) {
      if (!chunks) {
        // A failed read is shown (loadChunks sets `error`): no run starts on chunks read earlier.
        const read = await this.loadChunks().then(
          () => true,
          () => false,
        );
        if (!read || projectId !== this.#projectId) {
          this.#starting = false;
          return;
        }
      }
      docChunks = chunks ?? this.chunks;
      // Every chunk was excluded or deleted meanwhile: the Run screen's blocker now says so.
      if (!docChunks.length) {
        this.#starting = false;
        return;
      }
    }
    await this.#locked(projectId, () => this.#create(projectId, recipe, seeds, docChunks));
  }

  /** Runs `fn` holding the project's run lock; when another tab holds it, says so instead. */
  async #locked(projectId: string, fn: () => Promise<void>): Promise<void> {
    const r = await withRunLock(projectId, async () => {
      this.#holding = true;
      this.otherTab = false;
      this.#watchOtherTab();
      try {
        await fn();
      } finally {
        this.#holding = false;
      }
    }).catch((e: unknown) => {
      this.error = errorInfo(e);
      return { acquired: true as const, value: undefined };
    });
    this.#starting = false;
    if (!r.acquired) {
      this.otherTab = true;
      this.error = { name: 'RunLockedError', message: `another tab is running a pipeline of this project (lock ${projectId})` };
    }
    // Now that the lock is released, a run the worker could not mark (a full disk) shows as paused.
    if (this.#projectId === projectId) await this.load(projectId).catch(() => {});
  }

  async #create(projectId: string, recipe: Recipe, seeds: { id: string; instruction: string; input: string; output: string }[], chunks?: ChunkRef[]): Promise<void> {
    const roles = $state.snapshot(this.#engines.roles) as Record<Role, EngineRef>;
    const concurrency = Math.min(
      ...ROLES.map((r) => {
        const ref = roles[r];
        if (ref.kind !== 'remote') return 1;
        return this.#engines.endpoints.find((e) => e.id === ref.endpointId)?.policy.concurrency ?? 1;
      }),
    );
    const models = Object.fromEntries(ROLES.map((r) => [r, refKey(roles[r])]));
    const caps = $state.snapshot(this.budget);
    const budget = caps.maxSpend !== null || caps.maxTokens !== null ? { ...caps, spent: { spend: 0, tokens: 0, calls: 0 } } : undefined;
    // One transaction (the run and its seed snapshot): a full disk leaves no half-made run.
    const run = await createRun(this.#db, {
      projectId,
      name: recipe.name,
      recipe,
      roles,
      models,
      // A document run reads no seed: its snapshot holds the chunks only (and the card counts no seed as used).
      seeds: chunks ? [] : seeds.map((s) => ({ id: s.id, instruction: s.instruction, input: s.input, output: s.output })),
      ...(chunks ? { chunks: chunks.map((c) => ({ ...c, headingPath: [...c.headingPath], pages: c.pages ? ([...c.pages] as [number, number]) : null, span: [...c.span] as [number, number] })) } : {}),
      concurrency: Math.max(1, concurrency),
      ...(budget ? { budget } : {}),
      total: taskCount(recipe, chunks ? chunks.length : seeds.length),
    }).catch((e: unknown) => {
      this.error = errorInfo(e);
      return null;
    });
    if (!run) return;
    await this.#resume(run.id);
  }

  async resume(runId: string): Promise<void> {
    const projectId = this.#projectId;
    if (!projectId || this.busy) return;
    this.#starting = true;
    this.error = null;
    await this.#locked(projectId, () => this.#resume(runId));
  }

  async #resume(runId: string): Promise<void> {
    // The run's project, not the tab's current one: the user may switch projects while it runs,
    // and its progress must still be announced under its own project.
    const projectId = this.#projectId!;
    this.error = null;
    const run = this.list.find((r) => r.id === runId) ?? (await listRuns(this.#db, this.#projectId ?? '')).find((r) => r.id === runId);
    const keys: Record<string, string> = {};
    try {
      for (const ref of Object.values(run?.roles ?? {})) if (ref?.kind === 'remote') keys[ref.endpointId] = await this.#keys.get(ref.endpointId);
    } catch (e) {
      this.error = errorInfo(e);
      return;
    }
    this.active = liveRun(runId, run?.counts ?? null);
    this.#starting = false;
    await this.load(this.#projectId!);
    const onEvent = Comlink.proxy((e: RunnerEvent) => this.#onEvent(projectId, runId, e));
    let final: string | null = null;
    try {
      final = await this.#api.start(runId, { source: $state.snapshot(this.#engines.source) as never, keys, appBase: new URL('./', document.baseURI).href, wllama: this.#engines.wllamaOptions }, onEvent);
    } catch (e) {
      this.error = errorInfo(e);
      // A full disk pauses the run (the worker recorded it so): Resume once space is freed. So
      // does the budget: Resume once the cap is raised (or the endpoint's prices are set).
      if (PAUSING_ERRORS.includes(this.error.name)) final = 'paused';
    } finally {
      // The worker's answer is the final status (its last event may arrive after it).
      if (this.active?.runId === runId) this.active = { ...this.active, status: (final as RunStatus | null) ?? 'failed', live: null, load: null };
      this.#broadcast(projectId, runId, { type: 'status', status: (final as RunStatus | null) ?? 'failed' });
      // The list reloads once the lock is released (#locked), which also shows a run the worker
      // could not mark (a full disk) as paused.
    }
  }

  #onEvent(projectId: string, runId: string, e: RunnerEvent): void {
    this.#broadcast(projectId, runId, e);
    const a = this.active;
    if (!a || a.runId !== runId) return;
    this.active = reduce(a, e);
  }

  #broadcast(projectId: string, runId: string, event: RunnerEvent): void {
    this.#channel?.post({ projectId, runId, event });
  }

  /**
   * Sets a paused run's caps (raised after the budget paused it) and resumes it. A cap of null is
   * no cap; what the run spent stays with it.
   */
  async raiseBudget(runId: string, caps: BudgetCaps): Promise<void> {
    if (this.busy) return;
    try {
      await setRunCaps(this.#db, runId, caps);
    } catch (e) {
      this.error = errorInfo(e);
      return;
    }
    await this.resume(runId);
  }

  pause(): void {
    void this.#api.pause();
  }

  cancel(): void {
    void this.#api.cancel();
  }

  /** Whether a run may be deleted now: not while it runs, in this tab or in another one. */
  canRemove(run: { id: string; status: string }): boolean {
    if (this.active?.runId === run.id && this.busy) return false;
    return !(this.otherTab && (this.remote?.runId === run.id || run.status === 'running'));
  }

  /**
   * Deletes a run with its samples; returns what was deleted (null when nothing was) so that the
   * screen can offer Undo (`restore`).
   */
  async remove(runId: string): Promise<DeletedRun | null> {
    const run = this.list.find((r) => r.id === runId);
    if (!this.canRemove(run ?? { id: runId, status: '' })) return null;
    const taken = await takeRun(this.#db, runId);
    if (this.active?.runId === runId) this.active = null;
    await this.load(this.#projectId!);
    return taken;
  }

  /** Undo of `remove`: puts the run and its samples back as they were. */
  async restore(d: DeletedRun): Promise<void> {
    await restoreRun(this.#db, d);
    if (this.#projectId === d.run.projectId) await this.load(d.run.projectId);
  }
}

/**
 * The project's chunks as a run sees them: every document's chunks in order (documents oldest
 * first), those excluded (boilerplate, duplicates, the user's) left out, with the document's name.
 */
export async function readProjectChunks(db: AppDb, projectId: string): Promise<{ chunks: ChunkRef[]; documents: number }> {
  const chunks: ChunkRef[] = [];
  let documents = 0;
  for (const d of await listDocuments(db, projectId)) {
    const mine = (await listChunks(db, d.id)).filter((c) => !c.excluded);
    if (mine.length) documents++;
    for (const c of mine) {
      // Where the text is not a plain slice of the document, how its offsets map into it (cited spans).
      const pieces = chunkPieces(d.text, c);
      chunks.push({
        id: c.id,
        documentId: d.id,
        documentName: d.name,
        index: c.index,
        text: c.text,
        headingPath: c.headingPath,
        pages: c.pages,
        span: c.span,
        tokens: c.tokens,
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(pieces ? { pieces } : {}),
      });
    }
  }
  return { chunks, documents };
}

function liveRun(runId: string, counts: RunCounts | null): LiveRun {
  return { runId, status: 'running', counts, tokensPerSecond: null, etaSeconds: null, live: null, load: null, dedup: null, failures: 0 };
}

/** A run's live view after one of its events (the same for this tab's run and another tab's). */
function reduce(a: LiveRun, e: RunnerEvent): LiveRun {
  if (e.type === 'progress') return { ...a, counts: e.counts, tokensPerSecond: e.tokensPerSecond, etaSeconds: e.etaSeconds, load: null };
  if (e.type === 'live') return { ...a, live: { task: e.task, op: e.op, text: e.text }, load: null };
  if (e.type === 'load') return { ...a, load: { role: e.role, progress: e.progress } };
  if (e.type === 'dedup') return { ...a, dedup: { ...e.progress, removed: e.removed ?? a.dedup?.removed, byPass: e.byPass ?? a.dedup?.byPass, semanticRefused: e.semanticRefused ?? a.dedup?.semanticRefused } };
  if (e.type === 'taskFailed' && !e.held) return { ...a, failures: a.failures + 1 }; // a held-back task is not recorded (the paused run says so)
  if (e.type === 'status') return { ...a, status: e.status };
  return a;
}
