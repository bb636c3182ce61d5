import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations } from './axe';
import { baseUrl, confirmImport, dropFiles, launch, openApp, pageErrors, readStore, useTinyModel, waitForReview } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const PHONE = '13812345678';
const SEEDS = [
  JSON.stringify({ instruction: `Write a reminder for the patient to call ${PHONE} before the visit.`, output: 'Please call the clinic before your visit.' }),
  JSON.stringify({ instruction: 'Tell a short story about a cat named Tom.', output: 'Tom the cat slept all day in the sun.' }),
].join('\n');

/**
 * Seeds with a planted phone number → the findings view → redact → a short recipe on the tiny local
 * model → the exported file holds the placeholder, never the number, and the card says the export
 * was scanned.
 */
describe('personal data in the built app', () => {
  it('redacts a planted phone number in the seeds; the run and the export carry only the placeholder', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await openApp(context, '#/seeds');
    const errors = pageErrors(page);
    await dropFiles(page, [{ name: 'clinic.jsonl', bytes: new TextEncoder().encode(SEEDS) }]);
    await waitForReview(page);
    await confirmImport(page);

    // The findings view: one phone finding, its context shown as text.
    await page.click('[data-testid="seeds-privacy"]');
    await page.click('[data-testid="seeds-pii-scan"]');
    const finding = page.locator('[data-testid="seeds-pii-finding"]');
    await finding.first().waitFor();
    expect(await finding.count()).toBe(1);
    expect(await finding.getAttribute('data-type')).toBe('phone');
    expect(await finding.locator('mark').textContent()).toBe(PHONE);
    expect(await page.textContent('[data-testid="seeds-pii-status"]')).toContain('1 findings in 1 items');
    // The findings view passes axe (serious/critical), and its decision is reachable by keyboard.
    expect(await axeViolations(page, '[data-testid="seeds-pii"]')).toEqual([]);
    await page.focus('[data-testid="seeds-pii-ignore"]');
    await page.keyboard.press('Space');
    expect(await page.textContent('[data-testid="seeds-pii-redact"]')).toContain('(0)');
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent('[data-testid="seeds-pii-redact"]')).toContain('(1)');
    await page.click('[data-testid="seeds-pii-redact"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="seeds-pii-status"]')?.textContent?.includes('redacted'));
    const seeds = await readStore<{ instruction: string }>(page, 'seeds');
    expect(seeds.map((s) => s.instruction).sort()[1]).toBe('Write a reminder for the patient to call [PHONE_1] before the visit.');
    expect(JSON.stringify(seeds)).not.toContain(PHONE);
    // A second scan finds nothing.
    await page.click('[data-testid="seeds-pii-scan"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="seeds-pii-status"]')?.textContent?.includes('No personal data found in 2 items'));

    // A short recipe on the tiny local model: Respond only (local engines are never guarded).
    await useTinyModel(page);
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    expect(await page.isChecked('[data-testid="recipe-privacy-guard"]')).toBe(true);
    for (let i = 0; i < 2; i++) await page.locator('[data-testid="recipe-steps"] > li').last().locator('button.danger').click();
    expect(await page.locator('[data-testid="recipe-steps"] > li').count()).toBe(1);
    await page.fill('[data-testid="param-maxTokens"]', '16');
    await page.goto(baseUrl() + '#/run');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 90_000 });

    // Export: scanned (the default), the file has the placeholder and not the number, the card says so.
    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    expect(await page.isChecked('[data-testid="export-privacy-scan"]')).toBe(true);
    await page.check('[data-testid="export-privacy-redact"]');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    const text = readFileSync(await dl.path(), 'utf8');
    expect(text.split('\n').filter(Boolean).length).toBe(2);
    expect(text).toContain('[PHONE_1]');
    expect(text).not.toContain(PHONE);
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toContain('## Personal data');
    expect(card).toContain('- Scanned: all 2 written items');
    expect(card).toContain('- Remaining in this file: none.');
    expect(card).not.toContain(PHONE);
    expect(errors).toEqual([]);
    await context.close();
  });
});
