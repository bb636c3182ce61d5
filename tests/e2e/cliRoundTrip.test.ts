import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startFakeLlm } from '../../scripts/fakeLlm.mjs';
import { cleanup, cli, ensureCli, jsonLines, tempDir, writeSeeds } from '../cli/support';
import { launch, openApp, pageErrors, readStore } from './helpers';

/**
 * A headless run reviewed in the browser (issue 15): `seedforge run` against a local fake
 * OpenAI-compatible server, `seedforge backup`, the app's restore in Chromium (real IndexedDB),
 * the same samples on the Review screen, and the app's export equal to the command line's.
 */
let browser: Browser;
let fake: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  [browser, fake] = await Promise.all([launch(), startFakeLlm({ faults: 0.1, faultSeed: 7, retryAfterS: 0.05 })]);
  await ensureCli();
});
afterAll(async () => {
  await Promise.all([browser?.close(), fake?.close()]);
  cleanup();
});

/** Clicks a download button and returns the file's name and text. */
async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
  return { name: dl.suggestedFilename(), text: readFileSync((await dl.path())!, 'utf8') };
}

type Row = { id: string; runId: string; status: string; instruction: string; output: string; score: number | null; lineage: { calls: { role: string }[] } };

describe('a command-line run reviewed in the app', () => {
  it('runs headless, backs up, restores in the browser with the same samples on Review, and both export the same file', async () => {
    const dir = tempDir('roundtrip');
    const store = join(dir, 'store');
    const seeds = writeSeeds(dir, 24);
    const run = await cli(['run', '--store', store, '--preset', 'answer-judge', '--seeds', seeds, '--endpoint', fake.url, '--model', 'fake-model', '--concurrency', '8', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = jsonLines(run.stdout).at(-1)!;
    expect(summary).toMatchObject({ status: 'done' });
    // The faults were met and retried through: every item is there.
    expect(fake.stats().failed['429'] + fake.stats().failed['500'] + fake.stats().failed.stall + fake.stats().failed.truncated).toBeGreaterThan(0);

    const status = jsonLines((await cli(['status', '--store', store, '--json'])).stdout)[0] as { runs: { counts: { done: number; accepted: number; rejected: number } }[] };
    const counts = status.runs[0]!.counts;
    expect(counts.done).toBe(24);
    expect(counts.accepted).toBeGreaterThan(0);

    const cliAlpaca = join(dir, 'cli.alpaca.json');
    const cliOpenai = join(dir, 'cli.openai.jsonl');
    expect((await cli(['export', '--store', store, '--format', 'alpaca', '--out', cliAlpaca])).code).toBe(0);
    expect((await cli(['export', '--store', store, '--format', 'openai', '--out', cliOpenai, '--no-card'])).code).toBe(0);
    const backupFile = join(dir, 'run.seedforge-backup.jsonl');
    const b = await cli(['backup', '--store', store, '--out', backupFile]);
    expect(b.code, b.stderr).toBe(0);

    // The app: restore the backup on the Export screen of a fresh browser.
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    const page = await openApp(context, '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    await page.setInputFiles('[data-testid="restore-input"]', { name: 'run.seedforge-backup.jsonl', mimeType: 'application/jsonl', buffer: readFileSync(backupFile) });
    await page.waitForSelector('[data-testid="restore-done"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="export-counts"]')?.getAttribute('data-synthetic') === String(n), counts.accepted);

    // The same samples, row for row, in IndexedDB as in the command line's store.
    const rows = await readStore<Row>(page, 'samples');
    expect(rows).toHaveLength(24);
    expect(rows.filter((r) => r.status === 'accepted')).toHaveLength(counts.accepted);
    expect(rows.filter((r) => r.status === 'rejected')).toHaveLength(counts.rejected);
    for (const r of rows) expect(r.lineage.calls.map((c) => c.role)).toEqual(['responder', 'judge']);

    // The app's export without provenance (the command line's default) is the command line's file.
    await page.uncheck('[data-testid="export-provenance"]');
    await page.selectOption('[data-testid="export-format"]', 'alpaca-json');
    const appAlpaca = await download(page, 'export-run');
    expect(JSON.parse(appAlpaca.text)).toEqual(JSON.parse(readFileSync(cliAlpaca, 'utf8')));
    await page.selectOption('[data-testid="export-format"]', 'openai-jsonl');
    const appOpenai = await download(page, 'export-run');
    expect(appOpenai.text).toBe(readFileSync(cliOpenai, 'utf8'));

    // Review shows them: every sample of the run, accepted and rejected.
    await page.goto(page.url().replace(/#.*$/, '#/review'));
    await page.waitForSelector('[data-testid="sample-row"]');
    await page.waitForFunction((n) => new RegExp(`^${n} of`).test(document.querySelector('[data-testid="review-count"]')!.textContent!.trim()), 24);
    const shown = await page.locator('[data-testid="sample-row"]').allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    for (const text of shown) expect(rows.some((r) => text.includes(r.instruction.slice(0, 40)))).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
