// Commits benchmark (npm run bench:commits; issue 18 item 1). Prints figures; asserts nothing.
// In headless Chromium against the Vite dev server, scripts/benchCommitsPage.ts fills a run with
// 1k, 10k and 100k committed Self-Instruct tasks (task rows, pool entries and samples in bulk), then
// commits more tasks one by one through the app's RunStore (runsRepo dexieRunStore) and reports, per
// size: the time per commit and the bytes each commit writes (estimated from the rows written: the
// task's sample, its runTasks row and the run row, as JSON). Both should be flat: the ratio
// 100k/1k is printed (≈ 1). For comparison, the version-8 layout's commit on the same store (the
// run row rewritten with its `completed` list and pool) — what every commit cost before schema 9.
// Env: BENCH_SIZES (default 1000,10000,100000), BENCH_COMMITS (default 300), BENCH_OLD_COMMITS
// (default 30; 0 = estimate the old bytes without timing them).
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '..');
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const commits = Number(process.env.BENCH_COMMITS ?? 300);
const oldCommits = Number(process.env.BENCH_OLD_COMMITS ?? 30);

const server = await createServer({ root, logLevel: 'warn', server: { port: 5199, strictPort: false } });
await server.listen();
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: chromiumCfg.args, headless: true });
try {
  const page = await browser.newPage();
  await page.goto(`${base}scripts/bench-commits.html`);
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 300_000 });
  const rows = [];
  for (const size of sizes) {
    const t0 = Date.now();
    const r = await page.evaluate(([s, c, o]) => globalThis.runCase(s, c, o), [size, commits, oldCommits]);
    rows.push(r);
    console.log(
      `${String(size).padStart(7)} tasks: ${r.msPerCommit.toFixed(2)} ms and ${Math.round(r.bytesPerCommit)} B per commit (${r.commits} commits)` +
        ` | version-8 layout: ${r.oldMsPerCommit === null ? 'not timed' : `${r.oldMsPerCommit.toFixed(2)} ms`} and ${Math.round(r.oldBytesPerCommit)} B per commit` +
        ` | case took ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  const first = rows[0];
  const last = rows.at(-1);
  if (rows.length > 1) {
    const k = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
    console.log(`ratio ${k(last.size)}/${k(first.size)}: time ${(last.msPerCommit / first.msPerCommit).toFixed(2)}, bytes ${(last.bytesPerCommit / first.bytesPerCommit).toFixed(2)} (flat ≈ 1)`);
    if (last.oldMsPerCommit !== null && first.oldMsPerCommit !== null) console.log(`version-8 layout, same ratio: time ${(last.oldMsPerCommit / first.oldMsPerCommit).toFixed(2)}, bytes ${(last.oldBytesPerCommit / first.oldBytesPerCommit).toFixed(2)}`);
  }
  console.log(JSON.stringify({ bench: 'commits', rows }));
} finally {
  await browser.close();
  await server.close();
}
