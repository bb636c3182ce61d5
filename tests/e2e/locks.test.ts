import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, launch, openApp, pageErrors, setUpLocalRecipe } from './helpers';

/** Two tabs of one browser profile (one context): only one runs a project's pipeline; the other follows it. */

const SEEDS = Array.from({ length: 8 }, (_, i) => JSON.stringify({ instruction: `Tell a short story about a bird named Kiki, number ${i + 1}.`, output: '' })).join('\n');
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const progressText = (page: Page, panel: string) => page.evaluate((sel) => document.querySelector(`${sel} [data-testid="progress"]`)?.textContent ?? '', panel);

describe('two tabs, one project (real Web Locks and BroadcastChannel)', () => {
  it('the second tab cannot start, says why, and shows the first tab’s live progress; it may start again when the run ends', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const a = await openApp(context);
    await setUpLocalRecipe(a, { name: 'birds.jsonl', bytes: new TextEncoder().encode(SEEDS) });

    await a.goto(baseUrl() + '#/run');
    await a.click('[data-testid="run-start"]');
    await a.waitForSelector('[data-testid="run-active"][data-status="running"]');

    // The second tab opens while the first one runs.
    const b = await openApp(context, '#/run');
    const blocker = b.locator('[data-testid="run-blocker"]');
    await blocker.waitFor();
    expect(await blocker.textContent()).toMatch(/running in another tab/);
    expect(await b.isDisabled('[data-testid="run-start"]')).toBe(true);
    await b.waitForSelector('[data-testid="run-remote"]');
    // Opening it did not mark the running run as interrupted.
    expect(await b.locator('[data-testid="run-resume"]').count()).toBe(0);
    expect(await b.locator('[data-testid="run-item"][data-status="paused"]').count()).toBe(0);
    // Nor can it delete the run the first tab is running.
    expect(await b.isDisabled('[data-testid="run-item"][data-status="running"] [data-testid="run-delete"]')).toBe(true);

    // Live: the second tab's view of the progress moves on while the first tab runs.
    const seen = new Set<string>();
    const t0 = Date.now();
    while (Date.now() - t0 < 240_000) {
      const text = await progressText(b, '[data-testid="run-remote"]');
      if (text) seen.add(text.split(' · ')[0]!);
      if (seen.size >= 3 || (await a.locator('[data-testid="run-item"][data-status="done"]').count())) break;
      await b.waitForTimeout(100);
    }
    console.log(`second tab saw: ${[...seen].join(' → ')}`);
    expect(seen.size).toBeGreaterThanOrEqual(2);

    await a.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 240_000 });
    // The lock is released: the second tab drops its notice and may start a run.
    await b.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 10_000 });
    await b.waitForSelector('[data-testid="run-remote"]', { state: 'detached', timeout: 10_000 });
    expect(await b.locator('[data-testid="run-blocker"]', { hasText: 'another tab' }).count()).toBe(0);
    expect(await b.isDisabled('[data-testid="run-start"]')).toBe(false);
    expect(pageErrors(a)).toEqual([]);
    expect(pageErrors(b)).toEqual([]);
    await context.close();
  }, 600_000);
});
