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
