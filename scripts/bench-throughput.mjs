// Throughput benchmark (npm run bench:throughput; issue 15). Prints figures; asserts nothing.
//
// A fake OpenAI-compatible endpoint (scripts/fakeLlm.mjs) with a fixed per-request latency and a
// capacity of K requests served at once (the rest queue, like vLLM's max_num_seqs behind uvicorn's
// HTTP/1.1): its ceiling is K / latency requests per second. The Answer + judge preset makes two
// calls per item, so the ceiling in items/s is K / latency / 2 (the calls per item are measured,
// not assumed). One fresh server per measurement, so no row inherits another's queue or sockets.
//
// Rows:
//  - the built app in headless Chromium (vite preview, the isolation headers), the endpoint added
//    on the Models screen at the most parallel calls the app allows: the browser keeps at most 6
//    HTTP/1.1 connections per host, which is the point of the row (the server's maxInFlight);
//  - the CLI (bin/seedforge.mjs run --json, a child process) at 6, 64 and 256 in flight;
//  - the CLI's peak RSS (VmHWM of the child, read from /proc while it runs) at 10k and 100k items,
//    256 in flight against a ~1 ms endpoint so the pipeline, not the server, sets the pace; flat
//    means the ratio is close to 1;
//  - pipeline time outside model calls: the measure is explained where it is printed.
//
// Sizes (environment): BENCH_K (64), BENCH_LATENCY ms (50), BENCH_ITEMS (CLI rows at 64 and 256,
// 4000), BENCH_SLOW_ITEMS (the app row and the CLI at 6, 600), BENCH_SERIAL_ITEMS (100),
// BENCH_SMALL (10000) and BENCH_BIG (100000) for the RSS rows, BENCH_RSS_LATENCY ms (1),
// BENCH_SLOW_LATENCY ms (500) and BENCH_SLOW_LATENCY_ITEMS (2000) for the row at a GPU-like latency,
// BENCH_APP=0 to leave the app row out, BENCH_ONLY=rss for the RSS rows alone. A quick run: BENCH_ITEMS=1000 BENCH_SLOW_ITEMS=200
// BENCH_SERIAL_ITEMS=30 BENCH_SMALL=1000 BENCH_BIG=10000 BENCH_SLOW_LATENCY_ITEMS=300.
//
// The app and the CLI are built once, at the start, into folders of this run's own (removed at the
// end): bin/seedforge.mjs rebuilds dist-cli whenever a source is newer, and in a working copy that
// others edit a rebuild inside a measured child would count Vite in its time and its RSS.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import chromiumConfig from '../chromium.json' with { type: 'json' };
import { startFakeLlm } from './fakeLlm.mjs';

const env = (k, d) => (process.env[k] === undefined || process.env[k] === '' ? d : Number(process.env[k]));
const K = env('BENCH_K', 64);
const LATENCY = env('BENCH_LATENCY', 50);
const ITEMS = env('BENCH_ITEMS', 4000);
const SLOW_ITEMS = env('BENCH_SLOW_ITEMS', 600);
const SERIAL_ITEMS = env('BENCH_SERIAL_ITEMS', 100);
const SMALL = env('BENCH_SMALL', 10_000);
const BIG = env('BENCH_BIG', 100_000);
const RSS_LATENCY = env('BENCH_RSS_LATENCY', 1);
const SLOW_LATENCY = env('BENCH_SLOW_LATENCY', 500);
const SLOW_LATENCY_ITEMS = env('BENCH_SLOW_LATENCY_ITEMS', 2000);
const ONLY_RSS = process.env.BENCH_ONLY === 'rss';
const APP = process.env.BENCH_APP !== '0' && !ONLY_RSS;
const root = fileURLToPath(new URL('..', import.meta.url));
const APP_DIST = `dist-throughput-app-${process.pid}`;
const CLI_DIST = join(root, `dist-throughput-cli-${process.pid}`);
const CAPACITY_RPS = (K * 1000) / LATENCY;

const dir = join(tmpdir(), `seedforge-bench-throughput-${process.pid}`);
mkdirSync(dir, { recursive: true });

/** A seed file of `n` distinct instructions (JSONL, as the app imports). */
function seeds(n) {
  const file = join(dir, `seeds-${n}.jsonl`);
  if (!existsSync(file)) writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ instruction: `Explain point number ${i} of the plan in plain words.`, output: '' })).join('\n') + '\n');
  return file;
}

/** Peak and current RSS (MiB) of a process from /proc, or null once it has ended. */
function memOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null once it has ended. */
function cpuOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/**
 * One CLI run in a child process against a fresh fake server: the run's summary (its --json last
 * line), the server's stats, the child's peak RSS and the process's wall time.
 */
