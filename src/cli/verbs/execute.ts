import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { ROLES, type Role } from '../../lib/engines/roles';
import { GUARD_REASON } from '../../lib/privacy/guard';
import { readPrivacy } from '../../lib/privacy/settings';
import { privacyForRun } from '../../lib/runner/runPrivacy';
import { createBudget, spentFromCounts, type BudgetCaps, type BudgetError, type BudgetSpent, type RunBudget } from '../../lib/pipeline/budget';
import { validateRecipe } from '../../lib/pipeline/recipe';
import { rewardModelFor } from '../../lib/engines/remote/reward';
import { runRecipe } from '../../lib/pipeline/run';
import { EXIT } from '../args';
import { buildEngines, loadEngines, pricesOf, unloadEngines, type EngineConfig } from '../engines';
import { createReporter, duration, onRunEvent, progressLine, reasons, type OutputMode } from '../progress';
import type { Store } from '../store/store';
import { dedupStore } from './data';

/**
 * Drives one stored run to its end, a pause (Ctrl+C, a budget cap) or a failure: the part `run`
 * and `resume` share. The pipeline is the app's runRecipe over the SQLite store's RunStore; each
 * finished task is one SQLite transaction, so a process killed at any point loses only the tasks
 * in flight, and `resume` redoes exactly those.
 */

/** Where the CLI keeps, per run, what the app's Run row has no field for (cache namespaces of the store). */
export const ENGINES_NS = 'cli.engines';
/** The batch mode's ledger of a run: `cli.batch.<runId>`. */
export const BATCH_NS = 'cli.batch.';

/** Which process runs a run now: `cli.owner`, by run id. */
const OWNER_NS = 'cli.owner';
interface Owner {
  pid: number;
  host: string;
  since: number;
}

