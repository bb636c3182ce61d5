// Decontamination benchmark (npm run bench:decontam, issue 17). Prints figures; asserts nothing.
// Headless Chromium (Debian's, through playwright-core) on the Vite dev server opens
// scripts/bench-decontam.html: the page posts synthetic samples and eval items to a Web Worker in
// chunks of 1 000, and the worker runs the exact + n-gram check (src/lib/decontam/decontam.ts),
// as the app's Decontam step does. Figures: the worker's time for the check, samples/s, the
// planted copies found, peak memory (summed RSS of this Chromium's processes during the run, less
// the figure before it: it includes the texts' copies on both sides), and the longest main-thread
// task over the whole run (PerformanceObserver 'longtask'; target ≤ 100 ms). Then the embedding
// method at a smaller size on synthetic unit vectors (dedup's planted generator, not a model's
// embeddings): samples × eval items through dedup's query × fixed kernel, at cosine 0.85.
// Env: BENCH_SAMPLES (default 100000), BENCH_EVAL (20000), BENCH_EMB="10000x2000x384" (empty: skip).
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };
import { chromiumRssMiB, longest, watchLongTasks } from './benchPage.mjs';

const root = resolve(import.meta.dirname, '..');
const nSamples = Number(process.env.BENCH_SAMPLES ?? 100_000);
const nEval = Number(process.env.BENCH_EVAL ?? 20_000);
const emb = (process.env.BENCH_EMB ?? '10000x2000x384').split('x').filter(Boolean).map(Number);
/** The targets this benchmark is held to (README): the n-gram check of 100k × 20k in a minute, no main-thread task over 100 ms. */
const TARGET_S = 60;
const TARGET_LONGTASK_MS = 100;

const tag = `--seedforge-bench-decontam=${process.pid}`;
const server = await createServer({ root, logLevel: 'warn', server: { port: 5198, strictPort: false } });
await server.listen();
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: [...chromiumCfg.args, tag], headless: true });
try {
  const page = await browser.newPage();
  await watchLongTasks(page);
  await page.goto(`${base}scripts/bench-decontam.html`);
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 120_000 });
  // Warm the worker's modules (Vite transforms them on first request) before anything is timed.
  await page.evaluate(() => globalThis.runDecontam(100, 100));
  await longest(page);
  const measure = async (fn) => {
    const before = chromiumRssMiB(tag);
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, chromiumRssMiB(tag))), 100);
    const t0 = performance.now();
    try {
      const r = await fn();
      return { ...r, wallSeconds: (performance.now() - t0) / 1000, peakMiB: Math.round(peak - before), longestTaskMs: Math.round(await longest(page)) };
    } finally {
      clearInterval(timer);
    }
  };
  const r = await measure(() => page.evaluate(([s, e]) => globalThis.runDecontam(s, e), [nSamples, nEval]));
  console.log(JSON.stringify({ method: 'exact + ngram (worker)', samples: nSamples, evalItems: nEval, ...r }));
  console.log(`exact + n-gram: ${nSamples.toLocaleString('en-US')} samples × ${nEval.toLocaleString('en-US')} eval items in ${r.seconds.toFixed(1)} s (${Math.round(nSamples / r.seconds).toLocaleString('en-US')} samples/s; ${r.wallSeconds.toFixed(1)} s with generating and posting), planted found ${r.found}/${r.planted}, unplanted flagged ${r.unplantedFlagged}, peak +${r.peakMiB} MiB, longest main-thread task ${r.longestTaskMs} ms — target ≤ ${TARGET_S} s: ${r.seconds <= TARGET_S ? 'met' : 'MISSED'}, ≤ ${TARGET_LONGTASK_MS} ms: ${r.longestTaskMs <= TARGET_LONGTASK_MS ? 'met' : 'MISSED'}`);
  if (emb.length === 3) {
    const [nq, ne, d] = emb;
    const e = await measure(() => page.evaluate(([q, n, dd]) => globalThis.runEmbedding(q, n, dd), [nq, ne, d]));
    console.log(JSON.stringify({ method: 'embedding (synthetic unit vectors, worker)', samples: nq, evalItems: ne, d, ...e }));
    console.log(`embedding (synthetic unit vectors): ${nq.toLocaleString('en-US')} × ${ne.toLocaleString('en-US')} at d = ${d} in ${e.seconds.toFixed(1)} s (${Math.round(nq / e.seconds).toLocaleString('en-US')} samples/s), ${e.hits} hits at cosine > 0.85, peak +${e.peakMiB} MiB, longest main-thread task ${e.longestTaskMs} ms`);
  }
} finally {
  await browser.close();
  await server.close();
}
