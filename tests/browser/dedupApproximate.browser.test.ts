import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { copy, useDedupWorker } from './dedupWorker';
import { pairKeys } from '../../src/lib/dedup/pairs';
import type { DedupProgress, Vectors } from '../../src/lib/dedup/types';
import { generatePlanted } from '../../src/lib/dedup/vectors';

const dedup = useDedupWorker();

describe('approximate mode through the real dedup worker', () => {
  it('finds >= 99% of the exact pairs on planted vectors, every one a true pair', async () => {
    const { vectors } = generatePlanted(20_000, 384, 77);
    const exact = await dedup().findPairs(copy(vectors), { kernel: 'wasm' });
    const progress: DedupProgress[] = [];
    const approx = await dedup().findPairs(Comlink.transfer(copy(vectors), []), { kernel: 'approximate' }, Comlink.proxy((p: DedupProgress) => void progress.push(p)));
    expect(approx.kernel).toBe('approximate');
    expect(approx.plan?.bits).toBeGreaterThan(0);
    const truth = new Map(pairKeys(exact.pairs).map((k, i) => [k, exact.pairs.sim[i]]));
    const got = pairKeys(approx.pairs);
    got.forEach((k, i) => expect(truth.get(k)).toBe(approx.pairs.sim[i]));
    expect(got.length / truth.size).toBeGreaterThanOrEqual(0.99);
    // Progress counts tables; it never goes backwards and ends at the total.
    const screen = progress.flatMap((p) => (p.phase === 'screen' ? [p] : []));
    expect(screen.map((p) => p.done)).toEqual(screen.map((p) => p.done).sort((a, b) => a - b));
    expect(screen.at(-1)?.done).toBe(screen.at(-1)?.total);
    expect(progress.at(-1)).toEqual({ phase: 'done', pairs: got.length });
    // A generous limit, not a speed check (a 20k exact screen shares 2 cores with other tests).
  }, 120_000);

  it('semantic() in approximate mode gives clusters, groups and a histogram', async () => {
    const { vectors, meta } = generatePlanted(3000, 96, 5);
    const r = await dedup().semantic(copy(vectors), { kernel: 'approximate', bits: 4, tables: 40 });
    const groups = await dedup().groups(r.clusters);
    const removed = groups.reduce((s, g) => s + g.duplicates.length, 0);
    expect(removed).toBe(3000 - r.clusters.kept);
    // Every planted chain a~b~c is one cluster.
    for (const [a, b, c] of meta.chains) {
      expect(r.clusters.cluster[a]).toBe(r.clusters.cluster[b]);
      expect(r.clusters.cluster[b]).toBe(r.clusters.cluster[c]);
    }
    const h = await dedup().histogram(r.pairs.sim, 15, 0.85, 1);
    expect(h.counts.reduce((s, x) => s + x, 0)).toBe(r.pairs.a.length);
  });
});
