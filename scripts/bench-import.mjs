// Import and Seeds-screen benchmark in the built app (npm run bench:import).
// Prints figures; asserts nothing. Measures, in headless Chromium against `vite preview`:
//  - reading + mapping a 100k-row JSONL file, storing it, and the Seeds list after it;
//  - reading a 200 MB JSONL file (analysis only: rows are parsed in the worker, not stored);
//  - the longest main-thread task during each (PerformanceObserver 'longtask'), i.e. how long
//    the page was frozen at worst;
//  - scrolling the 100k-seed list and filtering it by a search word.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { longest as longestTask, scrollFrames, watchLongTasks } from './benchPage.mjs';
import chromium_ from '../chromium.json' with { type: 'json' };
const chromiumPath = process.env.CHROMIUM_PATH ?? chromium_.path;
const chromiumArgs = chromium_.args;

const dir = join(tmpdir(), 'seedforge-bench');
mkdirSync(dir, { recursive: true });

function makeJsonl(path, rows, pad) {
  const parts = [];
  for (let i = 0; i < rows; i++) {
    parts.push(JSON.stringify({ instruction: `Explain topic number ${i} in plain words. ${'x'.repeat(pad)}`, input: '', output: `Answer ${i}: ${'y'.repeat(pad)}` }));
  }
  writeFileSync(path, parts.join('\n') + '\n');
  return statSync(path).size;
}

const small = join(dir, 'rows-100k.jsonl');
const big = join(dir, 'big-200mb.jsonl');
const smallSize = makeJsonl(small, 100_000, 60);
const bigSize = makeJsonl(big, 420_000, 200);
console.log(`files: 100k rows = ${(smallSize / 1e6).toFixed(1)} MB, big = ${(bigSize / 1e6).toFixed(1)} MB (420k rows)`);

const server = await preview({ preview: { host: '127.0.0.1', port: 4319, strictPort: false }, logLevel: 'warn' });
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });

async function page() {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const p = await context.newPage();
  await watchLongTasks(p);
  await p.goto(url + '#/seeds');
  await p.waitForSelector('.app[data-ready="true"]');
  return { context, p };
}
const longest = (p) => longestTask(p);

// 1. 100k rows: read + map, store, list.
{
  const { context, p } = await page();
  await longest(p);
  let t = performance.now();
  await p.setInputFiles('[data-testid="file-input"]', small);
  await p.waitForSelector('[data-testid="import-summary"]', { timeout: 600_000 });
  const tRead = performance.now() - t;
  const lRead = await longest(p);
  t = performance.now();
  await p.click('[data-testid="import-confirm"]');
  await p.waitForFunction(() => document.querySelector('[data-testid="seed-count"]')?.textContent === '100000', null, { timeout: 600_000 });
  const tStore = performance.now() - t;
  const lStore = await longest(p);
  console.log(`100k rows: read+map ${(tRead / 1000).toFixed(2)} s (longest main-thread task ${lRead.toFixed(0)} ms); store+list ${(tStore / 1000).toFixed(2)} s (longest task ${lStore.toFixed(0)} ms)`);

  // Scroll the whole list in 40 steps, one per animation frame, and time the frames.
  const frames = await scrollFrames(p, '[data-testid="seed-list"]', '[data-testid="seed-row"]');

  console.log(`scroll 100k seeds: mean frame ${frames.mean.toFixed(1)} ms, worst ${frames.max.toFixed(1)} ms, ${frames.rows} rows in the DOM`);

  await longest(p);
  t = performance.now();
  await p.fill('[data-testid="seed-search"]', 'topic 54321');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="seed-row"]').length === 1);
  console.log(`search 100k seeds: ${(performance.now() - t).toFixed(0)} ms to the filtered list (longest task ${(await longest(p)).toFixed(0)} ms)`);

  t = performance.now();
  await p.reload();
  await p.waitForFunction(() => document.querySelector('[data-testid="seed-count"]')?.textContent === '100000', null, { timeout: 600_000 });
  console.log(`reload with 100k seeds: ${((performance.now() - t) / 1000).toFixed(2)} s until the list is shown`);
  await context.close();
}

// 2. 200 MB: read and map in the worker while the page stays responsive.
{
  const { context, p } = await page();
  await longest(p);
  const t = performance.now();
  await p.setInputFiles('[data-testid="file-input"]', big);
  await p.waitForSelector('[data-testid="import-summary"]', { timeout: 600_000 });
  const secs = (performance.now() - t) / 1000;
  const summary = await p.textContent('[data-testid="import-summary"]');
  console.log(`${(bigSize / 1e6).toFixed(0)} MB file: read+map ${secs.toFixed(1)} s (${(bigSize / 1e6 / secs).toFixed(1)} MB/s), longest main-thread task ${(await longest(p)).toFixed(0)} ms; ${summary.trim()}`);
  await p.click('[data-testid="import-cancel"]');
  await context.close();
}

await browser.close();
await new Promise((r) => server.httpServer.close(r));
