// Semantic-dedup benchmark (npm run bench:dedup). Prints figures; asserts nothing.
// For each size: generates planted vectors with ../shared/bench/seed_dedup.py, runs the Python
// reference (10k only: it holds the n×n matrix) and the blocked numpy version, then our kernels in
// headless Chromium through the real dedup worker (Vite dev server with the COOP/COEP headers, so
// the WASM kernel runs threaded on a shared memory). Peak memory: Python's own peak RSS; for the
// browser, the peak of the summed RSS of all Chromium processes during the run minus the figure
// just before it (so it includes the vectors' copy in the worker). Pair sets are compared by the
// reference rule's duplicate set (count and sha256 prefix, same digest as seed_dedup.py).
// The browser figure includes Chromium's own copies of the fetched vector file (network service,
// renderer), so it overstates what the kernel holds; the kernel's own memory is the vectors plus
// the int8 copy and bounds in the wasm memory (printed as kernelMiB).
// Env: BENCH_SIZES="10000x384,..." (empty: none, only the WebGPU sizes) BENCH_REF_MAX (largest N for the reference, default 10000)
// BENCH_GPU="2000x384,5000x384" (WebGPU sizes; empty to skip) BENCH_NO_JS=1 (skip the JS kernel)
// BENCH_NO_APPROX=1 (skip the approximate mode, which runs at D = 384 beside the exact kernel).
// Needs: apt-get install -y python3-numpy python3-sklearn.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };
import { chromiumRssMiB } from './benchPage.mjs';

const root = resolve(import.meta.dirname, '..');
const py = '/usr/bin/python3';
const seedDedup = resolve(root, '../shared/bench/seed_dedup.py');
const dir = '/tmp/seedforge-dedup-bench';
mkdirSync(dir, { recursive: true });
const only = process.env.BENCH_SIZES; // e.g. "10000x384,20000x1024"
const sizes = (only !== undefined ? only.split(',').filter(Boolean) : ['10000x384', '50000x384', '100000x384', '10000x1024', '20000x1024']).map((s) => s.split('x').map(Number));
const refMax = Number(process.env.BENCH_REF_MAX ?? 10000);
const gpuSizes = (process.env.BENCH_GPU ?? '2000x384,5000x384').split(',').filter(Boolean).map((s) => s.split('x').map(Number));

