import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/lib/db/types';
import { diffWords, tokens } from '../../src/lib/review/diff';
import { clustersPerGroup, meanPairwise, pca2 } from '../../src/lib/review/embedStats';
import { ANY_FILTER, applyFilter, facets, isAny } from '../../src/lib/review/filter';
import { toRow } from '../../src/lib/review/rows';
import { distinctN, lengthHistograms, lexicalPerRound, mix, scoreHistogram } from '../../src/lib/review/stats';
import { mulberry32 } from '../../src/lib/random';

function sample(i: number, over: Partial<Sample> = {}): Sample {
  return {
    id: `r:${i}`, projectId: 'p', runId: 'r', seedId: `s${i % 3}`, parentId: null, operation: i % 2 ? 'evol:deepen' : 'selfInstruct', round: i % 3,
    persona: i % 4 === 0 ? 'a nurse' : null, instruction: `Instruction number ${i}`, input: '', output: `Answer ${i}`, status: i % 5 === 0 ? 'rejected' : 'accepted',
    rejectReason: i % 5 === 0 ? 'judge:lowScore' : null, score: i % 7 === 0 ? null : (i % 5) + 1, duplicateOf: i % 6 === 0 && i ? 'r:0' : null,
    lineage: { calls: [{ op: 'gen', role: 'generator', engine: 'wllama', model: i % 2 ? 'qwen' : 'llama', template: 't', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0 }, { op: 'judge', role: 'judge', engine: 'remote', model: 'gpt', template: 'j', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0 }], dedup: { duplicateOf: 'r:0', similarity: 0.93 } },
    createdAt: i, updatedAt: i, ...over,
  };
}

const rows = Array.from({ length: 60 }, (_, i) => toRow(sample(i)));

describe('review rows and filters', () => {
  it('keeps what the screen filters on and drops the lineage', () => {
    const r = toRow(sample(6));
    expect(r).toMatchObject({ id: 'r:6', model: 'llama', judgeModel: 'gpt', duplicateOf: 'r:0', similarity: 0.93, edited: false });
    expect('lineage' in r).toBe(false);
    expect(toRow(sample(1)).similarity).toBeNull();
    expect(toRow(sample(1, { lineage: { human: [{ kind: 'edit', at: 1 }] } })).edited).toBe(true);
  });

  it('each filter field selects exactly the rows that match it', () => {
    expect(applyFilter(rows, ANY_FILTER)).toHaveLength(60);
    expect(isAny(ANY_FILTER)).toBe(true);
    const count = (f: Partial<typeof ANY_FILTER>, pred: (r: (typeof rows)[number]) => boolean) => {
      const got = applyFilter(rows, { ...ANY_FILTER, ...f });
      expect(got.map((r) => r.id)).toEqual(rows.filter(pred).map((r) => r.id));
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(60);
    };
    count({ status: 'rejected' }, (r) => r.status === 'rejected');
    count({ scoreMax: 2 }, (r) => r.score !== null && r.score <= 2);
    count({ scoreMax: 2, unscored: true }, (r) => r.score === null || r.score <= 2);
    count({ scoreMin: 3, scoreMax: 4 }, (r) => r.score !== null && r.score >= 3 && r.score <= 4);
    count({ operation: 'evol:deepen' }, (r) => r.operation === 'evol:deepen');
    count({ round: 2 }, (r) => r.round === 2);
    count({ persona: 'a nurse' }, (r) => r.persona === 'a nurse');
    count({ model: 'qwen' }, (r) => r.model === 'qwen');
    count({ reason: 'judge:lowScore' }, (r) => r.rejectReason === 'judge:lowScore');
    count({ duplicates: 'duplicates' }, (r) => !!r.duplicateOf);
    count({ duplicates: 'unique' }, (r) => !r.duplicateOf);
    // Every word must appear somewhere (not necessarily together): "1" also matches "Answer 21".
    count({ query: 'NUMBER 1' }, (r) => r.instruction.includes('number') && `${r.instruction} ${r.output}`.includes('1'));
    count({ query: 'answer 12' }, (r) => r.output === 'Answer 12');
    // Filters combine with AND.
    count({ status: 'accepted', round: 1, model: 'qwen' }, (r) => r.status === 'accepted' && r.round === 1 && r.model === 'qwen');
  });

  it('lists each facet value with its count, most frequent first', () => {
    const f = facets(rows);
    expect(f.operation).toEqual([['evol:deepen', 30], ['selfInstruct', 30]]);
    expect(f.round).toEqual([[0, 20], [1, 20], [2, 20]]);
    expect(f.reason).toEqual([['judge:lowScore', 12]]);
    expect(f.persona).toEqual([['a nurse', 15]]);
  });
});

