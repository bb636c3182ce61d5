import type { Candidate } from '../types';

/**
 * Reward-model scoring (the seed document's step 3.4, "Reward Model 打分（更准但更贵）"): each
 * finished (instruction, answer) is scored by a reward model, and the step keeps those at or above a
 * threshold, or the top share of a task's items. The score sits beside the judge's in the sample's
 * lineage (`notes.reward`), so Review and the export see both.
 *
 * The pipeline knows a reward model only by this interface; the backends are
 * src/lib/engines/remote/reward.ts (vLLM's /score, /pooling and /classify, and OpenAI-compatible
 * reward servers that answer a chat completion with a scalar).
 */
/** The APIs a remote reward model is called by (engines/remote/reward.ts says how each is sent and read). */
export const REWARD_APIS = ['score', 'pooling', 'classify', 'chat'] as const;
export type RewardApi = (typeof REWARD_APIS)[number];

export interface RewardModel {
  /** Which API scores (for the lineage and the card): 'score', 'pooling', 'classify', 'chat'. */
  api: string;
  model: string;
  /**
   * One score per pair, in order; higher is better. The scale is the model's own (a reward model's
   * logit, a reranker's probability): thresholds are set for the model in use.
   * @throws EngineError (by name) when the server fails after its retries, or RewardResponseError
   *   when it answers in a shape that is not a score
   */
  score(pairs: readonly RewardPair[], signal?: AbortSignal): Promise<number[]>;
}

export interface RewardPair {
  /** The instruction, with its input below it when there is one. */
  prompt: string;
  answer: string;
}

/** What `notes.reward` of a scored candidate holds. */
export interface RewardNote {
  score: number;
  api: string;
  model: string;
}

/** The recipe's reward step (see recipe.ts StepSchema). */
export interface RewardSettings {
  keep: 'threshold' | 'topShare';
  minReward: number;
  share: number;
}

/** The prompt a reward model is shown: the instruction and, below it, its input. */
export function rewardPrompt(c: { instruction: string; input: string }): string {
  return c.input ? `${c.instruction}\n\n${c.input}` : c.instruction;
}

/**
 * Which of a task's scored candidates the step keeps (by index). Threshold: every score ≥
 * `minReward`. Top share: the best ceil(share × n) of the task's candidates (at least one), ties
 * broken by order so that a rerun keeps the same ones. The share is per task, not run-wide: a task
 * is committed when it finishes, and a run-wide cut would depend on the tasks finished before it
 * (a resumed run would keep other items than an uninterrupted one). With one candidate per task the
 * share keeps it: use Best-of-N (k = n) or Evol before this step, or a threshold.
 */
export function rewardKeeps(scores: readonly number[], s: RewardSettings): boolean[] {
  if (s.keep === 'threshold') return scores.map((x) => x >= s.minReward);
  const n = Math.max(1, Math.ceil(s.share * scores.length - 1e-9));
  const order = scores.map((x, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept = new Set(order.slice(0, n));
  return scores.map((_, i) => kept.has(i));
}

/**
 * Scores the candidates that have an answer and splits them into kept and rejected
 * ('rewardLow'); the score goes to `notes.reward` either way. Candidates without an answer are
 * passed through unscored (a later filter rejects them as noResponse).
 */
export async function rewardScore(cands: Candidate[], model: RewardModel, s: RewardSettings, signal?: AbortSignal): Promise<{ kept: Candidate[]; rejected: Candidate[]; ms: number }> {
  const scored = cands.filter((c) => c.output !== null);
  const t0 = performance.now();
  const scores = scored.length ? await model.score(scored.map((c) => ({ prompt: rewardPrompt(c), answer: c.output! })), signal) : [];
  const ms = performance.now() - t0;
  if (scores.length !== scored.length) throw Object.assign(new Error(`the reward model answered ${scores.length} scores for ${scored.length} answers`), { name: 'RewardResponseError' });
  const keeps = rewardKeeps(scores, s);
  const rejected = new Set<Candidate>();
  scored.forEach((c, i) => {
    c.notes.reward = { score: scores[i]!, api: model.api, model: model.model } satisfies RewardNote;
    if (!keeps[i]) rejected.add(c);
  });
  return { kept: cands.filter((c) => !rejected.has(c)), rejected: [...rejected], ms };
}
