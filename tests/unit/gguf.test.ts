import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGguf } from '../../src/lib/engines/local/gguf';

const bytes = readFileSync(new URL('../fixtures/stories260K.gguf', import.meta.url));

describe('GGUF header reader', () => {
  it('reads the test model: version, architecture, context length, tensors that fit the file', async () => {
    const info = await readGguf(new Blob([bytes]));
    expect(info.version).toBe(3);
    expect(info.metadata['general.architecture']).toBe('llama');
    expect(info.metadata['llama.context_length']).toBe(2048);
    expect(info.metadata['llama.block_count']).toBe(5);
    expect(info.tensorCount).toBeGreaterThan(10);
    expect(info.dataStart + info.dataBytes!).toBeLessThanOrEqual(bytes.length);
    expect(info.dataBytes).toBeGreaterThan(bytes.length * 0.8); // f32 weights are most of the file
  });

  it('names what is wrong with a bad file', async () => {
    await expect(readGguf(new Blob([bytes.subarray(0, bytes.length - 1000)]))).rejects.toThrow(/truncated/);
    await expect(readGguf(new Blob([bytes.subarray(0, 100)]))).rejects.toThrow(/ends at byte 100/);
    await expect(readGguf(new Blob(['{"not": "a model"} padding padding']))).rejects.toThrow(/not a GGUF file/);
    const v9 = Uint8Array.from(bytes.subarray(0, 64));
    v9[4] = 9;
    await expect(readGguf(new Blob([v9]))).rejects.toThrow(/version 9/);
  });
});
