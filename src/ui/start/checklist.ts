import type { ProjectGuide } from '../../lib/db/types';
import type { Screen } from '../../lib/state/router.svelte';

/**
 * The getting-started checklist: six steps from an empty project to an exported dataset, each
 * ticked from what is stored (never from a click on the checklist itself). Pure: the screen
 * gathers the facts, this decides.
 */
export const GUIDE_STEPS = ['import', 'model', 'recipe', 'run', 'review', 'export'] as const;
export type GuideStep = (typeof GUIDE_STEPS)[number];

/** Where each step is done. */
export const STEP_SCREEN: Record<GuideStep, Screen> = {
  import: 'seeds',
  model: 'models',
  recipe: 'recipe',
  run: 'run',
  review: 'review',
  export: 'export',
};

/** What the app knows about the project, read from its stores. */
export interface GuideFacts {
  /** Seeds in the project. */
  seeds: number;
  /** Every role (generator, responder, judge) has a model: a run can start. */
  rolesAssigned: boolean;
  /** A recipe was chosen or edited (see `recipeChosen`). */
  recipeChosen: boolean;
  /** A run of the project finished. */
  runDone: boolean;
  /** A person accepted, rejected or edited a sample (`lineage.human`). */
  reviewed: boolean;
  /** An export of the project finished (stored on the project: nothing else records it). */
  exported: boolean;
}

export interface GuideItem {
  id: GuideStep;
  done: boolean;
  screen: Screen;
}

export function guideItems(f: GuideFacts): GuideItem[] {
  const done: Record<GuideStep, boolean> = {
    import: f.seeds > 0,
    model: f.rolesAssigned,
    // A finished run used a recipe, whatever the editor shows now.
    recipe: f.recipeChosen || f.runDone,
    run: f.runDone,
    review: f.reviewed,
    export: f.exported,
  };
  return GUIDE_STEPS.map((id) => ({ id, done: done[id], screen: STEP_SCREEN[id] }));
}

/** The first step not done yet (the one to do next), or null when all are. */
export function nextStep(items: GuideItem[]): GuideStep | null {
  return items.find((i) => !i.done)?.id ?? null;
}

/**
 * Whether the checklist shows: until every step is done, unless dismissed; always when opened
 * again from the header.
 */
export function guideVisible(guide: ProjectGuide | undefined, items: GuideItem[]): boolean {
  const show = guide?.show ?? 'auto';
  if (show === 'shown') return true;
  if (show === 'hidden') return false;
  return items.some((i) => !i.done);
}

/**
 * A recipe counts as chosen when the editor holds a saved recipe, or anything other than the
 * preset a fresh editor starts with (another preset, an edit, an imported file).
 */
export function recipeChosen(draft: unknown, savedId: string | null, fresh: unknown): boolean {
  return savedId !== null || JSON.stringify(draft) !== JSON.stringify(fresh);
}
