import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './axe';
import { dropFiles, fixture, launch, openApp, pageErrors, readStore, waitForReview, type DropFile } from './helpers';

/**
 * Issue 14, items 1–2: documents dropped on the window land on the Documents screen, are read in
 * workers with their pages and chunks, and survive a reload; seed files still go to the import
 * dialog; every bad document says what is wrong (in the UI's language) and stores nothing.
 */

const SHOTS = new URL('../../test-results/documents/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const doc = (name: string, as = name): DropFile => fixture(`documents/${name}`, as);

async function fresh(locale = 'en-US', hash = '#/seeds'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale });
  return { context, page: await openApp(context, hash) };
}

const row = (name: string) => `[data-testid="document-row"][data-name="${name}"]`;
const job = (name: string) => `[data-testid="document-job"][data-name="${name}"]`;

/** The documents and chunks tables, as row counts (what a failed file must leave unchanged). */
async function stored(page: Page): Promise<{ documents: number; chunks: number; files: number }> {
  return {
    documents: (await readStore(page, 'documents')).length,
    chunks: (await readStore(page, 'chunks')).length,
    files: (await readStore(page, 'documentFiles')).length,
  };
}

/** Drops one bad file, waits for its error, checks nothing was stored, dismisses it; returns the error's text. */
async function expectRefused(page: Page, file: DropFile, errorName: string): Promise<string> {
  const before = await stored(page);
  await dropFiles(page, [file]);
  const error = `${job(file.name)} [data-testid="document-error"]`;
  await page.waitForSelector(error);
  expect(await page.getAttribute(error, 'data-error')).toBe(errorName);
  const text = (await page.textContent(error)) ?? '';
  expect(await stored(page)).toEqual(before);
  await page.click(`${job(file.name)} [data-testid="document-job-dismiss"]`);
  await page.waitForSelector(job(file.name), { state: 'detached' });
  return text;
}

