import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { baseUrl, readStore, setUpLocalRecipe } from './helpers';

const SEEDS = Array.from({ length: 6 }, (_, i) => JSON.stringify({ instruction: `Tell a short story about a cat named Tom, number ${i + 1}.`, output: '' })).join('\n');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A browser profile on disk: closing it and opening it again keeps IndexedDB and OPFS, as a real browser does. */
async function profile(dir?: string): Promise<{ dir: string; context: BrowserContext; page: Page }> {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'seedforge-e2e-'));
  if (!dir) dirs.push(d);
  const context = await chromium.launchPersistentContext(d, { executablePath: chromiumPath, args: chromiumArgs, headless: true, locale: 'en-US' });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(baseUrl() + '#/seeds');
  await page.waitForSelector('.app[data-ready="true"]');
  return { dir: d, context, page };
}

/** Imports the seeds, adds the GGUF model for every role, and prepares a small Answer + judge recipe. */
async function setUp(page: Page): Promise<void> {
  await setUpLocalRecipe(page, { name: 'cats.jsonl', bytes: new TextEncoder().encode(SEEDS) }, { temperature: 0.8 });
  // The recipe's model settings: constrained output stays on (the default), reasoning models asked not to think.
  expect(await page.isChecked('[data-testid="recipe-constrained"]')).toBe(true);
  await page.selectOption('[data-testid="recipe-thinking"]', 'off');
}

async function startRun(page: Page): Promise<void> {
  await page.goto(baseUrl() + '#/run');
  await page.click('[data-testid="run-start"]');
  await page.waitForSelector('[data-testid="run-active"]');
}

async function waitDone(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 240_000 });
}

/** The run's samples as comparable rows, read from the app's IndexedDB. */
async function samples(page: Page): Promise<string[]> {
  const rows = await readStore<{ id: string; instruction: string; output: string; status: string; rejectReason: string | null; score: number | null }>(page, 'samples');
  return rows.map((s) => JSON.stringify([s.id.split(':')[1], s.instruction, s.output, s.status, s.rejectReason, s.score])).sort();
}

describe('a run in the built app', () => {
  it('a run interrupted by closing the browser resumes after reopening and ends with the same items as an uninterrupted run', async () => {
    // Uninterrupted.
    const a = await profile();
    await setUp(a.page);
    await startRun(a.page);
    await waitDone(a.page);
    const whole = await samples(a.page);
    const [run] = await readStore<{ recipe: { constrained: boolean; thinking: string } }>(a.page, 'runs');
    expect(run!.recipe).toMatchObject({ constrained: true, thinking: 'off' });
    const report = await a.page.locator('[data-testid="run-item"] button', { hasText: 'Report' }).first();
    await report.click();
    const reportText = (await a.page.textContent('[data-testid="run-report"]'))!;
    console.log(`run report (6 seeds, Answer + judge, stories260K): ${reportText.replace(/\s+/g, ' ').slice(0, 300)}`);
    await a.context.close();
    expect(whole.length).toBe(6);

    // Interrupted: the browser is closed after two items are committed, then reopened.
    const b = await profile();
    await setUp(b.page);
    await startRun(b.page);
    await b.page.waitForFunction(() => /^[2-5] of 6 items/.test(document.querySelector('[data-testid="run-counts"]')?.previousElementSibling?.textContent ?? document.querySelector('[data-testid="progress"]')?.textContent ?? ''), null, { timeout: 240_000 });
    await b.context.close();
    const b2 = await profile(b.dir);
    await b2.page.goto(baseUrl() + '#/run');
    await b2.page.waitForSelector('[data-testid="run-item"][data-status="paused"]');
    const before = await samples(b2.page);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(6);
    await b2.page.click('[data-testid="run-resume"]');
    await waitDone(b2.page);
    const resumed = await samples(b2.page);
    expect(resumed).toEqual(whole);
    await b2.context.close();
  }, 600_000);
});
