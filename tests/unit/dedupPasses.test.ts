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

  it('marks only direct near-copies of the kept item; one linked through a chain goes on to the semantic pass', () => {
    // Jaccard: K~A 0.84, A~B 0.89, K~B 0.74 (below 0.8).
    const K = 'Describe the water cycle for a class of young pupils today.';
    const A = 'Describe the water cycle for a class of young pupils twice.';
    const B = 'Describe the winter cycle for a class of young pupils twice.';
    const r = cheapPasses([K, A, B], { scores: [5, 3, 2], lexical: 0.8 });
    expect(r.pass[1]).toBe(PASS.lexical);
    expect(r.duplicateOf[1]).toBe(0);
    expect(r.pass[2]).toBe(0);
    expect(r.survivors).toEqual([0, 2]);
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

  it('here forms the same clusters as comparing every bucket pair, with at most n - 1 pairs', () => {
    const texts = templated(400);
    const all = minhashPairs(texts, { threshold: 0.8, bands: 16 });
    const bounded = minhashPairs(texts, { threshold: 0.8, bands: 16, window: 16 });
    expect(all.length).toBeGreaterThan(1000);
    expect(bounded.length).toBeLessThan(400);
    // The four topics: "number 1" and "number 5" of a topic are near-copies, and chain the rest.
    expect(new Set(components(400, all)).size).toBe(4);
    expect(sameGrouping(components(400, all), components(400, bounded))).toBe(true);
  });

  // Heavy CPU work (seconds here, more on a loaded two-core machine): a generous timeout, no time asserted.
  it('can leave finer clusters than every pair when a bucket outgrows the window (the near-copies it misses meet the semantic pass)', () => {
    // 1,000 texts: one 160-character template + three random 6-letter words, pairwise Jaccard
    // around 0.8: chained, every pair joins them all; the window misses some of the links.
    let s = 7;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const word = () => Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
    const base = 'Please write a detailed, friendly explanation of how photosynthesis works in green plants, with an everyday example, for a curious reader who has never studied biology before: '.slice(0, 160);
    const texts = Array.from({ length: 1000 }, () => base + [word(), word(), word()].join(' '));
    const all = new Set(components(1000, minhashPairs(texts, { threshold: 0.8, bands: 16 }))).size;
    const bounded = new Set(components(1000, minhashPairs(texts, { threshold: 0.8, bands: 16, window: 16 }))).size;
    console.log(`1,000 templated near-copies: ${all} cluster(s) from every pair, ${bounded} from the bounded search`);
    expect(all).toBe(1);
    expect(bounded).toBeGreaterThan(all);
  }, 120_000);

  it('finishes a 20,000-item templated set (every pair of its buckets would be ~10^8 comparisons)', () => {
    const pairs = minhashPairs(templated(20_000), { threshold: 0.8, bands: 16, window: 16 });
    // The bound, counted rather than timed: every pair of the four 5,000-item buckets would be ~5·10^7 pairs.
    expect(pairs.length).toBeLessThan(20_000);
    expect(new Set(components(20_000, pairs)).size).toBe(4);
  });

  it('skips pairs among seeds', () => {
    const pairs = minhashPairs(['Tell me a joke about cats.', 'Tell me a joke about cats!', 'Tell me a joke about cats?'], { threshold: 0.5, window: 16, existingCount: 2 });
    expect(pairs.every((p) => p.b >= 2)).toBe(true);
    expect(pairs.length).toBeGreaterThan(0);
  });
});
