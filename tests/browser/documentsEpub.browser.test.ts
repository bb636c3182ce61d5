import { describe, expect, it } from 'vitest';
import { extractInWorker, prepareInWorker } from '../../src/lib/documents/extract/client';
import { DocumentError } from '../../src/lib/documents/extract/errors';
import { fixtureFile } from './documentsWorker';
import epubUrl from '../fixtures/documents/guide.epub?url';

// The EPUB path in the real documents worker: routing by the mimetype entry, the ZIP read with the
// browser's own DecompressionStream, chapters through the HTML converter, then the chunker.
describe('EPUB in the documents worker', () => {
  it('reads a deflated EPUB 3 book and chunks it by its chapters', async () => {
    const x = await extractInWorker(await fixtureFile(epubUrl, 'guide.epub'));
    expect(x.format).toBe('epub');
    expect(x.doc.title).toBe('Field guide to grounded data');
    expect(x.doc.text).toContain('电子书中的中文段落保留全角标点，字符之间没有空格。');
    expect(x.doc.outline?.map((o) => o.title)).toEqual(['Keeping documents local', 'Formats that can be read', 'Limits', '第二章 中文内容', '引用原文', 'Afterword']);
    const { draft, chunks } = await prepareInWorker(await fixtureFile(epubUrl, 'guide.epub'));
    expect(draft).toMatchObject({ type: 'epub', pages: null, title: 'Field guide to grounded data' });
    expect(chunks.map((c) => c.headingPath[0])).toEqual(expect.arrayContaining(['Keeping documents local', '第二章 中文内容', 'Afterword']));
    for (const c of chunks) expect(draft.text.slice(c.span[0], c.span[1]).length).toBeGreaterThan(0);
  });

  it('a broken EPUB is a DamagedFileError from the worker too', async () => {
    const good = new Uint8Array(await (await fetch(epubUrl)).arrayBuffer());
    const err = await extractInWorker(new File([good.slice(0, good.length >> 1)], 'half.epub')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentError);
    expect(err).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('half.epub is damaged') });
  });
});
