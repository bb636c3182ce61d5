import { describe, expect, it } from 'vitest';
import { chunkDocument, previewText } from '../../src/lib/documents/chunk';
import { chunkPieces, chunkToDoc } from '../../src/lib/documents/cite';
import type { ChunkRef, ExtractedDoc } from '../../src/lib/documents/types';
import { alignedSpans, grounding, locateQuotes } from '../../src/lib/pipeline/operators/grounded';
import { buildDoc, POLICY_LINES, runningHeaderPages } from './documentsFixtures';

/**
 * Cited offsets of chunks that are not plain slices of their document (review of issue 14): a PDF
 * chunk across a page break has the running header and page number cut out, a long table's later
 * chunk repeats its header row. Their quotes must still point at the quoted text in the document —
 * before, such chunks cited nothing (a length check), and one whose cut and added text happened to
 * weigh the same would have cited other text.
 */

function refs(doc: ExtractedDoc, maxTokens: number): ChunkRef[] {
  return chunkDocument(doc, { maxTokens, overlapTokens: 0 })
    .chunks.filter((c) => !c.excluded)
    .map((c, i) => {
      const pieces = chunkPieces(doc.text, c);
      return { id: `c${i}`, documentId: 'd', documentName: 'd.pdf', index: c.index, text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens, ...(pieces ? { pieces } : {}) };
    });
}

const BODY = POLICY_LINES;
const parts = runningHeaderPages();
const pdf = buildDoc(parts);

const ROWS = Array.from({ length: 12 }, (_, i) => [`Drug ${i + 1}`, `${(i + 1) * 5} mg every ${i + 2} hours, with food 🍞`]);
const table = buildDoc([{ h: 1, title: 'Dosage' }, { table: [['Drug', 'Dose'], ...ROWS] }]);

describe('cited offsets of chunks that are not plain slices of the document', () => {
  it('running headers cut out of a chunk: every quoted sentence is cited at its own text in the document', () => {
    const chunks = refs(pdf, 30);
    const cut = chunks.filter((c) => c.pieces);
    expect(cut.length).toBeGreaterThan(0);
    for (const c of cut) {
      for (const line of BODY.filter((l) => c.text.includes(l))) {
        const { cited, unsupported } = locateQuotes(grounding([c]), [line]);
        expect(unsupported).toEqual([]);
        expect(cited.map(([a, b]) => pdf.text.slice(a, b))).toEqual([line]);
      }
    }
  });

  it('a table chunk with its header repeated: a quoted row is cited at that row (surrogate pairs included), the header maps nowhere', () => {
    const chunks = refs(table, 40);
    const later = chunks.filter((c) => c.pieces);
    expect(later.length).toBeGreaterThan(0);
    for (const c of later) {
      const header = c.text.split('\n')[0]!;
      expect(table.text.slice(c.span[0], c.span[1])).not.toContain(header);
      const row = c.text.split('\n').find((l) => l.includes('Drug 1') || /Drug \d/.test(l))!;
      const { cited } = locateQuotes(grounding([c]), [row]);
      expect(cited.map(([a, b]) => table.text.slice(a, b))).toEqual([row]);
      expect(chunkToDoc(c, 0, header.length)).toEqual([]);
    }
  });

  it('an answer that restates a sentence of such a chunk cites that sentence', () => {
    const c = refs(pdf, 30).find((x) => x.pieces && x.text.includes(BODY[3]!))!;
    const spans = alignedSpans(grounding([c]), 'Soap and water are used after caring for patients who have diarrhoea.');
    expect(spans.map(([a, b]) => pdf.text.slice(a, b))).toContain(BODY[3]);
  });

  it('a plain slice has no pieces; a snapshot without pieces whose text is not its span length cites nothing', () => {
    const plain = buildDoc([{ h: 1, title: 'Care' }, { p: BODY[0]! }]);
    const [c] = refs(plain, 200);
    expect(c!.pieces).toBeUndefined();
    expect(locateQuotes(grounding([c!]), [BODY[0]!]).cited.map(([a, b]) => plain.text.slice(a, b))).toEqual([BODY[0]]);
    const old = { ...refs(pdf, 30).find((x) => x.pieces)! };
    delete old.pieces;
    expect(locateQuotes(grounding([old]), [BODY.find((l) => old.text.includes(l))!]).cited).toEqual([]);
  });
});

describe('chunk previews', () => {
  it('never end on half a surrogate pair', () => {
    expect(previewText('ab🍞cd', 3)).toBe('ab');
    expect(previewText('ab🍞cd', 4)).toBe('ab🍞');
    expect(previewText('消毒规范', 2)).toBe('消毒');
    expect(previewText('short', 300)).toBe('short');
  });
});
