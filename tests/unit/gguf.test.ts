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

/** A GGUF v3 file with no metadata and one 256×256 tensor of `type` at offset 0, then `data` bytes. */
function oneTensor(type: number, data: number): Blob {
  const name = new TextEncoder().encode('w');
  const head = new DataView(new ArrayBuffer(24 + 8 + name.length + 4 + 16 + 4 + 8));
  let p = 0;
  const u32 = (v: number) => (head.setUint32(p, v, true), (p += 4));
  const u64 = (v: number) => (head.setBigUint64(p, BigInt(v), true), (p += 8));
  u32(0x46554747);
  u32(3);
  u64(1); // tensors
  u64(0); // metadata pairs
  u64(name.length);
  new Uint8Array(head.buffer).set(name, p);
  p += name.length;
  u32(2);
  u64(256);
  u64(256);
  u32(type);
  u64(0);
  const pad = Math.ceil(p / 32) * 32 - p;
  return new Blob([head.buffer, new Uint8Array(pad), new Uint8Array(data)]);
}

describe('GGUF tensor sizes', () => {
  // Bits per weight as ggml-common.h states them beside each block struct (independent of the
  // reader's bytes/elements table): a 65 536-weight tensor needs bpw × 8192 bytes.
  const BPW: [string, number, number][] = [
    ['F32', 0, 32], ['F16', 1, 16], ['Q4_0', 2, 4.5], ['Q4_1', 3, 5], ['Q5_0', 6, 5.5], ['Q5_1', 7, 6],
    ['Q8_0', 8, 8.5], ['Q8_1', 9, 9], ['Q2_K', 10, 2.625], ['Q3_K', 11, 3.4375], ['Q4_K', 12, 4.5],
    ['Q5_K', 13, 5.5], ['Q6_K', 14, 6.5625], ['Q8_K', 15, 9.125], ['IQ2_XXS', 16, 2.0625], ['IQ2_XS', 17, 2.3125],
    ['IQ3_XXS', 18, 3.0625], ['IQ1_S', 19, 1.5625], ['IQ4_NL', 20, 4.5], ['IQ3_S', 21, 3.4375], ['IQ2_S', 22, 2.5625],
    ['IQ4_XS', 23, 4.25], ['I8', 24, 8], ['I16', 25, 16], ['I32', 26, 32], ['I64', 27, 64], ['F64', 28, 64],
    ['IQ1_M', 29, 1.75], ['BF16', 30, 16], ['TQ1_0', 34, 1.6875], ['TQ2_0', 35, 2.0625], ['MXFP4', 39, 4.25], ['NVFP4', 40, 4.5],
  ];
  it.each(BPW)('%s (type %i) at %f bits per weight: its bytes count, and one byte short is truncated', async (_name, type, bpw) => {
    const bytes = bpw * 8192;
    const info = await readGguf(oneTensor(type, bytes));
    expect(info.dataBytes).toBe(bytes);
    expect(info.dataStart + bytes).toBe(oneTensor(type, bytes).size);
    await expect(readGguf(oneTensor(type, bytes - 1))).rejects.toThrow(/truncated/);
  });

  it('a type no table knows leaves the data size unknown instead of counting it as 0', async () => {
    expect((await readGguf(oneTensor(31, 0))).dataBytes).toBeNull();
  });
});
