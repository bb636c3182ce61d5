import { describe, expect, it } from 'vitest';
import { createProject, deleteProject } from '../../src/lib/db/projectsRepo';
import { getProjectSetting } from '../../src/lib/db/settingsRepo';
import { ProjectsState } from '../../src/lib/state/projects.svelte';
import { RecipesState } from '../../src/lib/state/recipes.svelte';
import { stashWorking } from '../../src/lib/state/workingRecipe';
import { freshDb } from './freshDb';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the working recipe in real IndexedDB', () => {
  it('is kept per project and restored by a new app state (a reload), seed limit and source included', async () => {
    const db = await freshDb('working');
    const a = await createProject(db, 'A');
    const b = await createProject(db, 'B');
    const first = new RecipesState(db);
    await first.loadWorking(a.id);
    expect(first.source).toEqual({ kind: 'preset', key: 'evol4' });
    expect(first.unsaved).toBe(false);
    first.draft.maxSeeds = 10;
    await tick(); // the effect hands the edit to the saver
    expect(first.unsaved).toBe(true);
    // Switching project writes A's edit first, then reads B's (none: the default preset).
    await first.loadWorking(b.id);
    expect(first.draft.maxSeeds).toBeUndefined();
    first.usePreset('answerJudge');
    await tick();
    await first.flush();
    first.dispose();

    const again = new RecipesState(db);
    await again.loadWorking(a.id);
    expect(again.draft).toMatchObject({ name: 'Evol-Instruct, 4 rounds', maxSeeds: 10 });
    expect(again.source).toEqual({ kind: 'preset', key: 'evol4' });
    expect(again.unsaved).toBe(true);
    await again.loadWorking(b.id);
    expect(again.source).toEqual({ kind: 'preset', key: 'answerJudge' });
    expect(again.unsaved).toBe(false);

    // Saved, it is that saved recipe; deleted with undo, it comes back as the source.
    again.draft.name = 'Mine';
    const row = await again.save();
    expect(again.source).toEqual({ kind: 'saved', id: row!.id });
    expect(again.unsaved).toBe(false);
    const undo = await again.remove(row!.id);
    expect(again.saved).toEqual([]);
    expect(again.source).toEqual({ kind: 'new' });
    await undo();
    expect(again.saved.map((r) => r.name)).toEqual(['Mine']);
    expect(again.source).toEqual({ kind: 'saved', id: row!.id });
    await tick();
    await again.flush();
    again.dispose();

    // Deleting a project deletes its working recipe.
    expect(await getProjectSetting(db, b.id, 'workingRecipe')).toMatchObject({ source: { kind: 'saved', id: row!.id } });
    await deleteProject(db, b.id);
    expect(await getProjectSetting(db, b.id, 'workingRecipe')).toBeUndefined();
    expect(await getProjectSetting(db, a.id, 'workingRecipe')).toMatchObject({ draft: { maxSeeds: 10 } });
  });

  it('deleting a project drops its pending save and its page-hide copy: nothing re-creates them after the delete', async () => {
    const db = await freshDb('working-delete');
    const projects = new ProjectsState(db);
    await projects.load('First');
    const a = await createProject(db, 'A');
    const recipes = new RecipesState(db);
    projects.beforeRemove = (id) => recipes.forget(id);
    await recipes.loadWorking(a.id);
    recipes.draft.maxSeeds = 7;
    await tick(); // the edit is pending in the 300 ms saver
    stashWorking(a.id, { draft: { steps: [] }, source: { kind: 'new' }, updatedAt: Date.now() });
    expect(localStorage.getItem(`seedforge.workingRecipe.${a.id}`)).not.toBeNull();
    await projects.remove(a.id, 'First');
    recipes.draft.maxSeeds = 8; // an edit after the delete is not written for the deleted project either
    await new Promise((r) => setTimeout(r, 500));
    await recipes.flush();
    expect(await getProjectSetting(db, a.id, 'workingRecipe')).toBeUndefined();
    expect(localStorage.getItem(`seedforge.workingRecipe.${a.id}`)).toBeNull();
    recipes.dispose();
  });
});
