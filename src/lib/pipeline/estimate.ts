import type { Role } from '../engines/roles';
import type { Recipe } from './recipe';
import { questionsFor } from './operators/questions';
import { taskCount } from './run';

/**
 * What a run will cost, before it starts: model calls, generated tokens and time, from the recipe,
 * the number of seeds and the speed measured on these models. Pure: the Run screen and the tests
 * call it with plain data.
 *
 * The call count follows the pipeline (./run.ts and ./operators) step by step for one task, on the
 * path where every call succeeds the first time: each evolution survives elimination, each verdict
 * is readable at once and passes, each answer passes the filter. That path is what a run whose
 * models behave costs; `maxCalls` adds every judge retry (an unreadable verdict is asked again up to
 * `retries` times). Fewer calls happen when items are rejected early (a failed evolution skips its
 * response, a low score skips nothing after it but the filter).
 */
export interface CallEstimate {
  /** Tasks (items started): seeds used × tasks per seed, or Self-Instruct's count. */
  tasks: number;
  /** Seeds the run reads (0 for a recipe that starts with Self-Instruct). */
  seedsUsed: number;
  /** Model calls when every call succeeds the first time. */
  calls: number;
  /** Model calls when every judge uses all its retries. */
  maxCalls: number;
  /** Calls per role on the first-time path. */
  byRole: Record<Role, number>;
  /** Generated tokens if every answer ran to its length limit (the first-time path): an upper bound. */
  maxCompletionTokens: number;
}

/** Length limits of the calls that the operators fix themselves (see operators/*.ts). */
const SELF_INSTRUCT_TOKENS = 200;
const INSTANCE_TOKENS = 512;
const EQUALITY_TOKENS = 16;
const CRITIQUE_TOKENS = 300;
const JUDGE_TOKENS = 200;
const REWRITE_TOKENS = 400;
const GROUNDED_JUDGE_TOKENS = 160;

/** A candidate as far as the cost goes: whether it has an answer, where it came from, whether it is judged. */
interface Cand {
  output: 'none' | 'seed' | 'elimination' | 'answer';
  verdict: boolean;
  /** The seed's own candidate (operation 'seed'): evolve never keeps it. */
  seed: boolean;
}

interface Tally {
  calls: number;
  maxCalls: number;
  tokens: number;
  byRole: Record<Role, number>;
}

