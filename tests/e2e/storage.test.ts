import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { baseUrl, confirmImport, dropFiles, readStore, seedCount, setUpLocalRecipe, waitForReview } from './helpers';

/**
 * A full disk, for real: the app's origin gets a quota of QUOTA bytes (CDP
 * Storage.overrideQuotaForOrigin, set before the first page load: Chromium reads it when the origin's
 * storage opens), then the test fills what is left with another database's incompressible bytes,
 * as other data on a full disk would, and a run and an import try to write. Freeing space is
 * deleting that database. Service workers are blocked here: the offline cache is not under test
 * and would take the quota for itself.
 */

const QUOTA = 64 * 1024 * 1024;
const SEEDS = Array.from({ length: 16 }, (_, i) => JSON.stringify({ instruction: `Tell a short story about a dog named Rex, number ${i + 1}.`, output: '' })).join('\n');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function profile(): Promise<{ context: BrowserContext; page: Page }> {
  const d = mkdtempSync(join(tmpdir(), 'seedforge-storage-'));
  dirs.push(d);
  const context = await chromium.launchPersistentContext(d, { executablePath: chromiumPath, args: chromiumArgs, headless: true, locale: 'en-US', serviceWorkers: 'block' });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseUrl()).origin, quotaSize: QUOTA });
  await page.goto(baseUrl() + '#/seeds');
  await page.waitForSelector('.app[data-ready="true"]');
  return { context, page };
}

/**
 * Fills the quota with incompressible bytes in a database of the test's own, until `leave` bytes
 * are left (0: down to the last few hundred bytes).
 */
async function fillQuota(page: Page, leave = 0): Promise<number> {
  return page.evaluate(async ([quota, leave]: [number, number]) => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open('test-fill', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('junk', { autoIncrement: true });
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const put = (n: number): Promise<boolean> =>
      new Promise((res) => {
        const bytes = new Uint8Array(n);
        for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
        const tx = db.transaction('junk', 'readwrite');
        tx.objectStore('junk').add(bytes);
        tx.oncomplete = () => res(true);
        tx.onabort = () => res(false);
      });
    const left = async () => quota - ((await navigator.storage.estimate()).usage ?? 0);
    let filled = 0;
    for (let size = 4 * 1024 * 1024; size >= 256; size = Math.floor(size / 4)) {
      while ((!leave || (await left()) > leave + size) && (await put(size))) filled += size;
    }
    db.close();
    return filled;
  }, [QUOTA, leave] as [number, number]);
}

/** Frees the space: the filler database goes. */
async function freeQuota(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((res, rej) => {
        const r = indexedDB.deleteDatabase('test-fill');
        r.onsuccess = () => res();
        r.onerror = () => rej(r.error);
      }),
  );
}

/** Every run of the database against its samples: what an uncommitted item must not leave behind. */
async function consistency(page: Page) {
  const runs = await readStore<{ id: string; status: string; counts: { done: number; total: number; accepted: number; rejected: number } }>(page, 'runs');
  // A run's committed tasks are rows of their own since schema 9 (runTasks), written with the task's samples.
  const runTasks = await readStore<{ runId: string; task: number }>(page, 'runTasks');
  const samples = await readStore<{ runId: string; lineage: { taskIndex: number } }>(page, 'samples');
  const runSeeds = await readStore<{ runId: string }>(page, 'runSeeds');
  return runs.map((r) => {
    const mine = samples.filter((s) => s.runId === r.id);
    const completed = runTasks.filter((t) => t.runId === r.id).map((t) => t.task);
    return {
      status: r.status,
      done: r.counts.done,
      total: r.counts.total,
      completed: completed.length,
      counted: r.counts.accepted + r.counts.rejected,
      stored: mine.length,
      // Samples of a task the run does not list as committed: a half-written item.
      orphans: mine.filter((s) => !completed.includes(s.lineage.taskIndex)).length,
      hasSeedSnapshot: runSeeds.some((x) => x.runId === r.id),
    };
  });
}

async function setUpRun(page: Page): Promise<void> {
  await setUpLocalRecipe(page, { name: 'dogs.jsonl', bytes: new TextEncoder().encode(SEEDS) });
}