async function cliRun({ items, concurrency, latencyMs, capacity, traceGc = false }) {
  const fake = await startFakeLlm({ latencyMs, capacity, record: false });
  const store = join(dir, `store-${items}-${concurrency}-${Date.now()}`);
  // The runner as bin/seedforge.mjs starts it, from this run's own build (see the top).
  const start = `import { main } from ${JSON.stringify(pathToFileURL(join(CLI_DIST, 'seedforge.mjs')).href)}; process.exit(await main(process.argv.slice(1)));`;
  const args = [...(traceGc ? ['--trace-gc'] : []), '--input-type=module', '-e', start, 'run', '--store', store, '--preset', 'answer-judge', '--seeds', seeds(items), '--endpoint', fake.url, '--model', 'fake-model', '--concurrency', String(concurrency), '--json'];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let hwm = 0;
  let cpuS = 0;
  const serverCpu0 = process.cpuUsage();
  const poll = setInterval(() => {
    const m = memOf(child.pid);
    if (m) hwm = Math.max(hwm, m.hwm);
    cpuS = cpuOf(child.pid) ?? cpuS;
  }, 100);
  // Only the last JSON line is kept: at 100k items the progress lines would be memory of their own.
  // With --trace-gc, V8 prints each full GC's heap before and after on the same stdout.
  let last = '';
  let tail = '';
  /** VmHWM when the first line came: the seeds are imported and the run has started. */
  let hwmAtStart = null;
  /** V8 heap (MiB) left live after each full mark-compact, in order. */
  const liveAfterGc = [];
  child.stdout.setEncoding('utf8').on('data', (s) => {
    tail += s;
    const lines = tail.split('\n');
    tail = lines.pop();
    for (const l of lines) {
      if (l.startsWith('{')) {
        last = l;
        hwmAtStart ??= memOf(child.pid)?.hwm ?? null;
      }
      const gc = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(l);
      if (gc) liveAfterGc.push(Number(gc[1]));
    }
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s) => (err = (err + s).slice(-4000)));
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  clearInterval(poll);
  const processS = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(serverCpu0);
  const serverCpuS = (used.user + used.system) / 1e6;
  const stats = fake.stats();
  await fake.close();
  rmSync(store, { recursive: true, force: true });
  const summary = JSON.parse((tail.startsWith('{') ? tail : last) || '{}');
  if (code !== 0 || summary.type !== 'summary') throw new Error(`the CLI run (${items} items, ${concurrency} in flight) ended with exit ${code}: ${err.trim() || last}`);
  return { summary, stats, hwm, hwmAtStart, processS, cpuS, serverCpuS, liveAfterGc };
}

/**
 * The built app in Chromium: seeds imported, the fake endpoint added (through the preview
 * server's proxy, so same-origin — the fake sends no CORS headers — and one host, so Chromium's
 * 6-connection cap applies as it would to a vLLM URL), Answer + judge, run to its end. Returns the
 * run's counts from IndexedDB and the server's stats.
 */
async function appRun(items) {
  const fake = await startFakeLlm({ latencyMs: LATENCY, capacity: K, record: false });
  const server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir: APP_DIST },
    preview: { host: '127.0.0.1', port: 4330, strictPort: false, proxy: { '/fake': { target: `http://127.0.0.1:${fake.port}`, rewrite: (p) => p.replace(/^\/fake/, '') } } },
  });
  const url = server.resolvedUrls.local[0].replace(/\/$/, '');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? chromiumConfig.path, args: chromiumConfig.args, headless: true });
  try {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(url + '/#/seeds');
    await page.waitForSelector('.app[data-ready="true"]');
    await page.setInputFiles('[data-testid="file-input"]', seeds(items));
    await page.waitForSelector('[data-testid="import-summary"]');
    await page.click('[data-testid="import-confirm"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="seed-count"]')?.textContent === String(n), items, { timeout: 120_000 });
    await page.goto(url + '/#/models');
    await page.click('[data-testid="endpoint-add"]');
    await page.selectOption('[data-testid="endpoint-preset"]', 'custom');
    await page.fill('[data-testid="endpoint-name"]', 'Fake');
    await page.fill('[data-testid="endpoint-url"]', `${url}/fake/v1`);
    await page.fill('[data-testid="endpoint-model"]', 'fake-model');
    // The most parallel calls the form allows (its max): the browser, not the app, caps the wire.
    const parallel = page.getByLabel('Parallel calls');
    const appMax = Number((await parallel.getAttribute('max')) ?? 64);
    await parallel.fill(String(appMax));
    await page.click('[data-testid="endpoint-save"]');
    await page.waitForSelector('[data-testid="endpoint-row"]');
    for (const role of ['generator', 'responder', 'judge']) await page.selectOption(`[data-testid="role-${role}"]`, { label: 'API · Fake · fake-model' });
    await page.goto(url + '/#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    await page.goto(url + '/#/run');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 3_600_000 });
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
    return { counts, stats: fake.stats(), appMax };
  } finally {
    await browser.close();
    await new Promise((r) => server.httpServer.close(r));
    await fake.close();
  }
}

