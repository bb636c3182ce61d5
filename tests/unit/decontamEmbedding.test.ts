import { describe, expect, it } from 'vitest';
import { embeddingMatches } from '../../src/lib/decontam/embedding';

const v = (rows: number[][]) => ({ data: new Float32Array(rows.flat()), n: rows.length, d: rows[0]!.length });

describe('embeddingMatches', () => {
  it('reports queries at or above the threshold against the eval set only', async () => {
    const c = Math.cos(0.5), s = Math.sin(0.5);
    const evalVecs = v([[1, 0, 0], [0, 1, 0]]);
    const queries = v([[1, 0, 0], [c, s, 0], [0, 0, 1], [0, 0, 1]]);
    const hits = await embeddingMatches(queries, evalVecs, 0.87);
    expect(hits.map((h) => [h.query, h.evalIndex])).toEqual([[0, 0], [1, 0]]);
    expect(hits[1]!.similarity).toBeCloseTo(c, 5);
    // just above cos(0.5) ≈ 0.8776: the rotated query drops out; identical queries 2,3 never pair with each other
    expect((await embeddingMatches(queries, evalVecs, 0.878)).length).toBe(1);
  });
  it('rejects mismatched widths', async () => {
    await expect(embeddingMatches(v([[1, 0]]), v([[1, 0, 0]]), 0.9)).rejects.toMatchObject({ name: 'DecontamInputError' });
  });
});
