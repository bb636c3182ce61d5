import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/verbs/recordFiles';

describe("the pii/decontam table", () => {
  it('aligns columns to the widest cell, the last column unpadded', () => {
    expect(table(['record', 'type', 'text'], [['0', 'phone', 'x'], ['12', 'e', 'long text']])).toBe('record  type   text\n0       phone  x\n12      e      long text\n');
  });

  it('takes 300k rows (a large file): no spread of every row into one call', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [String(i), 'phone', 'x']);
    const out = table(['record', 'type', 'text'], rows);
    expect(out.split('\n')[0]).toBe('record  type   text');
    expect(out.split('\n').at(-2)).toBe('299999  phone  x');
  });
});