/** A PDF whose pages have a line of text (true) or nothing at all (false): a scan in the middle of a text PDF. */
function pdfWithBlankPages(name: string, pages: boolean[]): DropFile {
  const objs: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  const kids: string[] = [];
  pages.forEach((hasText, i) => {
    const content = hasText ? `BT /F1 11 Tf 72 730 Td (Page ${i + 1} says one sentence about the guide.) Tj ET` : '';
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${objs.length + 2} 0 R >>`);
    kids.push(`${objs.length} 0 R`);
    objs.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  });
  objs[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages.length} >>`;
  let out = '%PDF-1.7\n';
  const offsets = objs.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `${xref}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${out.length}\n%%EOF\n`;
  return { name, bytes: new TextEncoder().encode(out) };
}

describe('the Documents screen', () => {
  it('reads a PDF and a DOCX dropped on the window, lists their pages and chunks, and keeps them after a reload', async () => {
    const { context, page } = await fresh();
    expect(await page.textContent('[data-testid="nav-documents"]')).toBe('Documents');
    await dropFiles(page, [doc('nettle.pdf'), doc('guide.docx')]);
    await page.waitForFunction(() => location.hash === '#/documents');
    await page.waitForSelector(row('nettle.pdf'), { timeout: 120_000 });
    await page.waitForSelector(row('guide.docx'), { timeout: 120_000 });
    await page.waitForSelector('[data-testid="document-job"]', { state: 'detached' });

    const shown = async () =>
      page.$$eval('[data-testid="document-row"]', (rows) =>
        rows.map((r) => ({
          name: r.getAttribute('data-name'),
          status: r.getAttribute('data-status'),
          pages: r.querySelector('[data-testid="document-pages"]')!.getAttribute('data-count'),
          chunks: Number(r.querySelector('[data-testid="document-chunks"]')!.getAttribute('data-count')),
        })),
      );
    const list = await shown();
    expect(list.map((d) => d.name).sort()).toEqual(['guide.docx', 'nettle.pdf']);
    const nettle = list.find((d) => d.name === 'nettle.pdf')!;
    const guide = list.find((d) => d.name === 'guide.docx')!;
    expect(nettle).toMatchObject({ pages: '111', status: 'ready' });
    expect(guide).toMatchObject({ pages: '', status: 'ready' });
    // A 111-page manual at 400 tokens a chunk is far more than a handful of chunks.
    expect(nettle.chunks).toBeGreaterThan(50);
    expect(guide.chunks).toBeGreaterThan(0);
    expect(await page.textContent(row('nettle.pdf'))).toContain('111');

    // What the screen says is what IndexedDB holds: two documents, their chunks, their original files.
    const docs = await readStore<{ id: string; name: string; pages: number | null; type: string; sha256: string }>(page, 'documents');
    const chunks = await readStore<{ documentId: string }>(page, 'chunks');
    const idOf = (name: string) => docs.find((d) => d.name === name)!.id;
    expect(docs.map((d) => [d.name, d.type, d.pages]).sort()).toEqual([['guide.docx', 'docx', null], ['nettle.pdf', 'pdf', 111]]);
    expect(chunks.filter((c) => c.documentId === idOf('nettle.pdf')).length).toBe(nettle.chunks);
    expect(chunks.filter((c) => c.documentId === idOf('guide.docx')).length).toBe(guide.chunks);
    expect((await readStore(page, 'documentFiles')).length).toBe(2);

    expect(await axeViolations(page, '[data-testid="screen-documents"]')).toEqual([]);
    await page.screenshot({ path: `${SHOTS}documents-screen.png`, fullPage: true });

    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await page.waitForSelector(row('guide.docx'));
    expect(await shown()).toEqual(list);

    // A document opens in the chunk view, and the list comes back.
    await page.click(`${row('guide.docx')} [data-testid="document-open"]`);
    await page.waitForSelector('#chunk-view-title');
    expect(await page.textContent('[data-testid="screen-documents"] h1')).toBe('guide.docx');
    await page.click('[data-testid="documents-back"]');
    await page.waitForSelector(row('nettle.pdf'));

    // The same file again is refused by its content (another name does not help), and nothing changes.
    const text = await expectRefused(page, doc('guide.docx', 'guide-copy.docx'), 'DocumentExistsError');
    expect(text).toContain('already in this project as “guide.docx”');

    // Delete, then undo: the document comes back with all its chunks.
    await page.click(`${row('guide.docx')} [data-testid="document-delete"]`);
    await page.waitForSelector(row('guide.docx'), { state: 'detached' });
    expect((await stored(page)).documents).toBe(1);
    await page.click('.toast button');
    await page.waitForSelector(row('guide.docx'));
    expect((await readStore(page, 'chunks')).length).toBe(chunks.length);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('reads an EPUB dropped on the window into Documents, with its chapters as chunks; its label tree refreshes the coverage', async () => {
    const { context, page } = await fresh();
    await dropFiles(page, [doc('guide.epub')]);
    await page.waitForFunction(() => location.hash === '#/documents');
    await page.waitForSelector(row('guide.epub'), { timeout: 120_000 });
    await page.waitForSelector('[data-testid="document-job"]', { state: 'detached' });
    expect(await page.getAttribute(row('guide.epub'), 'data-status')).toBe('ready');
    const shownChunks = Number(await page.getAttribute(`${row('guide.epub')} [data-testid="document-chunks"]`, 'data-count'));
    expect(shownChunks).toBeGreaterThan(0);
    const [d] = await readStore<{ id: string; name: string; type: string; text: string }>(page, 'documents');
    expect(d).toMatchObject({ name: 'guide.epub', type: 'epub' });
    const chunks = await readStore<{ documentId: string; text: string }>(page, 'chunks');
    expect(chunks.length).toBe(shownChunks);
    expect(chunks.every((c) => c.documentId === d!.id)).toBe(true);
    // The Chinese chapter is read too, after the English one (spine order).
    expect(chunks.some((c) => c.text.includes('电子书中的中文段落'))).toBe(true);
    expect(d!.text.indexOf('电子书中的中文段落')).toBeGreaterThan(d!.text.indexOf('Keeping documents local'));
    expect(await page.getAttribute('[data-testid="documents-input"]', 'accept')).toContain('.epub');

    // Building the label tree from its chapters refreshes the coverage beside it (no Refresh pressed).
    await page.waitForSelector('[data-testid="coverage-total"]');
    expect(await page.$$('[data-testid="coverage-label-row"]')).toHaveLength(0);
    await page.click('[data-testid="labels-build"]:not([disabled])');
    await page.waitForSelector('[data-testid="label-node"]');
    const labels = await page.$$eval('[data-testid="label-node"]', (nodes) => nodes.length);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="coverage-label-row"]').length === n, labels);
    expect(labels).toBeGreaterThan(1);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('sends a JSONL dropped on the window to the seed import, even from the Documents screen', async () => {
    const { context, page } = await fresh('en-US', '#/documents');
    await dropFiles(page, [fixture('self-instruct-seed-tasks.jsonl')]);
    await waitForReview(page);
    expect(await page.textContent('[data-testid="import-summary"]')).toContain('175 seeds ready');
    expect(await page.$('[data-testid="document-job"]')).toBeNull();
    expect(await stored(page)).toEqual({ documents: 0, chunks: 0, files: 0 });
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('says where a drag will go before the drop', async () => {
    const { context, page } = await fresh();
    const dragged = async (type: string) => {
      await page.evaluate((type) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['x'], 'f', { type }));
        document.querySelector('main')!.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, type);
      const text = await page.textContent('[data-testid="drop-overlay"]');
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['x'], 'f'));
        document.querySelector('main')!.dispatchEvent(new DragEvent('dragleave', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await page.waitForSelector('[data-testid="drop-overlay"]', { state: 'detached' });
      return text;
    };
    expect(await dragged('application/pdf')).toContain('add these documents');
    expect(await dragged('text/csv')).toContain('import them');
    expect(await dragged('')).toContain('go to Documents');
    await context.close();
  });

  it('refuses each bad document with its own error and stores nothing for it', async () => {
    const { context, page } = await fresh('en-US', '#/documents');
    const scanned = await expectRefused(page, doc('scanned.pdf'), 'NoTextLayerError');
    expect(scanned).toContain('no text to read — OCR this file first');
    expect(scanned).toMatch(/pages 1/);
    expect(scanned).toContain('Nothing was stored.');
    expect(await expectRefused(page, doc('damaged.pdf'), 'DamagedFileError')).toContain('damaged');
    expect(await expectRefused(page, doc('not-a-docx.docx'), 'NotDocxError')).toContain('not a Word document');
    expect(await expectRefused(page, { name: 'empty.md', bytes: new Uint8Array() }, 'EmptyDocumentError')).toContain('empty.md is empty');

    // A protected PDF asks for its password; a wrong one is said so and asked again; the right one opens it.
    await dropFiles(page, [doc('protected.pdf')]);
    await page.waitForSelector('[data-testid="document-password-dialog"]');
    expect(await page.$('[data-testid="document-password-wrong"]')).toBeNull();
    expect(await stored(page)).toEqual({ documents: 0, chunks: 0, files: 0 });
    await page.fill('[data-testid="document-password"]', 'not-the-password');
    await page.click('[data-testid="document-password-open"]');
    await page.waitForSelector('[data-testid="document-password-wrong"]');
    expect(await page.textContent('[data-testid="document-password-wrong"]')).toContain('not right');
    expect(await stored(page)).toEqual({ documents: 0, chunks: 0, files: 0 });
    expect(await axeViolations(page, '[data-testid="document-password-dialog"]')).toEqual([]);
    await page.fill('[data-testid="document-password"]', 'seedforge');
    await page.click('[data-testid="document-password-open"]');
    await page.waitForSelector(row('protected.pdf'));
    expect((await stored(page)).documents).toBe(1);

    // Deleting the project counts its documents too (nothing deleted on cancel).
    await page.click('[data-testid="nav-settings"]');
    await page.click('[data-testid="project-delete"]');
    await page.waitForSelector('[data-testid="project-delete-dialog"]');
    expect(await page.textContent('[data-testid="confirm-message"]')).toContain('1 document and its chunks');
    await page.click('[data-testid="confirm-cancel"]');
    await page.waitForSelector('[data-testid="project-delete-dialog"]', { state: 'detached' });
    expect((await stored(page)).documents).toBe(1);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('stores a PDF with some pages without text as partial, and names those pages', async () => {
    const { context, page } = await fresh('en-US', '#/documents');
    await dropFiles(page, [pdfWithBlankPages('half-scanned.pdf', [true, false, true, false, false])]);
    await page.waitForSelector(row('half-scanned.pdf'));
    expect(await page.getAttribute(row('half-scanned.pdf'), 'data-status')).toBe('partial');
    expect(await page.textContent(`${row('half-scanned.pdf')} [data-testid="document-status"]`)).toBe('Partial');
    expect(await page.textContent(`${row('half-scanned.pdf')} [data-testid="document-warning"]`)).toBe('pages 2, 4–5 had no text to read (scanned?): OCR the file to use them');
    const [stored] = await readStore<{ status: string; pages: number; error: { pages: number[] } }>(page, 'documents');
    expect(stored).toMatchObject({ status: 'partial', pages: 5, error: { pages: [2, 4, 5] } });
    await page.selectOption('[data-testid="locale-select"]', 'zh');
    expect(await page.textContent(`${row('half-scanned.pdf')} [data-testid="document-warning"]`)).toContain('第 2, 4–5 页没有可读取的文字');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('says what is wrong in Chinese when the UI is in Chinese, and fits a 390 px phone', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await openApp(context, '#/documents');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await page.textContent('[data-testid="nav-documents"]')).toBe('文档');
    expect(await page.textContent('[data-testid="screen-documents"] h1')).toBe('文档');
    const text = await expectRefused(page, doc('scanned.pdf'), 'NoTextLayerError');
    expect(text).toContain('没有可读取的文字');
    expect(text).toContain('没有保存任何内容');
    expect(await expectRefused(page, doc('not-a-docx.docx'), 'NotDocxError')).toContain('不是 Word 文档');

    // A long file name, a stored document and a failed one on a phone: no sideways scroll.
    const long = 'a-very-long-file-name-with-no-spaces-in-it-at-all-from-a-scanner-2026-12-06.md';
    await dropFiles(page, [doc('semver-README.md', long), doc('scanned.pdf', `${long}.pdf`)]);
    await page.waitForSelector(row(long));
    await page.waitForSelector(`${job(`${long}.pdf`)} [data-testid="document-error"]`);
    expect(await page.textContent(`${row(long)} [data-testid="document-status"]`)).toBe('就绪');
    expect(await fits()).toBe(true);
    await page.screenshot({ path: `${SHOTS}documents-390-zh.png`, fullPage: true });
    expect(await axeViolations(page, '[data-testid="screen-documents"]')).toEqual([]);
    await context.close();
  });
});
