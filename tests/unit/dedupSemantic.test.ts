import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsFindPairs } from '../../src/lib/dedup/jsKernel';
import { pairKeys } from '../../src/lib/dedup/pairs';
import { pairSimilarity, squaredNorms, thresholdF32 } from '../../src/lib/dedup/threshold';
import type { Vectors } from '../../src/lib/dedup/types';
import { generatePlanted, rng } from '../../src/lib/dedup/vectors';
import { wasmFindPairsSingle } from '../../src/lib/dedup/wasmKernel';

const kernel = new WebAssembly.Module(readFileSync(new URL('../../src/lib/dedup/screenKernel.unshared.wasm', import.meta.url)));
const key = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;

/** Brute force, independent of the kernels: every pair, canonical similarity, the float64 rule. */
function bruteForce(v: Vectors, threshold = 0.85): string[] {
  const norms2 = squaredNorms(v.data, v.n, v.d);
  const out: string[] = [];
  for (let i = 0; i < v.n; i++) for (let j = i + 1; j < v.n; j++) if (pairSimilarity(v.data, v.d, norms2, i, j) > threshold) out.push(`${i}-${j}`);
  return out;
}

describe('the float32 threshold rule', () => {
  it('is the smallest float32 strictly above the float64 threshold', () => {
    for (const thr of [0.85, 0.9, 0.5, 0.123456789, 0.75]) {
      const t = thresholdF32(thr);
      expect(Math.fround(t)).toBe(t);
      expect(t).toBeGreaterThan(thr);
      // The float32 just below t is not above thr.
      const below = new Float32Array([t]);
      new Uint32Array(below.buffer)[0]! -= 1;
      expect(below[0]!).toBeLessThanOrEqual(thr);
    }
    // fround(0.85) is already above 0.85, so it is the threshold; a float32 `>` against it would
    // drop a similarity equal to it, which the reference counts.
    expect(thresholdF32(0.85)).toBe(Math.fround(0.85));
    expect(Math.fround(0.85) > 0.85).toBe(true);
  });

  it('counts a pair whose float32 similarity equals fround(0.85), as the reference does', () => {
    // Two unit vectors in 2-D at a float32 cosine of exactly fround(0.85).
    const c = Math.fround(0.85);
    const s = Math.sqrt(1 - c * c);
    let found: Vectors | null = null;
    for (let k = 0; k < 2000 && !found; k++) {
      const cc = c + (k - 1000) * 1e-10;
      const v: Vectors = { data: Float32Array.from([1, 0, cc, Math.sqrt(1 - cc * cc)]), n: 2, d: 2 };
      if (pairSimilarity(v.data, 2, squaredNorms(v.data, 2, 2), 0, 1) === c) found = v;
    }
    expect(found).not.toBeNull();
    expect(s).toBeGreaterThan(0);
    expect(pairKeys(jsFindPairs(found!))).toEqual(['0-1']);
  });
});

describe('the JavaScript reference kernel on planted vectors', () => {
  // Heavy CPU work (seconds here, more on a loaded two-core machine): a generous timeout, no time asserted.
  it('finds every planted pair and chain link, no near miss and no a~c of a chain', () => {
    const { vectors, meta } = generatePlanted(1500, 384, 3);
    const found = new Set(pairKeys(jsFindPairs(vectors)));
    for (const [s, c] of meta.pairs) expect(found.has(key(s, c))).toBe(true);
    for (const [a, b, c] of meta.chains) {
      expect(found.has(key(a, b))).toBe(true);
      expect(found.has(key(b, c))).toBe(true);
      expect(found.has(key(a, c))).toBe(false);
    }
    for (const [s, c] of meta.nearMisses) expect(found.has(key(s, c))).toBe(false);
  }, 120_000);

  it('equals brute force on vectors crowded near the threshold', () => {
    // Every vector is a random mix of 3 directions: many similarities land near 0.85.
    const rand = rng(11);
    const n = 300;
    const d = 48;
    const base = Array.from({ length: 3 }, () => Array.from({ length: d }, () => rand() - 0.5));
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const w = [rand(), rand(), rand()];
      let s = 0;
      for (let k = 0; k < d; k++) {
        const x = w[0]! * base[0]![k]! + w[1]! * base[1]![k]! + w[2]! * base[2]![k]! + (rand() - 0.5) * 0.2;
        data[i * d + k] = x;
        s += x * x;
      }
      for (let k = 0; k < d; k++) data[i * d + k] = data[i * d + k]! / Math.sqrt(s);
    }
    const v = { data, n, d };
    const ref = bruteForce(v);
    expect(ref.length).toBeGreaterThan(1000);
    expect(pairKeys(jsFindPairs(v))).toEqual(ref);
  });
});

