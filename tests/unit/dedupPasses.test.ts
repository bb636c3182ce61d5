import { describe, expect, it } from 'vitest';
import { UnionFind } from '../../src/lib/dedup/clusters';
import { minhashPairs } from '../../src/lib/dedup/minhash';
import { cheapPasses, PASS } from '../../src/lib/dedup/passes';

// The Dedup step's first passes, before any embedding: exact copies, then near-copies by the
// Jaccard similarity of character 3-grams (MinHash-LSH).
describe('cheap dedup passes', () => {
  const texts = [
    '如何提高夜班护士的睡眠质量？请给出三条具体可行的建议，并说明每条建议的理由。', // 0 seed
    'Write a haiku about autumn rain.', // 1 seed
    'write a  HAIKU about autumn rain.', // 2: the seed's exact copy (case, spaces)
    '如何提高夜班护士的睡眠质量？请给出三条具体可行的建议，并说明每条建议的原因。', // 3: near-copy of the Chinese seed
    'Explain how vaccines train the immune system, step by step.', // 4
    'Explain how vaccines train the immune system step by step!', // 5: near-copy of 4
    'Explain how vaccines train the immune system, step by step.', // 6: exact copy of 4
    'Summarise the causes of the French Revolution in five bullet points.', // 7: unrelated
  ];
  const scores = Float64Array.from([NaN, NaN, 5, 5, 3, 4, 5, 2]);

  it('removes exact copies first, then near-copies, keeping the best-scored and never a seed', () => {
    const r = cheapPasses(texts, { scores, existingCount: 2, lexical: 0.8 });
    // 2 is the seed's copy; 4 and 6 are the same text: the better-scored 6 is kept.
    expect(r.pass[2]).toBe(PASS.exact);
    expect(r.duplicateOf[2]).toBe(1);
    expect(r.pass[4]).toBe(PASS.exact);
    expect(r.duplicateOf[4]).toBe(6);
    expect(r.similarity[4]).toBe(1);
    // 3 is a near-copy of seed 0 (Chinese works: characters, not words); 5 of 6 (6 scored higher).
    expect(r.pass[3]).toBe(PASS.lexical);
    expect(r.duplicateOf[3]).toBe(0);
    expect(r.similarity[3]).toBeGreaterThanOrEqual(0.8);
    expect(r.similarity[3]).toBeLessThan(1);
    expect(r.pass[5]).toBe(PASS.lexical);
    expect(r.duplicateOf[5]).toBe(6);
    // Seeds and the unrelated text stay, and go on to the semantic pass.
    expect(r.survivors).toEqual([0, 1, 6, 7]);
    expect(r.pass[0]).toBe(0);
    expect(r.pass[7]).toBe(0);
  });

  it('with the lexical pass off, only exact copies go', () => {
    const r = cheapPasses(texts, { scores, existingCount: 2, lexical: 0 });
    expect(Array.from(r.pass)).toEqual([0, 0, PASS.exact, 0, PASS.exact, 0, 0, 0]);
    expect(r.survivors).toEqual([0, 1, 3, 5, 6, 7]);
  });

  it('never compares two seeds with each other', () => {
    const r = cheapPasses(['Tell me a joke about cats.', 'Tell me a joke about cats!', 'tell me a joke about cats.'], { existingCount: 2, lexical: 0.5 });
    expect(r.pass[0]).toBe(0);
    expect(r.pass[1]).toBe(0);
    // The sample copies seed 0 exactly.
    expect(r.pass[2]).toBe(PASS.exact);
    expect(r.duplicateOf[2]).toBe(0);
  });
});

describe('bounded MinHash for templated sets', () => {
  const templated = (n: number) => Array.from({ length: n }, (_, i) => `Write a short poem about the ${['river', 'mountain', 'city', 'garden'][i % 4]} in spring, number ${i % 50}.`);
  const components = (n: number, pairs: { a: number; b: number }[]) => {
    const uf = new UnionFind(n);
    for (const p of pairs) uf.union(p.a, p.b);
    return Array.from({ length: n }, (_, i) => uf.find(i));
  };
  const sameGrouping = (x: number[], y: number[]) => {
    const m = new Map<number, number>();
    return x.every((r, i) => (m.has(r) ? m.get(r) === y[i] : (m.set(r, y[i]!), true))) && new Set(x).size === new Set(y).size;
  };

  it('forms the same clusters as comparing every bucket pair, with at most n - 1 pairs', () => {
    const texts = templated(400);
    const all = minhashPairs(texts, { threshold: 0.8, bands: 16 });
    const bounded = minhashPairs(texts, { threshold: 0.8, bands: 16, window: 16 });
    expect(all.length).toBeGreaterThan(1000);
    expect(bounded.length).toBeLessThan(400);
    expect(sameGrouping(components(400, all), components(400, bounded))).toBe(true);
  });

  it('finishes a 20,000-item templated set (every pair of its buckets would be ~10^8 comparisons)', () => {
    const pairs = minhashPairs(templated(20_000), { threshold: 0.8, bands: 16, window: 16 });
    expect(pairs.length).toBeLessThan(20_000);
    // 200 distinct texts (4 topics × 50 numbers), each repeated 100 times: at most 200 clusters remain.
    expect(new Set(components(20_000, pairs)).size).toBeLessThanOrEqual(200);
  });

  it('skips pairs among seeds', () => {
    const pairs = minhashPairs(['Tell me a joke about cats.', 'Tell me a joke about cats!', 'Tell me a joke about cats?'], { threshold: 0.5, window: 16, existingCount: 2 });
    expect(pairs.every((p) => p.b >= 2)).toBe(true);
    expect(pairs.length).toBeGreaterThan(0);
  });
});