/** A throughput row from a run's counts and its server's stats. */
function row(label, inFlight, counts, stats, extra = {}, capacityRps = CAPACITY_RPS) {
  const wallS = counts.wallMs / 1000;
  const callsPerItem = counts.calls / counts.done;
  const itemsPerS = counts.done / wallS;
  const capItems = capacityRps / callsPerItem;
  return { label, inFlight, items: counts.done, itemsPerS, capItems, share: itemsPerS / capItems, maxInFlight: stats.maxInFlight, ...extra };
}

/** Builds the CLI (and the app, unless BENCH_APP=0) into this run's folders. */
async function buildAll() {
  await build({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'warn', build: { outDir: CLI_DIST, emptyOutDir: true } });
  if (APP) await build({ root, logLevel: 'warn', build: { outDir: APP_DIST, emptyOutDir: true } });
}

const f1 = (x) => (x == null ? '—' : x.toFixed(1));
try {
  await buildAll();
  if (!ONLY_RSS) await throughputRows();
  await rssRows();
} finally {
  for (const d of [dir, CLI_DIST, join(root, APP_DIST)]) rmSync(d, { recursive: true, force: true });
}

/** The throughput table, and the pipeline's time outside model calls. */
async function throughputRows() {
  const rows = [];
  console.log(`fake endpoint: capacity K=${K} requests at once, ${LATENCY} ms each → ${CAPACITY_RPS.toFixed(0)} requests/s; Answer + judge preset`);

  if (APP) {
    const a = await appRun(SLOW_ITEMS);
    rows.push(row(`app (Chromium), ${a.appMax} parallel calls set`, a.appMax, a.counts, a.stats));
    console.log(`  app: ${a.counts.done} items in ${f1(a.counts.wallMs / 1000)} s, server saw at most ${a.stats.maxInFlight} requests at once`);
  }
  let atK = null;
  for (const c of [6, 64, 256]) {
    const items = c < K ? SLOW_ITEMS : ITEMS;
    const r = await cliRun({ items, concurrency: c, latencyMs: LATENCY, capacity: K });
    rows.push(row('CLI', c, r.summary, r.stats, { hwm: r.hwm, cpuMsPerItem: (r.cpuS * 1000) / r.summary.done }));
    if (c === K) atK = r.summary;
    // The CLI's CPU over its wall time: near 1 means its one thread is the limit; well below 1 with
    // the endpoint below capacity means other processes took the cores (load average printed).
    console.log(`  CLI at ${c}: ${r.summary.done} items, ${r.summary.calls} calls in ${f1(r.summary.wallMs / 1000)} s (process ${f1(r.processS)} s), server completed ${r.stats.completed}; CPU: CLI ${f1(r.cpuS)} s (${((r.cpuS * 1000) / r.summary.done).toFixed(2)} ms/item, ${f1((r.cpuS / r.processS) * 100)} % of its wall time), fake server ${f1(r.serverCpuS)} s; load average ${loadavg()[0].toFixed(1)}`);
  }
  // The same K at a latency nearer a GPU server's (an answer of a few hundred tokens takes seconds):
  // the endpoint's ceiling is then below what one CLI process can drive, so this row shows whether the
  // runner keeps K requests busy when its own CPU is not what limits it.
  {
    const cap = (K * 1000) / SLOW_LATENCY;
    const r = await cliRun({ items: SLOW_LATENCY_ITEMS, concurrency: K, latencyMs: SLOW_LATENCY, capacity: K });
    rows.push(row(`CLI, endpoint ${SLOW_LATENCY} ms`, K, r.summary, r.stats, { hwm: r.hwm, cpuMsPerItem: (r.cpuS * 1000) / r.summary.done }, cap));
    console.log(`  CLI at ${K}, ${SLOW_LATENCY} ms: ${r.summary.done} items in ${f1(r.summary.wallMs / 1000)} s, capacity ${cap.toFixed(0)} requests/s`);
  }

  console.log('\nthroughput (items/s from the run\'s own wall time; capacity = K / latency / calls per item)');
  console.log('| runner | in flight | items | items/s | capacity items/s | % of capacity | server maxInFlight | peak RSS MiB | CLI CPU ms/item |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.inFlight} | ${r.items} | ${f1(r.itemsPerS)} | ${f1(r.capItems)} | ${f1(r.share * 100)} % | ${r.maxInFlight} | ${f1(r.hwm)} | ${r.cpuMsPerItem == null ? '—' : r.cpuMsPerItem.toFixed(2)} |`);
  const cli = rows.filter((r) => r.label === 'CLI');
  const best = Math.max(...cli.map((r) => r.share));
  console.log(`CLI best share of the endpoint's capacity at ${LATENCY} ms: ${f1(best * 100)} % (target ≥ 95 %)`);
  // One Node process runs the pipeline on one thread: its CPU per item bounds its rate, whatever the server.
  const cpu = Math.min(...cli.map((r) => r.cpuMsPerItem));
  console.log(`one CLI process at ${cpu.toFixed(2)} ms of CPU per item can drive at most ~${f1(1000 / cpu)} items/s (${f1((2000 / cpu))} requests/s at 2 calls/item) on this machine`);

  /**
   * Pipeline time outside model calls. The run's counts give wallMs (the run's clock) and modelMs
   * (the time inside engine.chat: queueing for the limiter, the request and its parsing), summed
   * over calls — with 64 calls at once modelMs is ~64× the wall and the difference means nothing.
   * So: one run at 1 in flight, where calls never overlap and wallMs − modelMs is exactly the
   * pipeline's own time (prompts, parsing, filters, the SQLite commit, progress); and for the run at
   * K in flight, per slot: 1 − modelMs / (wallMs × K), which also counts the ramp-up and the last
   * tasks' tail when slots stand idle, so it is an upper bound.
   */
  {
    const r = await cliRun({ items: SERIAL_ITEMS, concurrency: 1, latencyMs: LATENCY, capacity: K });
    const s = r.summary;
    const outside = s.wallMs - s.modelMs;
    console.log(`\npipeline time outside model calls (CLI, 1 in flight, ${s.done} items, ${s.calls} calls of ${LATENCY} ms):`);
    console.log(`  wall ${f1(s.wallMs / 1000)} s, in model calls ${f1(s.modelMs / 1000)} s, outside ${(outside / 1000).toFixed(2)} s = ${f1((outside / s.wallMs) * 100)} % (target ≤ 5 %), ${(outside / s.done).toFixed(2)} ms per item`);
    if (atK) console.log(`  per slot at ${K} in flight (${atK.done} items): ${f1((1 - atK.modelMs / (atK.wallMs * K)) * 100)} % of slot time outside model calls (ramp-up and tail included)`);
  }
}

/** Peak RSS of the CLI at BENCH_SMALL and BENCH_BIG items. */
async function rssRows() {
  // VmHWM is the process's peak, and V8 lets its heap grow far past what is live before a full GC
  // when memory is plenty, so a longer run can peak higher with nothing retained. The heap left live
  // after each full GC (V8's --trace-gc) tells the two apart: flat there means nothing accumulates.
  console.log(`\npeak RSS of the CLI (VmHWM), 256 in flight, endpoint ${RSS_LATENCY} ms, capacity 256:`);
  const mem = [];
  for (const n of [SMALL, BIG]) {
    const r = await cliRun({ items: n, concurrency: 256, latencyMs: RSS_LATENCY, capacity: 256, traceGc: true });
    const live = r.liveAfterGc.slice(1); // the first full GC runs during start-up
    mem.push({ hwm: r.hwm, live: live.length ? Math.max(...live) : null });
    console.log(`  ${n} items: VmHWM ${f1(r.hwm)} MiB (${f1(r.hwmAtStart)} MiB when the run started, after the import); live V8 heap after full GCs max ${f1(mem.at(-1).live)} MiB (${live.length} full GCs, last ${f1(live.at(-1))} MiB); ${r.summary.calls} calls, run ${f1(r.summary.wallMs / 1000)} s (process ${f1(r.processS)} s), ${f1(r.summary.done / (r.summary.wallMs / 1000))} items/s`);
  }
  console.log(`  ratio ${BIG}/${SMALL} items: VmHWM ${(mem[1].hwm / mem[0].hwm).toFixed(2)}× (target ≤ 1.15×), live heap ${mem[0].live && mem[1].live ? (mem[1].live / mem[0].live).toFixed(2) : '—'}× (flat ≈ 1)`);
}
