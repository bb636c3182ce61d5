import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations } from './axe';
import { confirmImport, dropFiles, fixture, launch, openApp, pageErrors, waitForReview, putSetting } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// A mirror with the Hugging Face URL layout. It has no Chinese model here: it serves the bundled
// MiniLM's files (a BERT transformers.js loads the same way) under the catalogue entry's path.
const MINILM = new URL('../../public/models/all-MiniLM-L6-v2/', import.meta.url);

describe('embedding models on the Models screen', () => {
  it('recommends the Chinese model for Chinese seeds and downloads it through the mirror', async () => {
    const context = await browser.newContext({ locale: 'en-US', serviceWorkers: 'block' });
    const asked: string[] = [];
    await context.route('https://hf-mirror.test/**', (route) => {
      const url = route.request().url();
      asked.push(url);
      const m = /^https:\/\/hf-mirror\.test\/Xenova\/bge-small-zh-v1\.5\/resolve\/main\/(.+)$/.exec(url);
      const file = m?.[1] === 'onnx/model_quantized.onnx' || ['config.json', 'tokenizer.json', 'tokenizer_config.json'].includes(m?.[1] ?? '') ? m![1]! : null;
      if (!file) return route.fulfill({ status: 404, body: 'not here' });
      return route.fulfill({ status: 200, body: readFileSync(new URL(file, MINILM)), headers: { 'access-control-allow-origin': '*' } });
    });
    const page = await openApp(context, '#/seeds');
    await dropFiles(page, [fixture('zh-alpaca.json')]);
    await waitForReview(page);
    await confirmImport(page);
    await putSetting(page, 'modelSource', { kind: 'mirror', baseUrl: 'https://hf-mirror.test' });
    await page.goto(page.url().replace(/#.*$/, '#/models'));
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');

    const rec = page.locator('[data-testid="embedding-recommendation"]');
    await rec.waitFor();
    expect(await rec.getAttribute('data-recommended')).toBe('bge-small-zh-v1.5');
    expect(await rec.textContent()).toMatch(/100 % of the seeds are in Chinese: bge-small-zh-v1\.5/);
    const zh = page.locator('[data-testid="embedding-model"][data-model="bge-small-zh-v1.5"]');
    expect(await zh.locator('[data-testid="embedding-recommended"]').count()).toBe(1);
    expect(await zh.textContent()).toMatch(/Chinese · 24 MB · MIT · 512 dimensions · Xenova\/bge-small-zh-v1\.5/);
    expect(await zh.textContent()).toMatch(/not calibrated here/);
    const mini = page.locator('[data-testid="embedding-model"][data-model="all-MiniLM-L6-v2"]');
    expect(await mini.textContent()).toMatch(/calibrated on STS-B \(English\) dev split/);

    expect(await axeViolations(page, '[data-testid="embedding-models"]')).toEqual([]);
    await zh.locator('[data-testid="embedding-download"]').click();
    await zh.locator('[data-testid="embedding-ready"]').waitFor({ timeout: 120_000 });
    // Every file came from the mirror, under the repo's Hugging Face paths.
    expect(asked.some((u) => u.endsWith('/Xenova/bge-small-zh-v1.5/resolve/main/onnx/model_quantized.onnx'))).toBe(true);
    for (const u of asked) expect(u).toMatch(/^https:\/\/hf-mirror\.test\/Xenova\/bge-small-zh-v1\.5\/resolve\/main\//);
    // After a reload the panel finds the model in the browser's cache: no second download offered.
    const before = asked.length;
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await page.locator('[data-testid="embedding-model"][data-model="bge-small-zh-v1.5"] [data-testid="embedding-ready"]').waitFor();
    expect(await page.locator('[data-testid="embedding-model"][data-model="bge-small-zh-v1.5"] [data-testid="embedding-download"]').count()).toBe(0);
    expect(await page.locator('[data-testid="embedding-model"][data-model="bge-m3"] [data-testid="embedding-download"]').count()).toBe(1);
    expect(asked.length).toBe(before);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 300_000);
});
