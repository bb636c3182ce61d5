// Embedding benchmark (npm run bench:embed). Prints figures; asserts nothing.
// Texts/s of all-MiniLM-L6-v2 (int8, the bundled model file) through the real embed worker in
// headless Chromium (Vite dev server with COOP/COEP), and through onnxruntime-node
// (transformers.js' Node build) on the same model file with the same thread count, back to back,
// in rounds. Time excludes loading and one warm-up batch; every measured text is distinct and each
// browser pass uses a fresh worker and cache database, so every text runs through the model (and
// its vector is written to the IndexedDB cache, as in the app).
//
// What each side does:
// - worker, Seedforge encoder: the app's default for the bundled model (src/lib/embed/encoder:
//   WebAssembly SIMD, 16-bit integer products, no padding; `threads` encoder workers).
// - worker, onnxruntime-web: the same worker with engine 'onnxruntime' (multi-threaded WASM).
// - onnxruntime-node: its default session, which fuses the file's int8 weights into MatMulNBits
//   and quantises activations to int8 (accuracy level 4: AVX-512 VNNI on this CPU), and, as
//   "exact", with that off (session.disable_quant_qdq: float products, like both browser engines).
// Every side gets the texts in the same order (by length, as the worker batches them, unless
// BENCH_ORDER=input) and the same batches.
// Env: BENCH_TEXTS (default 512), BENCH_BATCH (default 32), BENCH_THREADS (default "1,<cores>"),
// BENCH_ROUNDS (default 2), BENCH_ORT_WEB=0 skips the onnxruntime-web passes.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '..');
const count = Number(process.env.BENCH_TEXTS ?? 512);
const batch = Number(process.env.BENCH_BATCH ?? 32);
const threadList = [...new Set(String(process.env.BENCH_THREADS ?? `1,${availableParallelism()}`).split(',').map(Number))];
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const sorted = process.env.BENCH_ORDER !== 'input';
const withOrtWeb = process.env.BENCH_ORT_WEB !== '0';

// Distinct English sentences of 8–24 words (a seeded generator, the same every run).
const words = 'the a model data user system quickly answer question write explain list three simple ways improve story about city river teacher student summer garden recipe bread music history science computer network safety budget travel health sleep water energy market'.split(' ');
let s = 42;
const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
const texts = Array.from({ length: count }, (_, i) => {
  const len = 8 + Math.floor(rand() * 17);
  return `${i}: ` + Array.from({ length: len }, () => words[Math.floor(rand() * words.length)]).join(' ') + '.';
});
// What the worker embeds (normalizeText lower-cases; these texts have nothing else to normalise),
// in input order and in the worker's length order (byLength: stable sort by characters).
const norm = texts.map((t) => t.toLowerCase());
const sortedNorm = norm.map((t, i) => [t, i]).sort((a, b) => a[0].length - b[0].length || a[1] - b[1]).map((x) => x[0]);

const rows = [];
const log = (r) => {
  rows.push(r);
  console.log(JSON.stringify(r));
};

// onnxruntime-node through transformers.js, one pipeline per thread count (kept across rounds).
const { env, pipeline } = await import('@huggingface/transformers');
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = resolve(root, 'public/models') + '/';
const nodePipes = new Map();
async function nodePass(threads, sorted, exact) {
  let extractor = nodePipes.get(`${threads}/${exact}`);
  if (!extractor) {
    extractor = await pipeline('feature-extraction', 'all-MiniLM-L6-v2', {
      device: 'cpu',
      dtype: 'q8',
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, ...(exact ? { extra: { session: { disable_quant_qdq: '1' } } } : {}) },
    });
    await extractor(norm.slice(0, batch).map((t) => `warm up: ${t}`), { pooling: 'mean', normalize: true });
    nodePipes.set(`${threads}/${exact}`, extractor);
  }
  const input = sorted ? sortedNorm : norm;
  const t0 = performance.now();
  for (let i = 0; i < input.length; i += batch) await extractor(input.slice(i, i + batch), { pooling: 'mean', normalize: true });
  const seconds = (performance.now() - t0) / 1000;
  return { side: exact ? 'onnxruntime-node, exact (float products)' : 'onnxruntime-node (default: int8 activations)', threads, sorted, texts: count, seconds: +seconds.toFixed(2), textsPerSecond: +(count / seconds).toFixed(1) };
}

const server = await createServer({ root, logLevel: 'warn', server: { port: 5198, strictPort: false } });
await server.listen();
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: [...chromiumCfg.args], headless: true });
try {
  const page = await browser.newPage();
  const open = async () => {
    await page.goto(`${base}scripts/bench-embed.html`);
    await page.waitForFunction(() => document.title === 'ready', null, { timeout: 120_000 });
  };
  await open();
  async function webPass(threads, sorted, engine) {
    const pass = () => page.evaluate(([t, o]) => globalThis.runEmbed(t, o), [texts, { batchSize: batch, threads, sortByLength: sorted, engine }]);
    // The dev server reloads the page when it re-optimises dependencies: open it again, once.
    const r = await pass().catch(async (e) => {
      if (!/context was destroyed|navigation/i.test(String(e?.message))) throw e;
      await open();
      return pass();
    });
    const name = r.engine === 'seedforge-wasm' ? 'worker, Seedforge encoder (wasm SIMD)' : `worker, onnxruntime-web ${r.device}`;
    return { side: name, threads: r.threads, sorted, texts: r.computed, seconds: +r.seconds.toFixed(2), textsPerSecond: +r.textsPerSecond.toFixed(1), isolated: r.crossOriginIsolated, foreignRequests: r.foreign.length };
  }
  for (let round = 1; round <= rounds; round++) {
    for (const threads of threadList) {
      log({ round, ...(await webPass(threads, sorted, 'auto')) });
      if (withOrtWeb) log({ round, ...(await webPass(threads, sorted, 'onnxruntime')) });
      log({ round, ...(await nodePass(threads, sorted, false)) });
      log({ round, ...(await nodePass(threads, sorted, true)) });
    }
  }
} finally {
  await browser.close();
  await server.close();
}

console.log(`\nall-MiniLM-L6-v2 q8 (public/models/all-MiniLM-L6-v2/onnx/model_quantized.onnx, every side), ${count} distinct texts, batch ${batch}, ${sorted ? 'by length' : 'input order'}, page ${rows.some((r) => r.isolated) ? 'cross-origin isolated' : 'not isolated'}\n`);
console.log('| round | implementation | threads | texts/s | ÷ node default | ÷ node exact |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const peer = (exact) => rows.find((x) => x.round === r.round && x.threads === r.threads && x.side.startsWith('onnxruntime-node') && x.side.includes('exact') === exact);
  const ratio = (p) => (r.side.startsWith('worker') && p ? `${(r.textsPerSecond / p.textsPerSecond).toFixed(2)}×` : '');
  console.log(`| ${r.round} | ${r.side} | ${r.threads} | ${r.textsPerSecond} | ${ratio(peer(false))} | ${ratio(peer(true))} |`);
}
