import { describe, expect, it } from 'vitest';
import { chunkDocument, ChunkOptionsError, mergeChunkPair, middleSplitPoint, splitChunkAt, splitPoints } from '../../src/lib/documents/chunk';
import { balancePerLabel, computeCoverage, type CoverageChunk, type CoverageSample } from '../../src/lib/documents/coverage';
import { pageStartsOf } from '../../src/lib/documents/draft';
import {
  addLabel,
  buildLabelTree,
  childrenOf,
  deleteLabel,
  emptyLabelTree,
  labelDepths,
  LabelTreeError,
  mergeLabels,
  resolveLabel,
  shiftLabel,
  toOutline,
  type LabelTree,
} from '../../src/lib/documents/labelTree';
import { estimateTextTokens } from '../../src/lib/documents/sentences';
import { buildDoc } from './documentsFixtures';

/** Guide → (Scope, Dosage → (Adults, Children)), Appendix. */
function tree(): LabelTree {
  let t = emptyLabelTree();
  const add = (title: string, parent: string | null) => {
    const r = addLabel(t, title, parent);
    t = r.tree;
    return r.id;
  };
  const guide = add('Guide', null);
  add('Scope', guide);
  const dosage = add('Dosage', guide);
  add('Adults', dosage);
  add('Children', dosage);
  add('Appendix', null);
  return t;
}
// Ids: L1 Guide, L2 Scope, L3 Dosage, L4 Adults, L5 Children, L6 Appendix.

const chunk = (id: string, documentId: string, index: number, label?: string, excluded?: CoverageChunk['excluded']): CoverageChunk => ({
  id,
  documentId,
  index,
  ...(label ? { label } : {}),
  ...(excluded ? { excluded } : {}),
});
let seq = 0;
const sample = (chunkId: string, documentId: string, label: string | undefined, status = 'accepted', extra: Partial<CoverageSample> = {}): CoverageSample => ({
  id: `s${String(++seq).padStart(3, '0')}`,
  status,
  source: { documentId, chunkId, ...(label ? { label } : {}) },
  ...extra,
});

