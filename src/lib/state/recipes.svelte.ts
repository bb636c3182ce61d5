import type { AppDb } from '../db/db';
import { deleteRecipe, listRecipes, restoreRecipe, saveRecipe, type SavedRecipe } from '../db/recipesRepo';
import { getProjectSetting, setProjectSetting } from '../db/settingsRepo';
import { PRESETS, RecipeSchema, validateRecipe, type Recipe, type RecipeProblem } from '../pipeline/recipe';
import { Debounced, dropStash, hasUnsavedChanges, restoreWorking, stashWorking, takeStash, type RecipeSource, type WorkingRecipe } from './workingRecipe';

/** How long after the last edit the working recipe is written (a page hide writes it at once). */
const SAVE_MS = 300;

/**
 * Saved recipes and the one being edited (a plain JSON draft, validated as it changes). The draft
 * and where it came from are the project's working recipe: written a moment after each edit, at
 * once when the page is hidden or the project changes, and restored when the project opens.
 */
export class RecipesState {
  #db: AppDb;
  saved = $state.raw<SavedRecipe[]>([]);
  /** The recipe being edited, with every default filled in so that the editor shows every parameter. */
  draft = $state<Recipe>(RecipeSchema.parse(PRESETS.evol4!));
  /** Where the draft came from: a preset, a saved recipe, a file, or new. */
  source = $state.raw<RecipeSource>({ kind: 'preset', key: 'evol4' });
  importProblems = $state.raw<RecipeProblem[]>([]);
  check = $derived(validateRecipe($state.snapshot(this.draft)));
  /** The draft differs from the preset or saved recipe it came from (a file or a new recipe is never saved). */
  unsaved = $derived(hasUnsavedChanges($state.snapshot(this.draft), this.source, this.saved));
  /** The failure of the last write of the working recipe, if it failed (a full disk). */
  persistError = $state.raw<{ name: string; message: string } | null>(null);
  /** The project whose working recipe the draft is; null while it is being read (nothing is written then). */
  #projectId: string | null = null;
  #loading: { projectId: string; done: Promise<void> } | null = null;
  /** The last working recipe handed to the saver, for the synchronous copy on page hide. */
  #latest: { projectId: string; value: WorkingRecipe } | null = null;
  #saver = new Debounced<{ projectId: string; value: WorkingRecipe }>(
    async ({ projectId, value }) => {
      await setProjectSetting(this.#db, projectId, 'workingRecipe', value);
      this.persistError = null;
    },
    SAVE_MS,
    (e) => (this.persistError = { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) }),
  );
  dispose: () => void;

  constructor(db: AppDb) {
    this.#db = db;
    const stopEffects = $effect.root(() => {
      $effect(() => {
        const value: WorkingRecipe = { draft: $state.snapshot(this.draft) as unknown as Record<string, unknown>, source: this.source, updatedAt: Date.now() };
        if (!this.#projectId) return;
        this.#latest = { projectId: this.#projectId, value };
        this.#saver.schedule(this.#latest);
      });
    });
    // A reload right after an edit: the pending edit is copied synchronously as the page hides
    // (an IndexedDB write started then may not finish) and written to IndexedDB as well.
    const flush = () => {
      if (this.#latest) stashWorking(this.#latest.projectId, this.#latest.value);
      void this.#saver.flush();
    };
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', flush);
      document.addEventListener('visibilitychange', onVisibility);
    }
    this.dispose = () => {
      stopEffects();
      if (typeof window !== 'undefined') {
        window.removeEventListener('pagehide', flush);
        document.removeEventListener('visibilitychange', onVisibility);
      }
    };
  }

  /** The saved recipe's id when the draft came from one (Save then updates it). */
  get draftId(): string | null {
    return this.source.kind === 'saved' ? this.source.id : null;
  }

  async load(): Promise<void> {
    this.saved = await listRecipes(this.#db);
  }

  /**
   * Makes the draft the project's working recipe: writes the previous project's first, then reads
   * this one's (the default preset when it has none). Calling it again for the same project waits
   * for the same read.
   */
  loadWorking(projectId: string): Promise<void> {
    if (this.#loading?.projectId === projectId) return this.#loading.done;
    const done = (async () => {
      this.#projectId = null;
      await this.#saver.flush();
      const [stored, saved] = await Promise.all([getProjectSetting(this.#db, projectId, 'workingRecipe'), listRecipes(this.#db)]);
      if (this.#loading?.projectId !== projectId) return; // another project was opened meanwhile
      this.saved = saved;
      const w = restoreWorking(takeStash(projectId, stored), saved);
      this.draft = w?.draft ?? RecipeSchema.parse(PRESETS.evol4!);
      this.source = w?.source ?? { kind: 'preset', key: 'evol4' };
      this.importProblems = [];
      this.#projectId = projectId;
    })();
    this.#loading = { projectId, done };
    return done;
  }

  /**
   * Before a project is deleted: its pending working recipe is dropped and any write in progress
   * awaited (a debounced save landing after the delete re-created `workingRecipe:<id>`), the draft
   * stops being written for it, and its page-hide copy in localStorage is removed.
   */
  async forget(projectId: string): Promise<void> {
    if (this.#projectId === projectId) this.#projectId = null;
    if (this.#latest?.projectId === projectId) this.#latest = null;
    await this.#saver.drop((v) => v.projectId === projectId);
    dropStash(projectId);
  }

  /** Writes the working recipe now if an edit is waiting (tests, and before leaving the page). */
  flush(): Promise<void> {
    return this.#saver.flush();
  }

  usePreset(key: string): void {
    const p = PRESETS[key];
    if (!p) return;
    this.draft = RecipeSchema.parse(p);
    this.source = { kind: 'preset', key };
    this.importProblems = [];
  }

  edit(r: SavedRecipe): void {
    const v = validateRecipe(r.recipe);
    this.draft = v.ok ? v.recipe : RecipeSchema.parse(PRESETS.evol4!);
    this.source = { kind: 'saved', id: r.id };
    this.importProblems = [];
  }

  /** Saves the draft when it is valid; returns the saved row or null. */
  async save(): Promise<SavedRecipe | null> {
    const v = this.check;
    if (!v.ok) return null;
    const row = await saveRecipe(this.#db, v.recipe as unknown as Record<string, unknown>, this.draftId ?? undefined);
    await this.load();
    this.source = { kind: 'saved', id: row.id };
    return row;
  }

  /** Deletes a saved recipe; returns an undo that puts it back (and makes it the draft's source again). */
  async remove(id: string): Promise<() => Promise<void>> {
    const row = this.saved.find((r) => r.id === id) ?? null;
    await deleteRecipe(this.#db, id);
    const wasSource = this.draftId === id;
    if (wasSource) this.source = { kind: 'new' };
    await this.load();
    return async () => {
      if (!row) return;
      await restoreRecipe(this.#db, row);
      await this.load();
      if (wasSource && this.source.kind === 'new') this.source = { kind: 'saved', id };
    };
  }

  /** The draft as a file to share (validated recipe with defaults filled in). */
  exportBlob(): Blob | null {
    const v = this.check;
    return v.ok ? new Blob([JSON.stringify(v.recipe, null, 2) + '\n'], { type: 'application/json' }) : null;
  }

  /** Reads a recipe file into the draft; on a bad file lists every problem and keeps the draft. */
  async importFile(file: File): Promise<boolean> {
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch (e) {
      this.importProblems = [{ path: file.name, message: (e as Error).message }];
      return false;
    }
    const v = validateRecipe(json);
    if (!v.ok) {
      this.importProblems = v.problems.map((p) => ({ ...p, path: `${file.name}: ${p.path}` }));
      return false;
    }
    this.draft = v.recipe;
    this.source = { kind: 'file', name: file.name };
    this.importProblems = [];
    return true;
  }
}
