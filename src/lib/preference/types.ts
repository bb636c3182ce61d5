import type { ChatTurn, SampleStatus } from '../db/types';

// T2 (builder, store, export) extended this type additively: `decidedAt` (a person's decision,
// kept when pairs are built again). New pairs are stored 'accepted' (like samples that pass the
// pipeline); the Review tab rejects or accepts them by hand (pairsRepo.setPairsStatus).

/**
 * Where a preference pair comes from (METHODS.md, preference data):
 * - `bestOfN`: two of one instruction's N judged answers (the best against the worst, or every
 *   pair whose score gap reaches the margin);
 * - `critique`: a critique-revise revision against the original, when the revision scores higher;
 * - `edit`: a human edit of an answer against the model's text it replaced;
 * - `judge`: an accepted against a rejected answer to the same instruction;
 * - `turn`: the last assistant turn of a multi-turn conversation, chosen against a rejected one.
 */
export type PairSource = 'bestOfN' | 'critique' | 'edit' | 'judge' | 'turn';

/** The prompt both sides answer: single-turn (instruction + input) or the conversation before the answer. */
export interface PairPrompt {
  system: string;
  instruction: string;
  input: string;
  /** Multi-turn: the turns before the answer (the last is the user's); absent for single-turn. */
  turns?: ChatTurn[];
}

export interface PairSide {
  text: string;
  /** The judge's (or reward model's) score of this side, where one was given. */
  score: number | null;
  /** The sample this side is (or came from): lineage back to the run. */
  sampleId: string | null;
  /** The model's reasoning that preceded this answer, where the call returned one. */
  reasoning?: string;
}

/**
 * One preference pair, stored in the `pairs` table (Dexie version 9). The id is deterministic
 * (built from the run, the source and both sides' origin), so building pairs twice stores each once.
 */
export interface PreferencePair {
  id: string;
  projectId: string;
  runId: string | null;
  /** The sample whose prompt this pair answers (the one the Review drawer opens). */
  sampleId: string;
  source: PairSource;
  prompt: PairPrompt;
  chosen: PairSide;
  rejected: PairSide;
  /** chosen.score - rejected.score where both are known, else null. */
  gap: number | null;
  /** Why this side was chosen, in English, plain text (e.g. "best of 4: score 9 against 3"). */
  reason: string;
  status: SampleStatus;
  /** When a person last accepted or rejected it; absent: the builder's status. Building again keeps a decided status. */
  decidedAt?: number;
  createdAt: number;
  updatedAt: number;
}