function gen(n, d) {
  const f = join(dir, `v${n}x${d}.f32`);
  if (!existsSync(f)) execFileSync(py, [seedDedup, 'gen', '--n', String(n), '--d', String(d), '--out', f]);
  return f;
}
function pyRun(impl, f, n, d) {
  const out = execFileSync(py, [seedDedup, 'run', '--impl', impl, '--in', f, '--n', String(n), '--d', String(d)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').at(-1));
}

// RSS of one browser's processes only (the machine may run other Chromiums, e.g. e2e tests):
// the process tree under the browser started with our tag argument.
const tag = `--seedforge-bench-dedup=${process.pid}`;
const server = await createServer({ root, logLevel: 'warn', server: { port: 5199, strictPort: false, fs: { allow: [root, dir] } } });
await server.listen();
const base = server.resolvedUrls.local[0];

async function browserRun(args, n, d, kernel, file) {
  try {
    return await browserRunOnce(args, n, d, kernel, file);
  } catch (e) {
    // A crashed page (SwiftShader device loss, a dev-server reload) is a figure too.
    return { kernel, seconds: NaN, peakMiB: NaN, dups: NaN, dupsSha: `failed: ${String(e.message ?? e).split('\n')[0]}`, pairs: NaN };
  }
}

async function browserRunOnce(args, n, d, kernel, file) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: [...args, tag], headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}scripts/bench-dedup.html`);
    await page.waitForFunction(() => document.title === 'ready', null, { timeout: 120_000 });
    // Warm the worker and kernel modules (Vite transforms them on first request).
    await page.evaluate(() => fetch('/workers/dedup.worker.ts'));
    const before = chromiumRssMiB(tag);
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, chromiumRssMiB(tag))), 100);
    try {
      const r = await page.evaluate(([u, n, d, k]) => globalThis.runDedup(u, n, d, k), [`/@fs${file}`, n, d, kernel]);
      return { ...r, peakMiB: peak - before };
    } finally {
      clearInterval(timer);
    }
  } finally {
    await browser.close();
  }
}

const rows = [];
const show = (r) => { rows.push(r); const { keys, ...rest } = r; console.log(JSON.stringify(rest)); };
for (const [n, d] of sizes) {
  const f = gen(n, d);
  const emb = (n * d * 4) / 2 ** 20;
  const blk = pyRun('blocked', f, n, d);
  show({ N: n, D: d, impl: 'numpy blocked', seconds: blk.seconds, peakMiB: blk.peak_rss_mib, dups: blk.dups, sha: blk.dups_sha, embMiB: emb });
  if (n <= refMax) {
    const ref = pyRun('reference', f, n, d);
    show({ N: n, D: d, impl: 'reference', seconds: ref.seconds, peakMiB: ref.peak_rss_mib, dups: ref.dups, sha: ref.dups_sha, embMiB: emb });
  }
  const w = await browserRun(chromiumCfg.args, n, d, 'wasm', f);
  // Approximate mode (LSH buckets, planned for recall 0.99 at the threshold): its pair recall
  // against the exact kernel's pairs on the same vectors.
  const a = d === 384 && !process.env.BENCH_NO_APPROX ? await browserRun(chromiumCfg.args, n, d, 'approximate', f) : null;
  show({ N: n, D: d, impl: `wasm (${w.kernel})`, seconds: +w.seconds.toFixed(3), peakMiB: +w.peakMiB.toFixed(0), kernelMiB: +(emb + (n * Math.ceil(d / 16) * 16 + n * 8) / 2 ** 20).toFixed(0), dups: w.dups, sha: w.dupsSha, pairs: w.pairs, embMiB: emb, sameAsNumpy: w.dupsSha === blk.dups_sha });
  if (a) {
    const exactKeys = new Set(w.keys ?? []);
    const hit = (a.keys ?? []).filter((k) => exactKeys.has(k)).length;
    show({ N: n, D: d, impl: `approximate (${a.plan ? `${a.plan.bits} bits × ${a.plan.tables} tables` : 'failed'})`, seconds: +a.seconds.toFixed(3), peakMiB: +a.peakMiB.toFixed(0), dups: a.dups, sha: a.dupsSha, pairs: a.pairs, embMiB: emb, sameAsNumpy: a.dupsSha === blk.dups_sha, recall: exactKeys.size ? +(hit / exactKeys.size).toFixed(4) : NaN, falsePairs: (a.keys ?? []).length - hit });
  }
  if (n <= 10000 && d === 384 && !process.env.BENCH_NO_JS) {
    const j = await browserRun(chromiumCfg.args, n, d, 'js', f);
    show({ N: n, D: d, impl: 'js', seconds: +j.seconds.toFixed(3), peakMiB: +j.peakMiB.toFixed(0), dups: j.dups, sha: j.dupsSha, pairs: j.pairs, embMiB: emb, sameAsNumpy: j.dupsSha === blk.dups_sha, samePairsAsWasm: j.pairsSha === w.pairsSha });
  }
}
for (const [n, d] of gpuSizes) {
  const f = gen(n, d);
  const blk = pyRun('blocked', f, n, d);
  const g = await browserRun([...chromiumCfg.args, '--enable-unsafe-webgpu'], n, d, 'webgpu', f);
  show({ N: n, D: d, impl: 'webgpu (SwiftShader, CPU)', seconds: +g.seconds.toFixed(3), peakMiB: +g.peakMiB.toFixed(0), dups: g.dups, sha: g.dupsSha, pairs: g.pairs, numpySeconds: blk.seconds, sameAsNumpy: g.dupsSha === blk.dups_sha });
}
await server.close();

console.log('\n| N | D | implementation | seconds | peak MiB (embeddings MiB) | duplicates | same set as numpy | pair recall vs exact |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.N} | ${r.D} | ${r.impl} | ${r.seconds} | ${r.peakMiB}${r.embMiB ? ` (${r.embMiB.toFixed(0)})` : ''} | ${r.dups} (${r.sha}) | ${r.sameAsNumpy ?? '–'} | ${r.recall ?? '–'} |`);
