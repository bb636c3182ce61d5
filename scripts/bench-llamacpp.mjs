// llama.cpp natively against llama.cpp in WebAssembly (npm run bench:llamacpp). Prints figures; asserts nothing.
//
// The same GGUF (the real chat model, `npm run models:chat`), the same prompts and the same number
// of threads through both local engines: wllama in headless Chromium (the app's WllamaEngine, on
// the Vite dev server with COOP/COEP so that the page is cross-origin isolated like the app, with
// the app's default threads unless BENCH_THREADS says otherwise) and node-llama-cpp in this Node
// process (the CLI's engine, src/cli/engines/llamaCpp.ts, with the settings the CLI gives it).
// Both are timed by one function, `probe` below (run in the page as source text), from the
// caller's side as the pipeline sees them:
//   - prompt tok/s: prompt tokens ÷ time to the first token (a seeded call evaluates its whole prompt);
//   - generation tok/s: tokens after the first ÷ the time after it, one call alone, greedy;
//   - aggregate tok/s: BENCH_CONCURRENCY calls started at once with the recipes' sampler
//     (temperature 0.7, top-p 0.95), all completion tokens ÷ the wall time until the last ends —
//     wllama answers one call at a time, node-llama-cpp one per context sequence in one batch.
// Rounds alternate the two engines back to back; the table shows the median of the rounds.
//
// Then a recipe, end to end (issue 15: "the same recipe 10× faster than the browser's
// WebAssembly"): Answer + judge over BENCH_RECIPE_SEEDS seeds, the answers and verdicts capped at
// BENCH_RECIPE_TOKENS tokens (wllama over the first BENCH_RECIPE_WASM_SEEDS of them), run
//   - by wllama in the page the way the app runs a local model: the app's runRecipe, one task at a
//     time (the app gives a run over local engines a concurrency of 1; wllama answers one call at
//     a time), into a store in memory;
//   - by the CLI, `seedforge run --gguf FILE --threads T --concurrency C --json` in a child
//     process (its SQLite store, its llama.cpp engine), for each C of BENCH_RECIPE_CONCURRENCY.
// Items/s leave the model's load out on both sides (the CLI's summary says its loadMs).
//
// Env: BENCH_THREADS (default: the app's, half the cores), BENCH_ROUNDS (default 1),
// BENCH_TOKENS (default 48), BENCH_CONCURRENCY (default 4: the calls the aggregate runs at once,
// as `seedforge run --gguf FILE --concurrency 4`), BENCH_RECIPE_SEEDS (8), BENCH_RECIPE_TOKENS
// (64), BENCH_RECIPE_CONCURRENCY (8,16), BENCH_RECIPE_WASM_SEEDS (all), BENCH_ONLY=recipe (the recipe rows alone) or
// BENCH_ONLY=tokens (the token rows alone). The last line printed is one JSON object.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build, createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };
import { chatModelPath } from './models-chat.mjs';

const root = resolve(import.meta.dirname, '..');
// The app's default in a cross-origin isolated page (wllamaEngine.ts defaultThreads): half the cores, at most 8.
const appThreads = Math.max(1, Math.min(8, Math.floor(availableParallelism() / 2)));
const threadList = [...new Set(String(process.env.BENCH_THREADS ?? appThreads).split(',').map(Number))];
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const tokens = Number(process.env.BENCH_TOKENS ?? 48);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const only = process.env.BENCH_ONLY ?? '';
const recipeSeeds = Number(process.env.BENCH_RECIPE_SEEDS ?? 8);
const recipeTokens = Number(process.env.BENCH_RECIPE_TOKENS ?? 64);
const recipeConcurrency = String(process.env.BENCH_RECIPE_CONCURRENCY ?? '8,16').split(',').map(Number);
// wllama makes one item at a time, so its items/s is the same over any number of seeds: a few
// of them (the first) are enough, where one item takes minutes in WebAssembly.
const wasmSeeds = Math.min(recipeSeeds, Number(process.env.BENCH_RECIPE_WASM_SEEDS ?? recipeSeeds));
// The quality benchmark's probe prompt: its figures and these line up.
const PROMPT = 'Write a detailed story about a dragon who learns to cook, with three chapters.';