describe('computeCoverage', () => {
  const chunks = [
    chunk('a0', 'A', 0, 'L1'),
    chunk('a1', 'A', 1, 'L2'),
    chunk('a2', 'A', 2, 'L4'),
    chunk('a3', 'A', 3, 'L5'),
    chunk('a4', 'A', 4, 'L5', 'boilerplate'),
    chunk('b1', 'B', 1, 'L6'),
    chunk('b0', 'B', 0),
  ];
  const samples = [
    sample('a1', 'A', 'L2'),
    sample('a1', 'A', 'L2'),
    sample('a2', 'A', 'L4'),
    sample('a3', 'A', 'L5', 'rejected'),
    sample('a3', 'A', 'L5', 'pending'),
    { id: 'seed-made', status: 'accepted' } as CoverageSample,
    sample('b0', 'B', undefined),
  ];

  it('counts chunks, covered chunks and accepted samples per label, rolled up to parents, with shares', () => {
    const c = computeCoverage(tree(), chunks, samples);
    const by = Object.fromEntries(c.labels.map((l) => [l.title, l]));
    expect(c.labels.map((l) => l.title)).toEqual(['Guide', 'Scope', 'Dosage', 'Adults', 'Children', 'Appendix']);
    expect(by.Scope).toMatchObject({ chunks: 1, covered: 1, accepted: 2, depth: 1 });
    expect(by.Adults).toMatchObject({ chunks: 1, covered: 1, accepted: 1, depth: 2 });
    // The excluded chunk is not counted; rejected and pending samples are not either.
    expect(by.Children).toMatchObject({ chunks: 1, covered: 0, accepted: 0 });
    expect(by.Dosage).toMatchObject({ chunks: 2, covered: 1, accepted: 1, own: { chunks: 0, covered: 0, accepted: 0 } });
    expect(by.Guide).toMatchObject({ chunks: 4, covered: 2, accepted: 3, own: { chunks: 1, covered: 0, accepted: 0 } });
    expect(by.Appendix).toMatchObject({ chunks: 1, covered: 0, accepted: 0, share: 0 });
    expect(by.Guide!.share).toBeCloseTo(3 / 4);
    expect(c.unlabelled).toMatchObject({ chunks: 1, covered: 1, accepted: 1, share: 1 / 4 });
    expect(c.total).toEqual({ chunks: 6, covered: 3, accepted: 4 });
    expect(c.uncoveredLabels).toEqual(['L5', 'L6']);
  });

  it('per document: counts and the uncovered chunks in document order', () => {
    const c = computeCoverage(tree(), chunks, samples);
    expect(c.documents).toEqual([
      { documentId: 'A', chunks: 4, covered: 2, accepted: 3, uncovered: ['a0', 'a3'] },
      { documentId: 'B', chunks: 2, covered: 1, accepted: 1, uncovered: ['b1'] },
    ]);
    expect(c.perChunk.get('a1')).toBe(2);
    expect(c.perChunk.has('a3')).toBe(false);
  });

  it('a multi-chunk question covers every chunk it joined; a merged-away label counts for the one that absorbed it', () => {
    const merged = mergeLabels(tree(), 'L5', 'L4');
    const c = computeCoverage(merged, [chunk('x', 'A', 0, 'L4'), chunk('y', 'A', 1, 'L5')], [
      { id: 'm', status: 'accepted', source: { documentId: 'A', chunkId: 'x', label: 'L5', moreChunks: [{ id: 'y' }] } },
    ]);
    const adults = c.labels.find((l) => l.id === 'L4')!;
    expect(adults).toMatchObject({ chunks: 2, covered: 2, accepted: 1, share: 1 });
    expect(c.labels.some((l) => l.id === 'L5')).toBe(false);
  });

  it('without a tree or samples everything is unlabelled and uncovered, and shares are 0', () => {
    const c = computeCoverage(undefined, chunks, []);
    expect(c.labels).toEqual([]);
    expect(c.unlabelled).toEqual({ chunks: 6, covered: 0, accepted: 0, share: 0 });
    expect(c.documents.flatMap((d) => d.uncovered)).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1']);
  });
});

describe('balancePerLabel', () => {
  const pool: CoverageSample[] = [
    sample('c', 'A', 'L2', 'accepted', { score: 3, createdAt: 5 }),
    sample('c', 'A', 'L2', 'accepted', { score: 5, createdAt: 9 }),
    sample('c', 'A', 'L2', 'accepted', { score: 5, createdAt: 2 }),
    sample('c', 'A', 'L2', 'rejected', { score: 5, createdAt: 1 }),
    sample('c', 'A', 'L4', 'accepted', { score: null, createdAt: 1 }),
    sample('c', 'A', 'L4', 'accepted', { score: 4, createdAt: 3 }),
    sample('c', 'A', 'L5', 'accepted', { score: 4, createdAt: 3 }),
    { id: 'seed1', status: 'accepted', score: 4, createdAt: 1 },
    { id: 'seed2', status: 'accepted', score: 4, createdAt: 1 },
  ];

  it('keeps the best k of each label (score, then earliest, then id), in input order, never a rejected one', () => {
    const two = balancePerLabel(pool, 2);
    expect(two.map((s) => s.id)).toEqual([pool[1]!.id, pool[2]!.id, pool[4]!.id, pool[5]!.id, pool[6]!.id, 'seed1', 'seed2']);
    const one = balancePerLabel(pool, 1);
    expect(one.map((s) => s.id)).toEqual([pool[2]!.id, pool[5]!.id, pool[6]!.id, 'seed1']);
    expect(balancePerLabel(pool, 0)).toEqual([]);
  });

  it("'min' gives every label (and the unlabelled group) the smallest label's count", () => {
    const picked = balancePerLabel(pool, 'min');
    expect(picked).toHaveLength(4);
    const labels = picked.map((s) => s.source?.label ?? '');
    expect(new Set(labels).size).toBe(4);
  });

  it('resolves labels through the tree: a merged label is one group with the label that absorbed it', () => {
    const merged = mergeLabels(tree(), 'L5', 'L4');
    const picked = balancePerLabel(pool, 'min', merged);
    // Groups now: L2 (3), L4+L5 (3), unlabelled (2) → 2 each.
    expect(picked).toHaveLength(6);
  });

  it('is deterministic: shuffled input gives the same samples', () => {
    const shuffled = [...pool].reverse();
    expect(new Set(balancePerLabel(shuffled, 2).map((s) => s.id))).toEqual(new Set(balancePerLabel(pool, 2).map((s) => s.id)));
  });

  it('refuses a count that is not a whole number of 0 or more', () => {
    expect(() => balancePerLabel(pool, -1)).toThrow(RangeError);
    expect(() => balancePerLabel(pool, 1.5)).toThrow(RangeError);
    expect(balancePerLabel([], 'min')).toEqual([]);
  });
});

