import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsFindPairs } from '../../src/lib/dedup/jsKernel';
import { pairKeys } from '../../src/lib/dedup/pairs';
import { generatePlanted } from '../../src/lib/dedup/vectors';
import { wasmFindPairsSingle } from '../../src/lib/dedup/wasmKernel';

const kernelBytes = (name: string) => readFileSync(new URL(`../../src/lib/dedup/${name}`, import.meta.url));

describe('wasm vs js', () => {
  it('same pairs', async () => {
    const { vectors } = generatePlanted(2000, 384, 7);
    let t = performance.now();
    const js = jsFindPairs(vectors);
    console.log('js', performance.now() - t, js.a.length);
    const mod = new WebAssembly.Module(kernelBytes('screenKernel.unshared.wasm'));
    t = performance.now();
    const w = await wasmFindPairsSingle(vectors, mod);
    console.log('wasm', performance.now() - t, w.a.length);
    expect(pairKeys(w)).toEqual(pairKeys(js));
  });
});
