import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { confirmImport, dropFiles, fixture, launch, openApp, pageErrors, seedCount, waitForReview } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const waitCount = (page: Page, n: number) =>
  page.waitForFunction((want) => document.querySelector('[data-testid="seed-count"]')?.textContent === String(want), n);
const rowsShown = (page: Page) => page.locator('[data-testid="seed-row"]').count();

describe('the Seeds screen', () => {
  it('searches, edits, tags, deletes with undo, and keeps it all after a reload', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    await dropFiles(page, [fixture('prompts.csv')]);
    await waitForReview(page);
    await confirmImport(page);
    await waitCount(page, 4);

    // Search by words in any field.
    await page.fill('[data-testid="seed-search"]', 'prime');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="seed-row"]').length === 1);
    await page.fill('[data-testid="seed-search"]', '');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="seed-row"]').length === 4);

    // Edit the first seed: text and tags.
    await page.locator('[data-testid="seed-edit"]').first().click();
    await page.fill('[data-testid="edit-instruction"]', 'Translate "hello" into German');
    await page.fill('[data-testid="edit-tags"]', 'translation, de');
    await page.click('[data-testid="edit-save"]');
    await page.waitForSelector('[data-testid="seed-editor"]', { state: 'detached' });
    expect(await page.locator('[data-testid="seed-instruction"]').first().textContent()).toBe('Translate "hello" into German');

    // Filter by tag (imported "math" tags come from the CSV's tags column).
    await page.selectOption('[data-testid="tag-filter"]', { label: 'math (2)' });
    expect(await rowsShown(page)).toBe(2);
    await page.selectOption('[data-testid="tag-filter"]', { index: 0 });

    // Delete one, undo, delete two with the bulk action.
    await page.locator('[data-testid="seed-delete"]').nth(1).click();
    await waitCount(page, 3);
    await page.click('[data-testid="toast-action"]');
    await waitCount(page, 4);
    await page.locator('[data-testid="seed-row"] input[type="checkbox"]').nth(0).check();
    await page.locator('[data-testid="seed-row"] input[type="checkbox"]').nth(2).check();
    expect(await page.textContent('[data-testid="selected-count"]')).toBe('2 selected');
    await page.click('[data-testid="delete-selected"]');
    await waitCount(page, 2);

    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await waitCount(page, 2);
    const texts = await page.locator('[data-testid="seed-instruction"]').allTextContents();
    expect(texts).toEqual(['Name a prime number', 'What is 2+2?']);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('imports pasted text, and shows seed text as text, never as HTML', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.click('[data-testid="import-paste"]');
    await page.fill('[data-testid="paste-text"]', '<img src=x onerror="alert(1)">\n<script>alert(2)</script>\nPlain seed');
    await page.click('[data-testid="paste-read"]');
    await waitForReview(page);
    await confirmImport(page);
    await waitCount(page, 3);
    expect(await page.locator('[data-testid="seed-instruction"]').first().textContent()).toBe('<img src=x onerror="alert(1)">');
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toBe(0);
    await context.close();
  });

  it('starts in Chinese for a Chinese browser, switches language, and remembers it', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context);
    expect(await page.textContent('[data-testid="nav-seeds"]')).toBe('种子');
    expect(await page.locator('[data-testid="project-select"] option').first().textContent()).toBe('我的第一个数据集');
    await page.selectOption('[data-testid="locale-select"]', 'en');
    expect(await page.textContent('[data-testid="nav-seeds"]')).toBe('Seeds');
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    expect(await page.textContent('[data-testid="nav-seeds"]')).toBe('Seeds');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-US');
    await context.close();
  });

  it('routes between screens without a server round trip', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    for (const s of ['recipe', 'run', 'review', 'export', 'models']) {
      await page.click(`[data-testid="nav-${s}"]`);
      await page.waitForSelector(`[data-testid="screen-${s}"]`);
    }
    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('[data-testid="project-item"]');
    await page.click('[data-testid="nav-seeds"]');
    expect(await seedCount(page)).toBe(0);
    // Hash changes only: the document was loaded once and never again.
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    await context.close();
  });
});
