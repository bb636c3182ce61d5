// Quality benchmark with the real chat model (npm run bench:quality). Prints figures; asserts nothing.
//
// A fixed recipe — the small-model preset: Evol-Instruct 1 round (its elimination writes the
// response) + Respond + judge + filters — and Answer + judge, on the real chat model
// (`npm run models:chat`: TinyLlama-1.1B-Chat, 2-bit weights as Q4_K_M) as every role, through the
// real pipeline worker and IndexedDB in headless Chromium. Constrained output (the judge's GBNF
// grammar) is on, as it is by default; then the same answers are judged again with it off, to
// measure what the free-text parser alone makes of the same model's verdicts.
// Then the speed anchor: one fixed prompt through wllama in the page and through node-llama-cpp
// (the same GGUF, natively, with the same threads).
//
// Env: BENCH_SEEDS (any file the importer reads; default tests/fixtures/self-instruct-seed-tasks.jsonl),
// BENCH_N (seeds, default 10; 0 runs the speed probes alone), BENCH_THREADS (default: what the app uses, half the cores).
// The last line printed is one JSON object with the figures.
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };
import { cacheDir, chatModelPath, NODE_LLAMA_CPP } from './models-chat.mjs';

const root = resolve(import.meta.dirname, '..');
const seedsPath = resolve(process.env.BENCH_SEEDS ?? join(root, 'tests/fixtures/self-instruct-seed-tasks.jsonl'));
const n = Number(process.env.BENCH_N ?? 10);
const threads = Number(process.env.BENCH_THREADS ?? Math.max(1, Math.min(8, Math.floor(availableParallelism() / 2))));
const PROBE_PROMPT = 'Write a detailed story about a dragon who learns to cook, with three chapters.';
const PROBE_TOKENS = 64;

