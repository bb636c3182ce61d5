import { releaseProxy } from 'comlink';
import { lazyDb } from '../db/db';
import { dexieRunStore, getRun, getRunChunks, getRunSeeds, setRunSpent, setRunStatus } from '../db/runsRepo';
import { openGguf } from '../engines/local/ggufStore';
import type { ModelSource } from '../engines/modelSource';
import { acquireEngine, type EngineLease } from '../engines/registry';
import type { WllamaOptions } from '../engines/local/wllamaEngine';
import { refKey, ROLES, type Role } from '../engines/roles';
import type { LlmEngine, LoadProgress } from '../engines/types';
import { createBudget, FREE, withBudget, type Budget } from '../pipeline/budget';
import { validateRecipe } from '../pipeline/recipe';
import { runRecipe } from '../pipeline/run';
import { rewardModelFor } from '../engines/remote/reward';
import { HELD_BACK_ERROR, type PipelineEngines, type RunEvent } from '../pipeline/types';
import type { DedupPass } from '../dedup/passes';
import { runDedupPhase, type DedupPhaseProgress, type SemanticRefusal } from './dedupPhase';
import { isQuotaError, storageFull } from '../db/quota';
import { datasetSource } from '../db/datasetSource';
import { guardStore } from './storageGuard';
import { runPrivacy } from './runPrivacy';
import { EvalFileError, readEvalFile, runDecontamPhase, type DecontamOutcome, type DecontamProgress } from './decontamPhase';
import { addEvalSet, dexieDecontamTarget } from '../db/evalSetsRepo';
import type { DecontamMethods } from '../db/types';
import { VERSION_CHANGE_REASON, versionChangeError } from '../db/versionChange';

/** What the run worker reports: the pipeline's events plus model loading. */
export type RunnerEvent = RunEvent | { type: 'load'; role: Role; progress: LoadProgress } | { type: 'dedup'; progress: DedupPhaseProgress; removed?: number; byPass?: Record<DedupPass, number>; semanticRefused?: SemanticRefusal | null }
  | { type: 'decontam'; progress: DecontamProgress; outcome?: DecontamOutcome | null };

export interface RunnerDeps {
  source: ModelSource;
  /** Decrypted keys of the endpoints this run uses (they stay in the worker's memory). */
  keys: Record<string, string>;
  /** The app's root URL (where public/ is served): the bundled embedding model lives there. */
  appBase: string;
  /** Settings for local GGUF models (threads, context cap); the engine's defaults when absent. */
  wllama?: WllamaOptions;
}

/**
 * The pipeline worker's API: loads the run's engines, drives the recipe over IndexedDB, and
 * stops on pause or cancel. One run at a time per worker.
 */
