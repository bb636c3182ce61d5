import { describe, expect, it } from 'vitest';
import { resolveClusters } from '../../src/lib/dedup/clusters';
import { exactDuplicates } from '../../src/lib/dedup/exact';
import { jaccard, minhashPairs, shingles } from '../../src/lib/dedup/minhash';
import type { PairList } from '../../src/lib/dedup/types';

const pl = (pairs: [number, number, number][]): PairList => ({
  a: Uint32Array.from(pairs.map((p) => p[0])),
  b: Uint32Array.from(pairs.map((p) => p[1])),
  sim: Float32Array.from(pairs.map((p) => p[2])),
});

describe('clusters', () => {
  it('keeps the highest score, ties to the earliest, and reports the pair similarity', () => {
    const r = resolveClusters(5, pl([[0, 1, 0.9], [1, 2, 0.95], [3, 4, 0.88]]), { scores: [1, 5, 5, 2, NaN] });
    expect(Array.from(r.duplicateOf)).toEqual([1, -1, 1, -1, 3]);
    expect(r.similarity[2]).toBeCloseTo(0.95);
    expect(r.similarity[0]).toBeCloseTo(0.9);
    expect(r.kept).toBe(2);
  });

  it('makes a chain a~b~c (a≁c) one cluster; the chain-only member reports its direct similarity', () => {
    const r = resolveClusters(3, pl([[0, 1, 0.9], [1, 2, 0.9]]), { scores: [9, 1, 1], similarity: () => 0.81 });
    expect(Array.from(r.duplicateOf)).toEqual([-1, 0, 0]);
    expect(Array.from(r.direct)).toEqual([0, 1, 0]);
    expect(r.similarity[2]).toBeCloseTo(0.81);
  });

  it('invariants on random graphs: one keeper per component, the best one, others point to it', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let t = 0; t < 50; t++) {
      const n = 30;
      const pairs: [number, number, number][] = [];
      for (let k = 0; k < 25; k++) {
        const a = Math.floor(rand() * n);
        const b = Math.floor(rand() * n);
        if (a !== b) pairs.push([Math.min(a, b), Math.max(a, b), 0.9]);
      }
      const scores = Array.from({ length: n }, () => Math.floor(rand() * 4));
      const r = resolveClusters(n, pl(pairs), { scores });
      for (let i = 0; i < n; i++) {
        const k = r.duplicateOf[i]!;
        if (k === -1) continue;
        expect(r.duplicateOf[k]).toBe(-1);
        expect(r.cluster[i]).toBe(k);
        // The keeper is at least as good as every member, and earlier on a tie.
        expect(scores[k]! > scores[i]! || (scores[k] === scores[i] && k < i)).toBe(true);
      }
      // Items joined by a pair share a keeper.
      for (const [a, b] of pairs) expect(r.cluster[a]).toBe(r.cluster[b]);
    }
  });

  it('incremental: existing items are never removed, new ones point to the best existing item', () => {
    // 0, 1 existing; 2, 3 new. 0~2, 2~1 links both existing items through a new one.
    const pairs = pl([[0, 2, 0.9], [1, 2, 0.9], [2, 3, 0.9]]);
    const r = resolveClusters(4, pairs, { existingCount: 2, scores: [1, 3, 9, 0] });
    expect(Array.from(r.duplicateOf)).toEqual([-1, -1, 1, 1]);
    // With replaceExisting the best score wins, even over existing items.
    const s = resolveClusters(4, pairs, { existingCount: 2, scores: [1, 3, 9, 0], replaceExisting: true });
    expect(Array.from(s.duplicateOf)).toEqual([2, 2, -1, 2]);
    // ... but a tie keeps the existing item.
    const tie = resolveClusters(2, pl([[0, 1, 0.9]]), { existingCount: 1, scores: [5, 5], replaceExisting: true });
    expect(Array.from(tie.duplicateOf)).toEqual([-1, 0]);
  });
});

describe('exact dedup', () => {
  it('groups by normalised text (NFKC, case, whitespace) and keeps the best', () => {
    const r = exactDuplicates(['Hello  World', 'hello world', 'ＨＥＬＬＯ world ', 'other'], { scores: [1, 2, 2, 0] });
    expect(Array.from(r.duplicateOf)).toEqual([1, -1, 1, -1]);
    expect(r.hashes[0]).toBe(r.hashes[2]);
    expect(r.hashes[3]).not.toBe(r.hashes[0]);
  });
});

describe('MinHash-LSH', () => {
  it('finds near-duplicate Chinese and English texts, verified by the exact Jaccard', () => {
    const texts = [
      '请用简单的语言解释什么是机器学习，并举一个例子。',
      '请用简单的语言解释什么是机器学习，并举两个例子。',
      '写一首关于秋天的诗，要求押韵。',
      'Explain what machine learning is in simple words, with one example.',
      'Explain what machine learning is in simple words, with an example.',
      'Translate the following sentence into French.',
    ];
    const pairs = minhashPairs(texts, { threshold: 0.6 });
    expect(pairs.map((p) => [p.a, p.b])).toEqual([[0, 1], [3, 4]]);
    for (const p of pairs) {
      expect(p.jaccard).toBe(jaccard(shingles(texts[p.a]!), shingles(texts[p.b]!)));
      expect(Math.abs(p.estimated - p.jaccard)).toBeLessThan(0.25);
    }
  });

  it('estimates track the exact Jaccard, and every returned pair passes the threshold', () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
    const texts: string[] = [];
    let seed = 3;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 60; i++) {
      const base = Array.from({ length: 30 }, (_, k) => words[(k * 7 + i * 3) % words.length]!);
      texts.push(base.join(' '));
      base[Math.floor(rand() * 30)] = 'changed';
      texts.push(base.join(' '));
    }
    const pairs = minhashPairs(texts, { threshold: 0.5 });
    expect(pairs.length).toBeGreaterThanOrEqual(60);
    const err = pairs.reduce((s, p) => s + Math.abs(p.estimated - p.jaccard), 0) / pairs.length;
    expect(err).toBeLessThan(0.08);
    for (const p of pairs) expect(p.jaccard).toBeGreaterThanOrEqual(0.5);
  });
});
