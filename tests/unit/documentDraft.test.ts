import { describe, expect, it } from 'vitest';
import { documentDraft, pageAt, pageStartsOf, sha256Hex } from '../../src/lib/documents/draft';
import type { ExtractedDoc } from '../../src/lib/documents/types';

// Page 1: heading + paragraph; page 2: a paragraph that runs onto page 3; page 4: blank; page 5: a list.
const text = '# 指南\n\n第一页的内容。\n\nSecond page text that runs on.\n\n- item';
const at = (s: string) => text.indexOf(s);
const doc: ExtractedDoc = {
  title: '指南',
  text,
  pages: 5,
  blocks: [
    { kind: 'heading', level: 1, title: '指南', start: 0, end: 4, pages: [1, 1] },
    { kind: 'paragraph', start: at('第一页'), end: at('第一页') + 7, pages: [1, 1] },
    { kind: 'paragraph', start: at('Second'), end: at('Second') + 30, pages: [2, 3] },
    { kind: 'list', ordered: false, items: [{ start: at('- item'), end: text.length }], start: at('- item'), end: text.length, pages: [5, 5] },
  ],
  outline: [{ title: '指南', level: 1, page: 1 }],
};

describe('document draft', () => {
  it('maps pages to offsets: a page where no block starts takes the next start, and the list never goes down', () => {
    const starts = pageStartsOf(doc);
    expect(starts).toEqual([0, at('Second'), at('- item'), at('- item'), at('- item')]);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]!);
    expect(pageAt(starts, at('第一页'))).toBe(1);
    expect(pageAt(starts, at('Second') + 5)).toBe(2);
    // Pages 3–5 all start at the list: the list is on the last of them.
    expect(pageAt(starts, at('- item'))).toBe(5);
    expect(pageStartsOf({ ...doc, pages: undefined })).toEqual([]);
    expect(pageAt([], 3)).toBeNull();
  });

  it('builds the stored shape, partial when some pages had no text', () => {
    const d = documentDraft({ name: 'g.pdf', size: 1234 }, 'ab'.repeat(32), { format: 'pdf', doc, pagesWithoutText: [4] });
    expect(d).toMatchObject({ name: 'g.pdf', type: 'pdf', bytes: 1234, pages: 5, title: '指南', text, outline: doc.outline, status: 'partial' });
    expect(d.error).toMatchObject({ name: 'PagesWithoutTextWarning', pages: [4] });
    expect(d.error!.message).toMatch(/^page 4 had no text/);
    const md = documentDraft({ name: 'g.md', size: 10 }, 'cd'.repeat(32), { format: 'markdown', doc: { title: 't', text: 'x', blocks: [{ kind: 'paragraph', start: 0, end: 1 }] } });
    expect(md).toMatchObject({ status: 'ready', error: null, pages: null, pageStarts: [], outline: [] });
  });

  it('hashes bytes and blobs alike (SHA-256 of "abc")', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(abc);
    expect(await sha256Hex(new Blob(['abc']))).toBe(abc);
  });
});