/** The recipe rows' recipe (the answer-judge preset with short answers) and seeds, as files for the CLI. */
const RECIPE = {
  version: 1,
  name: 'Answer + judge (bench)',
  seed: 1,
  steps: [{ op: 'respond', maxTokens: recipeTokens }, { op: 'judge', minScore: 4, maxTokens: recipeTokens }, { op: 'filter' }],
};
const TOPICS = ['photosynthesis', 'compound interest', 'a binary search', 'why the sky is blue', 'how vaccines work', 'the water cycle', 'a hash table', 'inflation', 'plate tectonics', 'recursion', 'supply and demand', 'the French Revolution', 'gravity', 'a linked list', 'climate and weather', 'DNA replication'];
const SEEDS = Array.from({ length: recipeSeeds }, (_, i) => ({ instruction: `Explain ${TOPICS[i % TOPICS.length]} in two sentences${i >= TOPICS.length ? ` (take ${Math.floor(i / TOPICS.length) + 1})` : ''}.`, output: '' }));
const work = mkdtempSync(join(tmpdir(), 'seedforge-bench-llamacpp-'));
const recipeFile = join(work, 'recipe.json');
const seedFile = join(work, 'seeds.jsonl');
writeFileSync(recipeFile, JSON.stringify(RECIPE));
writeFileSync(seedFile, SEEDS.map((x) => JSON.stringify(x)).join('\n') + '\n');

