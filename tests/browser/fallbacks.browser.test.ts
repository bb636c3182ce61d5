import { afterEach, describe, expect, it } from 'vitest';
import { createDedupApi } from '../../src/lib/dedup/dedupApi';
import { pairKeys } from '../../src/lib/dedup/pairs';
import { generatePlanted } from '../../src/lib/dedup/vectors';
import { createEmbedApi } from '../../src/lib/embed/embedApi';
import { en } from '../../src/lib/i18n/en';
import { zh } from '../../src/lib/i18n/zh';

// Each fallback is forced at its boundary (the file a part needs answers 404, the GPU adapter
// request fails) and the real parts run: the real kernels, the real bundled MiniLM model on
// onnxruntime-web. What is checked is the reason each part reports, and that the work still runs.
const realFetch = globalThis.fetch;
const gpuDescriptor = Object.getOwnPropertyDescriptor(Navigator.prototype, 'gpu');

/** Makes every request whose URL contains one of `parts` answer 404, as a host missing the file would. */
function missing(...parts: string[]): void {
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    return parts.some((p) => url.includes(p)) ? Promise.resolve(new Response('not here', { status: 404 })) : realFetch(input, init);
  }) as typeof fetch;
}

afterEach(() => {
  globalThis.fetch = realFetch;
  if ('gpu' in navigator && Object.getOwnPropertyDescriptor(navigator, 'gpu')) delete (navigator as { gpu?: unknown }).gpu;
  if (gpuDescriptor) Object.defineProperty(Navigator.prototype, 'gpu', gpuDescriptor);
});

describe('fallbacks are reported with their reason', () => {
  it('the dedup kernel: WebAssembly that cannot load falls back to JavaScript and says why; the next call uses WebAssembly again', async () => {
    const { vectors } = generatePlanted(400, 64, 7);
    const api = createDedupApi();
    missing('screenKernel');
    const js = await api.findPairs({ ...vectors, data: vectors.data.slice() });
    expect(js.kernel).toBe('js');
    expect(js.fallback).toEqual({ part: 'kernel', reason: expect.stringMatching(/screenKernel\.(un)?shared\.wasm: HTTP 404/) });
    expect(js.pairs.a.length).toBeGreaterThan(0);
    // The failed load is not cached, and a kernel that runs reports no fallback.
    globalThis.fetch = realFetch;
    const wasm = await api.findPairs({ ...vectors, data: vectors.data.slice() });
    expect(wasm.kernel).toBe('wasm');
    expect(wasm.fallback).toBeUndefined();
    expect(pairKeys(wasm.pairs)).toEqual(pairKeys(js.pairs));
  });

  it("the embedder: a failing WebGPU adapter and a missing encoder.wasm run the bundled model on onnxruntime-web's WebAssembly, both reasons kept", async () => {
    // The adapter request is the browser's boundary: make it fail as a lost or blocked GPU does.
    Object.defineProperty(navigator, 'gpu', { configurable: true, value: { requestAdapter: () => Promise.reject(new Error('injected: the GPU process crashed')) } });
    missing('encoder/encoder.wasm');
    const api = createEmbedApi();
    try {
      const r = await api.load({ model: 'all-MiniLM-L6-v2', appBase: `${location.origin}/`, dbName: `fallbacks-${crypto.randomUUID()}` });
      expect(r).toMatchObject({ device: 'wasm', engine: 'onnxruntime', dims: 384 });
      expect(r.fallbacks).toEqual([
        { part: 'gpu', reason: 'injected: the GPU process crashed' },
        { part: 'encoder', reason: 'the encoder did not start: encoder.wasm: HTTP 404' },
      ]);
      expect(api.stats().encoderFallback).toBe('the encoder did not start: encoder.wasm: HTTP 404');
      // The model still embeds on the runtime it fell back to.
      const v = await api.embed(['a cat sat on the mat', 'a cat is sitting on the mat']);
      expect(v).toMatchObject({ n: 2, d: 384, computed: 2 });
    } finally {
      await api.dispose();
    }
  }, 120_000);

  it('a browser without the WebGPU API is no fallback: nothing is reported', async () => {
    Object.defineProperty(navigator, 'gpu', { configurable: true, value: undefined });
    const api = createEmbedApi();
    try {
      const r = await api.load({ model: 'all-MiniLM-L6-v2', appBase: `${location.origin}/`, dbName: `fallbacks-${crypto.randomUUID()}` });
      expect(r).toMatchObject({ device: 'wasm', engine: 'seedforge-wasm' });
      expect(r.fallbacks).toEqual([]);
    } finally {
      await api.dispose();
    }
  }, 120_000);

  it('each part has its line in English and Chinese, with the reason in it', () => {
    for (const part of ['encoder', 'gpu', 'kernel'] as const) {
      for (const words of [en, zh]) expect(words[`fallback.${part}`]).toContain('{reason}');
    }
  });
});
