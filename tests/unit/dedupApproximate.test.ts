import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { approximateFindPairs, collisionProbability, fwht, lshKeys, planApproximate, planRecall } from '../../src/lib/dedup/approximate';
import { resolveClusters } from '../../src/lib/dedup/clusters';
import { pairKeys } from '../../src/lib/dedup/pairs';
import { clusterGroups, similarityHistogram } from '../../src/lib/dedup/report';
import { generatePlanted } from '../../src/lib/dedup/vectors';
import { wasmFindPairsSingle } from '../../src/lib/dedup/wasmKernel';

const kernel = new WebAssembly.Module(readFileSync(new URL('../../src/lib/dedup/screenKernel.unshared.wasm', import.meta.url)));

describe('approximate mode (LSH buckets + the exact screen)', () => {
  it('fwht is the Walsh–Hadamard transform (H·H = n·I, against the definition)', () => {
    const a = Float64Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.7) + i / 7);
    const h = a.slice();
    fwht(h);
    for (const i of [0, 1, 5, 17, 31]) {
      let s = 0;
      for (let j = 0; j < 32; j++) s += (popcount(i & j) % 2 ? -1 : 1) * a[j]!;
      expect(h[i]).toBeCloseTo(s, 9);
    }
    fwht(h);
    for (let i = 0; i < 32; i++) expect(h[i]! / 32).toBeCloseTo(a[i]!, 9);
  });

  it('plans exact (one bucket) for small sets and more tables for higher recall', () => {
    expect(planApproximate(500, 384)).toMatchObject({ bits: 0, tables: 1, recallAtThreshold: 1 });
    const p99 = planApproximate(100_000, 384, 0.85, 0.99);
    const p999 = planApproximate(100_000, 384, 0.85, 0.999);
    expect(p99.bits).toBeGreaterThan(0);
    expect(p99.recallAtThreshold).toBeGreaterThanOrEqual(0.99);
    expect(p999.recallAtThreshold).toBeGreaterThanOrEqual(0.999);
    expect(planRecall(0.95, p99.bits, p99.tables)).toBeGreaterThan(p99.recallAtThreshold);
    expect(collisionProbability(0, 1)).toBeCloseTo(0.5, 12);
  });

  it('sign keys collide at the rate random hyperplanes predict', () => {
    const { vectors, meta } = generatePlanted(4000, 384, 3);
    const bits = 4;
    const tables = 100;
    const keys = lshKeys(vectors, bits, tables, 11);
    let hits = 0;
    let expected = 0;
    for (const [s, c, cs] of meta.pairs) {
      for (let t = 0; t < tables; t++) if (keys[t * 4000 + s] === keys[t * 4000 + c]) hits++;
      expected += collisionProbability(cs, bits) * tables;
    }
    // Thousands of Bernoulli trials: the observed rate is within a few percent of the prediction.
    expect(hits / expected).toBeGreaterThan(0.93);
    expect(hits / expected).toBeLessThan(1.07);
  });

  it('finds >= 99% of the exact pairs on planted vectors, and only exact pairs with their similarities', async () => {
    const { vectors, meta } = generatePlanted(20_000, 384, 2024);
    const exact = await wasmFindPairsSingle(vectors, kernel);
    const approx = await approximateFindPairs(vectors, kernel);
    expect(approx.plan.bits).toBeGreaterThan(0);
    const exactSim = new Map(pairKeys(exact).map((k, i) => [k, exact.sim[i]]));
    const keys = pairKeys(approx);
    let found = 0;
    keys.forEach((k, i) => {
      expect(exactSim.get(k)).toBe(approx.sim[i]);
      found++;
    });
    expect(exact.a.length).toBeGreaterThanOrEqual(meta.nPairs);
    expect(found / exact.a.length).toBeGreaterThanOrEqual(0.99);
    // Deterministic for a seed.
    const again = await approximateFindPairs(vectors, kernel);
    expect(pairKeys(again)).toEqual(keys);
    // A generous limit, not a speed check: three 20k screens take seconds on a busy 2-core box.
  }, 120_000);

  it('too few tables lose pairs (the recall test can fail), and bits = 0 is the exact screen', async () => {
    const { vectors } = generatePlanted(5000, 128, 8);
    const exact = await wasmFindPairsSingle(vectors, kernel);
    const weak = await approximateFindPairs(vectors, kernel, { bits: 10, tables: 1 });
    expect(weak.a.length).toBeLessThan(exact.a.length * 0.9);
    const one = await approximateFindPairs(vectors, kernel, { bits: 0, tables: 1 });
    expect(pairKeys(one)).toEqual(pairKeys(exact));
  });

  it('incremental: no pair among the existing rows', async () => {
    const { vectors } = generatePlanted(6000, 64, 21);
    const exact = await wasmFindPairsSingle(vectors, kernel, { existingCount: 4000 });
    const approx = await approximateFindPairs(vectors, kernel, { existingCount: 4000, bits: 6, tables: 30 });
    expect(Array.from(approx.b).every((j) => j >= 4000)).toBe(true);
    const ex = new Set(pairKeys(exact));
    expect(pairKeys(approx).every((k) => ex.has(k))).toBe(true);
    expect(approx.a.length / exact.a.length).toBeGreaterThanOrEqual(0.99);
  });
});

describe('dedup report helpers', () => {
  it('histogram bins similarities, skips NaN, clamps the ends', () => {
    const h = similarityHistogram([0.86, 0.86, 0.99, 1, NaN, 0.2], 5, 0.5, 1);
    expect(Array.from(h.counts)).toEqual([1, 0, 0, 2, 2]);
  });

  it('groups list each kept item with its duplicates, biggest cluster first', () => {
    const pairs = { a: Uint32Array.from([0, 1, 3]), b: Uint32Array.from([1, 2, 4]), sim: Float32Array.from([0.9, 0.95, 0.88]) };
    const r = resolveClusters(5, pairs, { similarity: () => 0.8 });
    expect(clusterGroups(r)).toEqual([
      { kept: 0, duplicates: [{ index: 1, similarity: expect.closeTo(0.9, 6), direct: true }, { index: 2, similarity: expect.closeTo(0.8, 6), direct: false }] },
      { kept: 3, duplicates: [{ index: 4, similarity: expect.closeTo(0.88, 6), direct: true }] },
    ]);
  });
});

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
