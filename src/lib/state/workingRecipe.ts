import type { SavedRecipe } from '../db/recipesRepo';
import { PRESETS, RecipeSchema, validateRecipe, type Recipe } from '../pipeline/recipe';

/**
 * The working recipe: what the editor holds, saved or not, kept per project so that a reload
 * restores it (issue 13: after a reload the editor was back at the default preset, with the same
 * name as the user's saved recipe and no seed limit, and Start would have run 175 seeds). Plain
 * functions here; RecipesState (recipes.svelte.ts) holds the state and writes it.
 */

/** Where the draft came from: the base it is compared with for "unsaved changes". */
export type RecipeSource = { kind: 'preset'; key: string } | { kind: 'saved'; id: string } | { kind: 'file'; name: string } | { kind: 'new' };

export interface WorkingRecipe {
  draft: Record<string, unknown>;
  source: RecipeSource;
  updatedAt: number;
}

/** JSON with object keys sorted and undefined left out: equal recipes give equal strings. */
export function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** A recipe with its defaults filled in when it parses; else as it is. */
function normal(x: unknown): unknown {
  const r = RecipeSchema.safeParse(x);
  return r.success ? r.data : x;
}

/** Whether two recipes are the same once defaults are filled in (key order and unset fields aside). */
export function sameRecipe(a: unknown, b: unknown): boolean {
  return canonical(normal(a)) === canonical(normal(b));
}

/** The recipe a source stands for (a preset, a saved recipe), or null when there is none to compare with. */
export function baseOf(source: RecipeSource, saved: readonly SavedRecipe[]): Recipe | null {
  if (source.kind === 'preset') {
    const p = PRESETS[source.key];
    return p ? RecipeSchema.parse(p) : null;
  }
  if (source.kind === 'saved') {
    const row = saved.find((r) => r.id === source.id);
    if (!row) return null;
    const v = validateRecipe(row.recipe);
    return v.ok ? v.recipe : (row.recipe as unknown as Recipe);
  }
  return null;
}

/** Whether the draft differs from its source: always for a file or a new recipe (neither is saved). */
export function hasUnsavedChanges(draft: unknown, source: RecipeSource, saved: readonly SavedRecipe[]): boolean {
  const base = baseOf(source, saved);
  return base === null || !sameRecipe(draft, base);
}

function isSource(x: unknown): x is RecipeSource {
  const s = x as Record<string, unknown> | null;
  if (!s || typeof s !== 'object') return false;
  if (s.kind === 'preset') return typeof s.key === 'string';
  if (s.kind === 'saved') return typeof s.id === 'string';
  if (s.kind === 'file') return typeof s.name === 'string';
  return s.kind === 'new';
}

/**
 * A stored working recipe, checked enough for the editor to show it: a draft with a list of steps
 * (it may be mid-edit and invalid: it is restored as the user left it, problems and all), and a
 * known source. A saved recipe deleted since becomes 'new'. Null when nothing usable is stored.
 */
export function restoreWorking(stored: unknown, saved: readonly SavedRecipe[]): { draft: Recipe; source: RecipeSource } | null {
  const w = stored as Partial<WorkingRecipe> | null | undefined;
  if (!w || typeof w !== 'object' || !w.draft || typeof w.draft !== 'object' || !Array.isArray((w.draft as { steps?: unknown }).steps)) return null;
  const steps = (w.draft as { steps: unknown[] }).steps;
  if (!steps.every((s) => s && typeof s === 'object' && typeof (s as { op?: unknown }).op === 'string')) return null;
  let source: RecipeSource = isSource(w.source) ? w.source : { kind: 'new' };
  if (source.kind === 'saved' && !saved.some((r) => r.id === (source as { id: string }).id)) source = { kind: 'new' };
  if (source.kind === 'preset' && !PRESETS[source.key]) source = { kind: 'new' };
  const v = RecipeSchema.safeParse(w.draft);
  return { draft: v.success ? v.data : (structuredClone(w.draft) as unknown as Recipe), source };
}

/**
 * Calls `save` with the latest value `ms` after the last change; `flush` saves at once (page hide,
 * a project switch). A failed save is reported through `onError` and the value stays pending, so
 * the next change or flush tries again.
 */
export class Debounced<T> {
  #save: (v: T) => Promise<void>;
  #ms: number;
  #onError: (e: unknown) => void;
  #pending: { value: T } | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> = Promise.resolve();

  constructor(save: (v: T) => Promise<void>, ms: number, onError: (e: unknown) => void = () => {}) {
    this.#save = save;
    this.#ms = ms;
    this.#onError = onError;
  }

  get pending(): boolean {
    return this.#pending !== null;
  }

  schedule(value: T): void {
    this.#pending = { value };
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), this.#ms);
  }

  /**
   * Forgets a pending value that `match` picks (its subject is being deleted: a late write would
   * re-create it) and resolves once any save in progress has ended.
   */
  drop(match: (v: T) => boolean): Promise<void> {
    if (this.#pending && match(this.#pending.value)) {
      this.#pending = null;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
    }
    return this.#running;
  }

  /** Saves the pending value now (after any save in progress); resolves when it is written. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const p = this.#pending;
    if (!p) return this.#running;
    this.#pending = null;
    this.#running = this.#running.then(() =>
      this.#save(p.value).catch((e: unknown) => {
        this.#pending ??= p;
        this.#onError(e);
      }),
    );
    return this.#running;
  }
}

/**
 * A synchronous copy for the moment the page goes away. An IndexedDB write started on `pagehide`
 * does not survive a reload that follows an edit at once (seen in Chromium: the edit was lost);
 * localStorage is written before the page unloads. The next open takes the copy when it is newer
 * than the stored working recipe.
 */
const STASH = 'seedforge.workingRecipe.';

export function stashWorking(projectId: string, value: WorkingRecipe): void {
  try {
    globalThis.localStorage?.setItem(STASH + projectId, JSON.stringify(value));
  } catch {
    // Storage full or blocked: the IndexedDB write started beside it is all there is.
  }
}

/** Removes the page-hide copy of a project's working recipe (the project is being deleted). */
export function dropStash(projectId: string): void {
  try {
    globalThis.localStorage?.removeItem(STASH + projectId);
  } catch {
    // Storage blocked: there is no copy to remove either.
  }
}

/** The newer of the stored working recipe and the page-hide copy; the copy is removed. */
export function takeStash(projectId: string, stored: unknown): unknown {
  let copy: WorkingRecipe | null = null;
  try {
    const raw = globalThis.localStorage?.getItem(STASH + projectId);
    if (raw) {
      globalThis.localStorage.removeItem(STASH + projectId);
      copy = JSON.parse(raw) as WorkingRecipe;
    }
  } catch {
    copy = null; // unreadable: the stored one stands
  }
  const at = (x: unknown) => (x && typeof x === 'object' && typeof (x as WorkingRecipe).updatedAt === 'number' ? (x as WorkingRecipe).updatedAt : 0);
  return copy && at(copy) > at(stored) ? copy : stored;
}
