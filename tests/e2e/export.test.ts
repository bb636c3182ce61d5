import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { confirmImport, dropFiles, fixture, launch, openApp, pageErrors, readStore, waitForReview } from './helpers';
import { checkAlpacaJson, checkOpenAiJsonl } from './exportChecks';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const SYNTHETIC = 80;
const REJECTED = 7;
const DUPLICATES = 5;

/**
 * Fixture: generated samples of the current project, written straight into the app's store (as
 * the dedup e2e does): 80 accepted, 7 rejected, 5 accepted but marked as near-duplicates.
 */
async function plantSamples(page: Page): Promise<void> {
  await page.evaluate(
    async ({ good, rejected, dups }) => {
      const db: IDBDatabase = await new Promise((res, rej) => {
        const r = indexedDB.open('seedforge');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const projects: { id: string }[] = await new Promise((res) => {
        const q = db.transaction('projects').objectStore('projects').getAll();
        q.onsuccess = () => res(q.result);
      });
      const projectId = projects[0]!.id;
      const tx = db.transaction('samples', 'readwrite');
      const call = (role: string, model: string, engine: string) => ({ op: role, role, engine, model, template: 't', templateVersion: 1, raw: 'r', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0 });
      const total = good + rejected + dups;
      for (let i = 0; i < total; i++) {
        const status = i < good + dups ? 'accepted' : 'rejected';
        tx.objectStore('samples').add({
          id: `fixture:${String(i).padStart(4, '0')}`, projectId, runId: 'fixture', seedId: null, parentId: null,
          operation: i % 2 ? 'evol:deepen' : 'respond', round: i % 3, persona: null,
          instruction: `Explain idea ${i} in two sentences.`, input: i % 4 ? '' : `Context for idea ${i}.`, output: `Idea ${i} is explained here. It has two sentences.`,
          status, rejectReason: status === 'rejected' ? 'judge:lowScore' : null, score: 4, duplicateOf: i >= good && i < good + dups ? 'fixture:0000' : null,
          lineage: { calls: [call('generator', 'Qwen2.5-0.5B', 'webllm'), call('judge', 'gpt-4o-mini', 'openai')] }, createdAt: i, updatedAt: i,
        });
      }
      await new Promise((res) => (tx.oncomplete = res));
      db.close();
    },
    { good: SYNTHETIC, rejected: REJECTED, dups: DUPLICATES },
  );
}

async function exportScreen(context: BrowserContext): Promise<Page> {
  const page = await openApp(context, '#/export');
  await page.waitForSelector('[data-testid="export-counts"]');
  // Headless Chromium has a save picker no test can answer: take the download path.
  const picker = page.locator('[data-testid="export-picker"]');
  if (await picker.count()) await picker.uncheck();
  return page;
}

async function setShare(page: Page, pct: number): Promise<void> {
  await page.locator('[data-testid="export-real"]').fill(String(pct));
  await page.waitForFunction((p) => document.querySelector('[data-testid="export-real-value"]')?.textContent === `${p} %`, pct);
}

async function counts(page: Page): Promise<{ synthetic: number; real: number }> {
  const el = page.locator('[data-testid="export-counts"]');
  return { synthetic: Number(await el.getAttribute('data-synthetic')), real: Number(await el.getAttribute('data-real')) };
}

/** Clicks Export and returns the downloaded file's name and text. */
async function download(page: Page, testId = 'export-run'): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

describe('Export in the built app', () => {
  it('exports with a 20 % real share: the bar and the files hold 80 synthetic + 20 real; OpenAI JSONL and Alpaca JSON pass strict checks; backup restores in a fresh browser', async () => {
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const seedsPage = await openApp(context, '#/seeds');
    await dropFiles(seedsPage, [fixture('zh-alpaca.json')]);
    await waitForReview(seedsPage);
    await confirmImport(seedsPage);
    await plantSamples(seedsPage);
    await seedsPage.close();

    const page = await exportScreen(context);
    expect(await counts(page)).toEqual({ synthetic: SYNTHETIC, real: 0 });
    expect(await page.textContent('[data-testid="export-left-out"]')).toContain(`${REJECTED} by status`);
    await setShare(page, 20);
    // share = real / (real + synthetic): 20 / (20 + 80).
    expect(await counts(page)).toEqual({ synthetic: SYNTHETIC, real: 20 });
    expect(await page.textContent('[data-testid="export-counts"]')).toContain('real share 20.0 %');
    const bar = await page.locator('[data-testid="export-bar"] .real').evaluate((el) => (el as HTMLElement).style.width);
    expect(parseFloat(bar)).toBeCloseTo(20, 5);

    // Alpaca JSONL with provenance: count real and synthetic lines in the file itself.
    await page.selectOption('[data-testid="export-format"]', 'alpaca-jsonl');
    await page.check('[data-testid="export-provenance"]');
    const prov = await download(page);
    expect(prov.name).toMatch(/\.alpaca\.jsonl$/);
    const rows = prov.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { provenance: { source: string; judge: string | null } });
    expect(rows.filter((r) => r.provenance.source === 'seed')).toHaveLength(20);
    expect(rows.filter((r) => r.provenance.source === 'synthetic')).toHaveLength(SYNTHETIC);
    expect(rows.find((r) => r.provenance.source === 'synthetic')!.provenance.judge).toBe('gpt-4o-mini');
    await page.waitForSelector('[data-testid="export-done"]');
    // The dataset card is shown, and downloads as README.md.
    const card = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(card).toMatch(/^---\nlicense: other\nlanguage:\n- en\n- zh\n/);
    expect(card).toContain('100 items: 80 synthetic, 20 real');
    expect(card).toContain('Real share: 20.0 % (asked: 20 %');
    expect(card).toMatch(/competing models|compete with theirs/);
    const readme = await download(page, 'export-card-download');
    expect(readme.name).toBe('README.md');
    expect(readme.text).toBe(card);

    // OpenAI chat JSONL: the strict fine-tuning check, 100 lines.
    await page.selectOption('[data-testid="export-format"]', 'openai-jsonl');
    const openai = await download(page);
    expect(checkOpenAiJsonl(openai.text)).toEqual([]);
    expect(openai.text.split('\n').filter(Boolean)).toHaveLength(100);

    // Alpaca JSON without provenance: the strict Alpaca check, 100 records.
    await page.selectOption('[data-testid="export-format"]', 'alpaca-json');
    await page.uncheck('[data-testid="export-provenance"]');
    const alpaca = await download(page);
    expect(checkAlpacaJson(alpaca.text)).toEqual([]);
    expect(JSON.parse(alpaca.text)).toHaveLength(100);

    // Not enough seeds: 90 % of 80 synthetic needs 720 seeds; all 175 are used and the screen says so.
    await setShare(page, 90);
    expect(await counts(page)).toEqual({ synthetic: SYNTHETIC, real: 175 });
    expect(await page.textContent('[data-testid="export-short"]')).toContain('Only 175 usable seeds');
    await setShare(page, 20);

    // Backup, then restore in a fresh browser (a new context has its own, empty IndexedDB).
    const backup = await download(page, 'backup-run');
    expect(backup.name).toMatch(/\.seedforge-backup\.jsonl$/);
    await page.waitForSelector('[data-testid="backup-done"]');
    expect(pageErrors(page)).toEqual([]);
    await context.close();

    const fresh = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const page2 = await exportScreen(fresh);
    expect(await counts(page2)).toEqual({ synthetic: 0, real: 0 });
    await page2.setInputFiles('[data-testid="restore-input"]', { name: backup.name, mimeType: 'application/jsonl', buffer: Buffer.from(backup.text) });
    await page2.waitForSelector('[data-testid="restore-done"]');
    // The restored project is selected, and exports the same counts.
    await page2.waitForFunction(() => document.querySelector('[data-testid="export-counts"]')?.getAttribute('data-synthetic') === '80');
    await setShare(page2, 20);
    expect(await counts(page2)).toEqual({ synthetic: SYNTHETIC, real: 20 });
    await page2.selectOption('[data-testid="export-format"]', 'alpaca-json');
    const again = await download(page2);
    expect(JSON.parse(again.text)).toEqual(JSON.parse(alpaca.text));

    // Restoring the same backup again is refused, with nothing written.
    await page2.setInputFiles('[data-testid="restore-input"]', { name: backup.name, mimeType: 'application/jsonl', buffer: Buffer.from(backup.text) });
    await page2.waitForSelector('[data-testid="export-error"][data-error="BackupCollisionError"]');
    // A damaged backup is refused naming its line.
    const lines = backup.text.split('\n');
    lines[3] = '{"table":"samples","row":{"id":1}}';
    await page2.setInputFiles('[data-testid="restore-input"]', { name: 'bad.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n')) });
    await page2.waitForSelector('[data-testid="export-error"][data-error="BackupFormatError"]');
    expect(await page2.textContent('[data-testid="export-error"]')).toContain('line 4');
    const projects = (await readStore(page2, 'projects')).length;
    // The fresh browser's first project and the restored one: the failed restores added none.
    expect(projects).toBe(2);
    expect(pageErrors(page2)).toEqual([]);
    await fresh.close();
  });

  it('shows the Export screen in Chinese', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await exportScreen(context);
    expect(await page.textContent('[data-testid="export-run"]')).toContain('导出');
    expect(await page.textContent('[data-testid="screen-export"]')).toContain('真实种子数据占比');
    await context.close();
  });
});
