import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { estimateTokens } from '../../src/lib/engines/structured';
import { ANSWER_TOKENS } from '../../src/lib/pipeline/recipe';
import { render } from '../../src/lib/pipeline/templates';
import { GOOD_KEY, startFakeLlmServer, type FakeServer } from '../support/fakeLlmServer';
import { addEndpoint, baseUrl, confirmImport, dropFiles, launch, openApp, pageErrors, readStore, waitForReview } from './helpers';

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

/** Three seeds of one length: every task's first call reserves the same worst case. */
const SEEDS = ['Explain tides.', 'Explain winds.', 'Explain waves.'];
/** The test server's usage of every call: 11 prompt tokens and the 9 pieces of its answer. */
const CALL_TOKENS = 11 + 9;
/** Prices per million tokens, input and output alike: a token costs 0.001. */
const PRICE = 1000;

describe('budget cap in the app', () => {
  it('pauses before a call would pass the spend cap, says so, and finishes after the cap is raised and the run resumed', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context, '#/seeds');
    await dropFiles(page, [{ name: 'seeds.jsonl', bytes: new TextEncoder().encode(SEEDS.map((i) => JSON.stringify({ instruction: i, output: 'A seed answer.' })).join('\n')) }]);
    await waitForReview(page);
    await confirmImport(page);

    await page.goto(baseUrl() + '#/models');
    await addEndpoint(page, { name: 'Priced', url: `${server.url}/v1`, key: GOOD_KEY, prices: PRICE, roles: true });
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    await page.fill('[data-testid="param-retries"]', '0');

    // The cap: one answer's worst case (its prompt, estimated as the app does, and 512 answer
    // tokens) and 10 tokens more. The first call fits; once it has used its 20 tokens, the next
    // answer's worst case no longer does, and with no call in flight the run pauses.
    const prompt = render('respond.answer', 'en', { instruction: SEEDS[0]!, input: '' }, {});
    const worst = estimateTokens([{ role: 'user', content: prompt }]) + ANSWER_TOKENS;
    const cap = ((worst + 10) * PRICE) / 1e6;
    const before = server.requests.length;
    await page.goto(baseUrl() + '#/run');
    // Labelled inputs, reached by their labels.
    await page.getByLabel('Max spend').fill(String(cap));
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="paused"] [data-testid="run-budget-message"]', { timeout: 120_000 });
    const spent = (CALL_TOKENS * PRICE) / 1e6;
    const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: x < 1 ? 4 : 2 });
    expect((await page.textContent('[data-testid="run-budget-message"]'))!.trim()).toBe(`Budget reached: spent ${fmt(spent)} of ${fmt(cap)} — raise the cap to continue.`);
    expect(await page.textContent('[data-testid="run-budget-alert"]')).toMatch(/budget is reached/);
    // Only the first call went out; nothing over the cap.
    expect(server.requests.length - before).toBe(1);
    let [run] = await readStore<{ status: string; budget: { maxSpend: number; spent: { spend: number; tokens: number; calls: number } }; error: string }>(page, 'runs');
    expect(run!.status).toBe('paused');
    expect(run!.error).toMatch(/^BudgetError: /);
    expect(run!.budget).toMatchObject({ maxSpend: cap, spent: { tokens: CALL_TOKENS, calls: 1 } });
    expect(run!.budget.spent.spend).toBeCloseTo(spent, 12);
    // The plain Resume is not offered: it would stop again at once.
    expect(await page.locator('[data-testid="run-resume"]').count()).toBe(0);

    // The same in Chinese, numbers and all.
    await page.selectOption('[data-testid="locale-select"]', 'zh');
    await expect.poll(async () => (await page.textContent('[data-testid="run-budget-message"]'))?.trim()).toBe(`已达预算：已花费 ${spent.toLocaleString('zh-CN', { maximumFractionDigits: 4 })}，上限 ${cap.toLocaleString('zh-CN', { maximumFractionDigits: 4 })}——提高上限即可继续。`);
    expect((await page.textContent('[data-testid="run-budget-resume"]'))?.trim()).toBe('提高上限并继续');
    await page.selectOption('[data-testid="locale-select"]', 'en');
    await expect.poll(async () => (await page.textContent('[data-testid="run-budget-resume"]'))?.trim()).toBe('Raise and resume');

    // Raise from the keyboard: the new cap, then Enter.
    const raise = page.locator('[data-testid="run-budget-raise"]');
    await raise.focus();
    await raise.fill(String(cap * 3));
    await raise.press('Enter');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 120_000 });
    // 3 answers and 3 verdicts, and the first answer once more: its item was not committed when
    // the run paused (its verdict was still to come), so it was redone from the start.
    expect(server.requests.length - before).toBe(7);
    [run] = await readStore(page, 'runs');
    expect(run!.status).toBe('done');
    expect(run!.budget.maxSpend).toBeCloseTo(cap * 3, 12);
    expect(run!.budget.spent).toMatchObject({ tokens: 7 * CALL_TOKENS, calls: 7 });
    expect(run!.budget.spent.spend).toBeLessThanOrEqual(cap * 3);
    expect(await page.locator('[data-testid="run-budget"]').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
