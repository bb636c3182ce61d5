// Review-screen benchmark in the built app (npm run bench:review).
// Prints figures; asserts nothing. In headless Chromium against `vite preview`, with 100k samples
// (each with a lineage of three model calls) written into the app's IndexedDB:
//  - the time until the Review screen shows them, and its longest main-thread task;
//  - scrolling the 100k-row table (frame times, rows in the DOM);
//  - applying filters (status, score, operation, text search): time from the input to the new
//    count on screen, the filter's own compute time, and the longest main-thread task;
//  - a bulk reject of every sample a filter selects, and its undo;
//  - opening the Export screen and exporting every accepted sample (streamed).
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { longest as longestTask, scrollFrames, watchLongTasks } from './benchPage.mjs';
import chromium_ from '../chromium.json' with { type: 'json' };
const chromiumPath = process.env.CHROMIUM_PATH ?? chromium_.path;
const chromiumArgs = chromium_.args;
const N = Number(process.env.N ?? 100_000);

const server = await preview({ build: { outDir: process.env.SEEDFORGE_DIST ?? 'dist' }, preview: { host: '127.0.0.1', port: 4320, strictPort: false }, logLevel: 'warn' });
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
const p = await context.newPage();
await watchLongTasks(p);
await p.goto(url + '#/seeds');
await p.waitForSelector('.app[data-ready="true"]');
const longest = () => longestTask(p);

