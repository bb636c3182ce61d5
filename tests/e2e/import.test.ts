import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { confirmImport, dropFiles, fixture, launch, openApp, pageErrors, seedCount, waitForReview } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US' });
  return { context, page: await openApp(context) };
}

async function waitCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction((want) => document.querySelector('[data-testid="seed-count"]')?.textContent === String(want), n);
}

describe('the built app', () => {
  it('is cross-origin isolated under vite preview', async () => {
    const { context, page } = await fresh();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await context.close();
  });

  it('imports a JSONL and a CSV file dropped on the window, and keeps them after a reload', async () => {
    const { context, page } = await fresh();
    expect(await seedCount(page)).toBe(0);

    await dropFiles(page, [fixture('self-instruct-seed-tasks.jsonl'), fixture('prompts.csv')]);
    await waitForReview(page);
    expect(await page.locator('[data-testid="import-file"]').count()).toBe(2);
    const summary = await page.textContent('[data-testid="import-summary"]');
    expect(summary).toContain('179 seeds ready');
    // The mapping recognised both shapes and the preview shows rows as they will be stored.
    const shapes = await page.locator('[data-testid="import-shape"]').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
    expect(shapes).toEqual(['selfInstruct', 'promptResponse']);
    expect(await page.textContent('[data-testid="import-preview"]')).toContain('Explain photosynthesis.');
    await confirmImport(page);
    await waitCount(page, 179);

    const instructions = async () =>
      (await page.locator('[data-testid="seed-instruction"]').allTextContents()).slice(0, 5);
    const before = await instructions();
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await waitCount(page, 179);
    expect(await instructions()).toEqual(before);
    // The CSV's quoted fields survived intact.
    await page.fill('[data-testid="seed-search"]', 'hello');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="seed-row"]').length === 1);
    expect(await page.textContent('[data-testid="seed-row"]')).toContain('Translate "hello" into French');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('lists every broken line with file and line, and stores nothing until confirmed', async () => {
    const { context, page } = await fresh();
    await dropFiles(page, [fixture('broken.jsonl')]);
    await waitForReview(page);
    const issues = await page.locator('[data-testid="import-issue"]').allTextContents();
    expect(issues).toHaveLength(3);
    expect(issues[0]).toMatch(/^broken\.jsonl, line 3: invalid JSON/);
    expect(issues[1]).toMatch(/^broken\.jsonl, line 5: expected a JSON object, found array/);
    expect(issues[2]).toMatch(/^broken\.jsonl, line 6: no instruction/);
    expect(await page.textContent('[data-testid="import-confirm"]')).toContain('Import 3 seeds');

    // Cancel: nothing was written, before or after a reload.
    await page.click('[data-testid="import-cancel"]');
    expect(await seedCount(page)).toBe(0);
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    expect(await seedCount(page)).toBe(0);

    // The good rows can still be imported.
    await dropFiles(page, [fixture('broken.jsonl')]);
    await waitForReview(page);
    await confirmImport(page);
    await waitCount(page, 3);
    await context.close();
  });

  it('shows the detected encoding and delimiter, re-reads with the ones chosen, and says when JSON was unwrapped', async () => {
    const { context, page } = await fresh();
    await dropFiles(page, [fixture('zh-gb18030.csv'), fixture('eu-semicolon.csv'), fixture('wrapped.jsonl')]);
    await waitForReview(page);
    const selected = (testid: string) =>
      page.locator(`[data-testid="${testid}"]`).evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).selectedOptions[0]!.textContent));
    expect(await selected('import-encoding')).toEqual(['Detected: GB18030 / GBK (Simplified Chinese)', 'Detected: Windows-1252 (Western European)', 'Detected: UTF-8']);
    expect(await selected('import-delimiter')).toEqual(['Detected: Comma ,', 'Detected: Semicolon ;']);
    expect(await page.textContent('[data-testid="import-summary"]')).toContain('30 seeds ready');
    expect(await page.textContent('[data-testid="import-preview"]')).toContain('请简要解释光合作用是什么？');
    expect(await page.textContent('[data-testid="import-unwrapped"]')).toContain('“data”');

    // Read the Chinese file as UTF-8 instead: every row fails and is listed; back to detection.
    const summary = (text: string) => page.waitForFunction((t) => document.querySelector('[data-testid="import-summary"]')?.textContent?.includes(t), text);
    await page.selectOption('[data-testid="import-encoding"] >> nth=0', 'utf-8');
    await summary('6 seeds ready');
    expect(await page.textContent('[data-testid="import-issue-count"]')).toContain('24');
    await page.selectOption('[data-testid="import-encoding"] >> nth=0', 'auto');
    await summary('30 seeds ready');
    // The semicolon file read with commas becomes one column, as it did before detection.
    await page.selectOption('[data-testid="import-delimiter"] >> nth=1', ',');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="map-instruction"] option')].some((o) => o.textContent === 'frage;antwort;preis'));
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('imports 175 Self-Instruct tasks and 175 Chinese seeds saved as .json into two projects', async () => {
    const { context, page } = await fresh();
    await dropFiles(page, [fixture('self-instruct-seed-tasks.jsonl')]);
    await waitForReview(page);
    await confirmImport(page);
    await waitCount(page, 175);

    await page.click('[data-testid="new-project"]');
    await page.fill('[data-testid="new-project-name"]', '中文数据');
    await page.click('[data-testid="new-project-create"]');
    await waitCount(page, 0);
    await dropFiles(page, [fixture('zh-alpaca.json')]);
    await waitForReview(page);
    expect(await page.locator('[data-testid="import-format"]').inputValue()).toBe('auto');
    expect(await page.textContent('[data-testid="import-file"]')).toContain('JSON Lines');
    await confirmImport(page);
    await waitCount(page, 175);

    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await waitCount(page, 175);
    expect(await page.textContent('[data-testid="seed-row"]')).toContain('解释光合作用的要点（第1题）。');
    const projects = await page.locator('[data-testid="project-select"] option').allTextContents();
    expect(projects).toHaveLength(2);
    await page.selectOption('[data-testid="project-select"]', { label: projects[0]! });
    // Both projects hold 175 seeds: the count alone does not show the switch, the first row does.
    await page.waitForFunction(() => document.querySelector('[data-testid="seed-row"]')?.textContent?.includes('Explain photosynthesis.'));
    await waitCount(page, 175);
    await context.close();
  });

  it('flags exact duplicates within the import and against stored seeds', async () => {
    const { context, page } = await fresh();
    // The same file twice in one drop: its 4 rows repeat within the import.
    await dropFiles(page, [fixture('prompts.csv'), fixture('prompts.csv', 'copy.csv')]);
    await waitForReview(page);
    expect(await page.textContent('[data-testid="import-duplicates"]')).toContain('4 within this import, 0 already in the project');
    expect(await page.textContent('[data-testid="import-confirm"]')).toContain('Import 4 seeds');
    await confirmImport(page);
    await waitCount(page, 4);
    // Again: now all 4 are already stored.
    await dropFiles(page, [fixture('prompts.csv')]);
    await waitForReview(page);
    expect(await page.textContent('[data-testid="import-duplicates"]')).toContain('0 within this import, 4 already in the project');
    expect(await page.textContent('[data-testid="import-confirm"]')).toContain('Import 0 seeds');
    await page.click('[data-testid="skip-duplicates"]');
    expect(await page.textContent('[data-testid="import-confirm"]')).toContain('Import 4 seeds');
    await page.click('[data-testid="import-cancel"]');
    expect(await seedCount(page)).toBe(4);
    await context.close();
  });
});
