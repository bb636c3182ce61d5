// llama.cpp natively against llama.cpp in WebAssembly (npm run bench:llamacpp). Prints figures; asserts nothing.
//
// The same GGUF (the real chat model, `npm run models:chat`), the same prompt and the same number
// of threads through both local engines: wllama in headless Chromium (the app's WllamaEngine, via
// the quality benchmark's page and its `probe`, on the Vite dev server with COOP/COEP so wasm
// threads run) and node-llama-cpp in this Node process (the CLI's engine,
// src/cli/engines/llamaCpp.ts, loaded through the same Vite server). Each probe loads its engine,
// warms it up with one short call, then times one greedy answer of BENCH_TOKENS tokens: prompt
// processing (to the first token) and generation (after it) apart. Rounds alternate the two
// engines back to back; the table shows the median of the rounds.
//
// Env: BENCH_THREADS (default "1,<cores>"), BENCH_ROUNDS (default 2), BENCH_TOKENS (default 64).
// The last line printed is one JSON object with the figures.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };
import { chatModelPath } from './models-chat.mjs';

const root = resolve(import.meta.dirname, '..');
const threadList = [...new Set(String(process.env.BENCH_THREADS ?? `1,${availableParallelism()}`).split(',').map(Number))];
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const tokens = Number(process.env.BENCH_TOKENS ?? 64);
// The quality benchmark's probe prompt: its figures and these line up.
const PROMPT = 'Write a detailed story about a dragon who learns to cook, with three chapters.';

// The model: made (or found in the cache) by the same script as the tests use.
const made = spawnSync(process.execPath, [join(root, 'scripts/models-chat.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (made.status !== 0) process.exit(made.status ?? 1);
const modelPath = chatModelPath();

// No file watching: an edit elsewhere in the tree must not reload the page mid-run.
const server = await createServer({ root, logLevel: 'warn', server: { port: 5198, strictPort: false, watch: null, hmr: false, fs: { allow: [root, dirname(modelPath)] } } });
await server.listen();
const base = server.resolvedUrls.local[0];
const { createLlamaCppEngine } = await server.ssrLoadModule('/src/cli/engines/llamaCpp.ts');
const { complete } = await server.ssrLoadModule('/src/lib/engines/types.ts');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: chromiumCfg.args, headless: true });
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(`${base}scripts/bench-quality.html`);
await page.waitForFunction(() => document.title === 'ready', null, { timeout: 300_000 });
const isolated = await page.evaluate(() => crossOriginIsolated);
const modelUrl = `/@fs${encodeURI(modelPath)}`;

/** wllama in the page: the quality benchmark's probe (load, warm up, one timed answer, unload). */
async function wasmProbe(threads) {
  const r = await page.evaluate((o) => globalThis.benchQuality.probe(o), { modelUrl, threads, prompt: PROMPT, tokens });
  return { threads: r.threads, prompt: r.prompt, generation: r.generation, completionTokens: r.usage?.completionTokens ?? null };
}

/** node-llama-cpp in this process, the same way. */
async function nativeProbe(threads) {
  const engine = createLlamaCppEngine({ path: modelPath, threads, gpu: false });
  await engine.load();
  try {
    await complete(engine, { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4, temperature: 0, seed: 1 });
    const d = await complete(engine, { messages: [{ role: 'user', content: PROMPT }], maxTokens: tokens, temperature: 0, seed: 1 });
    return { threads: engine.threads, prompt: d.timing.promptTokensPerSecond, generation: d.timing.tokensPerSecond, completionTokens: d.usage?.completionTokens ?? null };
  } finally {
    await engine.unload();
  }
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : null;
};
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);

console.log(`model ${basename(modelPath)}; ${tokens} tokens greedy; threads ${threadList.join(', ')}; ${rounds} rounds; page cross-origin isolated: ${isolated}`);
const rows = [];
try {
  for (const threads of threadList) {
    const wasm = [];
    const native = [];
    for (let k = 0; k < rounds; k++) {
      wasm.push(await wasmProbe(threads));
      native.push(await nativeProbe(threads));
      const w = wasm.at(-1);
      const n = native.at(-1);
      console.log(`threads ${threads}, round ${k + 1}: wllama ${w.prompt?.toFixed(1)} / ${w.generation?.toFixed(1)} tok/s (prompt / generation, ${w.threads} threads), node-llama-cpp ${n.prompt?.toFixed(1)} / ${n.generation?.toFixed(1)} (${n.threads} threads)`);
    }
    const row = {
      threads,
      wllamaThreads: wasm[0].threads,
      nativeThreads: native[0].threads,
      completionTokens: { wllama: wasm[0].completionTokens, native: native[0].completionTokens },
      wllamaPrompt: r2(median(wasm.map((x) => x.prompt))),
      wllamaGeneration: r2(median(wasm.map((x) => x.generation))),
      nativePrompt: r2(median(native.map((x) => x.prompt))),
      nativeGeneration: r2(median(native.map((x) => x.generation))),
    };
    row.generationRatio = row.wllamaGeneration ? r2(row.nativeGeneration / row.wllamaGeneration) : null;
    row.promptRatio = row.wllamaPrompt ? r2(row.nativePrompt / row.wllamaPrompt) : null;
    rows.push(row);
  }
} finally {
  await browser.close();
  await server.close();
}

console.log('\n| threads | wllama prompt tok/s | wllama generation tok/s | node-llama-cpp prompt tok/s | node-llama-cpp generation tok/s | native ÷ wasm, generation | native ÷ wasm, prompt |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.threads} | ${r.wllamaPrompt} | ${r.wllamaGeneration} | ${r.nativePrompt} | ${r.nativeGeneration} | ${r.generationRatio}× | ${r.promptRatio}× |`);
}
console.log(JSON.stringify({ model: basename(modelPath), tokens, rounds, isolated, rows }));
