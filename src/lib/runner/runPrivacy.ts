import type { AppDb } from '../db/db';
import { getProjectSetting } from '../db/settingsRepo';
import type { ChunkRef } from '../documents/types';
import type { EngineRef } from '../engines/roles';
import type { LlmEngine } from '../engines/types';
import type { Recipe } from '../pipeline/recipe';
import type { SeedRef } from '../pipeline/run';
import { guardEngine, guardReward } from '../privacy/guard';
import type { RewardModel } from '../pipeline/operators/reward';
import { redactAll } from '../privacy/scan';
import { readPrivacy, type PrivacySettings } from '../privacy/settings';

/**
 * What a run does about personal data (recipe `privacy` + the project's privacy settings): the
 * guard around remote engines, and the run's own copy of seeds and chunks redacted when the recipe
 * says so (the library keeps its text; the prompts never see the values).
 */
export interface RunPrivacy {
  /** The engine as the run uses it: remote engines guarded unless the guard is off or the run allowed. */
  engine(engine: LlmEngine, ref: EngineRef): LlmEngine;
  /** The Reward step's model (always remote), guarded as remote engines are; a reason it is skipped passes through. */
  reward(reward: RewardModel | { skipped: string } | undefined): RewardModel | { skipped: string } | undefined;
  seeds(seeds: SeedRef[]): SeedRef[];
  chunks(chunks: ChunkRef[]): ChunkRef[];
}

/** Reads the project's privacy settings, then `privacyForRun`. */
export async function runPrivacy(db: AppDb, projectId: string, runId: string, recipe: Pick<Recipe, 'privacy'>): Promise<RunPrivacy> {
  return privacyForRun(readPrivacy(await getProjectSetting(db, projectId, 'privacy')), runId, recipe);
}

export function privacyForRun(settings: PrivacySettings, runId: string, recipe: Pick<Recipe, 'privacy'>): RunPrivacy {
  const p = recipe.privacy;
  const guard = p.guard && !settings.allowedRuns.includes(runId);
  return {
    // Only remote engines send anything off the device: wllama and WebLLM are never wrapped.
    engine: (engine, ref) => (guard && ref.kind === 'remote' ? guardEngine(engine, settings) : engine),
    reward: (reward) => (guard && reward && 'score' in reward ? guardReward(reward, settings) : reward),
    seeds: (seeds) =>
      p.redactInputs
        ? seeds.map((s) => {
            const r = redactAll({ instruction: s.instruction, input: s.input, output: s.output }, settings, p.mode).fields;
            return { ...s, instruction: r.instruction!, input: r.input!, output: r.output! };
          })
        : seeds,
    // A redacted chunk is no longer a slice of its document: its quotes are checked against the
    // redacted text, and its offsets into the document stay those of the original span.
    chunks: (chunks) => (p.redactInputs ? chunks.map((c) => ({ ...c, text: redactAll({ text: c.text }, settings, p.mode).fields.text! })) : chunks),
  };
}