const doneOf = (page: Page) =>
  page.evaluate(() => {
    const m = /^(\d+) of (\d+) items/.exec(document.querySelector('[data-testid="run-active"] [data-testid="progress"]')?.textContent ?? '');
    return m ? Number(m[1]) : -1;
  });

describe('a full disk (real quota in an on-disk Chromium profile)', () => {
  it('the Storage panel shows usage and quota, asks persist() with a reason, and shows the answer', async () => {
    const { context, page } = await profile();
    await page.goto(baseUrl() + '#/settings');
    const usage = page.locator('[data-testid="storage-usage"]');
    await usage.waitFor();
    expect(Number(await usage.getAttribute('data-quota'))).toBeGreaterThan(0);
    expect(await usage.textContent()).toMatch(/This site uses .+ of the .+ the browser allows it/);
    expect(await page.textContent('[data-testid="storage-panel"]')).toMatch(/evict|delete a site’s data/);
    await page.click('[data-testid="storage-persist"]');
    const result = page.locator('[data-testid="storage-persist-result"]');
    await result.waitFor();
    const persisted = await page.evaluate(() => navigator.storage.persisted());
    expect(await result.getAttribute('data-answer')).toBe(persisted ? 'granted' : 'denied');
    console.log(`persist() in headless Chromium: ${await result.getAttribute('data-answer')}; ${await usage.textContent()}`);
    await context.close();
  });

  it('an import into a full disk stores nothing and says what to do', async () => {
    const { context, page } = await profile();
    await dropFiles(page, [{ name: 'first.jsonl', bytes: new TextEncoder().encode(SEEDS) }]);
    await waitForReview(page);
    await confirmImport(page);
    expect(await seedCount(page)).toBe(16);
    await fillQuota(page);
    const many = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ instruction: `Question ${i} ${'words '.repeat(20)}`, output: `Answer ${i}` })).join('\n');
    await dropFiles(page, [{ name: 'many.jsonl', bytes: new TextEncoder().encode(many) }]);
    await waitForReview(page);
    await page.click('[data-testid="import-confirm"]');
    const err = page.locator('[data-testid="import-error"]');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/storage quota exceeded\)\. Free space/);
    expect((await readStore(page, 'seeds')).length).toBe(16);
    await freeQuota(page);
    await context.close();
  });

  it('a run that fills the disk pauses with a clear error, keeps no half-written item, and resumes once space is freed', async () => {
    const { context, page } = await profile();
    await setUpRun(page);
    // Most of the space goes before the run, the rest once two items are in.
    await fillQuota(page, 1024 * 1024);
    await page.goto(baseUrl() + '#/run');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-active"]');
    await page.waitForFunction(() => /^([2-9]|1[0-2]) of 16 items/.test(document.querySelector('[data-testid="run-active"] [data-testid="progress"]')?.textContent ?? ''), null, { timeout: 240_000 });
    const filled = await fillQuota(page);
    const atFull = await doneOf(page);

    const notice = page.locator('[data-testid="run-quota"]');
    await notice.waitFor({ timeout: 240_000 });
    const text = (await notice.textContent())!;
    expect(text).toMatch(/storage for the site is full/);
    expect(text).toMatch(/delete old runs/);
    expect(text).toMatch(/press Resume/);
    await page.waitForSelector('[data-testid="run-item"][data-status="paused"] [data-testid="run-resume"]');
    const [stopped] = await consistency(page);
    console.log(`quota filled with ${filled} bytes with ${atFull} of 16 items shown; stopped with ${JSON.stringify(stopped)}`);
    expect(stopped!.orphans).toBe(0);
    expect(stopped!.stored).toBe(stopped!.counted);
    expect(stopped!.completed).toBe(stopped!.done);
    expect(stopped!.done).toBeLessThan(16);
    expect(stopped!.hasSeedSnapshot).toBe(true);

    await freeQuota(page);
    await page.click('[data-testid="run-resume"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 240_000 });
    const [finished] = await consistency(page);
    expect(finished).toMatchObject({ status: 'done', done: 16, total: 16, completed: 16, orphans: 0 });
    expect(finished!.stored).toBe(finished!.counted);
    expect(await page.locator('[data-testid="run-quota"]').count()).toBe(0);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await context.close();
  }, 600_000);
});
