import { describe, expect, it } from 'vitest';
import { chunkDocument, mergeChunkPair, splitChunkAt, splitPoints } from '../../src/lib/documents/chunk';
import { computeCoverage, type CoverageChunk, type CoverageSample } from '../../src/lib/documents/coverage';
import { buildDoc } from './documentsFixtures';

/**
 * Review of issue 14: coverage after the chunks were edited. Samples name the chunk they were
 * asked from, but a merge deletes the second chunk's id, a split gives the second part a new one
 * and a re-chunk replaces them all: counted by id, the chunks now holding the samples' text showed
 * as uncovered. Samples are now matched to chunks by position (the sample's grounding span).
 */

const SENTENCES = Array.from({ length: 12 }, (_, i) => `Rule ${i + 1} of the ward says that every bed is cleaned between patients, with the checklist signed.`);
const doc = buildDoc([{ h: 1, title: 'Cleaning' }, ...SENTENCES.map((p) => ({ p }))]);
type C = CoverageChunk & { span: [number, number]; text: string; headingPath: string[]; pages: null };
const asRows = (chunks: { text: string; span: [number, number]; index: number }[], prefix: string): C[] => chunks.map((c, i) => ({ id: `${prefix}${i}`, documentId: 'D', index: i, span: c.span, text: c.text, headingPath: [], pages: null }));
const sampleOn = (c: C, i: number, more?: C): CoverageSample => ({
  id: `s${i}`,
  status: 'accepted',
  source: { documentId: 'D', chunkId: c.id, span: [c.span[0], (more ?? c).span[1]], ...(more ? { moreChunks: [{ id: more.id }] } : {}) },
});

describe('coverage of edited chunks', () => {
  const first = asRows(chunkDocument(doc, { maxTokens: 60, overlapTokens: 20 }).chunks, 'a');
  const samples = first.map((c, i) => sampleOn(c, i));

  it('unedited chunks with overlap: each sample covers its own chunk only, not the neighbour sharing the overlap', () => {
    expect(first.length).toBeGreaterThan(3);
    expect(first.some((c, i) => i > 0 && c.span[0] < first[i - 1]!.span[1])).toBe(true);
    const one = computeCoverage(undefined, first, [samples[1]!]);
    expect([...one.perChunk.keys()]).toEqual(['a1']);
    expect(computeCoverage(undefined, first, samples).total).toMatchObject({ chunks: first.length, covered: first.length });
  });

  it('after a merge the merged chunk is covered by the samples of both; after a split both parts are', () => {
    const m = mergeChunkPair(doc.text, first[1]!, first[2]!);
    const merged: C[] = [first[0]!, { ...first[1]!, span: m.span, text: m.text }, ...first.slice(3).map((c, i) => ({ ...c, index: i + 2 }))];
    const c = computeCoverage(undefined, merged, [samples[2]!]);
    expect([...c.perChunk.keys()]).toEqual(['a1']);

    const at = splitPoints(doc.text, first[1]!.span)[0]!;
    const [p, q] = splitChunkAt(doc.text, [], first[1]!, at);
    const split: C[] = [first[0]!, { ...first[1]!, span: p.span, text: p.text }, { id: 'new', documentId: 'D', index: 2, span: q.span, text: q.text, headingPath: [], pages: null }, ...first.slice(2)];
    const s = computeCoverage(undefined, split, [samples[1]!]);
    expect([...s.perChunk.keys()].sort()).toEqual(['a1', 'new']);
  });

  it('after a re-chunk (new ids) every chunk inside the covered text is covered, and a multi-chunk sample covers both of its chunks', () => {
    const again = asRows(chunkDocument(doc, { maxTokens: 40, overlapTokens: 0 }).chunks, 'b');
    const c = computeCoverage(undefined, again, samples);
    expect(c.total.covered).toBe(again.length);
    const multi = computeCoverage(undefined, first, [sampleOn(first[2]!, 99, first[3]!)]);
    expect([...multi.perChunk.keys()].sort()).toEqual(['a2', 'a3']);
  });
});
