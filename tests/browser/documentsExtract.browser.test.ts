import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { extractInWorker } from '../../src/lib/documents/extract/client';
import { DocumentError } from '../../src/lib/documents/extract/errors';
import { fixtureFile, useDocumentsWorker } from './documentsWorker';
import type { ExtractProgress, Extraction } from '../../src/lib/documents/extract/types';
import type { DocBlock, ExtractedDoc } from '../../src/lib/documents/types';
import nettleUrl from '../fixtures/documents/nettle.pdf?url';
import fontconfigUrl from '../fixtures/documents/fontconfig-user.pdf?url';
import zhUrl from '../fixtures/documents/zh-guide.pdf?url';
import scannedUrl from '../fixtures/documents/scanned.pdf?url';
import damagedUrl from '../fixtures/documents/damaged.pdf?url';
import protectedUrl from '../fixtures/documents/protected.pdf?url';
import docxUrl from '../fixtures/documents/guide.docx?url';
import notDocxUrl from '../fixtures/documents/not-a-docx.docx?url';

const worker = useDocumentsWorker();

async function extract(file: File, password?: string): Promise<{ result: Extraction; progress: ExtractProgress[] }> {
  const progress: ExtractProgress[] = [];
  const result = await worker().extract(file, password ? { password } : {}, Comlink.proxy((p: ExtractProgress) => void progress.push(p)));
  return { result, progress };
}

async function failure(file: File, password?: string): Promise<DocumentError> {
  const err = await worker().extract(file, password ? { password } : {}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocumentError);
  return err as DocumentError;
}

/** Progress per unit never goes back and ends at its total. */
function expectMonotonicProgress(progress: ExtractProgress[], units: ExtractProgress['unit'][]): void {
  expect([...new Set(progress.map((p) => p.unit))]).toEqual(units);
  for (const unit of units) {
    const seen = progress.filter((p) => p.unit === unit);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
      expect(seen[i]!.total).toBe(seen[0]!.total);
    }
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
  }
}

/** The types.ts contract: sorted, not overlapping, every non-blank part of the text covered. */
function expectBlocksCoverText(doc: ExtractedDoc): void {
  let at = 0;
  for (const b of doc.blocks) {
    expect(b.start).toBeGreaterThanOrEqual(at);
    expect(doc.text.slice(at, b.start).trim()).toBe('');
    expect(b.end).toBeGreaterThan(b.start);
    at = b.end;
  }
  expect(doc.text.slice(at).trim()).toBe('');
}

/** A PDF of `n` pages, each a heading and a paragraph in Helvetica (not embedded: pdf.js reads its standard-font data). */
function manyPagesPdf(n: number): File {
  const enc = new TextEncoder();
  const objs: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  const kids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const content = `BT /F1 18 Tf 72 760 Td (Part ${i}) Tj ET BT /F1 11 Tf 72 730 Td (Page ${i} says one sentence about streaming.) Tj ET`;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${objs.length + 2} 0 R >>`);
    kids.push(`${objs.length} 0 R`);
    objs.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  objs[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${n} >>`;
  let out = '%PDF-1.7\n';
  const offsets = objs.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `${xref}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${out.length}\n%%EOF\n`;
  return new File([enc.encode(out)], 'long.pdf');
}

const headings = (blocks: DocBlock[]) => blocks.flatMap((b) => (b.kind === 'heading' ? [`${b.level} ${b.title}`] : []));

