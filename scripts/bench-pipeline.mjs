// Pipeline overhead benchmark (npm run bench:pipeline). Prints figures; asserts nothing.
// Runs a 500-item recipe (Respond + filters) on the TinyStories test model in the built app,
// headless Chromium, and reports the share of wall time spent outside model calls: the
// pipeline's own cost (prompt building, parsing, IndexedDB commits, progress events).
import { writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import chromiumConfig from '../chromium.json' with { type: 'json' };

const N = Number(process.env.BENCH_ITEMS ?? 500);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 24);
const dir = join(tmpdir(), 'seedforge-bench');
mkdirSync(dir, { recursive: true });
const seedsFile = join(dir, `seeds-${N}.jsonl`);
writeFileSync(seedsFile, Array.from({ length: N }, (_, i) => JSON.stringify({ instruction: `Tell a story about a dog named Max, number ${i}.`, output: '' })).join('\n'));

const server = await preview({ preview: { host: '127.0.0.1', port: 4320, strictPort: false }, logLevel: 'warn' });
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumConfig.path, args: chromiumConfig.args, headless: true });
const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
await page.goto(url + '#/seeds');
await page.waitForSelector('.app[data-ready="true"]');
await page.setInputFiles('[data-testid="file-input"]', seedsFile);
await page.waitForSelector('[data-testid="import-summary"]');
await page.click('[data-testid="import-confirm"]');
await page.waitForFunction((n) => document.querySelector('[data-testid="seed-count"]')?.textContent === String(n), N);
await page.goto(url + '#/models');
await page.setInputFiles('[data-testid="gguf-input"]', new URL('../tests/fixtures/stories260K.gguf', import.meta.url).pathname);
await page.waitForSelector('[data-testid="gguf-row"]');
for (const role of ['generator', 'responder', 'judge']) await page.selectOption(`[data-testid="role-${role}"]`, 'wllama:stories260K.gguf');
await page.goto(url + '#/recipe');
await page.click('[data-testid="preset-answerJudge"]');
// Respond + filter: one model call per item (the judge step is removed).
await page.locator('[data-testid="recipe-steps"] li').nth(1).locator('button', { hasText: 'Delete' }).click();
await page.fill('[data-testid="param-maxTokens"]', String(TOKENS));
await page.goto(url + '#/run');
const t0 = Date.now();
await page.click('[data-testid="run-start"]');
await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 3_600_000 });
const wallOutside = (Date.now() - t0) / 1000;
const counts = await page.evaluate(async () => {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open('seedforge');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const runs = await new Promise((res) => {
    const q = db.transaction('runs').objectStore('runs').getAll();
    q.onsuccess = () => res(q.result);
  });
  db.close();
  return runs[0].counts;
});
const outside = counts.wallMs - counts.modelMs;
console.log(`pipeline: ${counts.done} items, ${counts.calls} model calls, ${counts.completionTokens} tokens`);
console.log(`wall ${(counts.wallMs / 1000).toFixed(1)} s (seen from the test: ${wallOutside.toFixed(1)} s), in model calls ${(counts.modelMs / 1000).toFixed(1)} s`);
console.log(`outside model calls: ${(outside / 1000).toFixed(2)} s = ${((outside / counts.wallMs) * 100).toFixed(1)} % of wall time (target ≤ 5 %), ${(outside / counts.done).toFixed(1)} ms per item`);
await browser.close();
await new Promise((r) => server.httpServer.close(r));
