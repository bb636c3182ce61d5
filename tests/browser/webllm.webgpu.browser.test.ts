import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../src/lib/engines/errors';
import { checkWebGpu } from '../../src/lib/engines/webllm/preflight';
import { WebLlmEngine } from '../../src/lib/engines/webllm/webllmEngine';
import type { LoadProgress } from '../../src/lib/engines/types';

// Chromium with --enable-unsafe-webgpu: a real (SwiftShader) adapter, without shader-f16.
describe('WebLLM with a real WebGPU adapter', () => {
  it('finds the adapter and falls back to the f32 variant when shader-f16 is missing', async () => {
    const gpu = await checkWebGpu();
    expect(gpu.shaderF16).toBe(false);
    const engine = new WebLlmEngine('Qwen2.5-0.5B-Instruct');
    expect(await engine.choosePrecision()).toBe('q4f32_1');
    expect(engine.model).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
  });

  it('loads through the real WebLLM worker from a same-origin model folder, and reports a missing model as ModelNotFoundError', async () => {
    // No weights can be downloaded here; a self-hosted folder that lacks the model is the real
    // path a user hits with a wrong local path.
    const engine = new WebLlmEngine('Qwen2.5-0.5B-Instruct', { kind: 'local', path: '/no-such-models' });
    const progress: LoadProgress[] = [];
    const err = await engine.load((p) => progress.push(p)).catch((e) => e);
    expect(progress[0]).toEqual({ status: 'initiate', model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
    // The dev server answers the missing config with its index.html, as SPA hosts do.
    expect(isEngineError(err, 'ModelNotFoundError')).toBe(true);
    expect(err.message).toMatch(/model source/);
    await engine.unload();
  });
});
