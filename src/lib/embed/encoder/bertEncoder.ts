import { OnnxFormatError, readOnnxInitializers, type OnnxTensor } from './onnxWeights';

/**
 * A BERT encoder run by Seedforge's own WebAssembly SIMD kernels (encoder.c) instead of
 * onnxruntime-web: int8 weights of the model file, 16-bit integer matrix products, and sequences
 * packed without padding (each text costs its own tokens, not the longest text's of its batch).
 * It reads the weights of a BERT ONNX export whose initializers keep the Hugging Face parameter
 * names with int8 weight-only quantisation (`…weight_T_q`, `_scale`, `_zp`, as the bundled
 * all-MiniLM-L6-v2); `supportsBertWeights` says whether a file is one. Other files are run by
 * onnxruntime-web.
 */
export interface BertConfig {
  hidden_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  intermediate_size: number;
  max_position_embeddings: number;
  layer_norm_eps?: number;
  hidden_act?: string;
  model_type?: string;
}

export type BertPooling = 'mean' | 'cls';

interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  mark(): number;
  reset(mark: number): void;
  quantize_rows(x: number, m: number, k: number, qmax: number, q: number, scale: number): void;
  gemm(a: number, ascale: number, m: number, k: number, w: number, wscale: number, bias: number, n: number, c: number, ldc: number, res: number): void;
  layer_norm(x: number, rows: number, dim: number, gamma: number, beta: number, eps: number): void;
  gelu(x: number, count: number): void;
  attention(qkv: number, ld: number, starts: number, nseq: number, heads: number, headDim: number, scale: number, ctx: number, ldc: number, scratch: number): void;
  embed_tokens(ids: number, pos: number, tokens: number, dim: number, wq: number, wscale: number, wzp: number, posEmb: number, typeEmb: number, out: number): void;
  pool(h: number, starts: number, nseq: number, dim: number, mode: number, out: number): void;
}

/** A packed int16 weight matrix in kernel memory: k inputs, n outputs, scale and bias per output. */
interface Linear {
  w: number;
  scale: number;
  bias: number;
  k: number;
  n: number;
}

interface Layer {
  qkv: Linear;
  out: Linear;
  ln1: [number, number];
  up: Linear;
  down: Linear;
  ln2: [number, number];
}

const WORD = 'embeddings.word_embeddings.weight';
/**
 * Room after the last activation row: gemm() reads up to GEMM_ROWS - 1 rows past it (encoder.c
 * GEMM_ROWS is 4; 8 leaves slack if the tile grows).
 */
const GEMM_ROWS = 8;

/** True when the initializers are a BERT with int8 weight-only quantised matrices, by name. */
export function supportsBertWeights(inits: ReadonlyMap<string, OnnxTensor>, config: BertConfig): boolean {
  if ((config.model_type ?? 'bert') !== 'bert' || (config.hidden_act ?? 'gelu') !== 'gelu') return false;
  if (config.hidden_size % 8 || config.intermediate_size % 8 || config.hidden_size % config.num_attention_heads) return false;
  if ((config.hidden_size / config.num_attention_heads) % 4) return false;
  const need = [`${WORD}_q`, `${WORD}_scale`, `${WORD}_zp`, 'embeddings.position_embeddings.weight', 'embeddings.token_type_embeddings.weight', 'embeddings.LayerNorm.weight'];
  for (let l = 0; l < config.num_hidden_layers; l++) {
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense']) need.push(`encoder.layer.${l}.${m}.weight_T_q`);
  }
  return need.every((n) => inits.has(n)) && inits.get(`${WORD}_q`)!.dataType === 3;
}

/** The largest |activation| quantum so that k products of it with |w - zp| <= 255 fit in int32. */
export function activationRange(k: number): number {
  return Math.min(4095, Math.floor(0x7fffffff / (k * 255)));
}

function f32(t: OnnxTensor): Float32Array {
  if (t.dataType !== 1) throw new OnnxFormatError(`${t.name}: expected float32 (type 1), found type ${t.dataType}.`);
  // Copy: the raw bytes are not necessarily 4-byte aligned within the file.
  return new Float32Array(t.raw.slice().buffer);
}

