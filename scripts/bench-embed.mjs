// Embedding benchmark (npm run bench:embed). Prints figures; asserts nothing.
// Texts/s of all-MiniLM-L6-v2 (int8, the bundled model) through the real embed worker in headless
// Chromium (Vite dev server with COOP/COEP, so onnxruntime-web runs multi-threaded WASM), and
// through onnxruntime-node (transformers.js' Node build) on the same model file with the same
// thread count. Time excludes loading and one warm-up batch; every measured text is distinct and
// the browser run uses a fresh cache database, so every text runs through the model.
// Env: BENCH_TEXTS (default 512), BENCH_BATCH (default 32), BENCH_THREADS (default: cores).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '..');
const count = Number(process.env.BENCH_TEXTS ?? 512);
const batch = Number(process.env.BENCH_BATCH ?? 32);
const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());

// Distinct English sentences of 8–24 words (a seeded generator, the same every run).
const words = 'the a model data user system quickly answer question write explain list three simple ways improve story about city river teacher student summer garden recipe bread music history science computer network safety budget travel health sleep water energy market'.split(' ');
let s = 42;
const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
const texts = Array.from({ length: count }, (_, i) => {
  const len = 8 + Math.floor(rand() * 17);
  return `${i}: ` + Array.from({ length: len }, () => words[Math.floor(rand() * words.length)]).join(' ') + '.';
});

const rows = [];

const server = await createServer({ root, logLevel: 'warn', server: { port: 5198, strictPort: false } });
await server.listen();
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: [...chromiumCfg.args], headless: true });
try {
  const page = await browser.newPage();
  await page.goto(`${base}scripts/bench-embed.html`);
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 120_000 });
  const r = await page.evaluate(([t, b]) => globalThis.runEmbed(t, b), [texts, batch]);
  rows.push({ impl: `worker, onnxruntime-web ${r.device} (${r.threads} threads${r.crossOriginIsolated ? ', isolated' : ''})`, texts: r.computed, seconds: +r.seconds.toFixed(2), textsPerSecond: +r.textsPerSecond.toFixed(1), foreignRequests: r.foreign.length });
  console.log(JSON.stringify(rows.at(-1)));
} finally {
  await browser.close();
  await server.close();
}

try {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = resolve(root, 'public/models') + '/';
  const extractor = await pipeline('feature-extraction', 'all-MiniLM-L6-v2', {
    device: 'cpu',
    dtype: 'q8',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  const norm = texts.map((t) => t.toLowerCase());
  await extractor(norm.slice(0, batch).map((t) => `warm up: ${t}`), { pooling: 'mean', normalize: true });
  const t0 = performance.now();
  for (let i = 0; i < norm.length; i += batch) await extractor(norm.slice(i, i + batch), { pooling: 'mean', normalize: true });
  const seconds = (performance.now() - t0) / 1000;
  rows.push({ impl: `onnxruntime-node cpu (${threads} threads)`, texts: count, seconds: +seconds.toFixed(2), textsPerSecond: +(count / seconds).toFixed(1) });
  console.log(JSON.stringify(rows.at(-1)));
} catch (e) {
  rows.push({ impl: 'onnxruntime-node', skipped: `could not run: ${String(e?.message ?? e).split('\n')[0]}` });
  console.log(JSON.stringify(rows.at(-1)));
}

console.log(`\nall-MiniLM-L6-v2 q8, ${count} distinct texts, batch ${batch}\n`);
console.log('| implementation | texts | seconds | texts/s |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(r.skipped ? `| ${r.impl} | skipped: ${r.skipped} | | |` : `| ${r.impl} | ${r.texts} | ${r.seconds} | ${r.textsPerSecond} |`);
const w = rows.find((r) => r.impl.startsWith('worker'));
const n = rows.find((r) => r.impl.startsWith('onnxruntime-node cpu'));
if (w && n) console.log(`\nworker / onnxruntime-node: ${(w.textsPerSecond / n.textsPerSecond).toFixed(2)}×`);