describe('document extraction in the documents worker (real worker, real pdf.js and mammoth)', () => {
  it('reads a 111-page PDF page by page: page numbers, outline, headings, progress to the last page', async () => {
    const file = await fixtureFile(nettleUrl, 'nettle.pdf');
    const { result, progress } = await extract(file);
    const { doc } = result;
    expect(result.format).toBe('pdf');
    expect(doc.pages).toBe(111);
    expectMonotonicProgress(progress, ['bytes', 'pages']);
    expect(progress.filter((p) => p.unit === 'pages').at(-1)).toEqual({ unit: 'pages', done: 111, total: 111 });
    expect(progress.filter((p) => p.unit === 'bytes').at(-1)).toEqual({ unit: 'bytes', done: file.size, total: file.size });
    expectBlocksCoverText(doc);
    // The manual's bookmarks, with the pages they point to, and found again as headings in the text.
    expect(doc.outline!.length).toBeGreaterThanOrEqual(10);
    expect(doc.outline!.every((o) => o.page! >= 1 && o.page! <= 111)).toBe(true);
    expect(doc.outline!.some((o) => o.offset !== undefined)).toBe(true);
    expect(doc.blocks.filter((b) => b.kind === 'heading').length).toBeGreaterThan(20);
    // Outline entries become headings at their outline level where their title is on their page.
    expect(headings(doc.blocks)).toEqual(expect.arrayContaining(['1 1 Introduction', '2 7.1 Hash functions', '3 7.1.1 Recommended hash functions', '4 7.1.1.1 SHA256']));
    // Table-of-contents lines (dot leaders) are lines of their own, not headings.
    expect(headings(doc.blocks).some((h) => /\. \. \./.test(h))).toBe(false);
    expect(doc.text).toMatch(/\n7\.1 Hash functions \.( \.)+ 8\n/);
    // Every block knows its page; the pages run in order from 1 to the end.
    const pages = doc.blocks.map((b) => b.pages![0]);
    expect(pages[0]).toBe(1);
    expect(pages.every((p, i) => i === 0 || p >= pages[i - 1]!)).toBe(true);
    expect(Math.max(...pages)).toBeGreaterThan(100);
    expect(doc.text).toContain('Nettle');
    // The author's name, whose umlaut TeX draws as a glyph of its own ("M¨oller" as pdf.js reads it).
    expect(doc.text).toContain('Niels Möller');
    expect(doc.text).not.toContain('¨');
    expect(doc.text).toMatch(/sha256_digest|SHA256/i);
  });

  it('streams a 500-page PDF page by page: a progress report per page, in order, to the last page', async () => {
    const { result, progress } = await extract(manyPagesPdf(500));
    const { doc } = result;
    expect(doc.pages).toBe(500);
    const pages = progress.filter((p) => p.unit === 'pages');
    expect(pages.map((p) => p.done)).toEqual(Array.from({ length: 501 }, (_, i) => i));
    expectMonotonicProgress(progress, ['bytes', 'pages']);
    expectBlocksCoverText(doc);
    expect(doc.blocks).toHaveLength(1000);
    expect(doc.blocks.at(-2)).toMatchObject({ kind: 'heading', level: 1, title: 'Part 500', pages: [500, 500] });
    expect(doc.text.endsWith('# Part 500\n\nPage 500 says one sentence about streaming.')).toBe(true);
  });

  it('reads a small real PDF with its title', async () => {
    const { result } = await extract(await fixtureFile(fontconfigUrl, 'fontconfig-user.pdf'));
    expect(result.doc.pages).toBe(15);
    expect(result.doc.text).toMatch(/fontconfig/i);
    expectBlocksCoverText(result.doc);
    expect(result.doc.title).not.toBe('');
  });

  it('reads Chinese through pdf.js CMaps served by the app, without spaces between characters', async () => {
    const { result } = await extract(await fixtureFile(zhUrl, 'zh-guide.pdf'));
    const { doc } = result;
    expect(doc.pages).toBe(2);
    expectBlocksCoverText(doc);
    expect(headings(doc.blocks)).toEqual(['1 第一章 总则', '1 第二章 数据处理']);
    expect(doc.text).toContain('本指南说明如何在浏览器中把文档变成训练数据。所有文件都留在本机，不会上传到任何服务器。');
    expect(doc.text).toContain('抽取文本时保留标题和页码；中文字符之间不加空格。');
    // A line set glyph by glyph with gaps: pdf.js sees spaces, the text has none. A real space stays.
    expect(doc.text).toContain('逐字排版的句子也能读出。');
    expect(doc.text.replace('第一章 总则', '').replace('第二章 数据处理', '')).not.toMatch(/[\u4e00-\u9fff] [\u4e00-\u9fff]/);
    const second = doc.blocks.find((b) => b.kind === 'heading' && b.title === '第二章 数据处理')!;
    expect(second.pages).toEqual([2, 2]);
    expect(doc.title).toBe('Seedforge zh guide');
  });

  it('asks for the password of a protected PDF, refuses a wrong one and opens with the right one', async () => {
    const file = await fixtureFile(protectedUrl, 'protected.pdf');
    const ask = await failure(file);
    expect(ask.name).toBe('PasswordRequiredError');
    expect(ask.message).toMatch(/password/);
    const wrong = await failure(file, 'not-it');
    expect(wrong.name).toBe('WrongPasswordError');
    const { result } = await extract(file, 'seedforge');
    expect(result.doc.text).toContain('第一章 总则');
  });

  it('lists the pages of a scanned PDF that have no text and asks for OCR', async () => {
    const err = await failure(await fixtureFile(scannedUrl, 'scanned.pdf'));
    expect(err.name).toBe('NoTextLayerError');
    expect(err.pages).toEqual([1, 2]);
    expect(err.message).toContain('no text to read — OCR this file first');
    expect(err.message).toContain('1–2');
  });

  it('says a damaged PDF is damaged', async () => {
    const err = await failure(await fixtureFile(damagedUrl, 'damaged.pdf'));
    expect(err.name).toBe('DamagedFileError');
    expect(err.message).toMatch(/damaged\.pdf is damaged/);
    const cut = await fixtureFile(zhUrl, 'cut.pdf');
    const half = new File([await cut.slice(0, 40).arrayBuffer()], 'cut.pdf');
    expect((await failure(half)).name).toBe('DamagedFileError');
    expect((await failure(new File(['just text'], 'renamed.pdf'))).name).toBe('DamagedFileError');
  });

  it('reads a DOCX: headings, list items, a table as Markdown rows, Chinese', async () => {
    const file = await fixtureFile(docxUrl, 'guide.docx');
    const { result, progress } = await extract(file);
    const { doc } = result;
    expect(result.format).toBe('docx');
    expectMonotonicProgress(progress, ['bytes']);
    expectBlocksCoverText(doc);
    expect(doc.title).toBe('Field guide to grounded data');
    expect(headings(doc.blocks)).toEqual(['1 Field guide to grounded data', '2 Formats', '2 Limits', '2 第三章 中文内容']);
    const list = doc.blocks.find((b) => b.kind === 'list');
    expect(list?.kind === 'list' && list.items.map((s) => doc.text.slice(s.start, s.end))).toEqual(['- PDF with a text layer', '- Word documents saved as .docx', '- Markdown and HTML']);
    const table = doc.blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.map((r) => r.cells)).toEqual([['Format', 'Pages'], ['PDF', '500'], ['DOCX', 'no limit']]);
    expect(table?.kind === 'table' && table.rows[0]!.header).toBe(true);
    expect(doc.text).toContain('文档中的中文段落保留全角标点，字符之间没有空格。');
  });

  it('says a ZIP of something else is not a Word document', async () => {
    const err = await failure(await fixtureFile(notDocxUrl, 'not-a-docx.docx'));
    expect(err.name).toBe('NotDocxError');
    expect(err.message).toMatch(/not a Word document/);
    expect((await failure(new File(['plain words'], 'letter.docx'))).name).toBe('NotDocxError');
  });

  it('reads Markdown with its structure and keeps the text as written', async () => {
    const md = '---\ntitle: x\n---\n# 用户指南\n\n第一段。第二句！\n\n## Install\n\n1. Download\n2. Run\n   with care\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\nnpm start\n```\n';
    const { result, progress } = await extract(new File([md], 'guide.md'));
    const { doc } = result;
    expect(result.format).toBe('markdown');
    expectMonotonicProgress(progress, ['bytes']);
    expectBlocksCoverText(doc);
    expect(doc.title).toBe('用户指南');
    expect(doc.blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'heading', 'list', 'table', 'code']);
    const list = doc.blocks[3]!;
    expect(list.kind === 'list' && list.items.map((s) => doc.text.slice(s.start, s.end))).toEqual(['1. Download', '2. Run\n   with care']);
    expect(doc.text.startsWith('# 用户指南\n\n第一段。第二句！')).toBe(true);
  });

  it('sanitises HTML into Markdown: scripts, styles and javascript: links gone, structure kept', async () => {
    const html = '<!doctype html><html><head><title>Policy 政策</title><style>p{color:red}</style><script>alert("x")</script></head><body><h1>Policy</h1><p>Keep <a href="javascript:alert(1)">this</a> and <a href="https://example.org/">that</a>.</p><img src="x" onerror="alert(2)" alt="a chart"><ul><li>one</li><li>two</li></ul><table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table><iframe src="https://evil.example"></iframe></body></html>';
    const { result } = await extract(new File([html], 'policy.html'));
    const { doc } = result;
    expect(result.format).toBe('html');
    expectBlocksCoverText(doc);
    expect(doc.title).toBe('Policy 政策');
    expect(doc.text).not.toMatch(/alert|javascript:|color:red|evil|onerror/);
    expect(doc.text).toContain('Keep this and [that](https://example.org/).');
    expect(headings(doc.blocks)).toEqual(['1 Policy']);
    expect(doc.blocks.map((b) => b.kind)).toContain('list');
    expect(doc.blocks.map((b) => b.kind)).toContain('table');
  });

  it('reads plain text in UTF-8 and in GB 18030', async () => {
    const { result } = await extract(new File(['First paragraph\nstill first.\n\nSecond.'], 'notes.txt'));
    expect(result.format).toBe('text');
    expect(result.doc.blocks.map((b) => result.doc.text.slice(b.start, b.end))).toEqual(['First paragraph\nstill first.', 'Second.']);
    // "中文" in GB 18030 (a Windows-era Chinese text file).
    const gb = new Uint8Array([0xd6, 0xd0, 0xce, 0xc4, 0xa1, 0xa3]);
    const { result: zh } = await extract(new File([gb], 'zh.txt'));
    expect(zh.doc.text).toBe('中文。');
  });

  it('says an empty file is empty, whatever its kind', async () => {
    for (const name of ['empty.pdf', 'empty.docx', 'empty.md', 'empty.txt']) {
      const err = await failure(new File([], name));
      expect(err.name).toBe('EmptyDocumentError');
      expect(err.message).toContain(name);
    }
    expect((await failure(new File(['  \n\n \t'], 'blank.md'))).name).toBe('EmptyDocumentError');
    expect((await failure(new File(['<html><body><script>x()</script></body></html>'], 'blank.html'))).name).toBe('EmptyDocumentError');
  });

  it('refuses a binary file of another kind', async () => {
    const err = await failure(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])], 'image.png'));
    expect(err.name).toBe('UnsupportedFormatError');
  });

  it('extractInWorker: one worker per file, several files at once, a password retried, a cancel that stops the read', async () => {
    const [zh, md, locked] = await Promise.all([
      extractInWorker(await fixtureFile(zhUrl, 'zh-guide.pdf')),
      extractInWorker(new File(['# A\n\nB'], 'a.md')),
      extractInWorker(await fixtureFile(protectedUrl, 'protected.pdf')).catch((e: unknown) => e),
    ]);
    expect(zh.doc.pages).toBe(2);
    expect(md.doc.title).toBe('A');
    expect(locked).toBeInstanceOf(DocumentError);
    expect((locked as DocumentError).name).toBe('PasswordRequiredError');
    const opened = await extractInWorker(await fixtureFile(protectedUrl, 'protected.pdf'), { password: 'seedforge' });
    expect(opened.doc.text).toContain('第二章 数据处理');

    const ctrl = new AbortController();
    const seen: number[] = [];
    const cancelled = await extractInWorker(manyPagesPdf(500), {
      signal: ctrl.signal,
      onProgress: (p) => {
        if (p.unit !== 'pages') return;
        seen.push(p.done);
        if (p.done === 3) ctrl.abort();
      },
    }).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(DocumentError);
    expect((cancelled as DocumentError).name).toBe('AbortedError');
    expect((cancelled as DocumentError).message).toBe('reading long.pdf was cancelled');
    // Nothing is reported after the cancel, however long one waits.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([0, 1, 2, 3]);
    const before = await extractInWorker(new File(['x'], 'x.txt'), { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((before as DocumentError).name).toBe('AbortedError');
  });
});
