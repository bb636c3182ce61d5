import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, lexicalDuplicate, pairMetrics, parsePairs, semanticDuplicate } from '../../src/lib/dedup/quality';

const sample = readFileSync(join(import.meta.dirname, '../fixtures/dedup-pairs.sample.tsv'), 'utf8');

describe('parsePairs', () => {
  it('reads the committed TSV sample, skipping its header', () => {
    const pairs = parsePairs(sample);
    expect(pairs).toHaveLength(12);
    expect(pairs[0]).toEqual({ a: 'How do I bake bread at home?', b: 'How can I make bread at home?', score: 4.6 });
    expect(pairs.filter((p) => p.score >= 4)).toHaveLength(7);
  });

  it('reads CSV with quotes and takes the last three fields (GLUE STS-B rows have leading columns)', () => {
    const csv = 'a,b,score\n"Hello, world","He said ""hi""",4.5\r\nx,y,0\n';
    expect(parsePairs(csv)).toEqual([
      { a: 'Hello, world', b: 'He said "hi"', score: 4.5 },
      { a: 'x', b: 'y', score: 0 },
    ]);
    const glue = '1\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking off.\tAn air plane is taking off.\t5.000\n';
    expect(parsePairs(glue)).toEqual([{ a: 'A plane is taking off.', b: 'An air plane is taking off.', score: 5 }]);
  });

  it('reads the "||"-separated Chinese STS-B files as they are (id, text a, text b, score)', () => {
    expect(parsePairs('2012test-0002||一个小孩在骑马。||孩子在骑马。||4\n2012test-0007||一个女人在弹吉他。||一个人在弹吉他。||2\n')).toEqual([
      { a: '一个小孩在骑马。', b: '孩子在骑马。', score: 4 },
      { a: '一个女人在弹吉他。', b: '一个人在弹吉他。', score: 2 },
    ]);
  });

  it('names the line of a bad row', () => {
    expect(() => parsePairs('a\tb\t4\nonly\ttwo\n')).toThrow(/line 2: expected text a, text b/);
    expect(() => parsePairs('a\tb\t4\nc\td\tseven\n')).toThrow(/line 2: the score "seven"/);
    expect(() => parsePairs('a\tb\t6\n')).toThrow(/line 1: the score 6 is outside 0–5/);
  });
});

describe('pairMetrics', () => {
  const pairs = [4, 5, 3.9, 1, 4.2].map((score, i) => ({ a: `a${i}`, b: `b${i}`, score }));

  it('counts pairs scored ≥ 4 as duplicates', () => {
    const m = pairMetrics(pairs, [true, false, true, false, true]);
    expect(m).toMatchObject({ predicted: 3, actual: 3, truePositives: 2 });
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(2 / 3);
    expect(m.falseShare).toBeCloseTo(1 / 3);
  });

  it('gives precision 1 and no false share when nothing is predicted', () => {
    expect(pairMetrics(pairs, [false, false, false, false, false])).toMatchObject({ precision: 1, recall: 0, falseShare: 0 });
  });
});

describe('the passes on one pair', () => {
  it('lexical: the same normalised text, or character 3-gram Jaccard at the threshold', () => {
    expect(lexicalDuplicate('How do I bake bread?', 'how do i  bake bread?', 0.8)).toBe(true);
    expect(lexicalDuplicate('Write a poem about the sea.', 'Write a poem about the mountains.', 0.8)).toBe(false);
    expect(lexicalDuplicate('如何在家烤面包', '如何在家烤面包呢', 0.5)).toBe(true);
    expect(lexicalDuplicate('a b c', 'x y z', 0)).toBe(false);
  });

  it('semantic: strictly above the threshold', () => {
    expect(semanticDuplicate(0.86, 0.85)).toBe(true);
    expect(semanticDuplicate(0.85, 0.85)).toBe(false);
  });
});

describe('calibrateThreshold', () => {
  // 20 duplicates at 0.950–0.988, 18 other pairs at 0.50–0.67, two more at 0.91 and 0.905, and one
  // duplicate the model misses (0.2).
  const score = [...Array(20).fill(5), ...Array(20).fill(1), 5] as number[];
  const pairs = score.map((s, i) => ({ a: `a${i}`, b: `b${i}`, score: s }));
  const sim = score.map((_, i) => (i < 20 ? 0.95 + i * 0.002 : 0.5 + (i - 20) * 0.01));
  sim[38] = 0.91;
  sim[39] = 0.905;
  sim[40] = 0.2;

  it('finds the lowest threshold from which precision stays at the target, with its recall', () => {
    const c = calibrateThreshold(pairs, sim, 0.95)!;
    // At 0.905 the 0.91 pair is in (20 of 21 right); at 0.900 the 0.905 one too (20 of 22).
    expect(c.threshold).toBe(0.905);
    expect(c.metrics).toMatchObject({ predicted: 21, truePositives: 20, actual: 21 });
    expect(pairMetrics(pairs, sim.map((s) => s > 0.9)).precision).toBeLessThan(0.95);
  });

  it('returns null when no threshold reaches the target', () => {
    expect(calibrateThreshold(pairs.map((p) => ({ ...p, score: 1 })), sim, 0.95)).toBeNull();
  });

  it('counts the lexical pass as predicted at every threshold', () => {
    const lexical = pairs.map((_, i) => i === 40);
    expect(calibrateThreshold(pairs, sim, 0.95, lexical)!.metrics).toMatchObject({ predicted: 22, truePositives: 21, recall: 1 });
  });
});
