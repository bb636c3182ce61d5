import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from './axe';
import { baseUrl, launch, openApp, pageErrors, putProjectRows } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const SHOTS = new URL('../../test-results/documents/', import.meta.url).pathname;

/**
 * A stored document as the Documents screen leaves it: a guide in three sections, the first one
 * long (the cited sentence sits near its end, below the grounding box's fold), one chunk per
 * section. Built here so that the test knows every offset.
 */
function documentRows() {
  const filler = Array.from({ length: 30 }, (_, i) => `Step ${i + 1} of the preparation is described in the appendix.`).join(' ');
  const sections: [string, string][] = [
    ['Installing', `${filler} Run the installer as an administrator. The installer asks for a licence key before it copies any file.`],
    ['Updating', 'Updates arrive every month. An update never changes your settings.'],
    ['Removing', 'Remove the program from the control panel. Your documents stay where they are.'],
  ];
  let text = '';
  const blocks: Record<string, unknown>[] = [];
  const chunks: Record<string, unknown>[] = [];
  for (const [i, [heading, body]] of sections.entries()) {
    if (text) text += '\n\n';
    const h = `## ${heading}`;
    blocks.push({ kind: 'heading', level: 2, title: heading, start: text.length, end: text.length + h.length });
    text += h + '\n\n';
    const start = text.length;
    text += body;
    blocks.push({ kind: 'paragraph', start, end: text.length });
    chunks.push({ id: `e2e-chunk-${i}`, documentId: 'e2e-doc', index: i, text: body, headingPath: ['Setup guide', heading], pages: [i + 1, i + 2], span: [start, text.length], tokens: body.length / 5 });
  }
  const bytes = Buffer.from(text, 'utf8');
  const document = {
    id: 'e2e-doc', name: 'setup-guide.md', type: 'markdown', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), pages: null, title: 'Setup guide',
    text, blocks, outline: [], pageStarts: [], status: 'ready', error: null, createdAt: 1, updatedAt: 1,
  };
  return { document, chunks, text };
}

function sampleRows(doc: ReturnType<typeof documentRows>) {
  const { text, chunks } = doc;
  const span = (i: number) => chunks[i]!.span as [number, number];
  const cite = (phrase: string): [number, number] => {
    const at = text.indexOf(phrase);
    return [at, at + phrase.length];
  };
  // Both accepted questions are tagged with the same label, for the balance check.
  const source = (i: number, cited: [number, number][], questionType: string) => ({
    documentId: 'e2e-doc', documentName: 'setup-guide.md', chunkId: `e2e-chunk-${i}`, chunkIndex: i, pages: chunks[i]!.pages, headingPath: chunks[i]!.headingPath, span: span(i), cited, questionType, label: 'l1',
  });
  const base = { runId: 'e2e-run', seedId: null, parentId: null, round: 0, persona: null, input: '', duplicateOf: null, createdAt: 10, updatedAt: 10 };
  const samples = [
    { ...base, id: 'e2e-run:t0-0', operation: 'groundedAnswer', instruction: 'What does the installer ask for before copying files?', output: 'A licence key: "The installer asks for a licence key before it copies any file."', status: 'accepted', rejectReason: null, score: 5, source: source(0, [cite('The installer asks for a licence key'), cite('before it copies any file')], 'factual'), lineage: { notes: { groundedness: { score: 5 } } }, createdAt: 11 },
    { ...base, id: 'e2e-run:t1-0', operation: 'groundedAnswer', instruction: 'Do updates change my settings?', output: 'No: "An update never changes your settings."', status: 'accepted', rejectReason: null, score: 4, source: source(1, [cite('An update never changes your settings')], 'factual'), lineage: { notes: { groundedness: { score: 5 } } }, createdAt: 12 },
    { ...base, id: 'e2e-run:t1-1', operation: 'groundedAnswer', instruction: 'How much does an update cost?', output: '', status: 'rejected', rejectReason: 'unanswerable', score: null, source: source(1, [], 'factual'), lineage: {}, createdAt: 13 },
    { ...base, id: 'e2e-run:t2-0', operation: 'groundedAnswer', instruction: 'What happens to my documents when I remove the program?', output: 'They are deleted after thirty days.', status: 'rejected', rejectReason: 'ungrounded', score: null, source: source(2, [], 'reasoning'), lineage: { notes: { groundedness: { score: 1 }, unsupported: 'They are deleted after thirty days.' } }, createdAt: 14 },
  ];
  return samples;
}

