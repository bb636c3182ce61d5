import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/lib/documents/chunk';
import type { ExtractedDoc } from '../../src/lib/documents/types';
import nettleUrl from '../fixtures/documents/nettle.pdf?url';
import zhUrl from '../fixtures/documents/zh-guide.pdf?url';
import { checkInvariants } from '../unit/documentsFixtures';
import { fixtureFile, useDocumentsWorker } from './documentsWorker';

// The chunker over what the real extractor makes of real PDFs: Debian's 111-page Nettle manual
// (running headers and page numbers on every page) and the Chinese guide.
const api = useDocumentsWorker();

async function extract(url: string, name: string): Promise<ExtractedDoc> {
  return (await api().extract(await fixtureFile(url, name), {})).doc;
}

describe('chunking extracted PDFs', () => {
  it('the Nettle manual: running headers and page numbers removed, invariants kept, pages in order', async () => {
    const doc = await extract(nettleUrl, 'nettle.pdf');
    const r = chunkDocument(doc, { maxTokens: 300, overlapTokens: 30 });
    const removed = r.removed.map((s) => doc.text.slice(s.start, s.end));
    console.log(`nettle: ${r.chunks.length} chunks, ${r.chunks.filter((c) => c.excluded).length} excluded, ${removed.length} lines removed, e.g. ${JSON.stringify([...new Set(removed)].slice(0, 8))}`);
    // Left out: near-copies of templated reference sections (HMAC-SHA1 after HMAC-MD5, …), and the
    // table of contents and the indexes (dot leaders to page numbers: navigation, not content).
    const excluded = r.chunks.filter((c) => c.excluded);
    expect(excluded.length).toBeLessThan(r.chunks.length / 5);
    const contents = r.chunks.filter((c) => c.headingPath.at(-1) === 'Table of Contents');
    expect(contents.length).toBeGreaterThan(0);
    expect(contents.every((c) => c.excluded === 'boilerplate')).toBe(true);
    const navigation = (c: (typeof r.chunks)[number]) => c.headingPath.at(-1) === 'Table of Contents' || /^[A-Z]$/.test(c.headingPath.at(-1) ?? '');
    expect(excluded.filter((c) => c.excluded === 'boilerplate').every(navigation)).toBe(true);
    expect(excluded.every((c) => c.excluded === 'duplicate' || c.excluded === 'boilerplate')).toBe(true);
    // The chapters themselves stay in.
    expect(r.chunks.filter((c) => c.headingPath.includes('7.1 Hash functions')).some((c) => !c.excluded)).toBe(true);
    expect(removed.length).toBeGreaterThan(50);
    checkInvariants(doc, r, 300, 30);
    const firsts = r.chunks.map((c) => c.pages![0]);
    expect(firsts.every((p, i) => i === 0 || p >= firsts[i - 1]!)).toBe(true);
    expect(Math.max(...r.chunks.map((c) => c.pages![1]))).toBeGreaterThan(100);
    expect(r.chunks.some((c) => c.headingPath.includes('7.1 Hash functions'))).toBe(true);
  }, 120_000);

  it('the Chinese guide: chunks keep whole sentences', async () => {
    const doc = await extract(zhUrl, 'zh-guide.pdf');
    const r = chunkDocument(doc, { maxTokens: 60, overlapTokens: 15 });
    console.log(`zh-guide: ${r.chunks.length} chunks: ${JSON.stringify(r.chunks.map((c) => c.text.slice(-12)))}`);
    checkInvariants(doc, r, 60, 15);
    expect(r.chunks.length).toBeGreaterThan(1);
  }, 120_000);
});
