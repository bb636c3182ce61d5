import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import '../support/chatModel';
import { baseUrl, dropFiles, fixture, launch, openApp, pageErrors, readStore, useTinyModel } from './helpers';

/**
 * Issue 14 end to end, in the built app: a PDF and a DOCX dropped on the window become documents
 * with pages and chunks, "Q&A from documents" runs over their chunks, a sample's drawer shows the
 * grounding text, everything survives a reload, and the export carries the chunk as its context
 * field with the documents on the dataset card.
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

interface StoredDoc {
  id: string;
  name: string;
  text: string;
  sha256: string;
  pages: number | null;
}
interface StoredChunk {
  id: string;
  documentId: string;
  index: number;
  text: string;
  span: [number, number];
}
interface StoredSample {
  id: string;
  runId: string;
  status: string;
  rejectReason: string | null;
  instruction: string;
  source?: { documentId: string; documentName: string; chunkId: string; span: [number, number]; cited: [number, number][] };
}

const row = (name: string) => `[data-testid="document-row"][data-name="${name}"]`;

/** Drops the documents, waits for both to be stored, and checks pages and chunks on screen against IndexedDB. */
async function addDocuments(page: Page): Promise<{ docs: StoredDoc[]; chunks: StoredChunk[] }> {
  await dropFiles(page, [fixture('documents/nettle.pdf', 'nettle.pdf'), fixture('documents/guide.docx', 'guide.docx')]);
  await page.waitForFunction(() => location.hash === '#/documents');
  await page.waitForSelector(row('nettle.pdf'), { timeout: 300_000 });
  await page.waitForSelector(row('guide.docx'), { timeout: 300_000 });
  await page.waitForSelector('[data-testid="document-job"]', { state: 'detached', timeout: 120_000 });
  const docs = await readStore<StoredDoc>(page, 'documents');
  const chunks = await readStore<StoredChunk>(page, 'chunks');
  expect(docs.map((d) => d.name).sort()).toEqual(['guide.docx', 'nettle.pdf']);
  for (const d of docs) {
    const mine = chunks.filter((c) => c.documentId === d.id);
    expect(mine.length, d.name).toBeGreaterThan(0);
    expect(Number(await page.getAttribute(`${row(d.name)} [data-testid="document-chunks"]`, 'data-count'))).toBe(mine.length);
    // Every chunk's text is its span of the document's text (a split table's repeated header aside).
    for (const c of mine) expect(c.text.endsWith(d.text.slice(c.span[0], c.span[1]).slice(-20))).toBe(true);
  }
  expect(await page.getAttribute(`${row('nettle.pdf')} [data-testid="document-pages"]`, 'data-count')).toBe('111');
  return { docs, chunks };
}

