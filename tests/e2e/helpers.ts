import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';

export const baseUrl = () => inject('baseUrl');

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

/** Opens the app in a context and waits until it has loaded its projects. `base`: another host of the app (upgrade.test serves two builds). */
export async function openApp(context: BrowserContext, hash = '#/seeds', base = baseUrl()): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A Content-Security-Policy violation is an error too: the policy must allow all the app does.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
  });
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(base + hash);
  await page.waitForSelector('.app[data-ready="true"]');
  return page;
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

export interface DropFile {
  name: string;
  bytes: Uint8Array;
  type?: string;
}

export function fixture(name: string, as = name): DropFile {
  return { name: as, bytes: readFileSync(new URL(`../fixtures/${name}`, import.meta.url)) };
}

/**
 * Drops files on the window the way a browser does for a real drag from the desktop: dragenter,
 * dragover and drop events carrying a DataTransfer with File objects.
 */
export async function dropFiles(page: Page, files: DropFile[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? '', b64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, payload);
}

export async function seedCount(page: Page): Promise<number> {
  const text = await page.textContent('[data-testid="seed-count"]');
  return Number(text);
}

/** Waits for the import dialog to finish reading and show its preview. */
export async function waitForReview(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="import-summary"], [data-testid="import-error"]');
}

export async function confirmImport(page: Page): Promise<void> {
  await page.click('[data-testid="import-confirm"]');
  await page.waitForSelector('[data-testid="import-dialog"]', { state: 'detached' });
}

/**
 * Adds a custom OpenAI-compatible endpoint through the Models screen's form (the page must be on
 * that screen) and waits until it is saved. `prices`: per million tokens, input and output.
 * `roles`: make it the engine of the generator, responder and judge.
 */
export async function addEndpoint(page: Page, o: { name: string; url: string; key: string; model?: string; prices?: number; roles?: boolean }): Promise<void> {
  const model = o.model ?? 'ok';
  await page.click('[data-testid="endpoint-add"]');
  await page.selectOption('[data-testid="endpoint-preset"]', 'custom');
  await page.fill('[data-testid="endpoint-name"]', o.name);
  await page.fill('[data-testid="endpoint-url"]', o.url);
  await page.fill('[data-testid="endpoint-model"]', model);
  await page.fill('[data-testid="endpoint-key-input"]', o.key);
  if (o.prices !== undefined) {
    await page.getByLabel('Price / 1M input tokens').fill(String(o.prices));
    await page.getByLabel('Price / 1M output tokens').fill(String(o.prices));
  }
  await page.click('[data-testid="endpoint-save"]');
  await page.waitForSelector('[data-testid="endpoint-form"]', { state: 'detached' });
  await page.waitForSelector('[data-testid="endpoint-row"]');
  if (o.roles) for (const role of ['generator', 'responder', 'judge']) await page.selectOption(`[data-testid="role-${role}"]`, { label: `API · ${o.name} · ${model}` });
}

export const GGUF_FIXTURE = new URL('../fixtures/stories260K.gguf', import.meta.url).pathname;

/**
 * Imports seeds from a dropped file, adds the tiny GGUF test model for every role, and picks the
 * Answer + judge preset with short answers and no judge retries (quick on two cores).
 */
export async function setUpLocalRecipe(page: Page, seeds: DropFile, opts: { maxTokens?: number; temperature?: number } = {}): Promise<void> {
  await dropFiles(page, [seeds]);
  await waitForReview(page);
  await confirmImport(page);
  await useTinyModel(page);
  await page.goto(baseUrl() + '#/recipe');
  await page.click('[data-testid="preset-answerJudge"]');
  await page.fill('[data-testid="param-maxTokens"]', String(opts.maxTokens ?? 48));
  await page.fill('[data-testid="param-retries"]', '0');
  if (opts.temperature !== undefined) await page.fill('[data-testid="param-temperature"]', String(opts.temperature));
}

/** Adds the tiny GGUF test model (stories260K) on the Models screen and gives it every role. */
export async function useTinyModel(page: Page): Promise<void> {
  await page.goto(baseUrl() + '#/models');
  await page.setInputFiles('[data-testid="gguf-input"]', GGUF_FIXTURE);
  await page.waitForSelector('[data-testid="gguf-row"]');
  for (const role of ['generator', 'responder', 'judge']) await page.selectOption(`[data-testid="role-${role}"]`, 'wllama:stories260K.gguf');
}

/** Writes one row of the app's settings table with the plain IndexedDB API, as the app stores it. */
export function putSetting(page: Page, key: string, value: unknown): Promise<void> {
  return page.evaluate(
    async ({ key, value }) => {
      const db: IDBDatabase = await new Promise((res, rej) => {
        const r = indexedDB.open('seedforge');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const tx = db.transaction('settings', 'readwrite');
      tx.objectStore('settings').put({ key, value });
      await new Promise((res) => (tx.oncomplete = res));
      db.close();
    },
    { key, value },
  );
}

/**
 * Writes rows straight into the app's IndexedDB (table → rows) in one transaction, each row given
 * the id of the first project, as a test fixture that skips a run.
 */
export function putProjectRows(page: Page, tables: Record<string, Record<string, unknown>[]>): Promise<void> {
  return page.evaluate(async (tables) => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open('seedforge');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const projectId: string = await new Promise((res) => {
      const q = db.transaction('projects').objectStore('projects').getAll();
      q.onsuccess = () => res((q.result[0] as { id: string }).id);
    });
    const tx = db.transaction(Object.keys(tables), 'readwrite');
    for (const [table, rows] of Object.entries(tables)) for (const row of rows) tx.objectStore(table).put({ ...row, projectId });
    await new Promise((res) => (tx.oncomplete = res));
    db.close();
  }, tables);
}

/** Every row of one of the app's IndexedDB tables, read with the plain IndexedDB API in the page. */
export function readStore<T = Record<string, unknown>>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(async (store) => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open('seedforge');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    try {
      return await new Promise<T[]>((res, rej) => {
        const q = db.transaction(store).objectStore(store).getAll();
        q.onsuccess = () => res(q.result as T[]);
        q.onerror = () => rej(q.error);
      });
    } finally {
      db.close();
    }
  }, store);
}

/** Every table of the app's IndexedDB as JSON text, by table name (what a leak search reads). */
export async function dumpStores(page: Page): Promise<Record<string, string>> {
  const names = await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open('seedforge');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const list = Array.from(db.objectStoreNames);
    db.close();
    return list;
  });
  const out: Record<string, string> = {};
  for (const name of names) out[name] = JSON.stringify(await readStore(page, name));
  return out;
}
