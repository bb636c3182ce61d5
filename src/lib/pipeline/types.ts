import type { ChatTurn } from '../db/types';
import type { SampleSource } from '../documents/types';
import type { Constraint, LlmEngine, OutputSchema } from '../engines/types';
import type { ContextNumbers } from '../engines/errors';
import type { Role } from '../engines/roles';
import type { Verdict } from './judgeParse';
import type { MultiTurnLineage } from './operators/multiTurn';
import type { RewardNote } from './operators/reward';
import type { Rng } from '../random';
import type { TemplateOverrides } from './templates';
import type { Lang } from '../text/language';

/** The engines of a run, one per role (the same engine may serve several roles). */
export type PipelineEngines = Record<Role, LlmEngine>;

/**
 * A call sent as raw text completion (the string prompt as it is, no chat template: Magpie's
 * pre-query prefix), ending at any of `stop`. Only for engines with `rawCompletion`.
 */
export interface RawCompletion {
  stop: string[];
}

/** One model call as the lineage keeps it. */
export interface CallRecord {
  op: string;
  role: Role;
  engine: string;
  model: string;
  template: string;
  templateVersion: number;
  /**
   * templates.ts templateHash: a hash of the texts the prompt was made from (the template as used,
   * overrides included, and the sub-templates it can insert). Absent in lineages written before.
   */
  templateHash: string;
  raw: string;
  promptTokens: number | null;
  completionTokens: number | null;
  ms: number;
  retries: number;
  /** Generation and prompt-processing speed of this call, where the engine reports them (tokens/s). */
  tokensPerSecond?: number | null;
  promptTokensPerSecond?: number | null;
  /** A reasoning model's thinking, split off the answer (`raw` is the answer alone); absent when none. */
  reasoning?: string;
  /** The schema the call asked for, and the engine's mechanism that held the answer to it (null: free text). */
  schema?: string;
  constrained?: Constraint | null;
}

/** An item moving through a recipe. Becomes exactly one sample, accepted or rejected. */
export interface Candidate {
  key: string;
  instruction: string;
  input: string;
  output: string | null;
  seedId: string | null;
  parentKey: string | null;
  operation: string;
  round: number;
  persona: string | null;
  score: number | null;
  verdict: Verdict | null;
  /** Where the output came from: the responder, an evolution's elimination check, a seed, an instance. */
  outputFrom: string | null;
  calls: CallRecord[];
  /** Before critique-and-revise: the first response and its critique. */
  revisedFrom: { output: string; critique: string } | null;
  /** Document-made candidates: what the question was asked from and the answer grounded on; null otherwise. */
  source: SampleSource | null;
  /** A conversation grown by the multi-turn step (operators/multiTurn.ts): user/assistant turns, the first exchange first. */
  turns?: ChatTurn[];
  notes: CandidateNotes;
}

/**
 * What the steps note about a candidate beyond its fields (kept as the sample's `lineage.notes`).
 * The notes Review, the export and the pairs read are typed; a step may add others (the index).
 */
export interface CandidateNotes {
  /** Self-Instruct: the highest ROUGE-L against the pool (with the instruction it matched when rejected). */
  rougeL?: number | { score: number; match?: string | null };
  /** The judge's raw replies and why none parsed (a 'judgeFailed' rejection). */
  judgeRaw?: string[];
  judgeWhy?: string;
  /** The groundedness judge's verdict (a bare score in rows written before it kept its reason). */
  groundedness?: number | { score: number; unsupported: string; reason: string };
  /** The claim the groundedness judge found unsupported (an 'ungrounded' rejection). */
  unsupported?: string;
  /** Best-of-N: which of the N answers this is (0-based). */
  bestOfN?: number;
  /** The multi-turn step's lineage per turn (operators/multiTurn.ts). */
  multiTurn?: MultiTurnLineage;
  /** The reward model's score (operators/reward.ts), or why the Reward step was skipped. */
  reward?: RewardNote;
  rewardSkipped?: string | null;
  /** An item whose task failed: the error, as "Name: message"; a context overflow's numbers. */
  error?: string;
  context?: ContextNumbers;
  [note: string]: unknown;
}

export type SampleOutcome = { status: 'accepted'; reason: null } | { status: 'rejected'; reason: string };

export interface SampleDraft extends Candidate {
  status: 'accepted' | 'rejected';
  rejectReason: string | null;
  taskIndex: number;
}

/** What operators get: the engines, the task's randomness, the language and a way to call models. */
export interface OpContext {
  lang: Lang;
  rng: Rng;
  templates: TemplateOverrides;
  persona: string | null;
  /**
   * Calls the engine of a role with a rendered prompt; records the call. Throws the engine's
   * typed error (AbortedError ends the task without committing it).
   */
  call(op: string, role: Role, template: string, prompt: string | ChatTurn[], opts?: { temperature?: number; maxTokens?: number; schema?: OutputSchema; raw?: RawCompletion }): Promise<CallRecord>;
  /** A fresh candidate key within the task. */
  nextKey(): string;
}