export function createRunnerApi() {
  const store = lazyDb();
  /** The run in progress; `reason`: why it was paused when the user did not pause it (stored with it). */
  let current: { runId: string; ctl: AbortController; stopAs: 'paused' | 'cancelled'; reason?: string } | null = null;
  let checking: AbortController | null = null;

  return {
    useDatabase(name: string): void {
      store(name);
    },

    /** Runs (or resumes) a run to its end, a pause or a cancel. Resolves with its final status. */
    async start(runId: string, deps: RunnerDeps, onEvent?: (e: RunnerEvent) => void): Promise<string> {
      if (current) throw Object.assign(new Error('another run is in progress in this tab'), { name: 'BusyError' });
      const d = store();
      // Another tab is upgrading the store: this tab's connection is closing (reload, then resume).
      if (d.versionChange.requested) throw versionChangeError();
      const ctl = new AbortController();
      current = { runId, ctl, stopAs: 'paused' };
      // Another tab opens a newer version and must upgrade the store: pause as the Pause button
      // does, and let the connection close only once the run has stopped and said why (`ended`).
      let ended!: () => void;
      const ending = new Promise<void>((resolve) => (ended = resolve));
      const offUpgrade = d.versionChange.beforeClose(() => {
        if (current && !ctl.signal.aborted) Object.assign(current, { stopAs: 'paused', reason: VERSION_CHANGE_REASON });
        ctl.abort();
        return ending;
      });
      const emit = (e: RunnerEvent) => onEvent?.(e);
      const loaded = new Map<string, LlmEngine>();
      const leases: EngineLease[] = [];
      /** Lets go of the run's engines (a model the playground still holds stays loaded). */
      const releaseAll = async () => {
        loaded.clear();
        for (const l of leases.splice(0)) await l.release().catch(() => {});
      };
      const t0 = performance.now();
      const runStore = guardStore(dexieRunStore(d), () => ctl.abort());
      let budget: Budget | null = null;
      let savedAt = 0;
      /** What the budget spent, kept with the run: at most every 2 s while it runs, and at its end. */
      const saveSpent = async (force: boolean) => {
        const now = performance.now();
        if (!budget || (!force && now - savedAt < 2000)) return;
        savedAt = now;
        await setRunSpent(d, runId, budget.spent);
      };
      try {
        const run = await getRun(d, runId);
        if (!run) throw Object.assign(new Error(`run ${runId} does not exist`), { name: 'NotFoundError' });
        // A budget that trips stops the run like a pause: the calls in flight are aborted, their
        // tasks redone on resume, and the run ends paused with the BudgetError.
        if (run.budget && (run.budget.maxSpend != null || run.budget.maxTokens != null)) budget = createBudget({ ...run.budget, onTrip: () => ctl.abort() });
        const v = validateRecipe(run.recipe);
        if (!v.ok) throw Object.assign(new Error(v.problems.map((p) => `${p.path}: ${p.message}`).join('; ')), { name: 'RecipeError' });
        const privacy = await runPrivacy(d, run.projectId, runId, v.recipe);
        await setRunStatus(d, runId, 'running');
        emit({ type: 'status', status: 'running' });
        const engines = {} as PipelineEngines;
        for (const role of ROLES) {
          const ref = run.roles[role];
          if (!ref) throw Object.assign(new Error(`no engine is assigned to the ${role} role`), { name: 'NoEngineError' });
          const key = refKey(ref);
          let engine = loaded.get(key);
          if (!engine) {
            // Shared with the playground (and any other holder in this realm): one loaded copy of a local model.
            const lease = await acquireEngine(ref, {
              source: deps.source,
              openGguf,
              endpoint: async (id) => {
                const ep = await d.endpoints.get(id);
                if (!ep) throw Object.assign(new Error(`endpoint ${id} does not exist`), { name: 'ModelNotFoundError' });
                return ep;
              },
              key: async (id) => deps.keys[id] ?? '',
              wllama: deps.wllama,
            }, (p) => emit({ type: 'load', role, progress: p }), ctl.signal);
            leases.push(lease);
            engine = privacy.engine(lease.engine, ref);
            if (budget) engine = withBudget(engine, budget, ref.kind === 'remote' ? ((await d.endpoints.get(ref.endpointId))?.prices ?? null) : FREE);
            loaded.set(key, engine);
          }
          engines[role] = engine;
        }
        const onEvent = (e: RunEvent) => {
          emit(e);
          if (e.type === 'progress' && budget) void saveSpent(false).catch(() => {}); // saved again at the end, where a failure is reported
          // The endpoint keeps failing (pipeline/run.ts holdOf): stop the calls in flight too, as a pause.
          // A run the user already cancelled stays cancelled.
          if (e.type === 'halted' && current) {
            if (!ctl.signal.aborted) current.stopAs = 'paused';
            ctl.abort();
          }
        };
        // The Reward step's model (keyless servers: the app reads no environment); none named: the step is skipped and says so.
        const rewardStep = v.recipe.steps.find((s) => s.op === 'reward');
        const reward = rewardStep?.op === 'reward' ? rewardModelFor(rewardStep) : undefined;
        const outcome = await runRecipe({ runId, recipe: v.recipe, seeds: privacy.seeds(await getRunSeeds(d, runId)), chunks: privacy.chunks(await getRunChunks(d, runId)), engines, store: runStore, concurrency: run.concurrency, signal: ctl.signal, onEvent, reward: privacy.reward(reward) });
        await saveSpent(true);
        if (budget?.tripped) throw budget.tripped;
        // Tasks that failed on the endpoint were held back, not kept: the run is paused, and says
        // how many (RunList reads the count from this error) and that Resume retries them.
        const held = outcome.heldBack;
        if (held.tasks > 0 && current.stopAs !== 'cancelled') {
          const why = Object.entries(held.reasons).map(([r, n]) => `${r} ${n}`).join(', ');
          const error = `${HELD_BACK_ERROR}: ${held.tasks} tasks held back, not kept (${why})${held.halt ? `; stopped: ${held.halt.error}` : ''}; Resume retries them`;
          await setRunStatus(d, runId, 'paused', { error, wallMs: performance.now() - t0 });
          emit({ type: 'status', status: 'paused' });
          return 'paused';
        }
        const dedupStep = v.recipe.steps.find((s) => s.op === 'dedup');
        if (dedupStep?.op === 'dedup' && !ctl.signal.aborted) {
          await releaseAll(); // free the LLM's memory for the embedder
          const r = await runDedupPhase(datasetSource(d), run.projectId, { ...dedupStep, appBase: deps.appBase, source: deps.source }, (p) => emit({ type: 'dedup', progress: p }), ctl.signal);
          emit({ type: 'dedup', progress: { stage: 'apply' }, removed: r.removed, byPass: r.byPass, semanticRefused: r.semanticRefused });
        }
        const { enabled: decontam, ...methods } = v.recipe.decontam;
        if (decontam && !ctl.signal.aborted) {
          await releaseAll(); // as for dedup: the embedder may need the memory
          const outcome = await runDecontamPhase(datasetSource(d), dexieDecontamTarget(d), run.projectId, { ...methods, appBase: deps.appBase, source: deps.source }, (p) => emit({ type: 'decontam', progress: p }), ctl.signal);
          emit({ type: 'decontam', progress: { stage: 'apply' }, outcome });
        }
        const status = ctl.signal.aborted ? current.stopAs : 'done';
        await setRunStatus(d, runId, status, { error: status === 'paused' ? current.reason : undefined, wallMs: performance.now() - t0 });
        emit({ type: 'status', status });
        return status;
      } catch (e) {
        // A full disk pauses the run (not failed: Resume works once space is freed) and says so.
        const full = runStore.full ?? (isQuotaError(e) ? e : null);
        if (full) {
          const err = storageFull(full);
          await setRunStatus(d, runId, 'paused', { error: `${err.name}: ${err.message}`, wallMs: performance.now() - t0 }).catch(() => {});
          emit({ type: 'status', status: 'paused' });
          throw err;
        }
        // The budget was reached (or a spend cap has no prices to count by): paused, resumable once
        // the cap is raised (or the prices set), with what was spent saved.
        const capped = budget?.tripped ?? ((e as Error)?.name === 'BudgetPricesError' ? (e as Error) : null);
        if (capped) {
          await saveSpent(true).catch(() => {});
          await setRunStatus(d, runId, 'paused', { error: `${capped.name}: ${capped.message}`, wallMs: performance.now() - t0 }).catch(() => {});
          emit({ type: 'status', status: 'paused' });
          throw capped;
        }
        await saveSpent(true).catch(() => {});
        const err = e as Error;
        const status = ctl.signal.aborted ? current!.stopAs : 'failed';
        // A failure to record the status must not hide the error that ended the run, nor pass in
        // silence itself: swallowed here, a closed database (another tab's upgrade) once left the
        // run "running" with no word of why.
        const unsaved = await setRunStatus(d, runId, status, { error: status === 'failed' ? `${err.name}: ${err.message}` : current!.reason, wallMs: performance.now() - t0 }).then(
          () => null,
          (w: unknown) => w as Error,
        );
        emit({ type: 'status', status });
        const note = unsaved && ` (the run's status could not be saved: ${unsaved.name}: ${unsaved.message}; it shows as paused when the app is opened again)`;
        if (status === 'failed') {
          if (note && err instanceof Error) err.message += note;
          throw e;
        }
        if (unsaved) throw Object.assign(new Error(`the run stopped (${status})${note}`), { name: unsaved.name });
        return status;
      } finally {
        // The status is written: a connection waiting for this run to stop may close now.
        offUpgrade();
        ended();
        await releaseAll();
        current = null;
        const release = (onEvent as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy];
        if (typeof release === 'function') release.call(onEvent);
      }
    },

    /**
     * Reads a benchmark file and stores it as one of the project's eval sets (once: the same bytes
     * again return the stored set with `existing`). Here, not on the page: a benchmark is parsed
     * and hashed off the main thread.
     * A file that cannot be used comes back as `error` (an EvalFileError naming the file and line,
     * with the records' fields when only the text fields were missing: comlink would drop those
     * from a thrown error); nothing is stored then.
     */
    async addEvalSet(projectId: string, file: File, fields?: string[]) {
      try {
        const { keys: _keys, ...draft } = await readEvalFile(file, fields);
        return { ok: true as const, ...(await addEvalSet(store(), projectId, draft)) };
      } catch (e) {
        if (!(e instanceof EvalFileError)) throw e;
        return { ok: false as const, error: { name: e.name, message: e.message, issues: e.issues, keys: e.keys ?? null } };
      }
    },

    /** Review's "Check against eval sets": the check of a recipe's decontam step, on demand; abortable with `abortCheck`. */
    async checkContamination(projectId: string, methods: DecontamMethods, deps: Pick<RunnerDeps, 'appBase' | 'source'>, onProgress?: (p: DecontamProgress) => void): Promise<DecontamOutcome | null> {
      if (checking) throw Object.assign(new Error('a contamination check is already running in this tab'), { name: 'BusyError' });
      const ctl = (checking = new AbortController());
      const d = store();
      try {
        return await runDecontamPhase(datasetSource(d), dexieDecontamTarget(d), projectId, { ...methods, ...deps }, onProgress, ctl.signal);
      } finally {
        checking = null;
        const release = (onProgress as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy];
        if (typeof release === 'function') release.call(onProgress);
      }
    },

    abortCheck(): void {
      checking?.abort();
    },

    /** Stops the run after aborting the calls in flight; it can be resumed. */
    pause(): void {
      if (!current) return;
      current.stopAs = 'paused';
      current.ctl.abort();
    },

    cancel(): void {
      if (!current) return;
      current.stopAs = 'cancelled';
      current.ctl.abort();
    },
  };
}

export type RunnerApi = ReturnType<typeof createRunnerApi>;