describe('instruction diff', () => {
  it('splits Latin text into words and Chinese into characters', () => {
    expect(tokens('Write a poem, now!')).toEqual(['Write', ' ', 'a', ' ', 'poem', ',', ' ', 'now', '!']);
    expect(tokens('写一首诗 about 春天')).toEqual(['写', '一', '首', '诗', ' ', 'about', ' ', '春', '天']);
  });

  it('marks the added constraint and keeps the rest', () => {
    const d = diffWords('Write a poem about spring.', 'Write a short poem about spring in exactly 4 lines.');
    expect(d).toEqual([
      { op: 'same', text: 'Write a ' },
      { op: 'add', text: 'short ' },
      { op: 'same', text: 'poem about spring' },
      { op: 'add', text: ' in exactly 4 lines' },
      { op: 'same', text: '.' },
    ]);
    const zh = diffWords('写一首关于春天的诗', '写一首关于秋天的短诗');
    expect(zh.filter((p) => p.op !== 'same')).toEqual([{ op: 'del', text: '春' }, { op: 'add', text: '秋' }, { op: 'add', text: '短' }]);
  });

  it('reassembles both texts exactly', () => {
    const rng = mulberry32(3);
    const words = ['alpha', 'beta', '，', '中', '文', ' ', 'gamma', '.', '\n'];
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: Math.floor(rng() * 30) }, () => words[Math.floor(rng() * words.length)]).join('');
      const b = Array.from({ length: Math.floor(rng() * 30) }, () => words[Math.floor(rng() * words.length)]).join('');
      const d = diffWords(a, b);
      expect(d.filter((p) => p.op !== 'add').map((p) => p.text).join('')).toBe(a);
      expect(d.filter((p) => p.op !== 'del').map((p) => p.text).join('')).toBe(b);
    }
  });
});

describe('chart figures', () => {
  it('bins scores by half points and counts the unscored apart', () => {
    const h = scoreHistogram([{ score: 1 }, { score: 4.5 }, { score: 5 }, { score: 5 }, { score: null }] as never);
    expect(h.unscored).toBe(1);
    expect(h.bins.filter((b) => b.count).map((b) => [b.score, b.count])).toEqual([[1, 1], [4.5, 1], [5, 2]]);
  });

  it('counts characters, not UTF-16 units, for lengths', () => {
    const h = lengthHistograms([{ instruction: '春天', input: '', output: '😀😀😀' }] as never, 4);
    expect(h.instruction.counts.reduce((a, b) => a + b)).toBe(1);
    expect(h.response.edges.at(-1)).toBeLessThan(3);
  });

  it('mix keeps the top labels and folds the rest', () => {
    const m = mix(rows, (r) => r.id, 5);
    expect(m).toHaveLength(6);
    expect(m.at(-1)).toEqual({ label: '…', count: 55 });
  });

  it('distinct-n falls when texts repeat each other', () => {
    expect(distinctN(['a b c', 'd e f'], 1)).toBe(1);
    expect(distinctN(['a b c', 'a b c'], 1)).toBe(0.5);
    expect(distinctN(['a b c', 'a b d'], 2)).toBe(3 / 4);
    expect(distinctN(['春天来了', '春天来了'], 2)).toBe(0.5);
    const per = lexicalPerRound([{ round: 1, instruction: 'x y', input: '' }, { round: 0, instruction: 'x y', input: '' }, { round: 1, instruction: 'x y', input: '' }] as never);
    expect(per).toEqual([{ round: 0, items: 1, distinct1: 1, distinct2: 1 }, { round: 1, items: 2, distinct1: 0.5, distinct2: 0.5 }]);
  });
});

describe('embedding figures', () => {
  it('PCA recovers the two directions the points spread along', () => {
    const rng = mulberry32(9);
    const n = 400;
    const d = 16;
    const data = new Float32Array(n * d);
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = (rng() - 0.5) * 10; // main spread on axis 3
      const b = (rng() - 0.5) * 4; // second on axis 7
      xs.push(a);
      data[i * d + 3] = a;
      data[i * d + 7] = b;
      for (let k = 0; k < d; k++) data[i * d + k]! += (rng() - 0.5) * 0.01;
    }
    const map = pca2(data, n, d);
    // PC1 follows axis 3 (up to sign): the correlation is ~±1.
    const pc1 = Array.from({ length: n }, (_, i) => map[i * 2]!);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const mx = mean(xs);
    const mp = mean(pc1);
    const cov = xs.reduce((s, x, i) => s + (x - mx) * (pc1[i]! - mp), 0);
    const corr = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * pc1.reduce((s, x) => s + (x - mp) ** 2, 0));
    expect(Math.abs(corr)).toBeGreaterThan(0.999);
    // Deterministic: the same input gives the same map.
    expect(pca2(data, n, d)).toEqual(map);
  });

  it('mean pairwise similarity and clusters per round', () => {
    // Items 0,1 identical; 2 orthogonal. Round 0 = {0,1,2}, round 1 = {3,4} orthogonal.
    const d = 2;
    const data = Float32Array.from([1, 0, 2, 0, 0, 1, 1, 0, 0, 3]);
    expect(meanPairwise(data, d, [0, 1, 2]).mean).toBeCloseTo((1 + 0 + 0) / 3, 6);
    expect(meanPairwise(data, d, [3, 4]).mean).toBeCloseTo(0, 6);
    const pairs = { a: Uint32Array.from([0, 0]), b: Uint32Array.from([1, 3]), sim: Float32Array.from([1, 1]) };
    const c = clustersPerGroup([0, 0, 0, 1, 1], pairs, 0.85);
    // The 0–3 pair crosses rounds: it does not merge anything within a round.
    expect(c.get(0)).toEqual({ items: 3, clusters: 2 });
    expect(c.get(1)).toEqual({ items: 2, clusters: 2 });
  });
});
