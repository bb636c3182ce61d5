import type { AppDb } from '../db/db';
import { deleteRecipe, listRecipes, saveRecipe, type SavedRecipe } from '../db/recipesRepo';
import { PRESETS, RecipeSchema, validateRecipe, type Recipe, type RecipeProblem } from '../pipeline/recipe';

/** Saved recipes and the one being edited (a plain JSON draft, validated as it changes). */
export class RecipesState {
  #db: AppDb;
  saved = $state.raw<SavedRecipe[]>([]);
  /** The recipe being edited, with every default filled in so that the editor shows every parameter. */
  draft = $state<Recipe>(RecipeSchema.parse(PRESETS.evol4!));
  draftId = $state<string | null>(null);
  importProblems = $state.raw<RecipeProblem[]>([]);
  check = $derived(validateRecipe($state.snapshot(this.draft)));

  constructor(db: AppDb) {
    this.#db = db;
  }

  async load(): Promise<void> {
    this.saved = await listRecipes(this.#db);
  }

  usePreset(key: string): void {
    const p = PRESETS[key];
    if (!p) return;
    this.draft = RecipeSchema.parse(p);
    this.draftId = null;
    this.importProblems = [];
  }

  edit(r: SavedRecipe): void {
    const v = validateRecipe(r.recipe);
    this.draft = v.ok ? v.recipe : RecipeSchema.parse(PRESETS.evol4!);
    this.draftId = r.id;
    this.importProblems = [];
  }

  /** Saves the draft when it is valid; returns the saved row or null. */
  async save(): Promise<SavedRecipe | null> {
    const v = this.check;
    if (!v.ok) return null;
    const row = await saveRecipe(this.#db, v.recipe as unknown as Record<string, unknown>, this.draftId ?? undefined);
    this.draftId = row.id;
    await this.load();
    return row;
  }

  async remove(id: string): Promise<void> {
    await deleteRecipe(this.#db, id);
    if (this.draftId === id) this.draftId = null;
    await this.load();
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
    this.draftId = null;
    this.importProblems = [];
    return true;
  }
}
