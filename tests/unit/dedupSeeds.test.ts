import { DEFAULT_EMBEDDING_MODEL, findEmbeddingModel } from '../../src/lib/embed/models';
import { describe, expect, it } from 'vitest';
import { seedsToCompare } from '../../src/lib/runner/dedupPhase';

describe('which seeds the dedup compares with', () => {
  it('leaves out a seed that a sample answers as is, keeps the others', () => {
    const seeds = [
      { id: 's1', instruction: 'Explain tides.', input: '' },
      { id: 's2', instruction: 'Define entropy.', input: '' },
      { id: 's3', instruction: 'Name three primes.', input: 'small ones' },
    ];
    const samples = [
      { seedId: 's1', instruction: 'Explain tides. ', input: '' }, // an answer to s1 (Answer + judge)
      { seedId: 's2', instruction: 'Define entropy in information theory, with an example.', input: '' }, // evolved from s2
      { seedId: 's1', instruction: 'Name three primes.', input: 'small ones' }, // same text as s3, but from s1
      { seedId: null, instruction: 'Define entropy.', input: '' }, // Self-Instruct copy of s2: no seedId
    ];
    expect(seedsToCompare(seeds, samples).map((s) => s.id)).toEqual(['s2', 's3']);
  });
});

describe('the Dedup step and panel method', () => {
  it("'auto' compares every pair up to 100,000 items and searches approximately above", async () => {
    const { dedupMethodFor, APPROXIMATE_ABOVE } = await import('../../src/lib/runner/dedupPhase');
    expect(APPROXIMATE_ABOVE).toBe(100_000);
    expect(dedupMethodFor('auto', 100_000)).toBe('exact');
    expect(dedupMethodFor('auto', 100_001)).toBe('approximate');
    expect(dedupMethodFor('exact', 1_000_000)).toBe('exact');
    expect(dedupMethodFor('approximate', 10)).toBe('approximate');
  });

  it("is a recipe field that defaults to 'auto' and refuses anything else", async () => {
    const { validateRecipe } = await import('../../src/lib/pipeline/recipe');
    const ok = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'respond' }, { op: 'dedup' }] });
    expect(ok.ok && ok.recipe.steps[1]).toMatchObject({ op: 'dedup', method: 'auto' });
    // The default threshold is the default model's own calibrated one, not a number for every model.
    const own = findEmbeddingModel(DEFAULT_EMBEDDING_MODEL)!;
    expect(own.thresholdOrigin.calibrated).toBe(true);
    expect(ok.ok && ok.recipe.steps[1]).toMatchObject({ model: DEFAULT_EMBEDDING_MODEL, threshold: own.threshold });
    const bad = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'respond' }, { op: 'dedup', method: 'fast' }] });
    expect(bad.ok).toBe(false);
  });
});
