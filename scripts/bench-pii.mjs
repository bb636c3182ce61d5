// `npm run bench:pii` (issue 17): precision and recall of detectPii per type on the labelled corpus
// tests/fixtures/pii/corpus.jsonl (a finding counts when type and offsets match a span exactly),
// and throughput on ~1 MB of corpus text. Loads the TypeScript through vite's ssrLoadModule.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'vite';

const root = resolve(import.meta.dirname, '..');
const server = await createServer({ root, logLevel: 'warn', server: { middlewareMode: true, watch: null, hmr: false }, appType: 'custom' });
try {
  const { detectPii } = await server.ssrLoadModule('/src/lib/privacy/pii.ts');
  const lines = readFileSync(resolve(root, 'tests/fixtures/pii/corpus.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const stats = new Map();
  const row = (t) => stats.get(t) ?? (stats.set(t, { tp: 0, fp: 0, fn: 0 }), stats.get(t));
  const misses = [];
  for (const { text, spans } of lines) {
    const found = detectPii(text);
    const key = (s) => `${s.type}:${s.start}:${s.end}`;
    const gold = new Set(spans.map(key));
    const got = new Set(found.map(key));
    for (const f of found) { if (gold.has(key(f))) row(f.type).tp++; else { row(f.type).fp++; misses.push(`FP ${f.type} "${f.text}" in ${text}`); } }
    for (const s of spans) if (!got.has(key(s))) { row(s.type).fn++; misses.push(`FN ${s.type} "${text.slice(s.start, s.end)}" in ${text}`); }
  }
  const fmt = (x) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
  const all = { tp: 0, fp: 0, fn: 0 };
  console.log('type        tp   fp   fn  precision  recall');
  for (const [t, s] of [...stats].sort()) {
    all.tp += s.tp; all.fp += s.fp; all.fn += s.fn;
    console.log(`${t.padEnd(10)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}  ${fmt(s.tp / (s.tp + s.fp)).padStart(9)}  ${fmt(s.tp / (s.tp + s.fn)).padStart(6)}`);
  }
  console.log(`${'overall'.padEnd(10)} ${String(all.tp).padStart(4)} ${String(all.fp).padStart(4)} ${String(all.fn).padStart(4)}  ${fmt(all.tp / (all.tp + all.fp)).padStart(9)}  ${fmt(all.tp / (all.tp + all.fn)).padStart(6)}`);
  if (process.env.BENCH_VERBOSE) for (const m of misses) console.log(m);

  const joined = lines.map((l) => l.text).join('\n');
  let big = '';
  while (big.length < 1_000_000) big += joined + '\n';
  const bytes = Buffer.byteLength(big);
  detectPii(big.slice(0, 50_000)); // warm up the regexes
  const t0 = performance.now();
  const n = detectPii(big).length;
  const s = (performance.now() - t0) / 1000;
  console.log(`throughput: ${(bytes / 1e6).toFixed(2)} MB (${big.length} chars, ${n} findings) in ${s.toFixed(3)} s = ${(bytes / 1e6 / s).toFixed(2)} MB/s`);
} finally {
  await server.close();
}
