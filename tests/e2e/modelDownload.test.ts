import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, dropFiles, confirmImport, fixture, launch, openApp, pageErrors, waitForReview } from './helpers';
import { startHfMirror, useMirror, type HfMirror } from './hfMirror';

let browser: Browser;
let hf: HfMirror;
beforeAll(async () => {
  browser = await launch();
  hf = await startHfMirror();
});
afterAll(async () => {
  await browser?.close();
  await hf?.close();
});



const roleValues = (page: import('playwright-core').Page) =>
  Promise.all(['generator', 'responder', 'judge'].map((r) => page.inputValue(`[data-testid="role-${r}"]`)));

describe('recommended models, one click (built app, Hugging Face-layout mirror)', () => {
  it('recommends a model for this device, downloads it from the mirror with progress, resumes after a reload, stores it and assigns it to every role', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context, '#/models');
    await page.waitForSelector('[data-testid="recommended-model"]');
    // The sections that add models come before roles and playground; the recommendation first of all.
    const order = await page.$$eval('[data-testid="screen-models"] > section', (els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order[0]).toBe('recommended-panel');
    expect(order.indexOf('gguf-panel')).toBeLessThan(order.indexOf('roles'));
    expect(order.indexOf('source-panel')).toBeLessThan(order.indexOf('roles'));
    // Headless Chromium here has no WebGPU: a GGUF for the CPU engine, said in words.
    const first = page.locator('[data-testid="recommended-model"]').first();
    expect(await first.getAttribute('data-engine')).toBe('gguf');
    const id = (await first.getAttribute('data-entry'))!;
    expect(await page.textContent('[data-testid="catalogue-device"]')).toMatch(/Models run on the processor here \(\d+ cores/);
    expect(await page.locator('[data-testid="catalogue-all"] [data-testid="catalogue-row"]').count()).toBeGreaterThanOrEqual(10);
    await page.click('[data-testid="catalogue-all"] summary');
    // Languages by name and the context in the UI language's grouping, not ISO codes and raw numbers.
    const llama = page.locator('[data-testid="catalogue-row"][data-entry="llama-3.2-1b"] td');
    expect(await llama.nth(2).textContent()).toMatch(/^English, German, French/);
    expect(await llama.nth(4).textContent()).toBe('131,072');
    expect(await axeViolations(page, '[data-testid="recommended-panel"]')).toEqual([]);
    await page.screenshot({ path: 'test-results/models-recommended-en.png', fullPage: true });

    // Slow mirror (~300 kB/s): progress with bytes, speed and ETA is visible.
    await useMirror(page, `${hf.url}/m/slow-300000`);
    hf.requests = [];
    await page.click(`[data-testid="catalogue-download-${id}"]`);
    await page.waitForFunction(() => /Downloading [\d.]+ of [\d.]+ MB at [\d.]+ MB\/s/.test(document.querySelector('[data-testid="catalogue-progress"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.locator('[data-testid="catalogue-progress"] progress').count()).toBe(1);
    expect(await axeViolations(page, '[data-testid="recommended-panel"]')).toEqual([]);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="catalogue-progress"] progress')?.getAttribute('value')) >= 10, undefined, { timeout: 60_000 });

    // A reload mid-download keeps the bytes: the button offers to resume from them.
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    const resume = page.locator(`[data-testid="catalogue-download-${id}"]`);
    await resume.waitFor();
    await page.waitForFunction((sel) => /^Resume \(/.test(document.querySelector(sel)?.textContent?.trim() ?? ''), `[data-testid="catalogue-download-${id}"]`);
    await resume.click();
    await page.waitForSelector(`[data-testid="catalogue-stored-${id}"]`, { timeout: 90_000 });
    expect(await page.textContent('[data-testid="catalogue-done"]')).toContain('is stored in this browser and assigned to the roles that had no model');
    const cdn = hf.requests.filter((r) => r.path.includes('/cdn/'));
    expect(cdn[0]!.range).toBeNull();
    expect(cdn.at(-1)).toMatchObject({ status: 206, range: expect.stringMatching(/^bytes=[1-9]\d*-$/) });

    // Stored like a picked GGUF, and — the only model — given every role; judging itself is warned about.
    const file = hf.fileOf(id);
    expect(await page.textContent('[data-testid="gguf-panel"]')).toContain(file);
    expect(await roleValues(page)).toEqual([`wllama:${file}`, `wllama:${file}`, `wllama:${file}`]);
    await page.waitForSelector('[data-testid="self-judge-warning"]');

    // Still there after another reload.
    await page.reload();
    await page.waitForSelector(`[data-testid="catalogue-stored-${id}"]`);
    expect(await roleValues(page)).toEqual([`wllama:${file}`, `wllama:${file}`, `wllama:${file}`]);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('Chinese seeds get Qwen, in Chinese; air-gapped mode refuses a mirror on another origin with its message', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context, '#/seeds');
    await dropFiles(page, [fixture('zh-alpaca.json')]);
    await waitForReview(page);
    await confirmImport(page);
    await page.goto(baseUrl() + '#/models');
    await page.waitForSelector('[data-testid="recommended-model"]');
    const ids = await page.$$eval('[data-testid="recommended-model"]', (els) => els.map((e) => e.getAttribute('data-entry')));
    expect(ids.every((x) => x!.startsWith('qwen'))).toBe(true);
    expect(await page.textContent('[data-testid="catalogue-device"]')).toContain('你的种子是中文');
    expect(await page.textContent('[data-testid="catalogue-row"][data-entry="llama-3.2-1b"] td:nth-child(3)')).toMatch(/^英语、德语、法语/);
    expect(await page.textContent('[data-testid="recommended-panel"] h2')).toBe('适合本设备的推荐模型');
    expect(await axeViolations(page, '[data-testid="recommended-panel"]')).toEqual([]);
    await page.screenshot({ path: 'test-results/models-recommended-zh.png', fullPage: true });

    // Too little room: refused before any byte, in Chinese; the browser's English stays in the tooltip.
    await page.evaluate(() => {
      navigator.storage.estimate = async () => ({ quota: 1_000_000, usage: 0 });
    });
    await page.click(`[data-testid="catalogue-download-${ids[0]}"]`);
    const quota = page.locator('[data-testid="catalogue-error"] [data-error="QuotaExceededError"]');
    await quota.waitFor();
    expect(await quota.locator('[data-testid="engine-error-detail"]').textContent()).toMatch(/^该模型约需 [\d.]+ GB，而此浏览器只允许本站再存储 0 GB。$/);
    expect(await quota.getAttribute('title')).toMatch(/^the model needs about/);
    // The raw text is for screen readers only: visually hidden (1 × 1 px), not shown in the line.
    expect(await quota.locator('[data-testid="engine-error-raw"]').boundingBox()).toMatchObject({ width: 1, height: 1 });

    await useMirror(page, hf.url);
    await page.goto(baseUrl() + '#/settings');
    await page.check('[data-testid="airgap-toggle"]');
    await page.waitForSelector('[data-testid="airgap-badge"]');
    await page.goto(baseUrl() + '#/models');
    hf.requests = [];
    await page.click(`[data-testid="catalogue-download-${ids[0]}"]`);
    await page.waitForSelector('[data-testid="catalogue-error"] [data-error="AirGappedError"]');
    expect(hf.requests).toEqual([]);
    expect(await page.locator(`[data-testid="catalogue-stored-${ids[0]}"]`).count()).toBe(0);
    await context.close();
  });
});