export type RunStatus = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface RunCounts {
  done: number;
  total: number;
  accepted: number;
  rejected: number;
  /** Rejected samples per reason. */
  reasons: Record<string, number>;
  perOperation: Record<string, { accepted: number; rejected: number }>;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Time spent inside model calls (summed over concurrent calls). */
  modelMs: number;
  /** Wall time of the run's sessions so far. */
  wallMs: number;
  /**
   * Calls that asked for a fixed shape (a verdict, the equality check, an instance) and were
   * answered in free text — read by the lenient parsers alone, because the engine could not hold
   * the answer to its schema or the recipe turned constrained output off. Absent in older runs.
   */
  freeTextShapes?: number;
}

export function emptyCounts(total: number): RunCounts {
  return { done: 0, total, accepted: 0, rejected: 0, reasons: {}, perOperation: {}, calls: 0, promptTokens: 0, completionTokens: 0, modelMs: 0, wallMs: 0, freeTextShapes: 0 };
}

/** The effect of one committed task on the counts. */
export interface TaskDelta {
  samples: SampleDraft[];
  pool: string[];
  calls: number;
  promptTokens: number;
  completionTokens: number;
  modelMs: number;
  /** Shaped calls answered in free text (see RunCounts.freeTextShapes). */
  freeTextShapes?: number;
}

export function addTask(c: RunCounts, d: TaskDelta): RunCounts {
  const next: RunCounts = { ...c, reasons: { ...c.reasons }, perOperation: { ...c.perOperation }, done: c.done + 1 };
  for (const s of d.samples) {
    const op = (next.perOperation[s.operation] ??= { accepted: 0, rejected: 0 });
    next.perOperation[s.operation] = { ...op };
    if (s.status === 'accepted') {
      next.accepted++;
      next.perOperation[s.operation]!.accepted++;
    } else {
      next.rejected++;
      next.perOperation[s.operation]!.rejected++;
      const r = s.rejectReason ?? 'unknown';
      next.reasons[r] = (next.reasons[r] ?? 0) + 1;
    }
  }
  next.calls += d.calls;
  next.promptTokens += d.promptTokens;
  next.completionTokens += d.completionTokens;
  next.modelMs += d.modelMs;
  if (d.freeTextShapes) next.freeTextShapes = (next.freeTextShapes ?? 0) + d.freeTextShapes;
  return next;
}

export type RunEvent =
  | { type: 'progress'; counts: RunCounts; tokensPerSecond: number | null; etaSeconds: number | null }
  | { type: 'live'; task: number; op: string; text: string }
  /** A task's error: its items were rejected with it — or, with `held` (the reason), it was held back uncommitted (run.ts holdOf). */
  | { type: 'taskFailed'; task: number; name: string; message: string; held?: string }
  /** The endpoint failed FAILING_STREAK tasks in a row, or fatally: the run takes no further task (the caller may abort the calls in flight). */
  | { type: 'halted'; fatal: boolean; streak: number; error: string }
  | { type: 'status'; status: RunStatus }
  /** A step that cannot run here (no reward model configured): skipped for every item, with the reason. */
  | { type: 'skipped'; op: string; reason: string };

/**
 * The name a paused run's stored error starts with when tasks were held back: "HeldBackError: N
 * tasks held back, not kept (reasons) …" (the app's run list reads N from it, as it reads BudgetError).
 */
export const HELD_BACK_ERROR = 'HeldBackError';

export type RunReport = RunCounts;

/** Where a run keeps its results. The Dexie implementation is db/runsRepo.ts. */
export interface RunStore {
  /** Tasks already committed, the pool of kept Self-Instruct instructions, and the counts. */
  progress(runId: string): Promise<{ completed: Set<number>; pool: { task: number; text: string }[]; counts: RunCounts }>;
  /**
   * Writes a finished task's samples, marks it done and updates the counts, in one transaction.
   * Committing a task twice is a no-op.
   */
  commitTask(runId: string, taskIndex: number, delta: TaskDelta): Promise<void>;
  /** Adds a session's wall time and sets the status. */
  setStatus(runId: string, status: RunStatus, extra?: { error?: string; wallMs?: number }): Promise<void>;
}

export function newCandidate(key: string, from: Partial<Candidate> & Pick<Candidate, 'instruction'>): Candidate {
  return {
    input: '',
    output: null,
    seedId: null,
    parentKey: null,
    operation: 'seed',
    round: 0,
    persona: null,
    score: null,
    verdict: null,
    outputFrom: null,
    calls: [],
    revisedFrom: null,
    source: null,
    notes: {},
    ...from,
    key,
  };
}
