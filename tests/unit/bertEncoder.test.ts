import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationRange, BertEncoder, supportsBertWeights, type BertConfig } from '../../src/lib/embed/encoder/bertEncoder';
import { splitByTokens } from '../../src/lib/embed/encoder/encoderPool';
import { OnnxFormatError, readOnnxInitializers } from '../../src/lib/embed/encoder/onnxWeights';
import { rng } from '../../src/lib/dedup/vectors';

// Seedforge's own BERT encoder (src/lib/embed/encoder): each kernel of encoder.wasm against a plain
// JavaScript reference, and the whole model against onnxruntime-node on the same file.
const root = resolve(import.meta.dirname, '../..');
const dir = resolve(root, 'src/lib/embed/encoder');
const wasmBytes = readFileSync(resolve(dir, 'encoder.wasm'));
const kernel = new WebAssembly.Module(wasmBytes);
const modelDir = resolve(root, 'public/models/all-MiniLM-L6-v2');
const onnxBytes = new Uint8Array(readFileSync(resolve(modelDir, 'onnx/model_quantized.onnx')));
const config = JSON.parse(readFileSync(resolve(modelDir, 'config.json'), 'utf8')) as BertConfig;

interface K {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  quantize_rows(x: number, m: number, k: number, qmax: number, q: number, s: number): void;
  gemm(a: number, as: number, m: number, k: number, w: number, ws: number, b: number, n: number, c: number, ldc: number, res: number): void;
  layer_norm(x: number, rows: number, dim: number, g: number, b: number, eps: number): void;
  gelu(x: number, n: number): void;
  attention(qkv: number, ld: number, st: number, nseq: number, heads: number, hd: number, scale: number, ctx: number, ldc: number, scratch: number): void;
}