function i8(t: OnnxTensor): Int8Array {
  if (t.dataType !== 3) throw new OnnxFormatError(`${t.name}: expected int8 (type 3), found type ${t.dataType}.`);
  return new Int8Array(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
}

export class BertEncoder {
  readonly dims: number;
  readonly maxTokens: number;
  private readonly vocab: number;
  private readonly k: KernelExports;
  private readonly layers: Layer[] = [];
  private readonly emb: { wq: number; wscale: number; wzp: number; pos: number; type: number; ln: [number, number] };
  private readonly eps: number;
  private readonly heads: number;
  private readonly inter: number;

  private constructor(instance: WebAssembly.Instance, inits: ReadonlyMap<string, OnnxTensor>, config: BertConfig, private readonly pooling: BertPooling) {
    this.k = instance.exports as unknown as KernelExports;
    const H = (this.dims = config.hidden_size);
    this.heads = config.num_attention_heads;
    this.inter = config.intermediate_size;
    this.eps = config.layer_norm_eps ?? 1e-12;
    this.maxTokens = config.max_position_embeddings;
    const get = (name: string) => {
      const t = inits.get(name);
      if (!t) throw new OnnxFormatError(`The model file has no tensor ${name}.`);
      return t;
    };
    const wq = get(`${WORD}_q`);
    if (wq.dims.length !== 2 || wq.dims[1] !== H) throw new OnnxFormatError(`${WORD}_q is ${wq.dims.join('×')}, expected rows of ${H}.`);
    this.vocab = wq.dims[0]!;
    // One scale and zero point per vocabulary row (embed_tokens reads them by token id).
    for (const part of ['_scale', '_zp']) {
      const t = get(`${WORD}${part}`);
      if (t.dims.length !== 1 || t.dims[0] !== this.vocab) throw new OnnxFormatError(`${WORD}${part} is ${t.dims.join('×') || 'a scalar'}, expected one per row (${this.vocab}).`);
    }
    if (get('embeddings.position_embeddings.weight').dims[0]! < config.max_position_embeddings) throw new OnnxFormatError('The position embeddings are fewer than max_position_embeddings.');
    const typeRows = f32(get('embeddings.token_type_embeddings.weight'));
    this.emb = {
      wq: this.put(i8(wq)),
      wscale: this.put(f32(get(`${WORD}_scale`))),
      wzp: this.put(i8(get(`${WORD}_zp`))),
      pos: this.put(f32(get('embeddings.position_embeddings.weight'))),
      type: this.put(typeRows.subarray(0, H)),
      ln: [this.put(f32(get('embeddings.LayerNorm.weight'))), this.put(f32(get('embeddings.LayerNorm.bias')))],
    };
    const linear = (prefixes: string[], k: number): Linear => {
      const parts = prefixes.map((p) => ({ q: i8(get(`${p}.weight_T_q`)), scale: f32(get(`${p}.weight_T_scale`)), zp: i8(get(`${p}.weight_T_zp`)), bias: f32(get(`${p}.bias`)) }));
      const n = parts.reduce((s, p) => s + p.scale.length, 0);
      for (const [i, p] of parts.entries()) {
        if (p.q.length !== k * p.scale.length || p.zp.length !== p.scale.length || p.bias.length !== p.scale.length) throw new OnnxFormatError(`${prefixes[i]}: weight, scale, zero point and bias sizes do not agree (k = ${k}).`);
      }
      // Packed for gemm(): blocks of 8 output columns; in each, k/2 row pairs × 8 columns × 2.
      const packed = new Int16Array(k * n);
      const scale = new Float32Array(n);
      const bias = new Float32Array(n);
      let col = 0;
      for (const p of parts) {
        const pn = p.scale.length;
        for (let c = 0; c < pn; c++, col++) {
          scale[col] = p.scale[c]!;
          bias[col] = p.bias[c]!;
          const zp = p.zp[c]!;
          const block = (col >> 3) * 8 * k;
          const lane = (col & 7) * 2;
          for (let r = 0; r < k; r++) packed[block + (r >> 1) * 16 + lane + (r & 1)] = p.q[r * pn + c]! - zp;
        }
      }
      return { w: this.put(packed), scale: this.put(scale), bias: this.put(bias), k, n };
    };
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `encoder.layer.${l}`;
      this.layers.push({
        qkv: linear([`${p}.attention.self.query`, `${p}.attention.self.key`, `${p}.attention.self.value`], H),
        out: linear([`${p}.attention.output.dense`], H),
        ln1: [this.put(f32(get(`${p}.attention.output.LayerNorm.weight`))), this.put(f32(get(`${p}.attention.output.LayerNorm.bias`)))],
        up: linear([`${p}.intermediate.dense`], H),
        down: linear([`${p}.output.dense`], this.inter),
        ln2: [this.put(f32(get(`${p}.output.LayerNorm.weight`))), this.put(f32(get(`${p}.output.LayerNorm.bias`)))],
      });
    }
  }

  /**
   * Instantiates the kernels and copies the model's weights into their memory (int16, packed).
   * @throws {OnnxFormatError} when the file is not a BERT this encoder reads (supportsBertWeights).
   */
  static async create(kernel: WebAssembly.Module, model: Uint8Array | ReadonlyMap<string, OnnxTensor>, config: BertConfig, pooling: BertPooling): Promise<BertEncoder> {
    const inits = model instanceof Uint8Array ? readOnnxInitializers(model) : model;
    if (!supportsBertWeights(inits, config)) throw new OnnxFormatError('The model file is not a BERT with int8 weight-only quantised matrices under Hugging Face names.');
    const instance = await WebAssembly.instantiate(kernel, {});
    return new BertEncoder(instance, inits, config, pooling);
  }

  private alloc(bytes: number): number {
    // The kernels address 32 bits; a request this large is refused before it could wrap.
    if (!(bytes >= 0 && bytes < 2 ** 31)) throw new RangeError(`The encoder cannot allocate ${bytes} bytes: embed fewer texts per call.`);
    const p = this.k.alloc(bytes);
    if (!p) throw new RangeError(`The encoder could not grow its memory by ${bytes} bytes.`);
    return p;
  }

  private put(a: Float32Array | Int8Array | Int16Array | Int32Array): number {
    const p = this.alloc(a.byteLength);
    new Uint8Array(this.k.memory.buffer, p, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return p;
  }

  /**
   * Unit vectors (dims numbers each, row i for sequence i) of token id sequences (with their
   * special tokens, at most maxTokens long each), all packed into one pass without padding.
   */
  encode(sequences: ArrayLike<number>[]): Float32Array {
    const n = sequences.length;
    if (!n) return new Float32Array(0);
    const H = this.dims;
    const I = this.inter;
    const starts = new Int32Array(n + 1);
    let longest = 0;
    for (let s = 0; s < n; s++) {
      const len = sequences[s]!.length;
      if (len < 1 || len > this.maxTokens) throw new RangeError(`Sequence ${s} has ${len} tokens; the model takes 1 to ${this.maxTokens}.`);
      starts[s + 1] = starts[s]! + len;
      longest = Math.max(longest, len);
    }
    const T = starts[n]!;
    const k = this.k;
    const mark = k.mark();
    try {
      const ids = this.alloc(T * 4);
      const pos = this.alloc(T * 4);
      const st = this.alloc((n + 1) * 4);
      const x = this.alloc(T * H * 4);
      const x1 = this.alloc(T * H * 4);
      const ctx = this.alloc(T * H * 4);
      const qkv = this.alloc(T * 3 * H * 4);
      const hid = this.alloc(T * I * 4);
      const q16 = this.alloc((T + GEMM_ROWS) * Math.max(H, I) * 2);
      const ascale = this.alloc(T * 4);
      const scratch = this.alloc((longest + 4) * 4);
      const out = this.alloc(n * H * 4);
      // Views after every allocation (growing the memory detaches older ones).
      const mem = k.memory.buffer;
      const idv = new Int32Array(mem, ids, T);
      const posv = new Int32Array(mem, pos, T);
      new Int32Array(mem, st, n + 1).set(starts);
      for (let s = 0, t = 0; s < n; s++) {
        const seq = sequences[s]!;
        for (let j = 0; j < seq.length; j++, t++) {
          const id = seq[j]!;
          if (!(id >= 0 && id < this.vocab)) throw new RangeError(`Token id ${id} (sequence ${s}) is outside the vocabulary of ${this.vocab}.`);
          idv[t] = id;
          posv[t] = j;
        }
      }
      const e = this.emb;
      k.embed_tokens(ids, pos, T, H, e.wq, e.wscale, e.wzp, e.pos, e.type, x);
      k.layer_norm(x, T, H, e.ln[0], e.ln[1], this.eps);
      const headDim = H / this.heads;
      const scoreScale = 1 / Math.sqrt(headDim);
      const matmul = (input: number, lin: Linear, output: number, residual: number) => {
        k.quantize_rows(input, T, lin.k, activationRange(lin.k), q16, ascale);
        k.gemm(q16, ascale, T, lin.k, lin.w, lin.scale, lin.bias, lin.n, output, lin.n, residual);
      };
      for (const L of this.layers) {
        matmul(x, L.qkv, qkv, 0);
        k.attention(qkv, 3 * H, st, n, this.heads, headDim, scoreScale, ctx, H, scratch);
        matmul(ctx, L.out, x1, x);
        k.layer_norm(x1, T, H, L.ln1[0], L.ln1[1], this.eps);
        matmul(x1, L.up, hid, 0);
        k.gelu(hid, T * I);
        matmul(hid, L.down, x, x1);
        k.layer_norm(x, T, H, L.ln2[0], L.ln2[1], this.eps);
      }
      k.pool(x, st, n, H, this.pooling === 'cls' ? 1 : 0, out);
      return new Float32Array(k.memory.buffer, out, n * H).slice();
    } finally {
      k.reset(mark);
    }
  }
}
