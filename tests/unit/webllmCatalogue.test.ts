import { describe, expect, it } from 'vitest';
import { appConfigFor, CATALOGUE, downloadBytes, modelId, recordOf, vramMb } from '../../src/lib/engines/webllm/catalogue';
import { rewriteHfUrl, sourceProblem, hfFileUrl } from '../../src/lib/engines/modelSource';

describe('the WebLLM catalogue', () => {
  it('holds exactly the installed WebLLM records for its models (regenerate with scripts/webllm-records.mjs after an upgrade)', async () => {
    const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
    for (const e of CATALOGUE) {
      for (const p of ['q4f16_1', 'q4f32_1'] as const) {
        const id = modelId(e.family, p);
        expect(recordOf(id), id).toEqual(prebuiltAppConfig.model_list.find((r) => r.model_id === id));
      }
    }
  });

  it('offers only models that WebLLM ships, each in an f16 and an f32 variant, with sizes', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(10);
    for (const e of CATALOGUE) {
      for (const p of ['q4f16_1', 'q4f32_1'] as const) {
        const id = modelId(e.family, p);
        expect(recordOf(id), id).toBeDefined();
        expect(vramMb(id), id).toBeGreaterThan(100);
      }
      expect(downloadBytes(e, 'q4f32_1')).toBeGreaterThan(downloadBytes(e, 'q4f16_1'));
    }
  });

  it('rewrites weight URLs for a mirror and for a same-origin folder', () => {
    const id = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
    const hf = appConfigFor([id], { kind: 'huggingface' }).model_list[0]!;
    expect(hf.model).toBe('https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    const mirror = appConfigFor([id], { kind: 'mirror', baseUrl: 'https://hf-mirror.com/' }).model_list[0]!;
    expect(mirror.model).toBe('https://hf-mirror.com/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(mirror.model_lib).toBe(hf.model_lib);
    const local = appConfigFor([id], { kind: 'local', path: '/models' }).model_list[0]!;
    expect(local.model).toBe('http://localhost/models/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(local.model_lib).toMatch(/^http:\/\/localhost\/models\/libs\/[^/]+\.wasm$/);
  });

  it('checks the source the user typed', () => {
    expect(sourceProblem({ kind: 'mirror', baseUrl: 'hf-mirror.com' })).toBe('source.badUrl');
    expect(sourceProblem({ kind: 'mirror', baseUrl: 'https://hf-mirror.com' })).toBeNull();
    expect(sourceProblem({ kind: 'local', path: '../secret' })).toBe('source.badPath');
    expect(sourceProblem({ kind: 'local', path: '/models' })).toBeNull();
    // '//host/path' is another origin, not a folder of this one.
    expect(sourceProblem({ kind: 'local', path: '//evil.example/models' })).toBe('source.badPath');
    expect(sourceProblem({ kind: 'local', path: '/\\evil.example/models' })).toBe('source.badPath');
    expect(hfFileUrl('ggml-org/models', 'tinyllamas/stories260K.gguf', { kind: 'mirror', baseUrl: 'https://m.example' })).toBe(
      'https://m.example/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf',
    );
    expect(rewriteHfUrl('https://example.com/x', { kind: 'mirror', baseUrl: 'https://m.example' })).toBe('https://example.com/x');
  });

  it('air-gapped: a source URL that leaves the origin is refused, one on it passes', () => {
    const origin = 'http://localhost:4173';
    expect(() => rewriteHfUrl('https://huggingface.co/Xenova/x/resolve/main/a.onnx', { kind: 'huggingface', airGapped: true }, origin)).toThrow(/AirGapped|air-gapped/);
    expect(() => rewriteHfUrl('https://huggingface.co/Xenova/x/resolve/main/a.onnx', { kind: 'mirror', baseUrl: 'https://hf-mirror.com', airGapped: true }, origin)).toThrow(/another origin/);
    expect(rewriteHfUrl('https://huggingface.co/Xenova/x/resolve/main/a.onnx', { kind: 'local', path: '/models', airGapped: true }, origin)).toBe('http://localhost:4173/models/Xenova/x/resolve/main/a.onnx');
    let err: Error | null = null;
    try {
      rewriteHfUrl('https://huggingface.co/x', { kind: 'huggingface', airGapped: true }, origin);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe('AirGappedError');
  });
});