// The model: made (or found in the cache) by the same script as the tests use.
const made = spawnSync(process.execPath, [join(root, 'scripts/models-chat.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (made.status !== 0) process.exit(made.status ?? 1);
const modelPath = chatModelPath();

// No file watching: an edit elsewhere in the tree must not reload the page mid-run.
// The model's and the seed file's folders are served too (Vite serves only the project otherwise).
const server = await createServer({ root, logLevel: 'warn', server: { port: 5199, strictPort: false, watch: null, hmr: false, fs: { allow: [root, dirname(modelPath), dirname(seedsPath)] } } });
await server.listen();
const base = server.resolvedUrls.local[0];
// A persistent profile on disk: a fresh Playwright context is off the record, its storage held in
// memory under a small quota — there the 668 MB model stored in OPFS vanished after a run and
// storing it again failed with QuotaExceededError.
const profile = mkdtempSync(join(tmpdir(), 'seedforge-bench-quality-profile-'));
const browser = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path, args: chromiumCfg.args, headless: true });
const page = browser.pages()[0] ?? (await browser.newPage());
page.on('pageerror', (e) => console.error('page error:', e.message));
page.on('console', (m) => m.type() === 'warning' && console.error('page:', m.text()));
await page.goto(`${base}scripts/bench-quality.html`);
await page.waitForFunction(() => document.title === 'ready', null, { timeout: 300_000 });
const modelUrl = `/@fs${encodeURI(modelPath)}`;
const seedsUrl = `/@fs${encodeURI(seedsPath)}`;
const seedCount = await page.evaluate((o) => globalThis.benchQuality.prepare(o), { seedsUrl, seedsName: basename(seedsPath), modelUrl, n });
console.log(`seeds: ${seedCount} from ${seedsPath}; model ${basename(modelPath)}; ${threads} threads`);

// BENCH_N=0: the speed probes alone.
const list = n > 0 ? await page.evaluate(() => globalThis.benchQuality.recipes()) : [];
const runs = [];
for (const r of list) {
  const t0 = Date.now();
  const res = await page.evaluate(([input, t]) => globalThis.benchQuality.runRecipe(input, t), [r, threads]);
  runs.push({ name: r.name, ...res });
  console.log(`${r.name}: ${res.status} in ${((Date.now() - t0) / 1000).toFixed(0)} s — ${res.counts.accepted} accepted, ${res.counts.rejected} rejected ${JSON.stringify(res.counts.reasons)}`);
}

// The same answers judged again with constrained output off: the free-text parser alone.
const judged = runs.flatMap((r) => r.samples).filter((s) => s.output && s.calls.some((c) => c.op === 'judge'));
const again = await page.evaluate(() => globalThis.benchQuality.freeJudge());
await page.evaluate((seeds) => globalThis.benchQuality.useSeeds(seeds), judged.map((s, i) => ({ id: `j${i}`, instruction: s.instruction, input: s.input, output: s.output })));
const free = judged.length ? await page.evaluate(([input, t]) => globalThis.benchQuality.runRecipe(input, t), [again, threads]) : null;
if (free) console.log(`judge without constraints on the same ${judged.length} answers: ${free.status} in ${free.seconds.toFixed(0)} s`);

// Figures from the lineage of every sample.
const judgeStats = (samples) => {
  let calls = 0;
  let failures = 0;
  let constrained = 0;
  for (const s of samples) {
    for (const c of s.calls) {
      if (c.op !== 'judge') continue;
      calls++;
      if (c.constrained) constrained++;
      if (!c.parses) failures++;
    }
  }
  return { calls, failures, constrained };
};
const all = runs.flatMap((r) => r.samples);
const withC = judgeStats(all);
const withoutC = free ? judgeStats(free.samples) : { calls: 0, failures: 0, constrained: 0 };
const reasons = {};
for (const r of runs) for (const [k, v] of Object.entries(r.counts.reasons)) reasons[k] = (reasons[k] ?? 0) + v;
const speed = (samples) => {
  // Token-weighted: total tokens over total time at each call's reported rate.
  let gt = 0, gs = 0, pt = 0, ps = 0;
  for (const s of samples) for (const c of s.calls) {
    if (c.tokensPerSecond && c.completionTokens) { gt += c.completionTokens; gs += c.completionTokens / c.tokensPerSecond; }
    if (c.promptTokensPerSecond && c.promptTokens) { pt += c.promptTokens; ps += c.promptTokens / c.promptTokensPerSecond; }
  }
  return { generation: gs ? gt / gs : null, prompt: ps ? pt / ps : null };
};
const pipelineSpeed = speed(all);

// The speed anchor: the same prompt, wllama in the page and node-llama-cpp natively.
const wasm = await page.evaluate((o) => globalThis.benchQuality.probe(o), { modelUrl, threads, prompt: PROBE_PROMPT, tokens: PROBE_TOKENS });
await browser.close();
rmSync(profile, { recursive: true, force: true });
await server.close();
const native = nativeProbe();

const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const result = {
  seeds: seedCount,
  threads,
  items: runs.reduce((a, r) => a + r.counts.done, 0),
  accepted: runs.reduce((a, r) => a + r.counts.accepted, 0),
  rejectedByReason: reasons,
  judgeCalls: withC.calls,
  judgeParseFailures: withC.failures,
  judgeCallsConstrained: withC.constrained,
  judgeCallsWithoutConstraint: withoutC.calls,
  judgeParseFailuresWithoutConstraint: withoutC.failures,
  contextOverflows: reasons.contextOverflow ?? 0,
  promptTokensPerSecond: r2(pipelineSpeed.prompt),
  generationTokensPerSecond: r2(pipelineSpeed.generation),
  probe: { prompt: PROBE_PROMPT, tokens: PROBE_TOKENS, wllamaPrompt: r2(wasm.prompt), wllamaGeneration: r2(wasm.generation), nativePrompt: r2(native?.prompt), nativeGeneration: r2(native?.generation) },
  nativePromptTokensPerSecond: r2(native?.prompt),
  nativeGenerationTokensPerSecond: r2(native?.generation),
  generationRatio: native?.generation ? r2(wasm.generation / native.generation) : null,
  promptRatio: native?.prompt ? r2(wasm.prompt / native.prompt) : null,
  seconds: Math.round(runs.reduce((a, r) => a + r.seconds, 0) + (free?.seconds ?? 0)),
  modelStoredAgain: [...runs, ...(free ? [free] : [])].filter((r) => r.modelStoredAgain).length,
};

console.log('\n| figure | value |\n| --- | --- |');
for (const [k, v] of Object.entries(result)) if (typeof v !== 'object') console.log(`| ${k} | ${v} |`);
console.log(`| rejected by reason | ${JSON.stringify(reasons)} |`);
console.log(`| probe (${PROBE_TOKENS} tokens) | wllama ${wasm.prompt?.toFixed(2)} / ${wasm.generation?.toFixed(2)} tok/s (prompt / generation), native ${native?.prompt?.toFixed(2)} / ${native?.generation?.toFixed(2)} |`);
// Every sample with its lineage, to read what the model wrote (the figures' evidence).
const dump = join(tmpdir(), `seedforge-bench-quality-${Date.now()}.json`);
writeFileSync(dump, JSON.stringify({ result, runs, free }, null, 1));
console.log(`samples and lineage: ${dump}`);
console.log(JSON.stringify(result));

/**
 * node-llama-cpp (pinned, installed once into the model cache, never a project dependency: it is
 * only this benchmark's yardstick) on the same GGUF with the same threads: the chat template
 * applied, then PROBE_TOKENS greedy tokens; prompt and generation timed apart.
 */
function nativeProbe() {
  const dir = join(cacheDir, 'native');
  const entry = join(dir, 'node_modules/node-llama-cpp/dist/index.js');
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    const [name, version] = NODE_LLAMA_CPP.split('@');
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--omit=optional', NODE_LLAMA_CPP, `@${name}/linux-x64@${version}`], { stdio: 'inherit', env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' } });
    if (r.status !== 0) {
      console.error('node-llama-cpp could not be installed: no native anchor');
      return null;
    }
  }
  const code = `
    import { getLlama } from ${JSON.stringify(entry)};
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(modelPath)} });
    const ctx = await model.createContext({ contextSize: 2048, threads: ${threads} });
    const seq = ctx.getSequence();
    const prompt = '<|user|>\\n' + ${JSON.stringify(PROBE_PROMPT)} + '</s>\\n<|assistant|>\\n';
    const warm = model.tokenize('<|user|>\\nHi</s>\\n<|assistant|>\\n', true);
    for await (const _ of seq.evaluate(warm, { temperature: 0 })) break;
    await seq.clearHistory();
    const tokens = model.tokenize(prompt, true);
    const t0 = performance.now(); let first = 0, k = 0;
    for await (const _ of seq.evaluate(tokens, { temperature: 0 })) { if (!k) first = performance.now(); if (++k >= ${PROBE_TOKENS}) break; }
    const t1 = performance.now();
    console.log(JSON.stringify({ promptTokens: tokens.length, prompt: tokens.length / ((first - t0) / 1000), generation: (k - 1) / ((t1 - first) / 1000) }));
  `;
  // From a file, not `-e`: node-llama-cpp tests its binary in a child process that inherits execArgv.
  const script = join(dir, 'probe.mjs');
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = r.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    console.error('native probe failed:', r.stdout.slice(-500));
    return null;
  }
}