let t = performance.now();
await p.evaluate(async (n) => {
  const db = await new Promise((res) => { const r = indexedDB.open('seedforge'); r.onsuccess = () => res(r.result); });
  const projectId = await new Promise((res) => { const q = db.transaction('projects').objectStore('projects').getAll(); q.onsuccess = () => res(q.result[0].id); });
  const ops = ['selfInstruct', 'evol:deepen', 'evol:concretize', 'evol:reasoning', 'evol:breadth', 'respond'];
  for (let start = 0; start < n; start += 10_000) {
    const tx = db.transaction('samples', 'readwrite');
    const store = tx.objectStore('samples');
    for (let i = start; i < Math.min(n, start + 10_000); i++) {
      const call = (role, model, raw) => ({ op: role, role, engine: 'wllama', model, template: `${role}.t`, templateVersion: 1, raw, promptTokens: 120, completionTokens: 80, ms: 900, retries: 0 });
      store.add({
        id: `b:${String(i).padStart(6, '0')}`, projectId, runId: 'bench', seedId: `seed${i % 500}`, parentId: null, operation: ops[i % ops.length], round: i % 5, persona: i % 7 ? null : 'a clinical pharmacist',
        instruction: `Explain the ${i % 97}th consideration when reviewing topic ${i} for a patient leaflet.`, input: '', output: `Here is a careful answer number ${i}. `.repeat(4),
        status: i % 9 ? 'accepted' : 'rejected', rejectReason: i % 9 ? null : 'judge:lowScore', score: (i % 5) + 1, duplicateOf: null,
        lineage: { calls: [call('generator', 'qwen2.5-1.5b', 'x'.repeat(300)), call('responder', 'qwen2.5-1.5b', 'y'.repeat(600)), call('judge', 'llama-3.2-3b', '{"score": 4}')], verdict: { score: (i % 5) + 1, reason: 'fine' } },
        createdAt: i, updatedAt: i,
      });
    }
    await new Promise((res) => (tx.oncomplete = res));
  }
  db.close();
}, N);
console.log(`fixture: ${N} samples written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

await longest();
t = performance.now();
await p.goto(url + '#/review');
await p.waitForFunction((n) => new RegExp(`of ${n.toLocaleString('en-US')} samples`).test(document.querySelector('[data-testid="review-count"]')?.textContent ?? ''), N, { timeout: 600_000 });
console.log(`open Review with ${N} samples: ${((performance.now() - t) / 1000).toFixed(2)} s until the table shows them (longest main-thread task ${(await longest()).toFixed(0)} ms)`);

const frames = await scrollFrames(p, '[data-testid="review-list"]', '[data-testid="sample-row"]');
console.log(`scroll ${N} samples: mean frame ${frames.mean.toFixed(1)} ms, worst ${frames.max.toFixed(1)} ms, ${frames.rows} rows in the DOM`);

const shown = () => p.evaluate(() => Number(/([\d,]+) of/.exec(document.querySelector('[data-testid="review-count"]').textContent)[1].replace(/,/g, '')));
async function timed(label, act) {
  const before = await shown();
  await longest();
  const t0 = performance.now();
  await act();
  await p.waitForFunction((b) => Number(/([\d,]+) of/.exec(document.querySelector('[data-testid="review-count"]').textContent)[1].replace(/,/g, '')) !== b, before, { timeout: 120_000 });
  const ms = performance.now() - t0;
  await p.waitForTimeout(100);
  const filterMs = await p.evaluate(() => `${document.querySelector('[data-testid="review-count"]')?.getAttribute('data-filter-ms')} ms`);
  console.log(`filter "${label}": ${ms.toFixed(0)} ms from input to the new count (${await shown()} shown; filter itself ${filterMs}); longest main-thread task ${(await longest()).toFixed(0)} ms`);
}
await timed('status = rejected', () => p.selectOption('[data-testid="filter-status"]', 'rejected'));
await timed('status = any', () => p.selectOption('[data-testid="filter-status"]', 'all'));
await timed('score ≤ 2', () => p.fill('[data-testid="filter-score-max"]', '2'));
await timed('+ operation = evol:deepen', () => p.selectOption('[data-testid="filter-operation"]', 'evol:deepen'));
await timed('clear filters', () => p.click('[data-testid="filter-reset"]'));
await timed('search "topic 54321"', () => p.fill('[data-testid="review-search"]', 'topic 54321'));
await timed('search cleared', () => p.fill('[data-testid="review-search"]', ''));

await p.fill('[data-testid="filter-score-max"]', '2');
await p.waitForTimeout(300);
const n = await shown();
await longest();
t = performance.now();
await p.click('[data-testid="bulk-reject"]');
await p.waitForFunction(() => !document.querySelector('[data-testid="review-undo"]').disabled, null, { timeout: 600_000 });
console.log(`bulk reject of ${n} shown samples: ${((performance.now() - t) / 1000).toFixed(2)} s (longest main-thread task ${(await longest()).toFixed(0)} ms)`);
t = performance.now();
await p.click('[data-testid="review-undo"]');
await p.waitForFunction(() => document.querySelector('[data-testid="review-undo"]').disabled && !document.querySelector('[data-testid="bulk-reject"]').disabled, null, { timeout: 600_000 });
console.log(`undo: ${((performance.now() - t) / 1000).toFixed(2)} s (longest main-thread task ${(await longest()).toFixed(0)} ms)`);

// Export of every accepted sample (Alpaca JSONL, streamed in pages, downloaded as a Blob of chunks).
await longest();
t = performance.now();
await p.goto(url + '#/export');
await p.waitForFunction(() => Number(document.querySelector('[data-testid="export-counts"]')?.getAttribute('data-synthetic') ?? 0) > 0, null, { timeout: 600_000 });
const synthetic = await p.getAttribute('[data-testid="export-counts"]', 'data-synthetic');
console.log(`open Export with ${N} samples: ${((performance.now() - t) / 1000).toFixed(2)} s until the counts show (${synthetic} to export; longest main-thread task ${(await longest()).toFixed(0)} ms)`);
const picker = p.locator('[data-testid="export-picker"]');
if (await picker.count()) await picker.uncheck();
await p.selectOption('[data-testid="export-format"]', 'alpaca-jsonl');
await longest();
t = performance.now();
const [dl] = await Promise.all([p.waitForEvent('download', { timeout: 600_000 }), p.click('[data-testid="export-run"]')]);
const { statSync } = await import('node:fs');
const bytes = statSync(await dl.path()).size;
console.log(`export ${synthetic} samples as Alpaca JSONL: ${((performance.now() - t) / 1000).toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB (longest main-thread task ${(await longest()).toFixed(0)} ms)`);

await browser.close();
await new Promise((r) => server.httpServer.close(r));
