import { describe, expect, it } from 'vitest';
import { embeddingMatches } from '../../src/lib/decontam/embedding';
import { jsFindCrossPairs, jsFindPairs } from '../../src/lib/dedup/jsKernel';
import { generatePlanted } from '../../src/lib/dedup/vectors';

// 1 200 planted unit vectors (pairs at cosine 0.851–0.99, near misses at 0.75–0.849): the first
// 400 play the eval set, the rest the samples, so planted pairs that straddle the split are the
// contaminated samples.
const { vectors: all } = generatePlanted(1200, 48, 7);
const M = 400;
const d = all.d;
const fixed = { data: all.data.slice(0, M * d), n: M, d };
const queries = { data: all.data.slice(M * d), n: all.n - M, d };

/** The loop embedding.ts ran before it used the kernel: every query × every eval item, float64 dot. */
function bruteForce(threshold: number): string[] {
  const out: string[] = [];
  for (let q = 0; q < queries.n; q++) {
    for (let e = 0; e < M; e++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += queries.data[q * d + k]! * fixed.data[e * d + k]!;
      if (s >= threshold) out.push(`${q}-${e}`);
    }
  }
  return out;
}

describe('query set × fixed set (decontamination entry point of the dedup kernels)', () => {
  it('finds exactly the cross pairs that dedup over both sets finds, and no query × query pair', () => {
    const cross = jsFindCrossPairs(queries, fixed, 0.85);
    const got = Array.from(cross.query, (q, k) => `${q}-${cross.fixed[k]}`);
    const full = jsFindPairs(all, { threshold: 0.85 });
    const want: [number, number][] = [];
    for (let k = 0; k < full.a.length; k++) if (full.a[k]! < M && full.b[k]! >= M) want.push([full.b[k]! - M, full.a[k]!]);
    want.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(want.length).toBeGreaterThan(5); // the split leaves planted pairs across it
    expect(full.a.some((a) => a >= M)).toBe(true); // and query × query pairs, which must not appear
    expect(got).toEqual(want.map(([q, e]) => `${q}-${e}`));
    expect(got).toEqual(bruteForce(0.85));
  });

  it('embeddingMatches gives the same results as the loop it replaced, at several thresholds', async () => {
    for (const t of [0.8, 0.85, 0.9]) {
      const hits = await embeddingMatches(queries, fixed, t);
      expect(hits.map((h) => `${h.query}-${h.evalIndex}`)).toEqual(bruteForce(t));
      for (const h of hits) expect(h.similarity).toBeGreaterThan(t);
    }
  });

  it('refuses sets of different widths by name', () => {
    expect(() => jsFindCrossPairs(queries, { data: new Float32Array(8), n: 1, d: 8 })).toThrow(expect.objectContaining({ name: 'DedupInputError' }));
  });
});