describe('the WebAssembly kernel in Node (one thread)', () => {
  // Heavy CPU work (seconds here, more on a loaded two-core machine): a generous timeout, no time asserted.
  it('finds exactly the JavaScript kernel pairs on planted and crowded vectors, several shapes', async () => {
    for (const [n, d, seed] of [[2000, 384, 7], [777, 1024, 8], [1001, 13, 9], [64, 384, 10]] as const) {
      const { vectors } = generatePlanted(n, d, seed);
      const js = jsFindPairs(vectors);
      const wasm = await wasmFindPairsSingle(vectors, kernel);
      expect(pairKeys(wasm)).toEqual(pairKeys(js));
    }
  }, 120_000);

  it('never misses a pair when many similarities sit at the threshold (screen is conservative)', async () => {
    // Pairs planted at cosines within 1e-6 of 0.85 on both sides.
    const rand = rng(5);
    const n = 400;
    const d = 384;
    const { vectors } = generatePlanted(n, d, 77);
    const x = vectors.data;
    for (let p = 0; p < n / 2; p += 2) {
      const c = 0.85 + (rand() - 0.5) * 2e-6;
      // row p+1 := c·row p + sqrt(1−c²)·(unit part of row p+1 orthogonal to row p)
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x[p * d + k]! * x[(p + 1) * d + k]!;
      const w = new Float64Array(d);
      let s = 0;
      for (let k = 0; k < d; k++) {
        w[k] = x[(p + 1) * d + k]! - dot * x[p * d + k]!;
        s += w[k]! * w[k]!;
      }
      for (let k = 0; k < d; k++) x[(p + 1) * d + k] = c * x[p * d + k]! + Math.sqrt(1 - c * c) * (w[k]! / Math.sqrt(s));
    }
    const ref = bruteForce(vectors);
    expect(pairKeys(jsFindPairs(vectors))).toEqual(ref);
    expect(pairKeys(await wasmFindPairsSingle(vectors, kernel))).toEqual(ref);
  });

  it('incremental: only new×new and new×existing pairs', async () => {
    const { vectors } = generatePlanted(1000, 64, 21);
    const all = pairKeys(jsFindPairs(vectors));
    const inc = pairKeys(await wasmFindPairsSingle(vectors, kernel, { existingCount: 600 }));
    expect(inc).toEqual(all.filter((k) => Number(k.split('-')[1]) >= 600));
    expect(inc.length).toBeGreaterThan(0);
  });

  it('rejects vectors that are not unit length, with a typed error', async () => {
    const err = await wasmFindPairsSingle({ data: new Float32Array([3, 4, 0, 1]), n: 2, d: 2 }, kernel).catch((e: Error) => e);
    expect((err as Error).name).toBe('DedupInputError');
    expect(() => jsFindPairs({ data: new Float32Array(3), n: 2, d: 2 })).toThrow(expect.objectContaining({ name: 'DedupInputError' }));
  });
});

describe('the committed .wasm', () => {
  it('is what screenKernel.wat compiles to', () => {
    // Exits 1 (and execFileSync throws) when a committed module differs from the .wat's output.
    expect(() => execFileSync(process.execPath, ['scripts/build-dedup-wasm.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('WebGPU dispatch chunks (nextChunk)', () => {
  it('covers the upper triangle exactly once whatever the budget', async () => {
    const { nextChunk } = await import('../../src/lib/dedup/webgpuKernel');
    for (const [n, m, d4, budget] of [[1000, 0, 96, 2 ** 22], [1000, 0, 96, 16 * 256 * 16], [777, 300, 16, 5000], [50, 10, 1, 1]] as const) {
      const covered = new Uint8Array(n * n);
      for (let r0 = 0; r0 < n; ) {
        const bStart = Math.max(r0, m);
        if (bStart >= n) break;
        let c0 = bStart;
        const { rows } = nextChunk(n, r0, c0, d4, budget);
        expect(rows % 16 === 0 || r0 + rows === n).toBe(true);
        for (;;) {
          const { c1 } = nextChunk(n, r0, c0, d4, budget);
          expect(c1).toBeGreaterThan(c0);
          for (let i = r0; i < r0 + rows; i++) for (let j = c0; j < c1; j++) if (j > i) covered[i * n + j]!++;
          if (c1 >= n) break;
          c0 = c1;
        }
        r0 += rows;
      }
      // Pairs among the existing items are not looked for; every other pair exactly once.
      let wrong = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (covered[i * n + j] !== (j >= m ? 1 : 0)) wrong++;
      expect(wrong).toBe(0);
    }
  });

  it('never asks one dispatch for more than 65,535 workgroups of 16 columns', async () => {
    const { nextChunk, MAX_DISPATCH_COLS } = await import('../../src/lib/dedup/webgpuKernel');
    expect(MAX_DISPATCH_COLS).toBe(65535 * 16);
    for (const budget of [2 ** 31, 2 ** 22, 2 ** 14]) {
      const { c1 } = nextChunk(3_000_000, 0, 0, 1, budget);
      expect(c1).toBeLessThanOrEqual(MAX_DISPATCH_COLS);
      expect(nextChunk(3_000_000, 0, c1, 1, budget).c1 - c1).toBeLessThanOrEqual(MAX_DISPATCH_COLS);
    }
  });
});