async function openSample(page: Page, search: string): Promise<void> {
  await page.fill('[data-testid="review-search"]', search);
  // One row left (whatever the UI language says about it).
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="sample-open"]').length === 1);
  await page.click('[data-testid="sample-open"]');
  await page.waitForSelector('[data-testid="drawer-source"]');
}

describe('provenance of document-made samples: drawer, export with the source, dataset card', () => {
  it('shows the grounding text with the cited spans marked, exports JSONL with the context field and lists the document on the card', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await openApp(context, '#/seeds');
    const doc = documentRows();
    const samples = sampleRows(doc);
    await putProjectRows(page, { documents: [doc.document], chunks: doc.chunks, samples });
    await page.goto(baseUrl() + '#/review');
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await page.waitForFunction(() => /^4 of/.test(document.querySelector('[data-testid="review-count"]')?.textContent?.trim() ?? ''));

    // The drawer: document, pages, section, question type; the chunk with both cited spans marked.
    await openSample(page, 'licence key before copying');
    const drawer = page.locator('[data-testid="drawer-source"]');
    expect(await drawer.locator('[data-testid="source-document"]').textContent()).toBe('setup-guide.md');
    expect(await drawer.locator('[data-testid="source-pages"]').textContent()).toBe('p. 1–2');
    expect(await drawer.locator('[data-testid="source-heading"]').textContent()).toBe('Setup guide › Installing');
    expect(await drawer.locator('[data-testid="source-question-type"]').textContent()).toBe('Factual');
    const s0 = samples[0]!;
    const cited = s0.source.cited.map(([a, b]) => doc.text.slice(a, b));
    expect(await drawer.locator('[data-testid="cited-text"]').allTextContents()).toEqual(cited);
    // The whole box reads as the chunk's text; screen readers hear where each citation starts and ends.
    const box = drawer.locator('[data-testid="source-text"]');
    const visible = await box.evaluate((el) => [...el.childNodes].map((n) => (n instanceof HTMLElement ? n.querySelector('[data-testid="cited-text"]')!.textContent : n.textContent)).join(''));
    expect(visible).toBe(doc.text.slice(s0.source.span[0], s0.source.span[1]));
    expect(await box.getAttribute('aria-label')).toBe('Grounding text from setup-guide.md');
    expect(await drawer.locator('mark .sr-only').first().textContent()).toBe('cited: ');
    expect(await drawer.locator('[data-testid="source-groundedness"]').textContent()).toContain('5 of 5');
    // The first mark sits below the box's fold: the box was scrolled to show it (the box alone).
    await page.waitForFunction(() => {
      const b = document.querySelector('[data-testid="source-text"]')!;
      const m = b.querySelector('mark')!.getBoundingClientRect();
      const r = b.getBoundingClientRect();
      return b.scrollTop > 0 && m.top >= r.top && m.bottom <= r.bottom;
    });
    // The box is reachable by keyboard (it scrolls), and the drawer has no serious axe violation.
    expect(await box.getAttribute('tabindex')).toBe('0');
    // Arrow keys in the focused box scroll it; they do not move the drawer to another sample.
    await box.focus();
    const before = await box.evaluate((el) => el.scrollTop);
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction((t) => document.querySelector('[data-testid="source-text"]')!.scrollTop < t, before);
    expect(await page.locator('[data-testid="cited-text"]').allTextContents()).toEqual(cited);
    expect(await axeViolations(page, '[data-testid="sample-drawer"]')).toEqual([]);
    await drawer.scrollIntoViewIfNeeded();
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('[data-testid="sample-drawer"]').screenshot({ path: `${SHOTS}drawer-cited-span.png` });

    // A rejected question the text does not answer, and an answer with an unsupported claim.
    await openSample(page, 'How much does an update cost');
    await page.waitForSelector('[data-testid="source-unanswerable"]');
    expect(await page.locator('[data-testid="cited-span"]').count()).toBe(0);
    await openSample(page, 'remove the program');
    expect(await page.textContent('[data-testid="source-unsupported"]')).toContain('They are deleted after thirty days.');

    // At 390 px the drawer's source needs no sideways scroll.
    await page.click('[data-testid="drawer-close"]');
    await page.setViewportSize({ width: 390, height: 800 });
    await openSample(page, 'licence key before copying');
    await page.waitForSelector('[data-testid="cited-span"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Export: JSONL with the context field; provenance carries the document fields.
    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    // Balancing per label: one label, at most 1 per label → 1 of the 2 accepted samples; off again.
    expect(await page.getAttribute('[data-testid="export-counts"]', 'data-synthetic')).toBe('2');
    await page.check('[data-testid="export-balance"]');
    await page.fill('[data-testid="export-per-label"]', '1');
    await page.waitForFunction(() => document.querySelector('[data-testid="export-counts"]')?.getAttribute('data-synthetic') === '1');
    expect(await page.textContent('[data-testid="export-balance-left-out"]')).toContain('1');
    await page.uncheck('[data-testid="export-balance"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="export-counts"]')?.getAttribute('data-synthetic') === '2');
    await page.check('[data-testid="export-provenance"]');
    await page.check('[data-testid="export-source"]');
    await page.check('[data-testid="export-source-context"]');
    expect(await page.textContent('[data-testid="export-source-help"]')).toContain('“context” field');
    expect(await axeViolations(page, '[data-testid="screen-export"]')).toEqual([]);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    const rows = readFileSync(await dl.path(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { instruction: string; context: string; provenance: Record<string, unknown> });
    expect(rows.map((r) => r.provenance.id)).toEqual(['e2e-run:t0-0', 'e2e-run:t1-0']);
    for (const r of rows) {
      const s = samples.find((x) => x.id === r.provenance.id)!;
      expect(r.context).toBe(doc.text.slice(s.source.span[0], s.source.span[1]));
      expect(r.provenance).toMatchObject({ document: 'setup-guide.md', pages: s.source.pages, headingPath: s.source.headingPath, chunkId: s.source.chunkId });
    }
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toContain('## Source documents');
    expect(card).toContain(`- setup-guide.md (Markdown, ${doc.document.bytes} bytes), SHA-256 \`${doc.document.sha256}\`: 2 items.`);
    expect(card).toMatch(/may be copyrighted or confidential, and this dataset may reproduce their text/);
    for (const c of doc.chunks) expect(card).not.toContain((c.text as string).slice(-40));
    // The Export screen with its source and balance options needs no sideways scroll at 390 px either.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.check('[data-testid="export-balance"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('shows the source in Chinese', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context, '#/seeds');
    const doc = documentRows();
    await putProjectRows(page, { documents: [doc.document], chunks: doc.chunks, samples: sampleRows(doc) });
    await page.goto(baseUrl() + '#/review');
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await openSample(page, 'licence key before copying');
    expect(await page.textContent('[data-testid="drawer-source"] h3')).toBe('来源');
    expect(await page.textContent('[data-testid="source-pages"]')).toBe('第 1–2 页');
    expect(await page.locator('[data-testid="drawer-source"] mark .sr-only').first().textContent()).toBe('引用：');
    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    expect(await page.textContent('[data-testid="export-source-settings"]')).toContain('包含来源');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
