import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { copy, useDedupWorker } from './dedupWorker';
import { pairKeys } from '../../src/lib/dedup/pairs';
import type { DedupProgress, Vectors } from '../../src/lib/dedup/types';
import { generatePlanted } from '../../src/lib/dedup/vectors';

const dedup = useDedupWorker();

describe('the WebAssembly kernel through the real dedup worker (threads on a shared memory)', () => {
  it('runs cross-origin isolated, so the threaded path is the one under test', () => {
    expect(crossOriginIsolated).toBe(true);
    expect(navigator.hardwareConcurrency).toBeGreaterThanOrEqual(1);
  });

  for (const [n, d] of [[3000, 384], [1501, 1024], [999, 37]] as const) {
    it(`finds exactly the JavaScript reference's pairs (n=${n}, d=${d})`, async () => {
      const { vectors, meta } = generatePlanted(n, d, n + d);
      const js = await dedup().findPairs(copy(vectors), { kernel: 'js' });
      const progress: DedupProgress[] = [];
      const wasm = await dedup().findPairs(copy(vectors), { kernel: 'wasm', threads: 3 }, Comlink.proxy((p: DedupProgress) => void progress.push(p)));
      expect(wasm.kernel).toBe('wasm');
      expect(pairKeys(wasm.pairs)).toEqual(pairKeys(js.pairs));
      expect(Array.from(wasm.pairs.sim)).toEqual(Array.from(js.pairs.sim));
      // Every planted pair is found, no near miss is.
      const found = new Set(pairKeys(js.pairs));
      for (const [s, c] of meta.pairs) expect(found.has(`${Math.min(s, c)}-${Math.max(s, c)}`)).toBe(true);
      for (const [s, c] of meta.nearMisses) expect(found.has(`${Math.min(s, c)}-${Math.max(s, c)}`)).toBe(false);
      // Progress: screen counts never go backwards and end at the total.
      const screen = progress.filter((p) => p.phase === 'screen').map((p) => (p.phase === 'screen' ? p.done : 0));
      expect(screen).toEqual([...screen].sort((a, b) => a - b));
      expect(screen.at(-1)).toBe(n);
      expect(progress.at(-1)).toEqual({ phase: 'done', pairs: js.pairs.a.length });
    });
  }

  it('incremental: same pairs as the reference, none among the existing items', async () => {
    const { vectors } = generatePlanted(2000, 384, 99);
    const js = await dedup().findPairs(copy(vectors), { kernel: 'js', existingCount: 1200 });
    const wasm = await dedup().findPairs(copy(vectors), { kernel: 'wasm', existingCount: 1200 });
    expect(pairKeys(wasm.pairs)).toEqual(pairKeys(js.pairs));
    expect(Array.from(js.pairs.b).every((j) => j >= 1200)).toBe(true);
    const all = await dedup().findPairs(copy(vectors), { kernel: 'js' });
    expect(pairKeys(js.pairs)).toEqual(pairKeys(all.pairs).filter((k) => Number(k.split('-')[1]) >= 1200));
  });

  it('gives the same clusters on both kernels, and keeps typed errors across the boundary', async () => {
    const { vectors } = generatePlanted(1200, 64, 5);
    const scores = Float64Array.from({ length: 1200 }, (_, i) => (i * 7919) % 10);
    const a = await dedup().semantic(copy(vectors), { kernel: 'js', scores });
    const b = await dedup().semantic(copy(vectors), { kernel: 'wasm', scores });
    expect(Array.from(b.clusters.duplicateOf)).toEqual(Array.from(a.clusters.duplicateOf));
    const bad = { data: new Float32Array(8).fill(2), n: 2, d: 4 };
    const err = await dedup().findPairs(bad, { kernel: 'wasm' }).catch((e: Error) => e);
    expect((err as Error).name).toBe('DedupInputError');
  });
});
