// `npm run bench:pii` (issue 17): precision and recall of detectPii per type on two labelled
// corpora (a finding counts when type and offsets match a span exactly): corpus.jsonl, generated
// by scripts/gen-pii-corpus.mjs and used while the detectors were written (in-sample), and
// heldout.jsonl, hand-written later in other phrasings with its own hard negatives (order numbers,
// ISBNs, 18-digit numbers with a bad check digit, timestamps, versions), not used for tuning
// except where it showed a general gap. Then throughput on ~1 MB of corpus text. Loads the
// TypeScript through vite's ssrLoadModule. BENCH_VERBOSE=1 lists every miss.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'vite';

const root = resolve(import.meta.dirname, '..');
const server = await createServer({ root, logLevel: 'warn', server: { middlewareMode: true, watch: null, hmr: false }, appType: 'custom' });
try {
  const { detectPii } = await server.ssrLoadModule('/src/lib/privacy/pii.ts');
  const read = (name) => readFileSync(resolve(root, 'tests/fixtures/pii', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const CHECKSUM = new Set(['cnId', 'bankCard', 'iban', 'usSsn']);
  const fmt = (x) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
  const row = (t, s) => `${t.padEnd(10)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}  ${fmt(s.tp / (s.tp + s.fp)).padStart(9)}  ${fmt(s.tp / (s.tp + s.fn)).padStart(6)}`;
  const score = (name, lines) => {
    const stats = new Map();
    const get = (t) => stats.get(t) ?? (stats.set(t, { tp: 0, fp: 0, fn: 0 }), stats.get(t));
    const misses = [];
    for (const { text, spans } of lines) {
      const found = detectPii(text);
      const key = (s) => `${s.type}:${s.start}:${s.end}`;
      const gold = new Set(spans.map(key));
      const got = new Set(found.map(key));
      for (const f of found) { if (gold.has(key(f))) get(f.type).tp++; else { get(f.type).fp++; misses.push(`FP ${f.type} "${f.text}" in ${text}`); } }
      for (const s of spans) if (!got.has(key(s))) { get(s.type).fn++; misses.push(`FN ${s.type} "${text.slice(s.start, s.end)}" in ${text}`); }
    }
    const all = { tp: 0, fp: 0, fn: 0 };
    const sum = { tp: 0, fp: 0, fn: 0 };
    console.log(`\n${name}: ${lines.length} texts, ${lines.reduce((n, l) => n + l.spans.length, 0)} labelled spans, ${lines.filter((l) => !l.spans.length).length} without any`);
    console.log('type        tp   fp   fn  precision  recall');
    for (const [t, s] of [...stats].sort()) {
      for (const k of ['tp', 'fp', 'fn']) { all[k] += s[k]; if (CHECKSUM.has(t)) sum[k] += s[k]; }
      console.log(row(t, s));
    }
    console.log(row('checksum', sum) + '   (cnId, bankCard, iban, usSsn; target recall ≥ 0.98)');
    console.log(row('overall', all) + '   (target precision ≥ 0.95)');
    if (process.env.BENCH_VERBOSE) for (const m of misses) console.log(m);
  };
  const lines = read('corpus.jsonl');
  score('corpus.jsonl (generated, in-sample)', lines);
  score('heldout.jsonl (hand-written, held out)', read('heldout.jsonl'));
  console.log('');

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
