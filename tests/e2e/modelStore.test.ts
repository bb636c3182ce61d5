import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { MODELS, startFakeLlmServer, type FakeServer } from '../support/fakeLlmServer';
import { baseUrl, confirmImport, dropFiles, fixture, GGUF_FIXTURE, launch, openApp, pageErrors, waitForReview } from './helpers';

const ROLES = ['generator', 'responder', 'judge'] as const;
const REF = 'wllama:stories260K.gguf';

async function addModel(page: Page): Promise<void> {
  await page.setInputFiles('[data-testid="gguf-input"]', GGUF_FIXTURE);
  await page.waitForSelector('[data-testid="gguf-row"]');
  await page.waitForSelector('[data-testid="gguf-add"]:not([disabled])');
}

async function assignAll(page: Page): Promise<void> {
  for (const role of ROLES) await page.selectOption(`[data-testid="role-${role}"]`, REF);
}

/** The names in OPFS's gguf/ folder, read in the page. */
function storedFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const names: string[] = [];
    const d = await (await navigator.storage.getDirectory()).getDirectoryHandle('gguf', { create: true });
    for await (const [name] of d as unknown as AsyncIterable<[string]>) names.push(name);
    return names.sort();
  });
}

let browser: Browser;
let server: FakeServer;
beforeAll(async () => {
  browser = await launch();
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await browser.close();
  await server.close();
});