describe('hand edits of chunks (pure helpers)', () => {
  const doc = buildDoc([
    { h: 1, title: 'Dosage', page: 1 },
    { p: 'Take one tablet a day. Do not exceed two tablets.', page: 1 },
    { list: ['Adults: 10 mg.', 'Children: 5 mg.'], page: 2 },
    { p: '每日一次。不得超过二十毫克！', page: 3 },
  ]);
  const starts = pageStartsOf(doc);
  const { chunks } = chunkDocument(doc, { maxTokens: 1000, overlapTokens: 0 });
  const all = chunks[0]!;

  it('split points are line and sentence starts strictly inside the span, Chinese included', () => {
    const pts = splitPoints(doc.text, all.span);
    const at = (s: string) => doc.text.indexOf(s);
    expect(pts).toEqual([at('Take one'), at('Do not'), at('- Adults'), at('- Children'), at('每日'), at('不得')]);
    expect(pts.every((p) => p > all.span[0] && p < all.span[1])).toBe(true);
    expect(splitPoints('One sentence only.', [0, 18])).toEqual([]);
    expect(middleSplitPoint(pts, all.span)).toBe(at('- Adults'));
    expect(middleSplitPoint([], all.span)).toBeUndefined();
  });

  it('a split gives two parts whose text is the document text over their spans, pages from the page map', () => {
    const at = doc.text.indexOf('每日');
    const [a, b] = splitChunkAt(doc.text, starts, { ...all, label: 'L3' }, at);
    expect(a.span[0]).toBe(all.span[0]);
    expect(b.span).toEqual([at, all.span[1]]);
    expect(a.text).toBe(doc.text.slice(...a.span));
    expect(a.text.endsWith('Children: 5 mg.')).toBe(true);
    expect(b.text).toBe('每日一次。不得超过二十毫克！');
    expect([a.pages, b.pages]).toEqual([[1, 2], [3, 3]]);
    expect([a.tokens, b.tokens]).toEqual([estimateTextTokens(a.text), estimateTextTokens(b.text)]);
    expect([a.label, b.label, a.headingPath, b.headingPath]).toEqual(['L3', 'L3', ['Dosage'], ['Dosage']]);
  });

  it('a split point outside the chunk or leaving an empty part is refused', () => {
    expect(() => splitChunkAt(doc.text, starts, all, all.span[0])).toThrow(ChunkOptionsError);
    expect(() => splitChunkAt(doc.text, starts, all, all.span[1])).toThrow(ChunkOptionsError);
    expect(() => splitChunkAt(doc.text, starts, all, 1.5)).toThrow(ChunkOptionsError);
    expect(() => splitChunkAt('   ab', [], { headingPath: [], pages: null, span: [0, 5] }, 2)).toThrow(/Both parts/);
    expect(() => splitChunkAt('ab   ', [], { headingPath: [], pages: null, span: [0, 5] }, 3)).toThrow(/Both parts/);
  });

  it('merging the two halves of a split gives the chunk back (span, text, pages, tokens)', () => {
    const at = doc.text.indexOf('- Adults');
    const [a, b] = splitChunkAt(doc.text, starts, all, at);
    const m = mergeChunkPair(doc.text, a, b);
    expect(m.span).toEqual(all.span);
    expect(m.text).toBe(doc.text.slice(...all.span));
    expect(m.pages).toEqual(all.pages);
    expect(m.tokens).toBe(estimateTextTokens(m.text));
    expect(m.headingPath).toEqual(['Dosage']);
  });

  it('a merge stays excluded only when both chunks were; overlapping spans join as their union', () => {
    const a = { headingPath: ['A'], pages: null, span: [0, 10] as [number, number], excluded: 'duplicate' as const };
    const b = { headingPath: ['B'], pages: [4, 5] as [number, number], span: [6, 20] as [number, number], label: 'L9' };
    const text = 'abcdefghijklmnopqrstuvwxyz';
    expect(mergeChunkPair(text, a, b)).toEqual({ text: text.slice(0, 20), headingPath: ['A'], pages: [4, 5], span: [0, 20], tokens: 1, label: 'L9' });
    expect(mergeChunkPair(text, a, { ...b, excluded: 'user' }).excluded).toBe('duplicate');
  });
});