function instance(): K {
  return new WebAssembly.Instance(kernel, {}).exports as unknown as K;
}
function put(k: K, a: Float32Array | Int16Array | Int32Array): number {
  const p = k.alloc(a.byteLength);
  new Uint8Array(k.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return p;
}
const f32At = (k: K, p: number, n: number) => new Float32Array(k.memory.buffer, p, n).slice();

function erf(x: number): number {
  // Series / continued fraction free: integrate with Simpson's rule (float64, plenty for 1e-7).
  const n = 2000;
  const h = x / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}

describe('encoder.wasm kernels against JavaScript references', () => {
  it('is the build of encoder.c committed beside it (rebuild with npm run build:encoder-wasm)', () => {
    const sha = (f: string) => createHash('sha256').update(readFileSync(resolve(dir, f))).digest('hex');
    // encoder.c.sha256 (sha256sum format) is written by the build beside the binary it built.
    expect(readFileSync(resolve(dir, 'encoder.c.sha256'), 'utf8')).toBe(`${sha('encoder.c')}  encoder.c\n${sha('encoder.wasm')}  encoder.wasm\n`);
  });

  it('is, byte for byte, what encoder.c compiles to with the recorded clang-16 (rebuilt here, as CI does)', () => {
    // Exits 1 (execFileSync throws, with the script's message) when the rebuild differs or no
    // clang-16 is installed: scripts/setup-and-test.sh installs clang-16 and lld-16.
    const run = () => execFileSync(process.execPath, ['scripts/build-encoder-wasm.mjs', '--check'], { stdio: 'pipe', encoding: 'utf8' });
    expect(run).not.toThrow();
  }, 60_000);

  it('gemm with per-row activation scales: integer sums exact, float epilogue to 1e-6', () => {
    const k = instance();
    const r = rng(7);
    for (const [m, kk, n] of [[1, 8, 8], [5, 384, 24], [13, 1536, 16], [4, 2, 8]] as const) {
      const A = Int16Array.from({ length: (m + 8) * kk }, (_, i) => (i < m * kk ? Math.round((r() * 2 - 1) * activationRange(kk)) : 0));
      const Wt = Int16Array.from({ length: kk * n }, () => Math.round((r() * 2 - 1) * 255)); // [k][n]
      const as = Float32Array.from({ length: m }, () => r() * 0.01);
      const ws = Float32Array.from({ length: n }, () => r() * 0.01);
      const bias = Float32Array.from({ length: n }, () => r() - 0.5);
      const res = Float32Array.from({ length: m * n }, () => r() - 0.5);
      // Pack: blocks of 8 columns, k/2 row pairs, 8 columns × 2.
      const packed = new Int16Array(kk * n);
      for (let c = 0; c < n; c++) for (let row = 0; row < kk; row++) packed[(c >> 3) * 8 * kk + (row >> 1) * 16 + (c & 7) * 2 + (row & 1)] = Wt[row * n + c]!;
      const pA = put(k, A), pas = put(k, as), pW = put(k, packed), pws = put(k, ws), pb = put(k, bias), pres = put(k, res);
      const pC = k.alloc(m * n * 4);
      k.gemm(pA, pas, m, kk, pW, pws, pb, n, pC, n, pres);
      const C = f32At(k, pC, m * n);
      for (let i = 0; i < m; i++) {
        for (let c = 0; c < n; c++) {
          let acc = 0;
          for (let j = 0; j < kk; j++) acc += A[i * kk + j]! * Wt[j * n + c]!;
          const want = acc * as[i]! * ws[c]! + bias[c]! + res[i * n + c]!;
          expect(Math.abs(C[i * n + c]! - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
        }
      }
    }
  });

  it('quantize_rows rounds each row to ±qmax of its largest value', () => {
    const k = instance();
    const x = Float32Array.from([0.5, -1, 0.25, 0, 0.12, 0.2, 0.33, 0.4, 0, 0, 0, 0, 0, 0, 0, 0]);
    const px = put(k, x), pq = k.alloc(32), ps = k.alloc(8);
    k.quantize_rows(px, 2, 8, 4095, pq, ps);
    expect(Array.from(new Int16Array(k.memory.buffer, pq, 16))).toEqual([2048, -4095, 1024, 0, 491, 819, 1351, 1638, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(f32At(k, ps, 2))).toEqual([Math.fround(1 / 4095), 1]);
  });

  it('activationRange keeps k products of ±range × ±255 inside int32', () => {
    for (const kk of [384, 1536, 3072, 4096]) {
      const q = activationRange(kk);
      expect(kk * q * 255).toBeLessThan(2 ** 31);
      expect(q).toBeLessThanOrEqual(4095);
    }
  });

  it('gelu is x/2 (1 + erf(x/√2)) within 3e-7', () => {
    const k = instance();
    const xs = Float32Array.from({ length: 400 }, (_, i) => -10 + i * 0.05);
    const p = put(k, xs);
    k.gelu(p, xs.length);
    const out = f32At(k, p, xs.length);
    xs.forEach((x, i) => expect(Math.abs(out[i]! - (x / 2) * (1 + erf(x / Math.SQRT2)))).toBeLessThan(3e-7 * Math.max(1, Math.abs(x))));
  });

  it('layer_norm matches the float64 formula', () => {
    const k = instance();
    const r = rng(3);
    const dim = 16;
    const x = Float32Array.from({ length: 3 * dim }, () => r() * 4 - 2);
    const g = Float32Array.from({ length: dim }, () => r() + 0.5);
    const b = Float32Array.from({ length: dim }, () => r() - 0.5);
    const px = put(k, x);
    k.layer_norm(px, 3, dim, put(k, g), put(k, b), 1e-12);
    const out = f32At(k, px, 3 * dim);
    for (let row = 0; row < 3; row++) {
      const xs = Array.from(x.subarray(row * dim, (row + 1) * dim));
      const mean = xs.reduce((a, v) => a + v, 0) / dim;
      const sd = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / dim + 1e-12);
      xs.forEach((v, j) => expect(out[row * dim + j]).toBeCloseTo(((v - mean) / sd) * g[j]! + b[j]!, 5));
    }
  });

  // Head sizes 8 (four dimensions at a time) and 40 (a block of 32, then four at a time); lengths
  // below, at and above the four keys scored at once.
  it.each([[8, [3, 1, 5]], [40, [7, 4, 9]]] as const)('attention of unpadded sequences equals softmax(QKᵀ·s)V per sequence and head (head size %i)', (hd, lens) => {
    const k = instance();
    const r = rng(11);
    const heads = 2, H = heads * hd;
    const T = lens.reduce((a, b) => a + b, 0);
    const starts = Int32Array.from([0, lens[0], lens[0] + lens[1], T]);
    const qkv = Float32Array.from({ length: T * 3 * H }, () => r() * 2 - 1);
    const pctx = k.alloc(T * H * 4);
    k.attention(put(k, qkv), 3 * H, put(k, starts), 3, heads, hd, 0.3, pctx, H, k.alloc(64));
    const ctx = f32At(k, pctx, T * H);
    for (let s = 0; s < 3; s++) {
      for (let h = 0; h < heads; h++) {
        for (let i = starts[s]!; i < starts[s + 1]!; i++) {
          const sc: number[] = [];
          for (let j = starts[s]!; j < starts[s + 1]!; j++) {
            let d = 0;
            for (let e = 0; e < hd; e++) d += qkv[i * 3 * H + h * hd + e]! * qkv[j * 3 * H + H + h * hd + e]!;
            sc.push(d * 0.3);
          }
          const mx = Math.max(...sc);
          const ex = sc.map((v) => Math.exp(v - mx));
          const sum = ex.reduce((a, b) => a + b, 0);
          for (let e = 0; e < hd; e++) {
            let want = 0;
            ex.forEach((p, jj) => (want += (p / sum) * qkv[(starts[s]! + jj) * 3 * H + 2 * H + h * hd + e]!));
            expect(ctx[i * H + h * hd + e]).toBeCloseTo(want, 5);
          }
        }
      }
    }
  });
});

describe('splitByTokens', () => {
  it('cuts contiguous runs of about equal token counts, covering everything once', () => {
    expect(splitByTokens([10, 10, 10, 10], 2)).toEqual([[0, 2], [2, 4]]);
    expect(splitByTokens([30, 5, 5, 5, 5], 2)).toEqual([[0, 1], [1, 5]]);
    expect(splitByTokens([5], 3)).toEqual([[0, 0], [0, 1], [1, 1]]);
    const parts = splitByTokens(Array.from({ length: 97 }, (_, i) => 3 + (i % 11)), 4);
    expect(parts[0]![0]).toBe(0);
    expect(parts.at(-1)![1]).toBe(97);
    for (let i = 1; i < parts.length; i++) expect(parts[i]![0]).toBe(parts[i - 1]![1]);
  });
});

describe('the model file reader', () => {
  it('reads the BERT weights by name and refuses what it cannot run', async () => {
    const inits = readOnnxInitializers(onnxBytes);
    expect(inits.get('encoder.layer.5.output.dense.weight_T_q')).toMatchObject({ dataType: 3, dims: [1536, 384] });
    expect(supportsBertWeights(inits, config)).toBe(true);
    expect(supportsBertWeights(inits, { ...config, hidden_act: 'relu' })).toBe(false);
    expect(supportsBertWeights(inits, { ...config, num_hidden_layers: 7 })).toBe(false);
    expect(() => readOnnxInitializers(onnxBytes.subarray(0, 5000))).toThrow(OnnxFormatError);
    // A per-tensor scale where the encoder reads one per vocabulary row is refused, not misread.
    const perTensor = new Map(inits);
    const scale = inits.get('embeddings.word_embeddings.weight_scale')!;
    perTensor.set(scale.name, { ...scale, dims: [1], raw: scale.raw.subarray(0, 4) });
    await expect(BertEncoder.create(kernel, perTensor, config, 'mean')).rejects.toThrow(/expected one per row \(30522\)/);
    expect(() => readOnnxInitializers(new TextEncoder().encode('not a model at all, just text'))).toThrow(OnnxFormatError);
  });
});

// Model loading and onnxruntime-node sessions: seconds each here, many more on a loaded two-core
// machine (the 5 s default once timed out there). Correctness tests: no time is asserted.
const MODEL_TIMEOUT = 120_000;

describe('the whole encoder against onnxruntime-node on the bundled MiniLM file', { timeout: MODEL_TIMEOUT }, () => {
  const texts = [
    'A man is eating food.',
    'A man is eating a piece of bread.',
    'The new movie is awesome.',
    'Explain three simple ways to improve sleep for a night-shift nurse who works twelve-hour shifts.',
    '我喜欢吃苹果',
    'x',
    '?!',
    'Write a poem about the river in summer, rhyming ABAB, in exactly four lines.',
    // Past 512 tokens: truncated by the tokenizer exactly as the pipeline does.
    'word '.repeat(700).trim(),
  ];
  let ours: Float32Array;
  let tokens: number[][];
  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = resolve(root, 'public/models') + '/';
    const tok = await AutoTokenizer.from_pretrained('all-MiniLM-L6-v2');
    tokens = tok(texts, { padding: false, truncation: true, return_tensor: false }).input_ids as number[][];
    const enc = await BertEncoder.create(kernel, onnxBytes, config, 'mean');
    ours = enc.encode(tokens);
  }, MODEL_TIMEOUT);
  const cos = (a: Float32Array, b: Float32Array, i: number) => {
    let s = 0;
    for (let j = 0; j < 384; j++) s += a[i * 384 + j]! * b[i * 384 + j]!;
    return s;
  };
  const reference = async (extra?: Record<string, unknown>) => {
    const ext = await pipeline('feature-extraction', 'all-MiniLM-L6-v2', { device: 'cpu', dtype: 'q8', session_options: { intraOpNumThreads: 1, ...(extra ? { extra } : {}) } });
    try {
      return (await ext(texts, { pooling: 'mean', normalize: true })).data as Float32Array;
    } finally {
      await ext.dispose();
    }
  };

  it('truncates the long text to 512 tokens like the pipeline', () => {
    expect(tokens.at(-1)).toHaveLength(512);
  });

  it('equals the float computation of the same int8 weights (onnxruntime, no int8 activations): cosine > 0.99995', async () => {
    const exact = await reference({ session: { disable_quant_qdq: '1' } });
    console.log('cosine to the float computation per text:', texts.map((_, i) => cos(ours, exact, i).toFixed(6)).join(' '));
    texts.forEach((_, i) => expect(cos(ours, exact, i)).toBeGreaterThan(0.99995));
  });

  it("is at least as close to it as onnxruntime-node's default (int8 activations) is", async () => {
    const exact = await reference({ session: { disable_quant_qdq: '1' } });
    const def = await reference();
    console.log("onnxruntime-node default's cosine to it:", texts.map((_, i) => cos(def, exact, i).toFixed(6)).join(' '));
    texts.forEach((_, i) => {
      expect(cos(ours, exact, i)).toBeGreaterThanOrEqual(cos(def, exact, i));
    });
  });

  it('is unit length, and scores the paraphrase pair ≈ 0.75, far above unrelated text', () => {
    for (let i = 0; i < texts.length; i++) expect(cos(ours, ours, i)).toBeCloseTo(1, 5);
    let para = 0;
    for (let j = 0; j < 384; j++) para += ours[j]! * ours[384 + j]!;
    expect(para).toBeGreaterThan(0.74);
    expect(para).toBeLessThan(0.77);
    let unrelated = 0;
    for (let j = 0; j < 384; j++) unrelated += ours[j]! * ours[2 * 384 + j]!;
    expect(unrelated).toBeLessThan(0.2);
  });

  it('gives each text the same vector alone or packed with others (no padding, no cross-talk)', async () => {
    const enc = await BertEncoder.create(kernel, onnxBytes, config, 'mean');
    for (const i of [0, 4, 8]) {
      const alone = enc.encode([tokens[i]!]);
      for (let j = 0; j < 384; j++) expect(Math.abs(alone[j]! - ours[i * 384 + j]!)).toBeLessThan(1e-6);
    }
  });

  it('pools the first token for CLS models, and refuses empty or too long sequences', async () => {
    const enc = await BertEncoder.create(kernel, onnxBytes, config, 'cls');
    const v = enc.encode([tokens[0]!]);
    expect(Array.from(v.subarray(0, 8))).not.toEqual(Array.from(ours.subarray(0, 8)));
    let n = 0;
    for (const x of v) n += x * x;
    expect(n).toBeCloseTo(1, 5);
    expect(() => enc.encode([[]])).toThrow(/1 to 512/);
    expect(() => enc.encode([new Array(513).fill(101)])).toThrow(/513 tokens/);
    expect(() => enc.encode([[101, 30522, 102]])).toThrow(/outside the vocabulary of 30522/);
    expect(() => enc.encode([[101, -1, 102]])).toThrow(/outside the vocabulary/);
    // Still usable after a refused call (its scratch memory was released).
    expect(Array.from(enc.encode([tokens[0]!]).subarray(0, 8))).toEqual(Array.from(v.subarray(0, 8)));
  });
});
