import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addEndpoint, dumpStores, launch, openApp, pageErrors } from './helpers';
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

const GGUF = new URL('../fixtures/stories260K.gguf', import.meta.url).pathname;

async function models(context: BrowserContext): Promise<Page> {
  const page = await openApp(context, '#/models');
  await page.waitForSelector('[data-testid="screen-models"]');
  return page;
}

describe('the Models screen (built app)', () => {
  it('adds the GGUF test model from disk, chats with it in the playground and shows tokens/s', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await models(context);
    // No WebGPU in this browser: the WebLLM panel says so in a neutral note (no error, no alert) and offers the other engines.
    await page.waitForSelector('[data-testid="webllm-none"]');
    expect(await page.getAttribute('[data-testid="webllm-none"]', 'data-error')).toBe('NoWebGpuError');
    expect(await page.textContent('[data-testid="webllm-none"]')).toContain('GGUF models run on the CPU');
    expect(await page.locator('[data-testid="webllm-panel"] [data-testid="engine-error"], [data-testid="webllm-panel"] [role="alert"]').count()).toBe(0);

    await page.setInputFiles('[data-testid="gguf-input"]', GGUF);
    await page.waitForSelector('[data-testid="gguf-row"]');
    expect(await page.textContent('[data-testid="gguf-row"]')).toContain('stories260K.gguf');

    await page.fill('[data-testid="playground-prompt"]', 'Once upon a time');
    await page.fill('[data-testid="playground-max-tokens"]', '40');
    await page.click('[data-testid="playground-send"]');
    await page.waitForSelector('[data-testid="playground-stats"]', { timeout: 60_000 });
    const out = await page.textContent('[data-testid="playground-output"]');
    expect(out).toContain(', there was a little girl named Lily. She loved to play outside in the park.');
    const stats = (await page.textContent('[data-testid="playground-stats"]'))!;
    const tps = Number(/([\d.]+) tokens\/s/.exec(stats)?.[1]);
    const ttft = Number(/first token after (\d+) ms/.exec(stats)?.[1]);
    expect(tps).toBeGreaterThan(0);
    expect(ttft).toBeGreaterThan(0);
    console.log(`playground, stories260K in the built app: ${stats}`);

    // The file is kept in the browser (OPFS): it is still listed after a reload.
    await page.reload();
    await page.waitForSelector('[data-testid="gguf-row"]');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('refuses a file that is not a GGUF model with a clear error, and stores nothing', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await models(context);
    await page.setInputFiles('[data-testid="gguf-input"]', { name: 'notes.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from('these are my notes, not a model file') });
    await page.waitForSelector('[data-testid="gguf-panel"] [data-testid="engine-error"]');
    expect(await page.textContent('[data-testid="gguf-panel"] [data-testid="engine-error"]')).toContain('not a GGUF file');
    expect(await page.locator('[data-testid="gguf-row"]').count()).toBe(0);
    await context.close();
  });

  it('gives the only model every role, warns that the judge then judges itself, and names the roles that got a model without a chat template', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await models(context);
    expect(await page.locator('[data-testid="no-template-warning"]').count()).toBe(0);
    await page.setInputFiles('[data-testid="gguf-input"]', GGUF);
    await page.waitForSelector('[data-testid="gguf-row"]');
    // The only model is assigned to every role at once (issue 13, item 2); the self-judging warning stays.
    for (const role of ['generator', 'responder', 'judge']) expect(await page.inputValue(`[data-testid="role-${role}"]`)).toBe('wllama:stories260K.gguf');
    await page.waitForSelector('[data-testid="self-judge-warning"]');
    // The story model has no chat template: the roles that got it are named.
    expect(await page.textContent('[data-testid="no-template-warning"]')).toMatch(/^Generator \(evolves instructions\), Responder \(writes answers\), Judge \(scores answers\): this GGUF file has no chat template/);
    // Without a judge there is nothing to judge itself, and the judge is no longer named.
    await page.selectOption('[data-testid="role-judge"]', '');
    expect(await page.locator('[data-testid="self-judge-warning"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="no-template-warning"]')).toMatch(/^Generator \(evolves instructions\), Responder \(writes answers\): /);
    await page.selectOption('[data-testid="role-judge"]', 'wllama:stories260K.gguf');
    await page.waitForSelector('[data-testid="self-judge-warning"]');
    await page.reload();
    await page.waitForSelector('[data-testid="self-judge-warning"]');
    await context.close();
  });

  it('adds a remote API, tests it, encrypts its key, and never shows the key', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await models(context);
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    await addEndpoint(page, { name: 'Local test server', url: `${server.url}/v1`, key: GOOD_KEY });
    await page.click('[data-testid="endpoint-test"]');
    await page.waitForFunction(() => /Works/.test(document.querySelector('[data-testid="endpoint-test-result"]')?.textContent ?? ''));
    expect(server.requests.at(-1)).toMatchObject({ path: '/v1/chat/completions', auth: GOOD_KEY });

    // Stream through the playground.
    await page.selectOption('[data-testid="playground-engine"]', { label: 'API · Local test server · ok' });
    await page.click('[data-testid="playground-send"]');
    await page.waitForSelector('[data-testid="playground-stats"]');
    expect(await page.textContent('[data-testid="playground-output"]')).toContain('Hello from the test server');

    // Encrypt the keys with a passphrase: the stored row no longer holds the key.
    await page.goto(page.url().replace(/#.*/, '#/settings'));
    await page.waitForSelector('[data-testid="keys-state"]');
    await page.fill('[data-testid="keys-passphrase"]', 'correct horse battery');
    await page.click('[data-testid="keys-set"]');
    await page.waitForFunction(() => /^Keys are encrypted/.test(document.querySelector('[data-testid="keys-state"]')?.textContent?.trim() ?? ''));
    const stored = Object.values(await dumpStores(page)).join('\n');
    expect(stored).toContain('"sealed"');
    expect(stored).not.toContain(GOOD_KEY);

    // After a reload the keys are locked until the passphrase is given again.
    await page.reload();
    await page.waitForSelector('[data-testid="keys-unlock"]');
    await page.goto(page.url().replace(/#.*/, '#/models'));
    await page.waitForSelector('[data-testid="endpoint-row"]');
    await page.click('[data-testid="endpoint-test"]');
    await page.waitForSelector('[data-testid="endpoints-panel"] [data-testid="engine-error"][data-error="KeysLockedError"]');
    await page.goto(page.url().replace(/#.*/, '#/settings'));
    await page.fill('[data-testid="keys-passphrase"]', 'correct horse battery');
    await page.click('[data-testid="keys-unlock"]');
    await page.waitForFunction(() => /and unlocked/.test(document.querySelector('[data-testid="keys-state"]')?.textContent ?? ''));
    await page.goto(page.url().replace(/#.*/, '#/models'));
    await page.click('[data-testid="endpoint-test"]');
    await page.waitForFunction(() => /Works/.test(document.querySelector('[data-testid="endpoint-test-result"]')?.textContent ?? ''));

    // A wrong key: a typed error whose text does not contain the key the server echoed.
    const wrong = 'sk-wrong-planted-key-0987654321';
    await page.locator('[data-testid="endpoint-row"] button', { hasText: 'Edit' }).click();
    await page.fill('[data-testid="endpoint-key-input"]', wrong);
    await page.click('[data-testid="endpoint-save"]');
    await page.waitForSelector('[data-testid="endpoint-form"]', { state: 'detached' }); // sealing takes a moment (PBKDF2)
    await page.click('[data-testid="endpoint-test"]');
    const err = page.locator('[data-testid="endpoints-panel"] [data-testid="engine-error"]');
    await err.waitFor();
    expect(await err.getAttribute('data-error')).toBe('BadKeyError');
    const screenText = await page.textContent('body');
    for (const k of [GOOD_KEY, wrong, wrong.slice(0, 8), wrong.slice(-4) + '"']) expect(screenText).not.toContain(k);
    expect(logs.join('\n')).not.toContain(wrong);
    expect(logs.join('\n')).not.toContain(GOOD_KEY);
    // Nor does any field on the page hold it.
    const values = await page.evaluate(() => Array.from(document.querySelectorAll('input, textarea'), (e) => (e as HTMLInputElement).value).join('\n'));
    expect(values).not.toContain(wrong);
    expect(values).not.toContain(GOOD_KEY);
    await context.close();
  });
});

describe('remote API errors in a real browser', () => {
  it('reports a server that does not allow browser calls as a CORS error with the next step', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await models(context);
    await addEndpoint(page, { name: 'No CORS', url: `${server.url}/nocors/v1`, key: GOOD_KEY });
    await page.click('[data-testid="endpoint-test"]');
    const err = page.locator('[data-testid="endpoints-panel"] [data-testid="engine-error"]');
    await err.waitFor({ timeout: 60_000 });
    expect(await err.getAttribute('data-error')).toBe('CorsError');
    expect(await err.textContent()).toContain('CORS');
    await context.close();
  });
});
