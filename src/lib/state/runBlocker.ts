import { ROLES, type EngineRef, type Role } from '../engines/roles';
import type { MagpieBlock } from '../engines/rawCompletion';

/** What keeps Start disabled, as the message key the Run screen shows (null: nothing). */
export type RunBlocker =
  | 'run.noRecipe'
  | 'run.noSeeds'
  | 'run.noChunks'
  | 'run.noRoles'
  | 'run.modelMissing'
  | 'run.ggufStoreUnreadable'
  | 'run.busy'
  | 'safety.run.otherTab'
  | 'magpie.blocked.noRawCompletion';

export interface RunBlockerInput {
  otherTab: boolean;
  busy: boolean;
  /** The recipe's first operation, or null without a recipe. */
  firstOp: string | null;
  seedCount: number;
  /** Chunks the project's documents offer (not excluded): the tasks of a recipe that starts with Questions. */
  chunkCount?: number;
  roles: Record<Role, EngineRef | null>;
  /** How many roles point at a model that is missing here. */
  missingCount: number;
  /** Whether the GGUF store could not be read (then a GGUF role's file cannot be checked). */
  ggufStoreUnreadable: boolean;
  /** A Magpie recipe's generator cannot complete raw text (pipeline/magpie.ts magpieBlockOf); absent: no block. */
  magpieBlock?: MagpieBlock | null;
}

/** The first reason Start must stay disabled (pure: RunsState.blocker feeds it the app's state). */
export function runBlocker(s: RunBlockerInput): RunBlocker | null {
  if (s.otherTab) return 'safety.run.otherTab';
  if (s.busy) return 'run.busy';
  if (s.firstOp === null) return 'run.noRecipe';
  if (s.firstOp === 'questions') {
    if (!s.chunkCount) return 'run.noChunks';
  } else if (s.firstOp !== 'selfInstruct' && s.firstOp !== 'magpie' && s.seedCount === 0) return 'run.noSeeds';
  if (ROLES.some((r) => !s.roles[r])) return 'run.noRoles';
  if (s.firstOp === 'magpie' && s.magpieBlock === 'noRawCompletion') return 'magpie.blocked.noRawCompletion';
  // A role whose model is gone (file deleted or evicted, endpoint removed) would fail mid-run.
  if (s.missingCount) return 'run.modelMissing';
  // Review of issue 13: with the store unreadable, `missing` cannot say whether a GGUF role's file
  // is there, and Start stayed enabled for a run that would fail on its first call.
  if (s.ggufStoreUnreadable && ROLES.some((r) => s.roles[r]?.kind === 'wllama')) return 'run.ggufStoreUnreadable';
  return null;
}
