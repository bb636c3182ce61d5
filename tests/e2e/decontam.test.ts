import { createHash } from 'node:crypto';
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

/** A small GSM8K-shaped eval file: question and answer per line. */
const GSM8K = new TextEncoder().encode(
  [
    { question: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?', answer: 'Natalia sold 48/2 = 24 clips in May. #### 72' },
    { question: 'Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?', answer: '#### 10' },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);
const SHA = createHash('sha256').update(GSM8K).digest('hex');
/** The first eval item reworded a little at its end (the first 20 words are the item's own), and a clean seed. */
const PLANTED = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did she sell in total over both months?';
/** And a planted phone number (issue 17's e2e: one recipe over seeds with both). */
const PHONE = '13812345678';
const SEEDS = [
  JSON.stringify({ instruction: PLANTED, output: 'She sold 72 clips.' }),
  JSON.stringify({ instruction: 'Tell a short story about a cat named Tom.', output: 'Tom the cat slept all day in the sun.' }),
  JSON.stringify({ instruction: `Write a reminder for the patient to call ${PHONE} before the visit.`, output: 'Please call the clinic before your visit.' }),
].join('\n');

/**
 * An eval file dropped on Review's Eval sets tab → seeds holding a reworded eval item and a phone
 * number (redacted in the findings view) → a short recipe with its decontam section on, on the
 * tiny local model → Review's filter lists the marked sample with its evidence, the export leaves
 * it out and carries only the phone's placeholder, and the card lists the eval set by SHA-256 and
 * says the export was scanned. (tests/e2e/privacy.test.ts goes through the findings view itself.)
 */
describe('benchmark decontamination and personal data in the built app', () => {
  it('marks the sample that rewords an eval item, shows why, and keeps it out of the export; the phone number never reaches the export', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await openApp(context, '#/seeds');
    const errors = pageErrors(page);
    await dropFiles(page, [{ name: 'tasks.jsonl', bytes: new TextEncoder().encode(SEEDS) }]);
    await waitForReview(page);
    await confirmImport(page);
    // The planted phone number: found and redacted before any prompt is made.
    await page.click('[data-testid="seeds-privacy"]');
    await page.click('[data-testid="seeds-pii-scan"]');
    await page.locator('[data-testid="seeds-pii-finding"]').first().waitFor();
    expect(await page.locator('[data-testid="seeds-pii-finding"]').getAttribute('data-type')).toBe('phone');
    await page.click('[data-testid="seeds-pii-redact"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="seeds-pii-status"]')?.textContent?.includes('redacted'));
    expect(JSON.stringify(await readStore(page, 'seeds'))).not.toContain(PHONE);

    // The eval file, added twice: stored once, listed with its count and SHA-256.
    await page.goto(baseUrl() + '#/review');
    await page.click('[data-testid="tab-decontam"]');
    await page.setInputFiles('[data-testid="decontam-file"]', { name: 'gsm8k_test.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(GSM8K) });
    await page.waitForSelector('[data-testid="decontam-set"]');
    expect(await page.textContent('[data-testid="decontam-sha"]')).toBe(SHA);
    expect(await page.textContent('[data-testid="decontam-set"]')).toContain('2 items');
    await page.setInputFiles('[data-testid="decontam-file"]', { name: 'copy.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(GSM8K) });
    await page.waitForFunction(() => document.querySelector('[data-testid="decontam-notice"]')?.textContent?.includes('not stored twice'));
    expect(await page.locator('[data-testid="decontam-set"]').count()).toBe(1);
    expect((await readStore(page, 'evalSets')).length).toBe(1);
    // The panel has labels for every control (axe-core: no serious or critical violation).
    expect(await axeViolations(page, '[data-testid="decontam-panel"]')).toEqual([]);

    // A Respond-only recipe with the check on.
    await useTinyModel(page);
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    for (let i = 0; i < 2; i++) await page.locator('[data-testid="recipe-steps"] > li').last().locator('button.danger').click();
    await page.fill('[data-testid="param-maxTokens"]', '16');
    await page.check('[data-testid="recipe-decontam-enabled"]');
    await page.goto(baseUrl() + '#/run');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 90_000 });
    const samples = await readStore<{ instruction: string; contamination: { evalIndex: number; method: string } | null }>(page, 'samples');
    expect(samples).toHaveLength(3);
    expect(samples.find((s) => s.instruction === PLANTED)!.contamination).toMatchObject({ evalIndex: 0, method: 'ngram' });
    expect(samples.filter((s) => s.instruction !== PLANTED).map((s) => s.contamination ?? null)).toEqual([null, null]);
    expect(JSON.stringify(samples)).not.toContain(PHONE);

    // Review: the on-demand check says what it found (the seed too); the filter lists the sample; the drawer shows the evidence as text.
    await page.goto(baseUrl() + '#/review');
    await page.click('[data-testid="tab-decontam"]');
    await page.waitForSelector('[data-testid="decontam-set"]');
    await page.click('[data-testid="decontam-check"]');
    await page.waitForSelector('[data-testid="decontam-result"]');
    expect(await page.textContent('[data-testid="decontam-result"]')).toContain('1 samples, 1 seeds and 0 chunks repeat an eval item');
    await page.click('[data-testid="decontam-show"]');
    expect(await page.inputValue('[data-testid="filter-contaminated"]')).toBe('contaminated');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sample-row"]').length === 1);
    await page.click('[data-testid="sample-open"]');
    const note = page.locator('[data-testid="drawer-contamination"]');
    await note.waitFor();
    expect(await note.getAttribute('data-method')).toBe('ngram');
    expect(await note.textContent()).toContain('item 0 of the eval set gsm8k_test.jsonl');
    const evidence = (await page.textContent('[data-testid="drawer-contamination-evidence"]'))!;
    expect(PLANTED.toLowerCase()).toContain(evidence.split(' ').slice(0, 3).join(' '));
    expect(evidence.split(' ')).toHaveLength(13);

    // Export: the contaminated sample is left out; the card lists the set with its SHA-256.
    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    expect(await page.textContent('[data-testid="export-contaminated-left-out"]')).toContain('1 contaminated');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    const text = readFileSync(await dl.path(), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(text).not.toContain('Natalia');
    expect(text).toContain('[PHONE_1]');
    expect(text).not.toContain(PHONE);
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toContain('## Benchmark decontamination');
    expect(card).toContain(`- gsm8k\\_test.jsonl (2 items, ${GSM8K.byteLength} bytes), SHA-256 \`${SHA}\``);
    expect(card).toContain('- Left out of this file: 1 contaminated samples.');
    expect(card).toContain('## Personal data');
    expect(card).toContain('- Scanned: all 2 written items');
    expect(card).not.toContain(PHONE);
    expect(errors).toEqual([]);
    await context.close();
  });
});
