import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SavedRecipe } from '../../src/lib/db/recipesRepo';
import { PRESETS, RecipeSchema } from '../../src/lib/pipeline/recipe';
import { canonical, Debounced, hasUnsavedChanges, restoreWorking, sameRecipe, stashWorking, takeStash } from '../../src/lib/state/workingRecipe';

const evol4 = () => RecipeSchema.parse(PRESETS.evol4!);
const savedRow = (id: string, recipe: Record<string, unknown>): SavedRecipe => ({ id, name: String(recipe.name), recipe, createdAt: 1, updatedAt: 1 });

describe('which recipe is loaded, and whether it has unsaved changes', () => {
  it('compares recipes by content: key order, unset fields and filled-in defaults do not count', () => {
    expect(canonical({ b: 1, a: { d: undefined, c: [2, { z: 1, y: 2 }] } })).toBe('{"a":{"c":[2,{"y":2,"z":1}]},"b":1}');
    const edited = evol4();
    edited.maxSeeds = 10; // appended last, where a parsed recipe has it in schema order
    expect(sameRecipe(edited, { ...PRESETS.evol4!, maxSeeds: 10 })).toBe(true);
    expect(sameRecipe(evol4(), PRESETS.evol4)).toBe(true);
    expect(sameRecipe(edited, evol4())).toBe(false);
    edited.maxSeeds = undefined; // the field cleared again
    expect(sameRecipe(edited, evol4())).toBe(true);
  });

  it('a preset or a saved recipe is unsaved once edited; a file or a new recipe always is', () => {
    const d = evol4();
    expect(hasUnsavedChanges(d, { kind: 'preset', key: 'evol4' }, [])).toBe(false);
    expect(hasUnsavedChanges(d, { kind: 'preset', key: 'bestOfN' }, [])).toBe(true);
    d.steps[0] = { ...d.steps[0]!, rounds: 2 } as never;
    expect(hasUnsavedChanges(d, { kind: 'preset', key: 'evol4' }, [])).toBe(true);
    const rows = [savedRow('r1', JSON.parse(JSON.stringify(d)))];
    expect(hasUnsavedChanges(d, { kind: 'saved', id: 'r1' }, rows)).toBe(false);
    d.name = 'Mine';
    expect(hasUnsavedChanges(d, { kind: 'saved', id: 'r1' }, rows)).toBe(true);
    expect(hasUnsavedChanges(d, { kind: 'saved', id: 'gone' }, rows)).toBe(true);
    expect(hasUnsavedChanges(d, { kind: 'file', name: 'x.recipe.json' }, rows)).toBe(true);
    expect(hasUnsavedChanges(d, { kind: 'new' }, rows)).toBe(true);
  });
});

describe('restoring the working recipe', () => {
  it('restores the draft with its seed limit and source, defaults filled in', () => {
    const draft = { ...PRESETS.evol4!, name: 'Evol, 10 seeds', maxSeeds: 10 };
    const w = restoreWorking({ draft, source: { kind: 'preset', key: 'evol4' }, updatedAt: 1 }, []);
    expect(w?.source).toEqual({ kind: 'preset', key: 'evol4' });
    expect(w?.draft).toMatchObject({ name: 'Evol, 10 seeds', maxSeeds: 10, constrained: true });
    expect(w?.draft.steps[0]).toMatchObject({ op: 'evolve', rounds: 4, eliminate: true });
  });

  it('keeps a draft that is mid-edit and invalid as the user left it', () => {
    const draft = { ...evol4(), name: '' };
    const w = restoreWorking({ draft, source: { kind: 'saved', id: 'r1' } }, [savedRow('r1', evol4())]);
    expect(w?.draft.name).toBe('');
    expect(w?.source).toEqual({ kind: 'saved', id: 'r1' });
  });

  it('a source that no longer exists becomes a new recipe; nothing usable gives null', () => {
    const draft = evol4();
    expect(restoreWorking({ draft, source: { kind: 'saved', id: 'deleted' } }, [])?.source).toEqual({ kind: 'new' });
    expect(restoreWorking({ draft, source: { kind: 'preset', key: 'nope' } }, [])?.source).toEqual({ kind: 'new' });
    expect(restoreWorking({ draft, source: 'junk' }, [])?.source).toEqual({ kind: 'new' });
    for (const bad of [undefined, null, 3, {}, { draft: {} }, { draft: { steps: 'x' } }, { draft: { steps: [1] } }]) expect(restoreWorking(bad, [])).toBeNull();
  });
});

describe('Debounced', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the latest value once after the pause, and at once on flush', async () => {
    vi.useFakeTimers();
    const written: number[] = [];
    const d = new Debounced<number>(async (v) => void written.push(v), 300);
    d.schedule(1);
    d.schedule(2);
    await vi.advanceTimersByTimeAsync(299);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([2]);
    d.schedule(3);
    expect(d.pending).toBe(true);
    await d.flush();
    expect(written).toEqual([2, 3]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(written).toEqual([2, 3]); // the flush cancelled the timer: no second write
    await d.flush(); // nothing pending: nothing written
    expect(written).toEqual([2, 3]);
  });

  it('keeps a value whose write failed and writes it on the next flush', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const written: string[] = [];
    const d = new Debounced<string>(
      async (v) => {
        if (fail) throw Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
        written.push(v);
      },
      10_000,
      (e) => errors.push(e),
    );
    d.schedule('a');
    await d.flush();
    expect((errors[0] as Error).name).toBe('QuotaExceededError');
    expect(d.pending).toBe(true);
    fail = false;
    await d.flush();
    expect(written).toEqual(['a']);
    expect(d.pending).toBe(false);
  });
});

describe('the copy written as the page hides', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is taken when newer than the stored working recipe, ignored when older, and removed either way', () => {
    const items = new Map<string, string>();
    vi.stubGlobal('localStorage', { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) });
    const stored = { draft: evol4(), source: { kind: 'preset', key: 'evol4' }, updatedAt: 100 };
    const edited = { draft: { ...evol4(), maxSeeds: 10 }, source: { kind: 'preset' as const, key: 'evol4' }, updatedAt: 200 };
    stashWorking('p1', edited);
    expect(takeStash('p2', stored)).toBe(stored); // another project's copy is not this one's
    expect(takeStash('p1', stored)).toEqual(edited);
    expect(items.size).toBe(0);
    stashWorking('p1', { ...edited, updatedAt: 50 });
    expect(takeStash('p1', stored)).toBe(stored);
    expect(takeStash('p1', undefined)).toBeUndefined();
    stashWorking('p1', edited);
    expect(restoreWorking(takeStash('p1', undefined), [])?.draft.maxSeeds).toBe(10);
    items.set('seedforge.workingRecipe.p1', '{not json');
    expect(takeStash('p1', stored)).toBe(stored);
  });
});