describe('label tree edits the editor needs', () => {
  it('deleting a label lifts its sub-labels into its place and resolves its tags to its parent', () => {
    const t = deleteLabel(tree(), 'L3');
    expect(toOutline(t)).toBe('- Guide\n  - Scope\n  - Adults\n  - Children\n- Appendix');
    expect(resolveLabel(t, 'L3')).toBe('L1');
    // A top-level label takes its tags with it.
    const top = deleteLabel(tree(), 'L1');
    expect(toOutline(top)).toBe('- Scope\n- Dosage\n  - Adults\n  - Children\n- Appendix');
    expect(resolveLabel(top, 'L1')).toBeUndefined();
    // What was merged into a deleted label follows it.
    const chain = deleteLabel(mergeLabels(tree(), 'L5', 'L4'), 'L4');
    expect(resolveLabel(chain, 'L5')).toBe('L3');
    expect(() => deleteLabel(tree(), 'L99')).toThrow(LabelTreeError);
  });

  it('moves one step up, down, in and out, and does nothing where the step cannot be taken', () => {
    const t = tree();
    expect(toOutline(shiftLabel(t, 'L3', 'up'))).toBe('- Guide\n  - Dosage\n    - Adults\n    - Children\n  - Scope\n- Appendix');
    expect(toOutline(shiftLabel(t, 'L2', 'down'))).toBe(toOutline(shiftLabel(t, 'L3', 'up')));
    expect(toOutline(shiftLabel(t, 'L3', 'indent'))).toBe('- Guide\n  - Scope\n    - Dosage\n      - Adults\n      - Children\n- Appendix');
    expect(toOutline(shiftLabel(t, 'L4', 'outdent'))).toBe('- Guide\n  - Scope\n  - Dosage\n    - Children\n  - Adults\n- Appendix');
    expect(toOutline(shiftLabel(t, 'L6', 'indent'))).toBe('- Guide\n  - Scope\n  - Dosage\n    - Adults\n    - Children\n  - Appendix');
    for (const [id, s] of [['L1', 'up'], ['L6', 'down'], ['L2', 'indent'], ['L1', 'outdent']] as const) expect(shiftLabel(t, id, s)).toBe(t);
    expect(() => shiftLabel(t, 'L99', 'up')).toThrow(LabelTreeError);
  });

  it('depths follow the nesting, and every label built from headings has one', () => {
    expect([...labelDepths(tree())]).toEqual([['L1', 0], ['L2', 1], ['L3', 1], ['L4', 2], ['L5', 2], ['L6', 0]]);
    const { tree: built } = buildLabelTree([{ title: 'Doc', chunks: [{ headingPath: ['A', 'B'] }, { headingPath: ['C'] }] }]);
    expect([...labelDepths(built).values()]).toEqual([0, 1, 2, 1]);
    expect(childrenOf(built, null)).toHaveLength(1);
  });
});
