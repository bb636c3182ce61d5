import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, openApp, pageErrors, readStore } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// 2000 generated-looking samples in 500 groups of four: a question, a light rewording of it (a
// near-duplicate), a longer variant, and a limerick on an unrelated pair of words.
const NOUNS = 'apple river engine violin glacier tax ledger vaccine kidney contract harbor satellite orchid bakery algorithm volcano tariff sonnet bridge mortgage enzyme comet lantern pension statute turbine parrot cathedral dialect fossil'.split(' ');
const ASKS = ['Explain how', 'Summarize why', 'Describe where', 'Compare how', 'List three ways'];
function texts(): { instruction: string; score: number }[] {
  const out: { instruction: string; score: number }[] = [];
  for (let k = 0; k < 500; k++) {
    const a = NOUNS[k % NOUNS.length]!;
    const b = NOUNS[(k * 7 + 3) % NOUNS.length]!;
    const ask = ASKS[k % ASKS.length]!;
    out.push({ instruction: `${ask} a ${a} relates to a ${b} (case ${k}).`, score: 3 + (k % 3) });
    out.push({ instruction: `${ask} a ${a} is related to a ${b} (case ${k}).`, score: 4 });
    out.push({ instruction: `${ask} a ${a} relates to a ${b}, step by step, with one worked example and a summary (case ${k}).`, score: 5 });
    out.push({ instruction: `Write a limerick about a ${NOUNS[(k + 11) % NOUNS.length]} that dreams of a ${NOUNS[(k * 3 + 5) % NOUNS.length]}, number ${k}.`, score: 4 });
  }
  return out;
}

describe('the Dedup panel in the built app', () => {
  it('finds near-duplicates among 2000 samples, follows the threshold live, and marks the chosen ones', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context, '#/review');
    const rows = texts();
    // Fixture: accepted samples of the current project, written straight into the app's store.
    await page.evaluate(async (rows) => {
      const db: IDBDatabase = await new Promise((res, rej) => {
        const r = indexedDB.open('seedforge');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const get = <T,>(store: string): Promise<T[]> => new Promise((res) => {
        const q = db.transaction(store).objectStore(store).getAll();
        q.onsuccess = () => res(q.result as T[]);
      });
      const projectId = (await get<{ id: string }>('projects'))[0]!.id;
      const tx = db.transaction('samples', 'readwrite');
      rows.forEach((r, i) =>
        tx.objectStore('samples').add({
          id: `fixture:${i}`, projectId, runId: 'fixture', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null,
          instruction: r.instruction, input: '', output: 'An answer.', status: 'accepted', rejectReason: null, score: r.score, duplicateOf: null,
          lineage: {}, createdAt: i, updatedAt: i,
        }),
      );
      await new Promise((res) => (tx.oncomplete = res));
      db.close();
    }, rows);

    await page.click('[data-testid="tab-dedup"]');
    const t0 = Date.now();
    await page.click('[data-testid="dedup-compute"]');
    await page.waitForSelector('[data-testid="dedup-summary"], [data-testid="dedup-panel"] [data-testid="engine-error"]', { timeout: 300_000 });
    if (await page.locator('[data-testid="dedup-panel"] [data-testid="engine-error"]').count()) throw new Error(String(await page.textContent('[data-testid="dedup-panel"] [data-testid="engine-error"]')));
    const seconds = (Date.now() - t0) / 1000;
    // The panel says how the texts were embedded: the bundled model on Seedforge's own encoder,
    // every text through the model (a fresh profile has no cache).
    const embedded = page.locator('[data-testid="dedup-embedded"]');
    expect(await embedded.getAttribute('data-engine')).toBe('seedforge-wasm');
    const info = (await embedded.textContent())!;
    console.log(`dedup panel: ${info.trim()}`);
    const m = /all-MiniLM-L6-v2 on Seedforge's WebAssembly encoder, \d+ threads: ([\d,]+) texts embedded, 0 from the cache/.exec(info);
    expect(m).not.toBeNull();
    expect(Number(m![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(2000);
    const summary = async () => (await page.textContent('[data-testid="dedup-summary"]'))!;
    const removedAt = async (t: string) => {
      await page.locator('[data-testid="dedup-slider"]').fill(t);
      await page.waitForFunction((t) => document.querySelector('[data-testid="dedup-threshold"]')?.textContent === t, t);
      return Number(/(\d[\d,]*) would be removed/.exec(await summary())![1]!.replace(/,/g, ''));
    };
    const at85 = await removedAt('0.85');
    const at95 = await removedAt('0.95');
    const at75 = await removedAt('0.75');
    const at99 = await removedAt('0.99');
    console.log(`dedup panel, 2000 samples (MiniLM, bundled): ${seconds.toFixed(1)} s to embed and compare; removed at 0.75/0.85/0.95/0.99: ${at75}/${at85}/${at95}/${at99}`);
    // A stricter threshold never removes more.
    expect(at75).toBeGreaterThanOrEqual(at85);
    expect(at85).toBeGreaterThanOrEqual(at95);
    expect(at95).toBeGreaterThanOrEqual(at99);
    // At least the 500 light rewordings are near-duplicates. (These templated sentences are close
    // for MiniLM, and connected components chain them: most of the set falls into few clusters.)
    expect(at85).toBeGreaterThanOrEqual(500);
    expect(at99).toBeLessThan(at85);

    // The approximate mode (LSH, planned recall 0.99) on the same samples: the vectors come from
    // the cache, the panel says how the pairs were found, and it removes at most what every-pair
    // comparison removes (a missed pair can only split a cluster), nearly as many.
    await page.selectOption('[data-testid="dedup-method"]', 'approximate');
    await page.click('[data-testid="dedup-compute"]');
    await page.waitForFunction(() => /approximate search/.test(document.querySelector('[data-testid="dedup-embedded"]')?.textContent ?? ''), null, { timeout: 300_000 });
    expect(await page.textContent('[data-testid="dedup-embedded"]')).toMatch(/ 0 texts embedded, [\d,]+ from the cache/);
    const approx85 = await removedAt('0.85');
    console.log(`dedup panel, approximate mode: removed at 0.85: ${approx85} (every pair: ${at85})`);
    expect(approx85).toBeLessThanOrEqual(at85);
    expect(approx85).toBeGreaterThanOrEqual(Math.floor(at85 * 0.97));
    await page.selectOption('[data-testid="dedup-method"]', 'exact');
    await page.click('[data-testid="dedup-compute"]');
    await page.waitForFunction(() => !/approximate search/.test(document.querySelector('[data-testid="dedup-embedded"]')?.textContent ?? 'approximate search'), null, { timeout: 300_000 });

    // The cluster browser: the kept item of the first cluster is the best-scored of its members.
    await removedAt('0.85');
    const first = page.locator('[data-testid="dedup-cluster"]').first();
    expect(await first.textContent()).toMatch(/kept/);
    expect(await page.locator('[data-testid="dedup-histogram"] .bar').count()).toBe(30);

    await page.click('[data-testid="dedup-apply"]');
    await page.waitForSelector('[data-testid="toast"]');
    const stored = await readStore<{ id: string; duplicateOf: string | null; score: number }>(page, 'samples');
    const byId = new Map(stored.map((r) => [r.id, r]));
    const marked = { count: stored.filter((r) => r.duplicateOf).length, keptNeverWorse: stored.every((r) => !r.duplicateOf || (byId.get(r.duplicateOf)?.score ?? 0) >= r.score) };
    expect(marked.count).toBe(at85);
    expect(marked.keptNeverWorse).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 400_000);
});
