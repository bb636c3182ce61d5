import type { AppDb } from './db';
import { newId } from './db';

/** A recipe the user saved (stored as validated JSON). The only writer of the recipes table. */
export interface SavedRecipe {
  id: string;
  name: string;
  recipe: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export async function listRecipes(db: AppDb): Promise<SavedRecipe[]> {
  return db.recipes.orderBy('updatedAt').reverse().toArray();
}

export async function saveRecipe(db: AppDb, recipe: Record<string, unknown>, id?: string): Promise<SavedRecipe> {
  const now = Date.now();
  const old = id ? await db.recipes.get(id) : undefined;
  const row: SavedRecipe = { id: old?.id ?? newId(), name: String(recipe.name ?? ''), recipe, createdAt: old?.createdAt ?? now, updatedAt: now };
  await db.recipes.put(row);
  return row;
}

export async function deleteRecipe(db: AppDb, id: string): Promise<void> {
  await db.recipes.delete(id);
}

/** Puts a deleted recipe back as it was (Undo after a delete). */
export async function restoreRecipe(db: AppDb, row: SavedRecipe): Promise<void> {
  await db.recipes.put(row);
}
