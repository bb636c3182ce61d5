import * as Comlink from 'comlink';
import type { AppDb } from '../db/db';
import { createRun, deleteRun, listRuns, setRunStatus } from '../db/runsRepo';
import type { Run } from '../db/types';
import { refKey, ROLES, type EngineRef, type Role } from '../engines/roles';
import type { LoadProgress } from '../engines/types';
import type { Recipe } from '../pipeline/recipe';
import { taskCount } from '../pipeline/run';
import type { RunCounts, RunStatus } from '../pipeline/types';
import type { RunnerApi, RunnerEvent } from '../runner/runnerApi';
import { errorInfo, type EnginesState } from './engines.svelte';
import type { KeysState } from './keys.svelte';

export interface LiveRun {
  runId: string;
  status: RunStatus;
  counts: RunCounts | null;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  live: { task: number; op: string; text: string } | null;
  load: { role: Role; progress: LoadProgress } | null;
  dedup: { stage: string; done?: number; total?: number; removed?: number } | null;
  failures: number;
}

/**
 * Runs of the current project and the one running in this tab (in the pipeline worker). A run
 * found "running" when the app opens was interrupted (closed tab, crash): it is shown as paused
 * and offered for resume.
 */
export class RunsState {
  #db: AppDb;
  #api: Comlink.Remote<RunnerApi>;
  #engines: EnginesState;
  #keys: KeysState;
  #projectId: string | null = null;
  /** Set synchronously by start/resume: a double click must not start two runs. */
  #starting = false;
  list = $state.raw<Run[]>([]);
  active = $state.raw<LiveRun | null>(null);
  error = $state.raw<{ name: string; message: string } | null>(null);

  constructor(db: AppDb, api: Comlink.Remote<RunnerApi>, engines: EnginesState, keys: KeysState) {
    this.#db = db;
    this.#api = api;
    this.#engines = engines;
    this.#keys = keys;
  }

  async load(projectId: string): Promise<void> {
    this.#projectId = projectId;
    let runs = await listRuns(this.#db, projectId);
    for (const r of runs) {
      if (r.status === 'running' && this.active?.runId !== r.id) await setRunStatus(this.#db, r.id, 'paused');
    }
    runs = await listRuns(this.#db, projectId);
    this.list = runs;
  }

  get busy(): boolean {
    return this.#starting || this.active?.status === 'running';
  }

  /** Why a run cannot start now (a message key), or null. */
  blocker(seedCount: number, recipe: Recipe | null): 'run.noRecipe' | 'run.noSeeds' | 'run.noRoles' | 'run.busy' | null {
    if (this.busy) return 'run.busy';
    if (!recipe) return 'run.noRecipe';
    if (recipe.steps[0]?.op !== 'selfInstruct' && seedCount === 0) return 'run.noSeeds';
    if (ROLES.some((r) => !this.#engines.roles[r])) return 'run.noRoles';
    return null;
  }

  async start(recipe: Recipe, seeds: { id: string; instruction: string; input: string; output: string }[]): Promise<void> {
    if (!this.#projectId || this.busy) return;
    this.#starting = true;
    this.error = null;
    const roles = $state.snapshot(this.#engines.roles) as Record<Role, EngineRef>;
    const concurrency = Math.min(
      ...ROLES.map((r) => {
        const ref = roles[r];
        if (ref.kind !== 'remote') return 1;
        return this.#engines.endpoints.find((e) => e.id === ref.endpointId)?.policy.concurrency ?? 1;
      }),
    );
    const models = Object.fromEntries(ROLES.map((r) => [r, refKey(roles[r])]));
    const run = await createRun(this.#db, {
      projectId: this.#projectId,
      name: recipe.name,
      recipe: recipe as unknown as Record<string, unknown>,
      roles,
      models,
      seeds: seeds.map((s) => ({ id: s.id, instruction: s.instruction, input: s.input, output: s.output })),
      concurrency: Math.max(1, concurrency),
      total: taskCount(recipe, seeds.length),
    }).catch((e) => {
      this.#starting = false;
      throw e;
    });
    await this.#resume(run.id);
  }

  async resume(runId: string): Promise<void> {
    if (this.busy) return;
    this.#starting = true;
    await this.#resume(runId);
  }

  async #resume(runId: string): Promise<void> {
    this.error = null;
    const run = this.list.find((r) => r.id === runId) ?? (await listRuns(this.#db, this.#projectId ?? '')).find((r) => r.id === runId);
    const keys: Record<string, string> = {};
    try {
      for (const ref of Object.values(run?.roles ?? {}) as EngineRef[]) if (ref?.kind === 'remote') keys[ref.endpointId] = await this.#keys.get(ref.endpointId);
    } catch (e) {
      this.error = errorInfo(e);
      this.#starting = false;
      return;
    }
    this.active = { runId, status: 'running', counts: (run?.counts as unknown as RunCounts) ?? null, tokensPerSecond: null, etaSeconds: null, live: null, load: null, dedup: null, failures: 0 };
    this.#starting = false;
    await this.load(this.#projectId!);
    const onEvent = Comlink.proxy((e: RunnerEvent) => this.#onEvent(runId, e));
    let final: string | null = null;
    try {
      final = await this.#api.start(runId, { source: $state.snapshot(this.#engines.source) as never, keys, appBase: new URL('./', document.baseURI).href }, onEvent);
    } catch (e) {
      this.error = errorInfo(e);
    } finally {
      // The worker's answer is the final status (its last event may arrive after it).
      if (this.active?.runId === runId) this.active = { ...this.active, status: (final as RunStatus | null) ?? 'failed', live: null, load: null };
      await this.load(this.#projectId!);
    }
  }

  #onEvent(runId: string, e: RunnerEvent): void {
    const a = this.active;
    if (!a || a.runId !== runId) return;
    if (e.type === 'progress') this.active = { ...a, counts: e.counts, tokensPerSecond: e.tokensPerSecond, etaSeconds: e.etaSeconds, load: null };
    else if (e.type === 'live') this.active = { ...a, live: { task: e.task, op: e.op, text: e.text }, load: null };
    else if (e.type === 'load') this.active = { ...a, load: { role: e.role, progress: e.progress } };
    else if (e.type === 'dedup') this.active = { ...a, dedup: { ...e.progress, removed: e.removed ?? a.dedup?.removed } };
    else if (e.type === 'taskFailed') this.active = { ...a, failures: a.failures + 1 };
    else if (e.type === 'status') this.active = { ...a, status: e.status };
  }

  pause(): void {
    void this.#api.pause();
  }

  cancel(): void {
    void this.#api.cancel();
  }

  async remove(runId: string): Promise<void> {
    if (this.active?.runId === runId && this.busy) return;
    await deleteRun(this.#db, runId);
    if (this.active?.runId === runId) this.active = null;
    await this.load(this.#projectId!);
  }
}