/** The calls one task makes (see the header for the path it follows); `questions`: how many a document task asks. */
function taskCalls(recipe: Recipe, questions = 1): Tally {
  const t: Tally = { calls: 0, maxCalls: 0, tokens: 0, byRole: { generator: 0, responder: 0, judge: 0 } };
  const call = (role: Role, maxTokens: number, times = 1, extraOnRetry = 0) => {
    t.calls += times;
    t.maxCalls += times + extraOnRetry;
    t.byRole[role] += times;
    t.tokens += times * maxTokens;
  };
  const judgeStep = recipe.steps.find((s) => s.op === 'judge');
  const judgeRetries = judgeStep?.op === 'judge' ? judgeStep.retries : 2;
  const first = recipe.steps[0]?.op;
  let cands: Cand[] = first === 'selfInstruct' || first === 'questions' || first === 'magpie' ? [] : [{ output: 'seed', verdict: false, seed: true }];
  for (const step of recipe.steps) {
    switch (step.op) {
      case 'selfInstruct':
        call('generator', SELF_INSTRUCT_TOKENS);
        if (step.instances) call('generator', INSTANCE_TOKENS);
        cands = [{ output: step.instances ? 'answer' : 'none', verdict: false, seed: false }];
        break;
      case 'magpie':
        call('generator', step.maxTokens);
        cands = [{ output: 'none', verdict: false, seed: false }];
        break;
      case 'questions':
        call('generator', step.maxTokens);
        cands = Array.from({ length: questions }, () => ({ output: 'none', verdict: false, seed: false }));
        break;
      case 'groundedAnswer':
        // Every candidate is answered again from its chunk (an elimination answer included).
        for (const c of cands) {
          call('responder', step.maxTokens);
          c.output = 'answer';
          c.seed = false;
        }
        break;
      case 'groundedJudge':
        for (const c of cands) if (c.output !== 'none') call('judge', GROUNDED_JUDGE_TOKENS, 1, step.retries);
        break;
      case 'evolve': {
        const next: Cand[] = [];
        for (const c of cands) {
          for (let round = 0; round < step.rounds; round++) {
            call('generator', Math.min(REWRITE_TOKENS, step.maxTokens));
            if (step.eliminate) {
              call('generator', EQUALITY_TOKENS);
              call('responder', step.maxTokens);
            }
          }
          if (step.keepOriginal && !c.seed) next.push(c);
          for (let round = 0; round < step.rounds; round++) next.push({ output: step.eliminate ? 'elimination' : 'none', verdict: false, seed: false });
        }
        cands = next;
        break;
      }
      case 'respond':
        for (const c of cands) {
          if (c.output === 'elimination') continue;
          call('responder', step.maxTokens);
          c.output = 'answer';
          c.seed = false; // answered: it takes the operation 'respond' (run.ts answeredBy), and evolve may keep it
        }
        break;
      case 'critique':
        for (const c of cands) {
          if (c.output === 'none') continue;
          call('generator', CRITIQUE_TOKENS);
          call('generator', step.maxTokens);
          c.output = 'answer';
          c.seed = false;
          c.verdict = false; // the revision is judged again
        }
        break;
      case 'bestOfN': {
        const next: Cand[] = [];
        for (const c of cands) {
          call('responder', step.maxTokens, step.n);
          call('judge', JUDGE_TOKENS, step.n, step.n * judgeRetries);
          for (let i = 0; i < Math.min(step.k, step.n); i++) next.push({ output: 'answer', verdict: true, seed: false });
        }
        cands = next;
        break;
      }
      case 'judge':
        for (const c of cands) {
          if (c.verdict) continue;
          call('judge', JUDGE_TOKENS, 1, step.retries);
          c.verdict = true;
        }
        break;
      case 'multiTurn':
        // Every conversation counted at maxTurns (the number drawn is at most that): per follow-up
        // a question, an answer and the turn's verdict; then the whole conversation's verdict.
        for (const c of cands) {
          if (c.output === 'none') continue;
          const more = step.maxTurns - 1;
          // The last exchange's extra answers (lastTurnAnswers), each with its turn verdict.
          const extra = step.lastTurnAnswers - 1;
          call('generator', step.followUpTokens, more);
          call('responder', step.maxTokens, more + extra);
          call('judge', JUDGE_TOKENS, more + 1 + extra, (more + 1 + extra) * step.retries);
          c.output = 'answer';
          c.seed = false;
          c.verdict = true;
        }
        break;
      case 'filter':
        cands = cands.filter((c) => c.output !== 'none');
        break;
      case 'dedup':
        break; // no model calls: embeddings, after the last task
    }
  }
  return t;
}

/**
 * Model calls and generated tokens of a run of `recipe` over a project with `seedCount` seeds —
 * for a document recipe, `seedCount` chunks, whose estimated tokens (`chunkTokens`, in the run's
 * order) set how many questions each task asks; without them every chunk is taken to get
 * `maxPerChunk` questions (an upper bound). A multi-chunk task asks one question: the share
 * `multiChunk` of tasks is counted so (the expected count, rounded).
 */
export function estimateCalls(recipe: Recipe, seedCount: number, chunkTokens?: readonly number[]): CallEstimate {
  const tasks = taskCount(recipe, seedCount);
  const first = recipe.steps[0]!;
  const seedsUsed = first.op === 'selfInstruct' || first.op === 'magpie' ? 0 : Math.min(seedCount, recipe.maxSeeds ?? Infinity);
  if (first.op === 'questions') {
    const sum: Tally = { calls: 0, maxCalls: 0, tokens: 0, byRole: { generator: 0, responder: 0, judge: 0 } };
    const single = new Map<number, Tally>();
    const tally = (n: number) => single.get(n) ?? single.set(n, taskCalls(recipe, n)).get(n)!;
    const multi = tally(1);
    const add = (t: Tally, w: number) => {
      sum.calls += w * t.calls;
      sum.maxCalls += w * t.maxCalls;
      sum.tokens += w * t.tokens;
      for (const r of ['generator', 'responder', 'judge'] as const) sum.byRole[r] += w * t.byRole[r];
    };
    for (let c = 0; c < seedsUsed; c++) {
      const n = chunkTokens?.[c] !== undefined ? questionsFor(chunkTokens[c]!, first) : first.maxPerChunk;
      add(tally(n), recipe.copiesPerSeed * (1 - first.multiChunk));
      add(multi, recipe.copiesPerSeed * first.multiChunk);
    }
    return {
      tasks,
      seedsUsed,
      calls: Math.round(sum.calls),
      maxCalls: Math.round(sum.maxCalls),
      byRole: { generator: Math.round(sum.byRole.generator), responder: Math.round(sum.byRole.responder), judge: Math.round(sum.byRole.judge) },
      maxCompletionTokens: Math.round(sum.tokens),
    };
  }
  const one = taskCalls(recipe);
  return {
    tasks,
    seedsUsed,
    calls: tasks * one.calls,
    maxCalls: tasks * one.maxCalls,
    byRole: { generator: tasks * one.byRole.generator, responder: tasks * one.byRole.responder, judge: tasks * one.byRole.judge },
    maxCompletionTokens: tasks * one.tokens,
  };
}

