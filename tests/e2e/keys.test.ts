import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkOpenAiJsonl } from './exportChecks';
import { addEndpoint, baseUrl, confirmImport, dropFiles, dumpStores, launch, openApp, pageErrors, readStore, waitForReview } from './helpers';
import { GOOD_KEY, startFakeLlmServer, type FakeServer } from '../support/fakeLlmServer';

let browser: Browser;
let server: FakeServer;
beforeAll(async () => {
  browser = await launch();
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const WRONG = 'sk-planted-wrong-key-5f3a9c1e7b';
const PASS = 'correct horse battery staple';
/** The key and fragments of it a careless redaction could leave (the server echoes 8 + 4 characters). */
const needles = (k: string) => [k, k.slice(0, 12), k.slice(-10)];

async function download(page: Page, testId: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
  return readFileSync((await dl.path())!, 'utf8');
}

describe('API keys never leave their table', () => {
  it('plants a key, runs a recipe through the API, and finds the key in no export, backup, card, log, error or other table; one button clears it', async () => {
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    let page = await openApp(context, '#/seeds');
    const logs: string[] = [];
    const watch = (p: Page) => p.on('console', (m) => logs.push(m.text()));
    watch(page);
    page.on('dialog', (d) => void d.accept());

    await dropFiles(page, [{ name: 'seeds.jsonl', bytes: new TextEncoder().encode(['Explain tides.', 'Name three prime numbers.', 'Define entropy.'].map((i) => JSON.stringify({ instruction: i, output: 'A seed answer.' })).join('\n')) }]);
    await waitForReview(page);
    await confirmImport(page);

    // The endpoint with the planted key, used for every role.
    await page.goto(baseUrl() + '#/models');
    await addEndpoint(page, { name: 'Planted', url: `${server.url}/v1`, key: GOOD_KEY, roles: true });
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    await page.fill('[data-testid="param-retries"]', '0');
    await page.goto(baseUrl() + '#/run');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 120_000 });
    expect(server.requests.filter((r) => r.auth === GOOD_KEY).length).toBeGreaterThanOrEqual(3);

    // A second run with a wrong key: every item fails with the server's 401 (which echoes part of it).
    await page.goto(baseUrl() + '#/models');
    await page.locator('[data-testid="endpoint-row"] button', { hasText: 'Edit' }).click();
    await page.fill('[data-testid="endpoint-key-input"]', WRONG);
    await page.click('[data-testid="endpoint-save"]');
    await page.waitForSelector('[data-testid="endpoint-form"]', { state: 'detached' });
    await page.click('[data-testid="endpoint-test"]');
    await page.waitForSelector('[data-testid="endpoints-panel"] [data-testid="engine-error"][data-error="BadKeyError"]');
    const errorText = (await page.textContent('[data-testid="endpoints-panel"] [data-testid="engine-error"]'))!;
    await page.goto(baseUrl() + '#/run');
    await page.click('[data-testid="run-start"]');
    // The second run has stopped: a refused key holds its tasks back and pauses it (the pipeline's
    // hold policy), shown as a held-back line — not the paused state a run is created in.
    await page.waitForFunction(() => {
      const items = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="run-item"]'));
      return items.length >= 2 && items.every((i) => i.dataset.status === 'done' || i.dataset.status === 'failed' || i.querySelector('[data-testid="run-item-held"]'));
    }, null, { timeout: 120_000 });
    // The wrong key really went out (and came back in the server's 401): the checks below have
    // something to find (one from Test connection, then at least one from the run).
    expect(server.requests.filter((r) => r.auth === WRONG).length).toBeGreaterThanOrEqual(2);
    const runScreen = (await page.textContent('body'))!;

    // Seal the keys with a passphrase, then export everything.
    await page.goto(baseUrl() + '#/settings');
    await page.fill('[data-testid="keys-passphrase"]', PASS);
    await page.click('[data-testid="keys-set"]');
    await page.waitForFunction(() => /^Keys are encrypted/.test(document.querySelector('[data-testid="keys-state"]')?.textContent?.trim() ?? ''));
    await page.goto(baseUrl() + '#/review');
    await page.waitForSelector('[data-testid="sample-row"]');
    await page.click('[data-testid="bulk-accept"]');
    await page.waitForFunction(() => !!document.querySelector('[data-testid="review-undo"]:not([disabled])'));
    await page.click('[data-testid="sample-open"]');
    await page.waitForSelector('[data-testid="sample-drawer"]');
    const drawer = (await page.textContent('[data-testid="sample-drawer"]'))!;

    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="export-counts"]');
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    await page.check('[data-testid="export-provenance"]');
    const outputs: Record<string, string> = { errorText, runScreen, drawer };
    for (const f of ['alpaca-json', 'alpaca-jsonl', 'sharegpt-json', 'openai-jsonl', 'csv', 'parquet']) {
      await page.selectOption('[data-testid="export-format"]', f);
      outputs[f] = await download(page, 'export-run');
      await page.waitForSelector('[data-testid="export-done"]');
    }
    outputs.card = await download(page, 'export-card-download');
    outputs.backup = await download(page, 'backup-run');
    expect(checkOpenAiJsonl(outputs['openai-jsonl']!)).toEqual([]);
    expect(outputs.backup).toContain('Planted'); // the endpoint is in the backup, its key is not

    const db = await dumpStores(page);
    const everything = { ...outputs, ...Object.fromEntries(Object.entries(db).filter(([k]) => k !== 'secrets').map(([k, v]) => [`db:${k}`, v])), logs: logs.join('\n'), page: (await page.content()) };
    let checked = 0;
    for (const [where, text] of Object.entries(everything)) {
      for (const n of [...needles(GOOD_KEY), ...needles(WRONG), PASS]) {
        checked++;
        expect(text.includes(n), `${where} contains ${n}`).toBe(false);
      }
    }
    // Sealed: not even the secrets table holds a key in clear.
    for (const n of [GOOD_KEY, WRONG]) expect(db.secrets!.includes(n)).toBe(false);
    console.log(`keys: ${Object.keys(everything).length} outputs (6 export formats, card, backup, ${Object.keys(db).length - 1} tables, logs, screens) × ${needles(GOOD_KEY).length * 2 + 1} needles = ${checked} checks, no key found`);

    // One button clears every key; the endpoint stays, without a key.
    await page.goto(baseUrl() + '#/settings');
    await page.click('[data-testid="keys-clear"]');
    await expect.poll(async () => (await readStore(page, 'secrets')).length).toBe(0);
    page = await openApp(context, '#/models');
    await page.waitForSelector('[data-testid="endpoint-row"]');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 400_000);
});
