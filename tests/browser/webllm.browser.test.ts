import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../src/lib/engines/errors';
import { checkWebGpu } from '../../src/lib/engines/webllm/preflight';
import { WebLlmEngine } from '../../src/lib/engines/webllm/webllmEngine';

// This project's Chromium runs without --enable-unsafe-webgpu: the no-WebGPU path runs for real.
describe('WebLLM without WebGPU', () => {
  it('stops at the WebGPU check with NoWebGpuError, before any download', async () => {
    expect(await navigator.gpu?.requestAdapter().catch(() => null) ?? null).toBeNull();
    await expect(checkWebGpu()).rejects.toMatchObject({ name: 'NoWebGpuError' });
    const before = performance.getEntriesByType('resource').length;
    const err = await new WebLlmEngine('Qwen2.5-0.5B-Instruct').load().catch((e) => e);
    expect(isEngineError(err, 'NoWebGpuError')).toBe(true);
    const fetched = performance.getEntriesByType('resource').slice(before).map((e) => e.name);
    expect(fetched.filter((u) => /huggingface|mlc|\.wasm/.test(u))).toEqual([]);
  });
});
