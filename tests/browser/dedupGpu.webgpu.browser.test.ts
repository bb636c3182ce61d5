import { describe, expect, it } from 'vitest';
import { copy, useDedupWorker } from './dedupWorker';
import { pairKeys } from '../../src/lib/dedup/pairs';
import type { Vectors } from '../../src/lib/dedup/types';
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
});