describe('Models that never silently vanish', () => {
  it('a stored GGUF and its roles survive adding it again, a reload and a browser restart (persistent profile, real OPFS)', async () => {
    // A profile on disk, as a user's browser has: a fresh Playwright context keeps storage in memory.
    const profile = mkdtempSync(join(tmpdir(), 'seedforge-e2e-model-store-'));
    const open = () => chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: chromiumArgs, headless: true, locale: 'en-US' });
    try {
      let ctx = await open();
      let page = await openApp(ctx, '#/models');
      await addModel(page);
      await assignAll(page);
      // Adding the same file again: the path that used to remove the stored model when the write failed.
      await addModel(page);
      expect(await storedFiles(page)).toEqual(['stories260K.gguf']);
      await page.reload();
      await page.waitForSelector('.app[data-ready="true"]');
      await page.waitForSelector('[data-testid="gguf-row"]');
      expect(await page.inputValue('[data-testid="role-judge"]')).toBe(REF);
      expect(pageErrors(page)).toEqual([]);
      await ctx.close();

      ctx = await open();
      page = await openApp(ctx, '#/models');
      await page.waitForSelector('[data-testid="gguf-row"]');
      expect(await page.locator('[data-testid="gguf-row"] td').first().textContent()).toBe('stories260K.gguf');
      for (const role of ROLES) expect(await page.inputValue(`[data-testid="role-${role}"]`)).toBe(REF);
      expect(await page.locator('[data-testid="role-missing"]').count()).toBe(0);
      const size = await page.evaluate(async () => {
        const d = await (await navigator.storage.getDirectory()).getDirectoryHandle('gguf');
        return (await (await d.getFileHandle('stories260K.gguf')).getFile()).size;
      });
      expect(size).toBe(1185376);
      expect(await storedFiles(page)).toEqual(['stories260K.gguf']);
      await ctx.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('measures CPU speed, asks before deleting a model file (with its size), then shows its roles as missing and Start disabled with the reason', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    await dropFiles(page, [fixture('self-instruct-seed-tasks.jsonl')]);
    await waitForReview(page);
    await confirmImport(page);
    await page.goto(baseUrl() + '#/models');
    // Headless Chromium here has no WebGPU: the honest CPU expectation, and the local-server way out.
    await page.waitForSelector('[data-testid="cpu-speed-expected"]');
    expect(await page.textContent('[data-testid="cpu-speed"]')).toMatch(/2–6 tokens\/s for a 1\.1B 4-bit model on 2 cores[\s\S]*llama\.cpp, Ollama or LM Studio/);
    await addModel(page);
    await assignAll(page);
    // One playground answer measures the speed; it is kept (shown again after a reload).
    await page.selectOption('[data-testid="playground-engine"]', REF);
    await page.fill('[data-testid="playground-prompt"]', 'Once upon a time');
    await page.fill('[data-testid="playground-max-tokens"]', '24');
    await page.click('[data-testid="playground-send"]');
    await page.waitForSelector('[data-testid="cpu-speed-measured"]', { timeout: 90_000 });
    expect(await page.textContent('[data-testid="cpu-speed-measured"]')).toMatch(/^Measured here: [\d.,]+ tokens\/s with stories260K\.gguf\.$/);
    await page.reload();
    await page.waitForSelector('[data-testid="cpu-speed-measured"]');

    await page.waitForSelector('[data-testid="gguf-row"]');
    await page.click('[data-testid="gguf-delete"]');
    const dialog = page.locator('dialog[data-testid="gguf-delete-confirm"]');
    await dialog.waitFor();
    expect(await page.textContent('[data-testid="confirm-message"]')).toContain('“stories260K.gguf” (1.13 MB) will be removed');
    expect(await page.textContent('[data-testid="confirm-ok"]')).toBe('Delete 1.13 MB');
    // Cancel has the focus: Enter or a stray key never deletes gigabytes.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm-cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await storedFiles(page)).toEqual(['stories260K.gguf']);
    await page.click('[data-testid="gguf-delete"]');
    await page.click('[data-testid="confirm-ok"]');
    await page.waitForSelector('[data-testid="gguf-row"]', { state: 'detached' });
    expect(await storedFiles(page)).toEqual([]);

    // The roles keep the reference and say it is missing, with the way back (not a blank choice).
    expect(await page.inputValue('[data-testid="role-generator"]')).toBe(REF);
    expect(await page.locator('[data-testid="role-generator"] option:checked').textContent()).toBe('stories260K.gguf — missing');
    await page.waitForSelector('[data-testid="role-missing"]');
    expect(await page.locator('[data-testid="role-missing"]').count()).toBe(3);
    expect(await page.locator('[data-testid="role-missing"]').first().textContent()).toBe(
      'Generator (evolves instructions): the model file “stories260K.gguf” is no longer stored in this browser. Add the file again under Local GGUF models (pick it or download it), or choose another model.',
    );

    // The getting-started checklist does not count a missing model as chosen.
    expect(await page.getAttribute('[data-testid="guide-step-model"]', 'data-done')).toBe('false');

    await page.goto(baseUrl() + '#/run');
    await page.waitForSelector('[data-testid="run-blocker"][data-blocker="run.modelMissing"]');
    expect(await page.isDisabled('[data-testid="run-start"]')).toBe(true);
    expect(await page.getAttribute('[data-testid="run-start"]', 'aria-describedby')).toBe('run-blocker');
    expect(await page.locator('[data-testid="run-missing"] li').count()).toBe(3);
    expect(await page.textContent('[data-testid="run-blocker"]')).toContain('A model assigned to a role is missing in this browser');

    // Adding the file again brings everything back.
    await page.goto(baseUrl() + '#/models');
    await addModel(page);
    await page.waitForSelector('[data-testid="role-missing"]', { state: 'detached' });
    await page.waitForSelector('[data-testid="guide-step-model"][data-done="true"]');
    await page.goto(baseUrl() + '#/run');
    await page.waitForSelector('[data-testid="run-start"]:not([disabled])');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('lists the files the reader refuses with the reason and a Delete (Chinese UI)', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context, '#/models');
    // A text file named .gguf, and the first 200 KB of a real model (a cut-off copy or download).
    const head = readFileSync(GGUF_FIXTURE).subarray(0, 200_000).toString('base64');
    await page.evaluate(async (head) => {
      const d = await (await navigator.storage.getDirectory()).getDirectoryHandle('gguf', { create: true });
      const put = async (name: string, data: BlobPart) => {
        const w = await (await d.getFileHandle(name, { create: true })).createWritable();
        await w.write(new Blob([data]));
        await w.close();
      };
      await put('notes.gguf', 'these are my notes, not a model file at all');
      await put('cut.gguf', Uint8Array.from(atob(head), (c) => c.charCodeAt(0)));
    }, head);
    await page.reload();
    await page.waitForSelector('[data-testid="gguf-rejected-row"]');
    const rows = page.locator('[data-testid="gguf-rejected-row"]');
    expect(await rows.count()).toBe(2);
    expect(await page.getAttribute('[data-testid="gguf-rejected-row"]:has-text("notes.gguf")', 'data-reason')).toBe('notGguf');
    expect(await page.textContent('[data-testid="gguf-rejected-row"]:has-text("notes.gguf")')).toContain('不是 GGUF 模型');
    expect(await page.getAttribute('[data-testid="gguf-rejected-row"]:has-text("cut.gguf")', 'data-reason')).toBe('truncated');
    expect(await page.textContent('[data-testid="gguf-rejected-row"]:has-text("cut.gguf")')).toContain('文件不完整');
    expect(await page.locator('[data-testid="gguf-row"]').count()).toBe(0);
    await page.click('[data-testid="gguf-rejected-row"]:has-text("notes.gguf") [data-testid="gguf-rejected-delete"]');
    expect(await page.textContent('[data-testid="confirm-ok"]')).toMatch(/^删除 \d+ B$/);
    await page.click('[data-testid="confirm-ok"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gguf-rejected-row"]').length === 1);
    expect(await storedFiles(page)).toEqual(['cut.gguf']);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});

describe('Local servers: presets and Check connection (fake OpenAI-compatible server)', () => {
  async function closedPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }

  async function check(page: Page, url: string): Promise<{ ok: string | null; problem: string | null; text: string }> {
    await page.fill('[data-testid="endpoint-url"]', url);
    await page.click('[data-testid="endpoint-check"]');
    const result = page.locator('[data-testid="endpoint-check-result"]');
    await page.waitForFunction(() => ['true', 'false'].includes(document.querySelector('[data-testid="endpoint-check-result"]')?.getAttribute('data-ok') ?? ''));
    return { ok: await result.getAttribute('data-ok'), problem: await result.getAttribute('data-problem'), text: (await result.textContent()) ?? '' };
  }

  it('fills the llama.cpp, Ollama and LM Studio addresses, lists the served models, and says what failed and what to do', async () => {
    // Without the app's service worker (blocked here, as on a first visit before it takes over): the
    // browser then tells a closed port from a server without CORS. With it, see the next test.
    const context = await browser.newContext({ locale: 'en-US', serviceWorkers: 'block' });
    const page = await openApp(context, '#/models');
    await page.click('[data-testid="endpoint-add"]');
    for (const [preset, url] of [['ollama', 'http://127.0.0.1:11434/v1'], ['lmstudio', 'http://127.0.0.1:1234/v1'], ['llamacpp', 'http://127.0.0.1:8080/v1']]) {
      await page.selectOption('[data-testid="endpoint-preset"]', preset!);
      expect(await page.inputValue('[data-testid="endpoint-url"]')).toBe(url);
      await page.waitForSelector('[data-testid="endpoint-local-help"]');
    }
    const ok = await check(page, `${server.url}/v1`);
    expect(ok).toMatchObject({ ok: 'true' });
    expect(ok.text).toContain(`the server serves ${MODELS.length} models`);
    expect(await page.locator('[data-testid="endpoint-check-model"]').allTextContents()).toEqual(MODELS);
    await page.click('[data-testid="endpoint-check-model"]:has-text("schema")');
    expect(await page.inputValue('[data-testid="endpoint-model"]')).toBe('schema');

    // A server without CORS headers. The page is cross-origin isolated (COEP): the opaque probe is
    // blocked too, and the COEP report that names the URL says a server answered.
    const origin = new URL(baseUrl()).origin;
    const cors = await check(page, `${server.url}/nocors/v1`);
    expect(cors.problem).toBe('cors');
    expect(cors.text).toContain(`OLLAMA_ORIGINS=${origin}`);
    expect(cors.text).toContain('Enable CORS');

    const wrong = await check(page, server.url);
    expect(wrong).toMatchObject({ ok: 'false', problem: 'wrongPath' });
    expect(wrong.text).toContain('usually ends in /v1');

    const refused = await check(page, `http://127.0.0.1:${await closedPort()}/v1`);
    expect(refused.problem).toBe('refused');
    expect(refused.text).toContain('llama-server -m model.gguf --port 8080');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('under the service worker, where refused and CORS look alike, says both causes and both fixes', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context, '#/models');
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 90_000 });
    await page.click('[data-testid="endpoint-add"]');
    const origin = new URL(baseUrl()).origin;
    for (const url of [`${server.url}/nocors/v1`, `http://127.0.0.1:${await closedPort()}/v1`]) {
      const r = await check(page, url);
      expect(r.problem).toBe('unreachable');
      expect(r.text).toContain('llama-server -m model.gguf --port 8080');
      expect(r.text).toContain(`OLLAMA_ORIGINS=${origin}`);
    }
    // What works still works through the worker.
    expect(await check(page, `${server.url}/v1`)).toMatchObject({ ok: 'true' });
    await context.close();
  });
});
