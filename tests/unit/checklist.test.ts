import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GUIDE_STEPS, guideItems, guideVisible, nextStep, recipeChosen, type GuideFacts } from '../../src/ui/start/checklist';
import { sampleSeedFile } from '../../src/ui/start/sampleSeeds';
import { PRESETS, RecipeSchema } from '../../src/lib/pipeline/recipe';
import { detectLang } from '../../src/lib/text/language';

const none: GuideFacts = { seeds: 0, rolesAssigned: false, recipeChosen: false, runDone: false, reviewed: false, exported: false };
const done = (f: GuideFacts) => Object.fromEntries(guideItems(f).map((i) => [i.id, i.done]));

describe('getting-started checklist', () => {
  it('ticks nothing on a new project and points at the import first', () => {
    const items = guideItems(none);
    expect(items.map((i) => i.id)).toEqual([...GUIDE_STEPS]);
    expect(items.every((i) => !i.done)).toBe(true);
    expect(nextStep(items)).toBe('import');
    expect(items.map((i) => i.screen)).toEqual(['seeds', 'models', 'recipe', 'run', 'review', 'export']);
  });

  it('ticks each step from its own fact, in any order', () => {
    expect(done({ ...none, seeds: 1 })).toMatchObject({ import: true, model: false });
    expect(done({ ...none, rolesAssigned: true })).toMatchObject({ import: false, model: true });
    expect(done({ ...none, recipeChosen: true })).toMatchObject({ recipe: true, run: false });
    expect(done({ ...none, reviewed: true })).toMatchObject({ review: true, run: false });
    expect(done({ ...none, exported: true })).toMatchObject({ export: true, import: false });
    // A finished run used a recipe, even when the editor was reset to the default since.
    expect(done({ ...none, runDone: true })).toMatchObject({ recipe: true, run: true, review: false });
    expect(nextStep(guideItems({ ...none, seeds: 3, recipeChosen: true }))).toBe('model');
    const all = guideItems({ seeds: 3, rolesAssigned: true, recipeChosen: true, runDone: true, reviewed: true, exported: true });
    expect(nextStep(all)).toBeNull();
  });

  it('shows until done or hidden; the header opens it again even when done', () => {
    const open = guideItems({ ...none, seeds: 2 });
    const all = guideItems({ seeds: 3, rolesAssigned: true, recipeChosen: true, runDone: true, reviewed: true, exported: true });
    expect(guideVisible(undefined, open)).toBe(true);
    expect(guideVisible(undefined, all)).toBe(false);
    expect(guideVisible({ show: 'auto', exported: true }, all)).toBe(false);
    expect(guideVisible({ show: 'hidden', exported: false }, open)).toBe(false);
    expect(guideVisible({ show: 'shown', exported: true }, all)).toBe(true);
  });

  it('counts a recipe as chosen when it is saved or differs from the fresh editor', () => {
    const fresh = RecipeSchema.parse(PRESETS.evol4!);
    expect(recipeChosen(RecipeSchema.parse(PRESETS.evol4!), null, fresh)).toBe(false);
    expect(recipeChosen({ ...fresh, maxSeeds: 10 }, null, fresh)).toBe(true);
    expect(recipeChosen(fresh, 'saved-1', fresh)).toBe(true);
    const other = Object.keys(PRESETS).find((k) => k !== 'evol4')!;
    expect(recipeChosen(RecipeSchema.parse(PRESETS[other]!), null, fresh)).toBe(true);
  });
});

describe('sample seed files', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`public/samples/seeds-${lang}.jsonl is Self-Instruct JSONL in ${lang}, 10–15 varied seeds, some with inputs`, () => {
      const rows = readFileSync(`public/samples/seeds-${lang}.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; instruction: string; instances: { input: string; output: string }[] });
      expect(rows.length).toBeGreaterThanOrEqual(10);
      expect(rows.length).toBeLessThanOrEqual(15);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.instruction)).size).toBe(rows.length);
      for (const r of rows) {
        expect(r.instruction.trim()).not.toBe('');
        expect(r.instances.length).toBeGreaterThan(0);
        expect(r.instances[0]!.output.trim()).not.toBe('');
        expect(detectLang(r.instruction)).toBe(lang);
      }
      const withInput = rows.filter((r) => r.instances[0]!.input.trim()).length;
      expect(withInput).toBeGreaterThanOrEqual(3);
      expect(withInput).toBeLessThan(rows.length);
    });
  }

  it('fetches a sample file relative to the page and names the HTTP status when it is missing', async () => {
    const seen: string[] = [];
    const ok = (async (u: URL) => (seen.push(String(u)), new Response('{"instruction":"x","instances":[]}\n'))) as unknown as typeof fetch;
    const file = await sampleSeedFile('zh', 'https://host/app/index.html#/seeds', ok);
    expect(seen).toEqual(['https://host/app/samples/seeds-zh.jsonl']);
    expect(file.name).toBe('seeds-zh.jsonl');
    expect(await file.text()).toContain('instruction');
    const missing = (async () => new Response('', { status: 404 })) as unknown as typeof fetch;
    await expect(sampleSeedFile('en', 'https://host/', missing)).rejects.toThrow('/samples/seeds-en.jsonl: HTTP 404');
  });
});