/** What earlier runs measured: their summed counts (RunCounts' fields of the same names). */
export interface MeasuredCalls {
  calls: number;
  completionTokens: number;
  /** Time inside model calls, summed over concurrent calls. */
  modelMs: number;
}

/** The speed the estimate uses, and where it was measured. */
export type Speed =
  | { basis: 'runs'; msPerCall: number; tokensPerCall: number; calls: number }
  | { basis: 'playground'; tokensPerSecond: number }
  | { basis: 'unknown'; why: 'noRuns' | 'otherModels' };

/**
 * The measured speed for these role models: earlier runs of the project that used exactly the same
 * model in every role (their time per call includes reading the prompt, which dominates on CPU),
 * else the playground's generation speed of every role's model (the slowest of them), else unknown.
 *
 * @param playground generation tokens/s measured in the playground, by engine reference key
 */
export function measuredSpeed(
  runs: { models: Record<string, string>; counts: Partial<MeasuredCalls> | null | undefined }[],
  models: Record<Role, string>,
  playground: Record<string, number> | null = null,
): Speed {
  let calls = 0;
  let tokens = 0;
  let ms = 0;
  for (const r of runs) {
    if (!(['generator', 'responder', 'judge'] as const).every((role) => r.models?.[role] === models[role])) continue;
    const c = r.counts;
    if (!c?.calls || !c.modelMs) continue;
    calls += c.calls;
    tokens += c.completionTokens ?? 0;
    ms += c.modelMs;
  }
  if (calls > 0) return { basis: 'runs', msPerCall: ms / calls, tokensPerCall: tokens / calls, calls };
  const tps = Object.values(models).map((m) => playground?.[m] ?? 0);
  if (tps.every((x) => x > 0)) return { basis: 'playground', tokensPerSecond: Math.min(...tps) };
  return { basis: 'unknown', why: runs.length ? 'otherModels' : 'noRuns' };
}

export interface TimeEstimate {
  /** Seconds of the whole run, or null when nothing measured the speed. */
  seconds: number | null;
  /** True when `seconds` is an upper bound (every answer at its length limit), not an expectation. */
  upperBound: boolean;
  /** Expected generated tokens (from runs' tokens per call), else null. */
  completionTokens: number | null;
}

/** Time and tokens from the call estimate, a measured speed and the calls run side by side. */
export function estimateTime(est: CallEstimate, speed: Speed, concurrency = 1): TimeEstimate {
  const c = Math.max(1, concurrency);
  if (speed.basis === 'runs') {
    return { seconds: (est.calls * speed.msPerCall) / 1000 / c, upperBound: false, completionTokens: Math.round(est.calls * speed.tokensPerCall) };
  }
  if (speed.basis === 'playground') return { seconds: est.maxCompletionTokens / speed.tokensPerSecond / c, upperBound: true, completionTokens: null };
  return { seconds: null, upperBound: false, completionTokens: null };
}

/**
 * The same recipe on `n` seeds (`n` tasks for a recipe that starts with Self-Instruct), under
 * another name: "Try on 3 seeds first". A copy: the recipe passed in is not changed.
 */
export function trialRecipe(recipe: Recipe, n: number, name: string): Recipe {
  const first = recipe.steps[0]!;
  if (first.op === 'selfInstruct' || first.op === 'magpie') return { ...recipe, name, steps: [{ ...first, count: Math.min(n, first.count) }, ...recipe.steps.slice(1)] };
  return { ...recipe, name, maxSeeds: Math.min(n, recipe.maxSeeds ?? n) };
}
