import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { copy, useDedupWorker } from './dedupWorker';
import { pairKeys } from '../../src/lib/dedup/pairs';
import type { DedupProgress, Vectors } from '../../src/lib/dedup/types';
import { generatePlanted } from '../../src/lib/dedup/vectors';

// SwiftShader runs WGSL on the CPU: small n only.
const dedup = useDedupWorker();

describe('the WebGPU kernel (real Chromium WebGPU, SwiftShader)', () => {
  for (const [n, d, m] of [[2000, 384, 0], [1100, 130, 0], [1500, 96, 700]] as const) {
    it(`finds exactly the JavaScript reference's pairs (n=${n}, d=${d}, existing=${m})`, async () => {
      const { vectors } = generatePlanted(n, d, n * 3 + d);
      const js = await dedup().findPairs(copy(vectors), { kernel: 'js', existingCount: m });
      const gpu = await dedup().findPairs(copy(vectors), { kernel: 'webgpu', existingCount: m });
      expect(gpu.kernel).toBe('webgpu');
      expect(js.pairs.a.length).toBeGreaterThan(0);
      expect(pairKeys(gpu.pairs)).toEqual(pairKeys(js.pairs));
    }, 120_000);
  }

  it('gives the same pairs when every dispatch is cut small (row blocks of 16, column chunks of 256)', async () => {
    const { vectors } = generatePlanted(1200, 64, 99);
    const js = await dedup().findPairs(copy(vectors), { kernel: 'js', existingCount: 300 });
    // A budget below one 16-row block of the full width forces column chunks; the adaptive step is
    // held at that budget so the chunks stay small for the whole run.
    const tiny = { budget: 16 * 256 * 16, minBudget: 16 * 256 * 16, maxBudget: 16 * 256 * 16 };
    const progress: number[] = [];
    const gpu = await dedup().findPairs(copy(vectors), { kernel: 'webgpu', existingCount: 300, gpuTuning: tiny }, Comlink.proxy((p: DedupProgress) => void (p.phase === 'screen' && progress.push(p.done))));
    expect(js.pairs.a.length).toBeGreaterThan(0);
    expect(pairKeys(gpu.pairs)).toEqual(pairKeys(js.pairs));
    // Row blocks of 16 while the remaining width exceeds the budget (wider ones near the end): a
    // progress step per block, rising to 1200.
    expect(progress.length).toBeGreaterThan(60);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1200);
  }, 120_000);
});
