import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/lib/documents/chunk';
import { chunkPieces } from '../../src/lib/documents/cite';
import type { ChunkRef } from '../../src/lib/documents/types';
import { grounding, locateQuotes } from '../../src/lib/pipeline/operators/grounded';
import nettleUrl from '../fixtures/documents/nettle.pdf?url';
import { fixtureFile, useDocumentsWorker } from './documentsWorker';

// Review of issue 14: quotes of real PDF chunks whose running headers and page numbers were cut
// out (Debian's Nettle manual, as the real extractor reads it) are cited at their own text.
const api = useDocumentsWorker();

describe('cited offsets in a real PDF', () => {
  it('the Nettle manual: chunks that are not plain slices map nearly all their text back, and each quoted line is cited at that line', async () => {
    const doc = (await api().extract(await fixtureFile(nettleUrl, 'nettle.pdf'), {})).doc;
    const chunks = chunkDocument(doc, { maxTokens: 300, overlapTokens: 30 }).chunks.filter((c) => !c.excluded);
    const refs: ChunkRef[] = chunks.map((c, i) => {
      const pieces = chunkPieces(doc.text, c);
      return { id: `c${i}`, documentId: 'n', documentName: 'nettle.pdf', index: c.index, text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens, ...(pieces ? { pieces } : {}) };
    });
    const cut = refs.filter((c) => c.pieces);
    console.log(`nettle: ${cut.length} of ${refs.length} chunks are not plain slices`);
    expect(cut.length).toBeGreaterThan(5);
    let quoted = 0;
    for (const c of cut) {
      const mapped = c.pieces!.reduce((n, p) => n + p[2], 0);
      expect(mapped / c.text.replace(/\s+$/, '').length).toBeGreaterThan(0.9);
      for (const [at, d, n] of c.pieces!) expect(doc.text.slice(d, d + n)).toBe(c.text.slice(at, at + n));
      // Lines with an ellipsis are left out: a quote's ellipsis elides text (cite.ts), quoting in pieces.
      for (const line of c.text.split('\n').filter((l) => l.trim().length >= 40 && !/\.{3}|…/.test(l) && c.text.indexOf(l) === c.text.lastIndexOf(l))) {
        const { cited, unsupported } = locateQuotes(grounding([c]), [line]);
        expect(unsupported).toEqual([]);
        expect(cited.map(([a, b]) => doc.text.slice(a, b))).toEqual([line]);
        quoted++;
      }
    }
    expect(quoted).toBeGreaterThan(20);
  });
});
