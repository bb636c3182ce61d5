import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from './axe';
import { launch, openApp, pageErrors, readStore, putProjectRows, putSetting } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// Chinese accepted samples: 6 distinct instructions, one exact copy (after normalisation) and one
// near-copy (a particle added), which the lexical pass finds with no model at all.
const ROWS = [
  '请用三句话解释光合作用的过程。',
  '写一首关于秋天落叶的五言绝句。',
  '列出三种在家里节约用水的方法，并说明原因。',
  '比较太阳能和风能发电的优缺点。',
  '把下面这句话翻译成英文：今天的会议推迟到下午三点。',
  '为一家新开的面包店写一段简短的宣传语。',
  '请用三句话解释光合作用的过程。 ',
  '列出三种在家里节约用水的方法，并说明原因吧。',
];

function addSamples(page: Page, rows: string[]): Promise<void> {
  return putProjectRows(page, {
    samples: rows.map((instruction, i) => ({
      id: `zh:${i}`, runId: 'fixture', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null,
      instruction, input: '', output: '好的。', status: 'accepted', rejectReason: null, score: 4, duplicateOf: null,
      lineage: {}, createdAt: i, updatedAt: i,
    })),
  });
}

describe('semantic dedup of Chinese text', () => {
  it('is not run with the English-only bundled model: the panel says why, offers the Chinese model, and the lexical pass still runs', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context, '#/review');
    await addSamples(page, ROWS);
    await page.click('[data-testid="tab-dedup"]');
    // The bundled model is the default, with its own threshold and where that threshold comes from.
    expect(await page.inputValue('[data-testid="dedup-model"]')).toBe('all-MiniLM-L6-v2');
    expect(await page.textContent('[data-testid="dedup-threshold-origin"]')).toMatch(/Default threshold 0\.\d\d/);
    // Before anything runs, the panel recommends the model made for the project's texts.
    const hint = page.locator('[data-testid="dedup-recommendation"]');
    await hint.waitFor();
    expect(await hint.getAttribute('data-recommended')).toBe('bge-small-zh-v1.5');
    expect(await hint.textContent()).toMatch(/100 % of the texts in this project are in Chinese: bge-small-zh-v1\.5/);

    await page.click('[data-testid="dedup-compute"]');
    const refusal = page.locator('[data-testid="dedup-refusal"]');
    await refusal.waitFor({ timeout: 120_000 });
    const text = (await refusal.textContent())!;
    expect(text).toMatch(/Semantic dedup was not run: all-MiniLM-L6-v2 is made for English only/);
    expect(text).toMatch(/100 % of these texts are in Chinese/);
    expect(text).toMatch(/\d+ % of the pairs it called duplicates were pairs people scored below 4 of 5/);
    expect(await refusal.getAttribute('data-recommended')).toBe('bge-small-zh-v1.5');
    expect(await page.textContent('[data-testid="dedup-use-recommended"]')).toMatch(/Use bge-small-zh-v1\.5 \(24 MB\)/);
    // Where the offered model would come from: the configured model source (Hugging Face by default).
    expect(text).toMatch(/Downloaded once from Hugging Face/);
    expect(await axeViolations(page, '[data-testid="dedup-panel"]')).toEqual([]);
    // Nothing was embedded: no model ran.
    expect(await page.locator('[data-testid="dedup-embedded"]').count()).toBe(0);

    // The lexical pass ran: the exact copy and the near-copy are found and can be marked.
    expect(await page.textContent('[data-testid="dedup-lexical-only"]')).toMatch(/Lexical pass only/);
    expect(await page.locator('[data-testid="dedup-slider"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="dedup-summary"]')).toMatch(/2 would be removed/);
    await page.click('[data-testid="dedup-apply"]');
    await page.waitForSelector('[data-testid="toast"]');
    const stored = await readStore<{ id: string; duplicateOf: string | null; lineage: { dedup?: { pass?: string } } }>(page, 'samples');
    const marked = stored.filter((r) => r.duplicateOf).map((r) => [r.id, r.duplicateOf, r.lineage.dedup?.pass]).sort();
    expect(marked).toEqual([
      ['zh:6', 'zh:0', 'exact'],
      ['zh:7', 'zh:2', 'lexical'],
    ]);

    // The user can still choose to run it: then it runs, and the panel says it was on their word.
    await page.click('[data-testid="dedup-run-anyway"]');
    await page.waitForSelector('[data-testid="dedup-embedded"]', { timeout: 120_000 });
    expect(await page.locator('[data-testid="dedup-refusal"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="dedup-overridden"]')).toMatch(/all-MiniLM-L6-v2 was run on text it is not made for/);
    expect(await page.locator('[data-testid="dedup-slider"]').count()).toBe(1);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 300_000);

  it('says the same in the Chinese UI', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context, '#/review');
    await addSamples(page, ROWS);
    await page.click('[data-testid="tab-dedup"]');
    await page.click('[data-testid="dedup-compute"]');
    const refusal = page.locator('[data-testid="dedup-refusal"]');
    await refusal.waitFor({ timeout: 120_000 });
    expect(await refusal.textContent()).toMatch(/未运行语义去重：all-MiniLM-L6-v2 只适用于英文。.*这些文本中有 100% 是中文/s);
    expect(await page.textContent('[data-testid="dedup-use-recommended"]')).toMatch(/改用 bge-small-zh-v1\.5（24 MB）/);
    expect(await page.textContent('[data-testid="dedup-lexical-only"]')).toMatch(/仅字面比对/);
    expect(await axeViolations(page, '[data-testid="dedup-panel"]')).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 300_000);

  it('offers the Chinese model through the configured model source: a mirror gets the Hugging Face paths', async () => {
    // The service worker is kept out so that every request of the embed worker meets the route.
    const context = await browser.newContext({ locale: 'en-US', serviceWorkers: 'block' });
    const asked: string[] = [];
    await context.route('https://hf-mirror.test/**', (route) => {
      asked.push(route.request().url());
      return route.fulfill({ status: 404, body: 'not here' });
    });
    const page = await openApp(context, '#/review');
    await addSamples(page, ROWS);
    // The model source setting, as Settings stores it: a mirror.
    await putSetting(page, 'modelSource', { kind: 'mirror', baseUrl: 'https://hf-mirror.test' });
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await page.click('[data-testid="tab-dedup"]');
    await page.click('[data-testid="dedup-compute"]');
    await page.locator('[data-testid="dedup-refusal"]').waitFor({ timeout: 120_000 });
    expect(await page.textContent('[data-testid="dedup-refusal"]')).toMatch(/Downloaded once from the mirror https:\/\/hf-mirror\.test/);
    await page.click('[data-testid="dedup-use-recommended"]');
    // The model is now the chosen one, with its own (uncalibrated) default threshold.
    expect(await page.inputValue('[data-testid="dedup-model"]')).toBe('bge-small-zh-v1.5');
    expect(await page.textContent('[data-testid="dedup-threshold-origin"]')).toMatch(/not calibrated here/);
    // The mirror has no such files here: the load fails, and says so, after asking the mirror for the repo's files.
    await page.waitForSelector('[data-testid="dedup-panel"] [data-testid="engine-error"]', { timeout: 120_000 });
    expect(asked.length).toBeGreaterThan(0);
    for (const u of asked) expect(u).toMatch(/^https:\/\/hf-mirror\.test\/Xenova\/bge-small-zh-v1\.5\/resolve\/main\//);
    expect(await page.textContent('[data-testid="dedup-panel"] [data-testid="engine-error"]')).toMatch(/bge-small-zh-v1\.5/);
    await context.close();
  }, 300_000);
});