// The model: made (or found in the cache) by the same script as the tests use.
const made = spawnSync(process.execPath, [join(root, 'scripts/models-chat.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (made.status !== 0) process.exit(made.status ?? 1);
const modelPath = chatModelPath();

/**
 * One engine timed: a warm-up call, one greedy call alone, then `concurrency` calls at once.
 * Runs in Node and, as source text, in the page: it uses only its arguments.
 */
async function probe(engine, complete, o) {
  await complete(engine, { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4, temperature: 0, seed: 1 });
  const d = await complete(engine, { messages: [{ role: 'user', content: o.prompt }], maxTokens: o.tokens, temperature: 0, seed: 1 });
  const genMs = d.timing.totalMs - d.timing.firstTokenMs;
  const t0 = performance.now();
  const all = await Promise.all(
    Array.from({ length: o.concurrency }, (_, i) =>
      complete(engine, { messages: [{ role: 'user', content: `${o.prompt} Call the dragon ${['Ash', 'Brim', 'Cinder', 'Drake', 'Ember', 'Flint', 'Glow', 'Hearth'][i % 8]}.` }], maxTokens: o.tokens, temperature: 0.7, topP: 0.95, seed: 100 + i }),
    ),
  );
  const wallMs = performance.now() - t0;
  const aggTokens = all.reduce((n, x) => n + (x.usage?.completionTokens ?? 0), 0);
  return {
    promptTokens: d.usage?.promptTokens ?? null,
    completionTokens: d.usage?.completionTokens ?? null,
    prompt: d.usage && d.timing.firstTokenMs ? (d.usage.promptTokens * 1000) / d.timing.firstTokenMs : null,
    generation: d.usage && genMs > 0 ? ((d.usage.completionTokens - 1) * 1000) / genMs : null,
    aggregate: (aggTokens * 1000) / wallMs,
    aggregateTokens: aggTokens,
  };
}

// No file watching: an edit elsewhere in the tree must not reload the page mid-run.
const server = await createServer({ root, logLevel: 'warn', server: { port: 5198, strictPort: false, watch: null, hmr: false, fs: { allow: [root, dirname(modelPath)] } } });
await server.listen();
const base = server.resolvedUrls.local[0];
const { createLlamaCppEngine } = await server.ssrLoadModule('/src/cli/engines/llamaCpp.ts');
const { complete } = await server.ssrLoadModule('/src/lib/engines/types.ts');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: chromiumCfg.args, headless: true });
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
// Any page of the dev server: the app's modules are imported into it as Vite serves them.
await page.goto(`${base}scripts/bench-quality.html`);
await page.waitForFunction(() => document.title === 'ready', null, { timeout: 300_000 });
const isolated = await page.evaluate(() => crossOriginIsolated);
const modelUrl = `/@fs${encodeURI(modelPath)}`;

/** wllama in the page, as the app makes it (the app's WllamaEngine; threads as given). */
async function wasmProbe(threads) {
  return page.evaluate(
    async ({ src, modelUrl, threads, o }) => {
      const { WllamaEngine } = await import('/src/lib/engines/local/wllamaEngine.ts');
      const { complete } = await import('/src/lib/engines/types.ts');
      const file = new File([await (await fetch(modelUrl)).blob()], 'bench-chat.gguf');
      const engine = new WllamaEngine({ kind: 'file', file, name: 'bench-chat.gguf' }, { threads });
      await engine.load();
      try {
        const r = await (0, eval)(`(${src})`)(engine, complete, o);
        return { ...r, threads: engine.threads, multithread: engine.multithread };
      } finally {
        await engine.unload();
      }
    },
    { src: probe.toString(), modelUrl, threads, o: { prompt: PROMPT, tokens, concurrency } },
  );
}

/** node-llama-cpp in this process, as `seedforge run --gguf FILE --threads T --concurrency N` makes it. */
async function nativeProbe(threads) {
  const engine = createLlamaCppEngine({ path: modelPath, threads, sequences: concurrency, gpu: false });
  await engine.load();
  try {
    return { ...(await probe(engine, complete, { prompt: PROMPT, tokens, concurrency })), threads: engine.threads, sequences: engine.maxConcurrency };
  } finally {
    await engine.unload();
  }
}

/** The recipe run by the app's pipeline over wllama in the page, one task at a time: items/s without the load. */
async function wasmRecipe(threads) {
  return page.evaluate(
    async ({ modelUrl, threads, recipe, seeds }) => {
      const { WllamaEngine } = await import('/src/lib/engines/local/wllamaEngine.ts');
      const { runRecipe } = await import('/src/lib/pipeline/run.ts');
      const { validateRecipe } = await import('/src/lib/pipeline/recipe.ts');
      const { MemoryRunStore } = await import('/tests/support/memoryRunStore.ts');
      const file = new File([await (await fetch(modelUrl)).blob()], 'bench-chat.gguf');
      const engine = new WllamaEngine({ kind: 'file', file, name: 'bench-chat.gguf' }, { threads });
      await engine.load();
      try {
        const store = new MemoryRunStore();
        const t0 = performance.now();
        await runRecipe({
          runId: 'bench',
          recipe: validateRecipe(recipe).recipe,
          seeds: seeds.map((x, i) => ({ id: `s${i}`, instruction: x.instruction, input: '', output: '' })),
          engines: { generator: engine, responder: engine, judge: engine },
          store,
          concurrency: 1,
        });
        const wallMs = performance.now() - t0;
        return { done: store.counts.done, calls: store.counts.calls, completionTokens: store.counts.completionTokens, wallMs, threads: engine.threads };
      } finally {
        await engine.unload();
      }
    },
    { modelUrl, threads, recipe: RECIPE, seeds: SEEDS.slice(0, wasmSeeds) },
  );
}

/** The CLI's build for the recipe rows: built once, into this run's own folder (a rebuild inside a timed child would count Vite). */
// In the repository (not under /tmp): the build leaves its packages to node_modules, found from where it lies.
const cliDist = join(root, `dist-llamacpp-cli-${process.pid}`);
let cliEntry = null;
async function buildCli() {
  const out = cliDist;
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  cliEntry = pathToFileURL(join(out, 'seedforge.mjs')).href;
}

/** The recipe run by `seedforge run --gguf` in a child process: its --json summary, items/s without the load. */
async function cliRecipe(threads, c) {
  const store = join(work, `store-${threads}-${c}-${Date.now()}`);
  const start = `import { main } from ${JSON.stringify(cliEntry)}; process.exit(await main(process.argv.slice(1)));`;
  const args = ['--input-type=module', '-e', start, 'run', '--store', store, '--recipe', recipeFile, '--seeds', seedFile, '--gguf', modelPath, '--threads', String(threads), '--concurrency', String(c), '--json'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr.setEncoding('utf8').on('data', (d) => (err = (err + d).slice(-4000)));
  const code = await new Promise((r) => child.on('close', r));
  const summary = JSON.parse(out.trim().split('\n').at(-1) || '{}');
  if (code !== 0 || summary.type !== 'summary') throw new Error(`seedforge run --gguf (concurrency ${c}) ended with exit ${code}: ${err.trim() || out.slice(-500)}`);
  return { done: summary.done, calls: summary.calls, completionTokens: summary.completionTokens, wallMs: summary.wallMs - summary.loadMs, loadMs: summary.loadMs };
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : null;
};
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const f1 = (x) => (x == null ? '-' : x.toFixed(1));

console.log(`model ${basename(modelPath)}; ${tokens} tokens; ${concurrency} calls at once for the aggregate; threads ${threadList.join(', ')}; ${rounds} round(s); page cross-origin isolated: ${isolated}`);
const rows = [];
const recipeRows = [];
const KEYS = ['prompt', 'generation', 'aggregate'];
const itemsPerS = (r) => (r.done * 1000) / r.wallMs;
try {
  for (const threads of only === 'recipe' ? [] : threadList) {
    const wasm = [];
    const native = [];
    for (let k = 0; k < rounds; k++) {
      wasm.push(await wasmProbe(threads));
      native.push(await nativeProbe(threads));
      const w = wasm.at(-1);
      const n = native.at(-1);
      console.log(
        `threads ${threads}, round ${k + 1}: wllama ${f1(w.prompt)} / ${f1(w.generation)} / ${f1(w.aggregate)} tok/s (prompt / generation / aggregate; ${w.threads} threads, multithread build ${w.multithread}), ` +
          `node-llama-cpp ${f1(n.prompt)} / ${f1(n.generation)} / ${f1(n.aggregate)} (${n.threads} threads, ${n.sequences} sequences)`,
      );
    }
    const row = { threads, wllamaThreads: wasm[0].threads, wllamaMultithread: wasm[0].multithread, nativeThreads: native[0].threads, sequences: native[0].sequences };
    row.promptTokens = { wllama: wasm[0].promptTokens, native: native[0].promptTokens };
    row.completionTokens = { wllama: wasm[0].completionTokens, native: native[0].completionTokens };
    row.aggregateTokens = { wllama: wasm[0].aggregateTokens, native: native[0].aggregateTokens };
    for (const key of KEYS) {
      const w = r2(median(wasm.map((x) => x[key])));
      const n = r2(median(native.map((x) => x[key])));
      row[key] = { wllama: w, native: n, ratio: w ? r2(n / w) : null };
    }
    rows.push(row);
  }
  if (only !== 'tokens') {
    await buildCli();
    console.log(`\nrecipe: Answer + judge over ${recipeSeeds} seeds (wllama: the first ${wasmSeeds}), answers and verdicts at most ${recipeTokens} tokens`);
    for (const threads of threadList) {
      const wasm = [];
      const native = Object.fromEntries(recipeConcurrency.map((c) => [c, []]));
      for (let k = 0; k < rounds; k++) {
        wasm.push(await wasmRecipe(threads));
        const w = wasm.at(-1);
        console.log(`threads ${threads}, round ${k + 1}: wllama (the app's way, 1 task at a time) ${w.done} items, ${w.calls} calls, ${w.completionTokens} tokens in ${f1(w.wallMs / 1000)} s = ${itemsPerS(w).toFixed(3)} items/s`);
        for (const c of recipeConcurrency) {
          native[c].push(await cliRecipe(threads, c));
          const n = native[c].at(-1);
          console.log(`threads ${threads}, round ${k + 1}: seedforge run --gguf --concurrency ${c}: ${n.done} items, ${n.calls} calls, ${n.completionTokens} tokens in ${f1(n.wallMs / 1000)} s (+ load ${f1(n.loadMs / 1000)} s) = ${itemsPerS(n).toFixed(3)} items/s`);
        }
      }
      const w = median(wasm.map(itemsPerS));
      for (const c of recipeConcurrency) {
        const n = median(native[c].map(itemsPerS));
        recipeRows.push({ threads, concurrency: c, wllamaItemsPerS: w, nativeItemsPerS: n, ratio: r2(n / w), wllama: wasm, native: native[c] });
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  for (const d of [work, cliDist]) rmSync(d, { recursive: true, force: true });
}

if (rows.length) {
  console.log(`\n| threads | what | wllama tok/s | node-llama-cpp tok/s | native ÷ wasm |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const label = { prompt: 'prompt', generation: 'generation, one call', aggregate: `generation, ${concurrency} calls at once` };
    for (const key of KEYS) console.log(`| ${r.threads} | ${label[key]} | ${r[key].wllama} | ${r[key].native} | ${r[key].ratio}× |`);
  }
}
if (recipeRows.length) {
  console.log(`\n| threads | recipe run by | items/s | CLI ÷ wllama |`);
  console.log('| --- | --- | --- | --- |');
  for (const t of threadList) {
    const mine = recipeRows.filter((r) => r.threads === t);
    if (!mine.length) continue;
    console.log(`| ${t} | wllama in Chromium, 1 task at a time (the app) | ${mine[0].wllamaItemsPerS.toFixed(3)} | 1× |`);
    for (const r of mine) console.log(`| ${t} | seedforge run --gguf --concurrency ${r.concurrency} | ${r.nativeItemsPerS.toFixed(3)} | ${r.ratio}× |`);
  }
}
console.log(JSON.stringify({ model: basename(modelPath), tokens, concurrency, rounds, isolated, rows, recipe: { seeds: recipeSeeds, wasmSeeds, maxTokens: recipeTokens, rows: recipeRows.map(({ wllama: _w, native: _n, ...r }) => ({ ...r, wllamaItemsPerS: r2(r.wllamaItemsPerS * 1000) / 1000, nativeItemsPerS: r2(r.nativeItemsPerS * 1000) / 1000 })) } }));