describe('documents to grounded Q&A in the built app', () => {
  it('drops a PDF and a DOCX, runs Q&A from documents on the toy model, shows the grounding, reloads, exports with the context field and lists the documents on the card', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await openApp(context, '#/seeds');
    const { docs, chunks } = await addDocuments(page);
    await page.screenshot({ path: `${SHOTS}documents-screen-two.png`, fullPage: true });

    // The chunk view of the DOCX: one row per stored chunk, with its heading path.
    const guide = docs.find((d) => d.name === 'guide.docx')!;
    await page.click(`${row('guide.docx')} [data-testid="document-open"]`);
    await page.waitForSelector('[data-testid="chunk-view"]');
    const guideChunks = chunks.filter((c) => c.documentId === guide.id);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="chunk-row"]').length === n, guideChunks.length);
    // The PDF's chunk view: pages per chunk, and the running headers' duplicates excluded.
    await page.click('[data-testid="documents-back"]');
    await page.click(`${row('nettle.pdf')} [data-testid="document-open"]`);
    await page.waitForSelector('[data-testid="chunk-view"] [data-testid="chunk-pages"]');
    expect(await page.locator('[data-testid="chunk-pages"]').first().textContent()).toMatch(/^pp?\. \d+/);
    await page.locator('[data-testid="chunk-summary"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}chunk-view.png` });

    // The toy model in every role; "Q&A from documents" with short replies; a trial on 3 chunks.
    await useTinyModel(page);
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-docQA"]');
    const maxTokens = page.locator('[data-testid="param-maxTokens"]');
    for (let i = 0; i < (await maxTokens.count()); i++) await maxTokens.nth(i).fill('48');
    await page.fill('[data-testid="param-retries"]', '0');
    await page.goto(baseUrl() + '#/run');
    const included = chunks.filter((c) => !(c as { excluded?: string }).excluded).length;
    await page.waitForFunction((n) => document.querySelector('[data-testid="run-chunks"]')?.getAttribute('data-chunks') === String(n), included);
    expect(await page.getAttribute('[data-testid="run-chunks"]', 'data-documents')).toBe('2');
    await page.click('[data-testid="run-try"]');
    await page.waitForSelector('[data-testid="done-card"]', { timeout: 600_000 });

    const samples = await readStore<StoredSample>(page, 'samples');
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const byId = new Map(chunks.map((c) => [c.id, c]));
    for (const s of samples) {
      const c = byId.get(s.source!.chunkId)!;
      expect(c, s.id).toBeTruthy();
      expect(s.source!.span).toEqual(c.span);
      expect(s.source!.documentName).toBe(docs.find((d) => d.id === c.documentId)!.name);
    }
    expect(new Set(samples.map((s) => s.source!.chunkId)).size).toBe(3);

    // The drawer of a sample shows its document and the chunk it was grounded on.
    await page.goto(baseUrl() + '#/review');
    await page.waitForSelector('[data-testid="sample-open"]');
    await page.locator('[data-testid="sample-open"]').first().click();
    await page.waitForSelector('[data-testid="drawer-source"]');
    const name = (await page.textContent('[data-testid="source-document"]'))!;
    const shownText = (await page.textContent('[data-testid="source-text"]'))!.replace(/cited: |\(end of citation\)/g, '');
    const match = samples.find((s) => s.source!.documentName === name && (() => {
      const d = docs.find((x) => x.id === s.source!.documentId)!;
      return d.text.slice(s.source!.span[0], s.source!.span[1]) === shownText;
    })());
    expect(match, 'the drawer shows a sample’s grounding text').toBeTruthy();
    // The toy model's items are all rejected: accept the one in the drawer by hand, so that it is exported.
    await page.click('[data-testid="drawer-accept"]');
    await page.waitForFunction(async (id) => {
      const db: IDBDatabase = await new Promise((res) => {
        const r = indexedDB.open('seedforge');
        r.onsuccess = () => res(r.result);
      });
      const s = await new Promise<{ status: string }>((res) => {
        const q = db.transaction('samples').objectStore('samples').get(id);
        q.onsuccess = () => res(q.result);
      });
      db.close();
      return s.status === 'accepted';
    }, match!.id);

    // A reload keeps the documents, the chunks and the samples.
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    expect((await readStore(page, 'documents')).length).toBe(2);
    expect((await readStore(page, 'chunks')).length).toBe(chunks.length);
    expect((await readStore(page, 'samples')).length).toBe(samples.length);

    // Export the accepted item as JSONL with the chunk as the context field.
    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    await page.check('[data-testid="export-provenance"]');
    await page.check('[data-testid="export-source"]');
    await page.check('[data-testid="export-source-context"]');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    const rows = readFileSync((await dl.path())!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { context: string; provenance: { id: string; document: string; chunkId: string } });
    expect(rows.map((r) => r.provenance.id)).toEqual([match!.id]);
    for (const r of rows) {
      const s = samples.find((x) => x.id === r.provenance.id)!;
      const d = docs.find((x) => x.id === s.source!.documentId)!;
      expect(r.context).toBe(d.text.slice(s.source!.span[0], s.source!.span[1]));
      expect(r.provenance).toMatchObject({ document: d.name, chunkId: s.source!.chunkId });
    }
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toContain('## Source documents');
    const used = docs.find((x) => x.id === match!.source!.documentId)!;
    expect(card).toContain(`- ${used.name} (`);
    expect(card).toContain(used.sha256);
    expect(card).toMatch(/copyrighted or confidential/);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 1_200_000);

  it('runs Q&A from documents on the real chat model: a question about a DOCX chunk, answered from it, its cited sentence marked in the drawer', async () => {
    const model = inject('chatModel');
    if (!existsSync(model)) throw new Error(`the real chat model is missing at ${model}: run 'npm run models:chat' first (the test command does)`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await openApp(context, '#/documents');
    await dropFiles(page, [fixture('documents/guide.docx', 'guide.docx')]);
    await page.waitForSelector(row('guide.docx'), { timeout: 120_000 });
    const [doc] = await readStore<StoredDoc>(page, 'documents');
    const chunks = (await readStore<StoredChunk>(page, 'chunks')).sort((a, b) => a.index - b.index);

    // The real model (TinyLlama-1.1B-Chat) added as a GGUF file, in every role.
    await page.goto(baseUrl() + '#/models');
    await page.setInputFiles('[data-testid="gguf-input"]', model);
    await page.waitForSelector('[data-testid="gguf-row"]', { timeout: 300_000 });
    const name = basename(model);
    for (const role of ['generator', 'responder', 'judge']) await page.selectOption(`[data-testid="role-${role}"]`, `wllama:${name}`);

    // "Q&A from documents" on the first chunk, one question: three model calls and the dedup pass.
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-docQA"]');
    await page.fill('[data-testid="recipe-max-seeds"]', '1');
    await page.fill('[data-testid="param-maxPerChunk"]', '1');
    await page.goto(baseUrl() + '#/run');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-chunks"]')?.getAttribute('data-chunks') !== '0');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="done-card"]', { timeout: 1_500_000 });

    const samples = await readStore<StoredSample & { output: string; lineage: { calls: { op: string; model: string; raw: string }[] } }>(page, 'samples');
    console.log(JSON.stringify(samples.map((s) => ({ status: s.status, reason: s.rejectReason, q: s.instruction, a: s.output, cited: s.source?.cited.map(([a, b]) => doc!.text.slice(a, b)), calls: s.lineage.calls.map((c) => `${c.op}: ${c.raw}`) }))));
    expect(samples.length).toBeGreaterThanOrEqual(1);
    for (const s of samples) {
      expect(s.source).toMatchObject({ documentId: doc!.id, documentName: 'guide.docx', chunkId: chunks[0]!.id, span: chunks[0]!.span });
      // The real model's replies, through the real template: the first call asked for questions.
      expect(s.lineage.calls[0]).toMatchObject({ op: 'questions', model: name });
      if (s.status === 'rejected') expect(s.rejectReason).toMatch(/^(questions:none|unanswerable|citationMissing|citationNotFound|ungrounded|lowScore|judgeFailed|filter:[a-zA-Z]+)$/);
    }
    // An answered question: its cited sentences lie in the chunk, and the drawer marks exactly them.
    const answered = samples.find((s) => s.source!.cited.length > 0);
    expect(answered, 'the real model answered a question from the chunk, with a citation found in it').toBeTruthy();
    const cited = answered!.source!.cited.map(([a, b]) => doc!.text.slice(a, b));
    for (const [a, b] of answered!.source!.cited) expect(a >= chunks[0]!.span[0] && b <= chunks[0]!.span[1]).toBe(true);
    await page.goto(baseUrl() + '#/review');
    await page.waitForSelector('[data-testid="review-search"]');
    await page.fill('[data-testid="review-search"]', answered!.instruction.slice(0, 40));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sample-open"]').length === 1);
    await page.click('[data-testid="sample-open"]');
    await page.waitForSelector('[data-testid="cited-text"]');
    expect(await page.locator('[data-testid="cited-text"]').allTextContents()).toEqual(cited);
    await page.locator('[data-testid="sample-drawer"]').screenshot({ path: `${SHOTS}drawer-real-model.png` });
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 1_800_000);
});
