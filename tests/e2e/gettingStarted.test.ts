import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, GGUF_FIXTURE, launch, openApp, pageErrors, readStore, seedCount, putProjectRows } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});



const STEPS = ['import', 'model', 'recipe', 'run', 'review', 'export'];
const waitCount = (page: Page, n: number) =>
  page.waitForFunction((want) => document.querySelector('[data-testid="seed-count"]')?.textContent === String(want), n, { timeout: 60_000 });
const stepsDone = (page: Page) => page.$$eval('[data-testid^="guide-step-"]', (els) => els.map((e) => `${e.getAttribute('data-testid')!.slice('guide-step-'.length)}=${e.getAttribute('data-done')}`));
const lines = (file: string) => readFileSync(new URL(`../../public/samples/${file}`, import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { instruction: string });

describe('the guided first path (issue 13, item 2)', () => {
  it('fresh profile: the checklist shows with nothing ticked; Try with sample seeds (English) imports them through the importer and ticks the first step; hidden and shown again per project', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    await page.waitForSelector('[data-testid="guide"]');
    expect(await page.textContent('#guide-title')).toBe('Getting started');
    expect(await stepsDone(page)).toEqual(STEPS.map((s) => `${s}=false`));
    expect(await page.textContent('[data-testid="guide-progress"]')).toBe('0 of 6 steps done');
    // Each step names its state for screen readers and links to its screen; the next one is the current step.
    expect(await page.locator('[data-testid="guide-step-import"] a').getAttribute('aria-current')).toBe('step');
    expect(await page.locator('[data-testid="guide-step-import"] a').innerText()).toContain('To do:');
    expect(await page.locator('[data-testid="guide-step-model"] a').getAttribute('href')).toBe('#/models');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/first-open-checklist-en.png', fullPage: true });
    expect(await axeViolations(page, '[data-testid="guide"]')).toEqual([]);
    expect(await axeViolations(page, '[data-testid="sample-seeds"]')).toEqual([]);

    const expected = lines('seeds-en.jsonl');
    await page.click('[data-testid="sample-seeds-en"]');
    await waitCount(page, expected.length);
    await page.waitForSelector('[data-testid="import-dialog"]', { state: 'detached' });
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-import"]')?.getAttribute('data-done') === 'true');
    expect(await stepsDone(page)).toEqual(['import=true', ...STEPS.slice(1).map((s) => `${s}=false`)]);
    expect(await page.textContent('[data-testid="guide-progress"]')).toBe('1 of 6 steps done');
    expect(await page.locator('[data-testid="guide-step-import"] a').innerText()).toContain('Done:');
    expect(await page.locator('[data-testid="guide-step-model"] a').getAttribute('aria-current')).toBe('step');
    await page.screenshot({ path: 'test-results/sample-seeds-imported-en.png', fullPage: true });
    // Stored like any imported file: the importer's source record names the shipped file.
    const seeds = await readStore<{ instruction: string; source: { file: string; format: string } }>(page, 'seeds');
    expect(seeds.map((s) => s.instruction).sort()).toEqual(expected.map((s) => s.instruction).sort());
    expect(new Set(seeds.map((s) => s.source.file))).toEqual(new Set(['seeds-en.jsonl']));

    // A model for every role ticks the second step; a seed limit in the recipe the third.
    await page.goto(baseUrl() + '#/models');
    await page.setInputFiles('[data-testid="gguf-input"]', GGUF_FIXTURE);
    await page.waitForSelector('[data-testid="gguf-row"]');
    for (const role of ['generator', 'responder', 'judge']) await page.selectOption(`[data-testid="role-${role}"]`, 'wllama:stories260K.gguf');
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-model"]')?.getAttribute('data-done') === 'true');
    expect(await page.locator('[data-testid="guide-step-recipe"]').getAttribute('data-done')).toBe('false');
    await page.goto(baseUrl() + '#/recipe');
    await page.fill('[data-testid="recipe-max-seeds"]', '3');
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-recipe"]')?.getAttribute('data-done') === 'true');
    expect(await stepsDone(page)).toEqual(['import=true', 'model=true', 'recipe=true', 'run=false', 'review=false', 'export=false']);
    await page.goto(baseUrl() + '#/seeds');

    // Hidden: stays hidden after a reload; the header's entry shows it again, with its ticks.
    await page.click('[data-testid="guide-hide"]');
    await page.waitForSelector('[data-testid="guide"]', { state: 'detached' });
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await waitCount(page, expected.length);
    expect(await page.locator('[data-testid="guide"]').count()).toBe(0);
    await page.click('[data-testid="guide-show"]');
    await page.waitForSelector('[data-testid="guide"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-recipe"]')?.getAttribute('data-done') === 'true');
    expect(await stepsDone(page)).toEqual(['import=true', 'model=true', 'recipe=true', 'run=false', 'review=false', 'export=false']);
    // The step links lead to their screens.
    await page.click('[data-testid="guide-step-recipe"] a');
    await page.waitForSelector('[data-testid="nav-recipe"][aria-current="page"]');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('Chinese UI: the checklist in Chinese, and the Chinese sample seeds work too', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context);
    await page.waitForSelector('[data-testid="guide"]');
    expect(await page.textContent('#guide-title')).toBe('入门步骤');
    expect(await page.textContent('[data-testid="guide-progress"]')).toBe('已完成 0/6 步');
    expect(await page.textContent('[data-testid="sample-seeds-zh"]')).toBe('用示例种子试用（中文）');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/first-open-checklist-zh.png', fullPage: true });
    expect(await axeViolations(page, '[data-testid="guide"]')).toEqual([]);
    const expected = lines('seeds-zh.jsonl');
    await page.click('[data-testid="sample-seeds-zh"]');
    await waitCount(page, expected.length);
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-import"]')?.getAttribute('data-done') === 'true');
    expect(await page.textContent('[data-testid="guide-progress"]')).toBe('已完成 1/6 步');
    expect(await page.locator('[data-testid="guide-step-import"] a').innerText()).toContain('已完成');
    const seeds = await readStore<{ instruction: string }>(page, 'seeds');
    expect(seeds.map((s) => s.instruction).sort()).toEqual(expected.map((s) => s.instruction).sort());
    expect(seeds.every((s) => /[\u4e00-\u9fff]/.test(s.instruction))).toBe(true);
    expect(await seedCount(page)).toBe(expected.length);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('the sample seed files are in the service worker precache list (offline and air-gapped)', () => {
    const dist = process.env.SEEDFORGE_DIST ?? 'dist';
    // FILES: [path, revision] pairs (scripts/pwaPlugin.ts).
    const files = (JSON.parse(/const FILES = (\[.*\]);/.exec(readFileSync(join(dist, 'sw.js'), 'utf8'))![1]!) as [string, string][]).map(([f]) => f);
    expect(files).toEqual(expect.arrayContaining(['samples/seeds-en.jsonl', 'samples/seeds-zh.jsonl']));
  });

  it('dataset card controls: the chosen licence and description are stored per project, written into the card, and the export ticks the checklist', async () => {
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const page = await openApp(context);
    await page.click('[data-testid="sample-seeds-en"]');
    await waitCount(page, lines('seeds-en.jsonl').length);
    await page.click('[data-testid="nav-export"]');
    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    // Seeds only (no run yet): a 100 % real share exports the seeds.
    await page.locator('[data-testid="export-real"]').fill('100');
    await page.waitForFunction(() => document.querySelector('[data-testid="export-real-value"]')?.textContent === '100 %');
    expect(await page.inputValue('[data-testid="card-license"]')).toBe('other');
    await page.selectOption('[data-testid="card-license"]', 'cc-by-4.0');
    await page.waitForSelector('[data-testid="card-saved"]');
    // Typed and reloaded at once (no blur, no pause): the description is not lost.
    await page.fill('[data-testid="card-description"]', 'Everyday tasks for a first try of Seedforge.');
    await page.reload();
    await page.waitForSelector('[data-testid="export-counts"]');
    // Both are labelled controls.
    expect(await page.getByLabel('Licence').count()).toBe(1);
    expect(await page.getByLabel('Description').count()).toBe(1);
    expect(await axeViolations(page, '[data-testid="card-settings"]')).toEqual([]);

    // Stored per project: the reload shows them again.
    await page.waitForFunction(() => (document.querySelector('[data-testid="card-license"]') as HTMLSelectElement | null)?.value === 'cc-by-4.0');
    expect(await page.inputValue('[data-testid="card-description"]')).toBe('Everyday tasks for a first try of Seedforge.');
    // In IndexedDB too (written as the page hid, or from its page-hide copy a moment after the reload).
    await expect
      .poll(async () => (await readStore<{ card?: { license: string; description: string } }>(page, 'projects'))[0]!.card, { timeout: 5000 })
      .toEqual({ license: 'cc-by-4.0', description: 'Everyday tasks for a first try of Seedforge.' });

    if (await picker.count()) await picker.uncheck();
    await page.locator('[data-testid="export-real"]').fill('100');
    await page.waitForFunction(() => document.querySelector('[data-testid="export-real-value"]')?.textContent === '100 %');
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    await page.waitForSelector('[data-testid="export-card-text"]');
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toMatch(/^---\nlicense: cc-by-4\.0\n/);
    expect(card).toContain('## Description\n\nEveryday tasks for a first try of Seedforge.\n');
    await page.locator('[data-testid="card-settings"]').screenshot({ path: 'test-results/export-card-settings.png' });
    // Nothing else records an export: the project's mark ticks the last step.
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-export"]')?.getAttribute('data-done') === 'true');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('a finished run ticks Run (and Recipe); a decision on Review ticks Review while the user is still there; the card then counts the item accepted by hand over the judge failure', async () => {
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const page = await openApp(context);
    await page.waitForSelector('[data-testid="guide"]');
    // A finished 2-seed run with one sample the judge accepted and one it could not score.
    const now = Date.now();
    const recipe = { version: 1, name: 'Answer + judge', seed: 1, language: 'auto', copiesPerSeed: 1, maxSeeds: 2, steps: [{ op: 'respond' }, { op: 'judge', minScore: 3, retries: 0 }] };
    const run = { id: 'guide-run', name: 'First run', status: 'done', recipe, roles: {}, models: { generator: 'wllama:stories260K.gguf', responder: 'wllama:stories260K.gguf', judge: 'wllama:stories260K.gguf' }, seedCount: 13, concurrency: 1, counts: {}, error: null, createdAt: now, updatedAt: now };
    const sample = (k: number, status: string, rejectReason: string | null, score: number | null, notes: object) => ({
      id: `guide-run:${k}.0`, runId: 'guide-run', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null,
      instruction: `Give one tip for task ${k}.`, input: '', output: `Tip number ${k}: start small.`, status, rejectReason, score, duplicateOf: null,
      lineage: { taskIndex: k, calls: [], notes }, createdAt: now + k, updatedAt: now + k,
    });
    await putProjectRows(page, { runs: [run], samples: [sample(0, 'accepted', null, 4, {}), sample(1, 'rejected', 'judgeFailed', null, { judgeRaw: 'Looks fine to me.' })] });
    await page.reload();
    await page.waitForSelector('[data-testid="guide"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-run"]')?.getAttribute('data-done') === 'true');
    expect(await stepsDone(page)).toEqual(['import=false', 'model=false', 'recipe=true', 'run=true', 'review=false', 'export=false']);

    await page.click('[data-testid="guide-step-review"] a');
    await page.waitForSelector('[data-testid="sample-row"][data-status="rejected"]');
    await page.locator('[data-testid="sample-row"][data-status="rejected"] [data-testid="row-accept"]').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="sample-row"][data-status="rejected"]'));
    // Ticked while the user is still on Review.
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-review"]')?.getAttribute('data-done') === 'true');
    expect(await page.isVisible('[data-testid="screen-review"]')).toBe(true);
    await page.click('[data-testid="nav-export"]');

    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toContain('- 1 accepted by the judge');
    expect(card).toContain('- 1 accepted by hand over `judgeFailed`: a judge failure, whose reply had no readable score.');
    expect(card).toContain('2 seeds used (seed limit 2; the project had 13).');
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-step-export"]')?.getAttribute('data-done') === 'true');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