/** Another process on this machine is running the run; nothing was done. */
export class RunBusyError extends Error {
  override name = 'RunBusyError' as const;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run's recipe or engines cannot be used as stored. */
export class RunConfigError extends Error {
  override name = 'RunConfigError' as const;
}

export interface ExecuteOptions {
  mode: OutputMode;
  env: NodeJS.ProcessEnv;
  /** New caps (raised to resume a run a cap paused); the stored ones otherwise. */
  caps?: BudgetCaps;
  /**
   * Send prompts with unredacted personal data to remote endpoints anyway (`--allow-private`):
   * the recipe's privacy guard otherwise holds such tasks back, as the app's "Allow for this run".
   */
  allowPrivate?: boolean;
}

/** The field of the run row that holds the engine configuration `run` created it with. */
export const RUN_ENGINES_FIELD = 'cliEngines';

/**
 * The engine configuration of a run: as `resume` last replaced it (cache), else as `run` stored it
 * in the run row; null for a run not made by `seedforge run` (restored from the app).
 */
export function storedEngines(store: Store, runId: string): EngineConfig | null {
  const run = store.getRun(runId) as (Record<string, unknown> & { [RUN_ENGINES_FIELD]?: EngineConfig }) | undefined;
  return store.cacheGet<EngineConfig>(ENGINES_NS, runId) ?? run?.[RUN_ENGINES_FIELD] ?? null;
}

/**
 * Runs `runId` until it is done or stopped; returns the exit code (0 done, 3 paused, 4 nothing
 * to do). Ctrl+C once pauses (calls in flight are aborted, their tasks redone on resume); twice
 * leaves at once, the run marked paused.
 * @throws the store's errors, MissingKeyError, BudgetPricesError, RunConfigError; a failure of
 * the run itself is recorded as 'failed' and rethrown.
 */
export async function execute(store: Store, runId: string, cfg: EngineConfig, opts: ExecuteOptions): Promise<number> {
  const run = store.getRun(runId);
  if (!run) throw new RunConfigError(`run ${runId} does not exist in ${store.path}: \`seedforge status --store DIR\` lists the runs`);
  const reporter = createReporter(opts.mode);
  if (run.status === 'done') {
    reporter.finish({ run: runId, status: 'done', nothingToDo: true }, `run ${runId} is already done: nothing to do`);
    return EXIT.nothing;
  }
  const v = validateRecipe(run.recipe);
  if (!v.ok) throw new RunConfigError(`run ${runId}'s recipe is not valid: ${v.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);

  // Two processes driving one run would commit the same tasks (harmless: a second commit is a
  // no-op) but pay for every call twice. A run left 'running' by a killed process has no live owner.
  const owner = store.cacheGet<Owner>(OWNER_NS, runId);
  if (owner && owner.pid !== process.pid && owner.host === hostname() && alive(owner.pid)) {
    throw new RunBusyError(`run ${runId} is being run by process ${owner.pid} (since ${new Date(owner.since).toISOString()}): wait for it, or stop it (Ctrl+C pauses) and resume then`);
  }
  // The run row's budget, as the app keeps it (Run.budget): a backup carries it to the app.
  const saved = run.budget;
  const caps: BudgetCaps = { maxSpend: opts.caps?.maxSpend ?? saved?.maxSpend ?? null, maxTokens: opts.caps?.maxTokens ?? saved?.maxTokens ?? null };
  // A process killed before it saved its spend leaves only the committed tasks' counts: a floor.
  const floor = spentFromCounts(run.counts, cfg.judge ? null : pricesOf(cfg.main));
  const spent: BudgetSpent = saved?.spent && saved.spent.tokens >= floor.tokens ? saved.spent : floor;
  const ctl = new AbortController();
  // Every call in flight listens to the run's signal: hundreds at a high concurrency, not a leak.
  setMaxListeners(0, ctl.signal);
  let tripped: BudgetError | null = null;
  const budget = createBudget({
    ...caps,
    spent,
    onTrip: (e) => {
      tripped = e;
      ctl.abort();
    },
  });
  const saveBudget = () => store.setRunBudget(runId, { ...caps, spent: budget.spent } satisfies RunBudget);
  // Built before anything is saved or started: a missing key throws here with nothing changed.
  const built = buildEngines(cfg, opts.env, budget, store.cacheOf(`${BATCH_NS}${runId}`));
  // The Reward step's model, its key read from the environment variable the step names (never
  // stored); a model named but unusable stops here (RewardConfigError), before any call.
  const rewardStep = v.recipe.steps.find((s) => s.op === 'reward');
  const reward = rewardStep?.op === 'reward' ? rewardModelFor(rewardStep, { env: opts.env }) : undefined;
  // The recipe's privacy section, as in the app (src/lib/runner/runPrivacy.ts): remote engines
  // guarded (a prompt with an unredacted finding is held back, never sent), and the run's copy of
  // seeds and chunks redacted when the recipe says so. A local GGUF sends nothing: never wrapped.
  const privacy = privacyForRun(readPrivacy({ allowedRuns: opts.allowPrivate ? [runId] : [] }), runId, v.recipe);
  const engines = { ...built };
  for (const role of ROLES) {
    const s = role === 'judge' ? (cfg.judge ?? cfg.main) : cfg.main;
    engines[role] = privacy.engine(built[role], s.kind === 'llamacpp' ? { kind: 'wllama', file: s.gguf?.path ?? s.model } : { kind: 'remote', endpointId: s.endpoints[0] ?? s.model });
  }
  const seedPages = store.runSeedPages(runId);
  store.cachePut(OWNER_NS, runId, { pid: process.pid, host: hostname(), since: Date.now() } satisfies Owner);
  saveBudget();
  // As the app does: what is spent is saved every 2 s, so a process killed loses at most that.
  const saver = setInterval(saveBudget, 2000);
  saver.unref();
  const priced = cfg.main.kind !== 'llamacpp' && !!cfg.main.prices;
  const money = () => ({ spend: priced ? budget.spent.spend : null, tokens: budget.spent.tokens });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      reporter.note('pausing', 'stopping the calls in flight; the run can be resumed (Ctrl+C again leaves at once)');
      ctl.abort();
      return;
    }
    // Committed tasks are already safe in the store; the ones in flight are redone on resume.
    try {
      store.setRunStatus(runId, 'paused');
      saveBudget();
    } finally {
      process.exit(EXIT.paused);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const t0 = performance.now();
  try {
    store.setRunStatus(runId, 'running');
    await loadEngines(engines, ctl.signal);
    // A local model's load (seconds for a GGUF) is in the run's wall time; said apart so that a
    // rate can leave it out (bench:llamacpp's recipe rows).
    const loadMs = Math.round(performance.now() - t0);
    // The pipeline holds back tasks that failed on the endpoint and stops on a streak of them
    // (run.ts holdOf); the calls still in flight are aborted here, their tasks redone on resume.
    const onEvent = onRunEvent(reporter, runId, money);
    const outcome = await runRecipe({
      runId,
      recipe: v.recipe,
      seeds: { ...seedPages, read: async (from, to) => privacy.seeds(await seedPages.read(from, to)) },
      chunks: privacy.chunks(store.getRunChunks(runId)),
      engines,
      store: store.runStore(),
      concurrency: run.concurrency,
      signal: ctl.signal,
      reward: privacy.reward(reward),
      onEvent: (e) => {
        if (e.type === 'halted') {
          reporter.note('endpointFailing', e.fatal ? `stopping: ${e.error}` : `stopping: ${e.streak} tasks in a row failed on the endpoint (${e.error})`);
          ctl.abort();
        }
        onEvent(e);
      },
    });
    // The recipe's Dedup step, once every item is in: the app's dedup phase over this store.
    const dedupStep = v.recipe.steps.find((s) => s.op === 'dedup');
    let dedup: Awaited<ReturnType<typeof dedupStore>> | null = null;
    if (dedupStep?.op === 'dedup' && !ctl.signal.aborted && outcome.heldBack.tasks === 0) dedup = await dedupStore(store, run.projectId, dedupStep, ctl.signal);
    // Tasks held back (failed on the endpoint) leave the run open: it is paused, not done.
    const held = outcome.heldBack.tasks;
    const status = ctl.signal.aborted || held > 0 ? 'paused' : 'done';
    const stopped = outcome.heldBack.halt;
    store.setRunStatus(runId, status, { wallMs: performance.now() - t0, ...(stopped?.fatal ? { error: stopped.error } : {}) });
    const counts = store.runStatusSummary(runId).counts;
    saveBudget();
    const trip = tripped as BudgetError | null;
    const summary = { run: runId, status, ...counts, loadMs, ...money(), ...(held ? { heldBack: held, heldBackReasons: outcome.heldBack.reasons } : {}), ...(stopped ? { stopped: stopped.error } : {}), ...(trip ? { budget: trip.message } : {}), ...(dedup ? { dedup: { removed: dedup.removed, byPass: dedup.byPass, semantic: !dedup.noEmbedder } } : {}) };
    const text = [
      `run ${runId} ${status}: ${progressLine({ runId, counts, tokensPerSecond: null, etaSeconds: null, ...money() })}`,
      counts.rejected ? `  rejected by reason: ${reasons(counts)}` : '',
      `  ${counts.calls} calls, ${(counts.promptTokens + counts.completionTokens).toLocaleString('en-US')} tokens in committed items, ${duration((performance.now() - t0) / 1000)}`,
      dedup ? `  dedup: ${dedup.removed} near-duplicates marked (exact ${dedup.byPass.exact}, lexical ${dedup.byPass.lexical})${dedup.noEmbedder ? '; the semantic pass needs embeddings: run the Dedup step in the app' : ''}` : '',
      trip ? `  ${trip.message}: seedforge resume --store DIR --max-${trip.cap === 'spend' ? 'spend' : 'tokens'} <higher>` : '',
      held ? `  ${held} task${held === 1 ? '' : 's'} held back, not kept (${Object.entries(outcome.heldBack.reasons).map(([r, n]) => `${r} ${n}`).join(', ')})${stopped ? `; stopped: ${stopped.error}` : ''}` : '',
      Object.keys(outcome.heldBack.reasons).some((r) => r.startsWith(GUARD_REASON))
        ? `  the privacy guard kept prompts with personal data from the endpoint: \`seedforge pii --in <seeds>\` shows where; redact them and start again, or \`seedforge resume --store ${store.path} --allow-private\` to send them`
        : '',
      status === 'paused' && !trip ? `  paused: \`seedforge resume --store DIR --run ${runId}\` continues it` : '',
    ]
      .filter(Boolean)
      .join('\n');
    reporter.finish(summary, text);
    if (stopped?.fatal) return EXIT.failed;
    return status === 'done' ? EXIT.done : EXIT.paused;
  } catch (e) {
    const err = e as Error;
    const status = ctl.signal.aborted ? 'paused' : 'failed';
    // A failure to record the status must not hide the error that ended the run.
    try {
      store.setRunStatus(runId, status, { error: status === 'failed' ? `${err.name}: ${err.message}` : undefined, wallMs: performance.now() - t0 });
      saveBudget();
    } catch {
      /* the error below says what happened */
    }
    if (status === 'paused') {
      reporter.finish({ run: runId, status }, `run ${runId} paused: \`seedforge resume --store DIR --run ${runId}\` continues it`);
      return EXIT.paused;
    }
    throw e;
  } finally {
    clearInterval(saver);
    try {
      store.cacheDelete(OWNER_NS, runId);
    } catch {
      /* a store that cannot be written said so already */
    }
    await unloadEngines(engines);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** What `run` stores as the app's Run.roles: a remote reference per role (the app shows them, and a backup carries them). */
export function rolesOf(cfg: EngineConfig): Record<Role, { kind: 'remote'; endpointId: string }> {
  const ref = (s: EngineConfig['main']) => ({ kind: 'remote' as const, endpointId: `cli:${s.endpoints[0]}` });
  return { generator: ref(cfg.main), responder: ref(cfg.main), judge: ref(cfg.judge ?? cfg.main) };
}
