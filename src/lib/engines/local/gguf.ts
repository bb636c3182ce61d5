import type { ChatTemplateSource } from '../types';

/**
 * Reads a GGUF file's header (metadata and tensor table) without loading the model: the chat
 * template, the architecture and the context length for the model list, and a check that the
 * file is whole before llama.cpp sees it (a truncated GGUF can otherwise "load" and fail later).
 */

export interface GgufInfo {
  version: number;
  metadata: Record<string, unknown>;
  tensorCount: number;
  /** Bytes the tensor data needs, where every tensor type is known. */
  dataBytes: number | null;
  /** Offset of the tensor data section. */
  dataStart: number;
}

export class GgufFormatError extends Error {
  override name = 'GgufFormatError';
}

/**
 * Bytes per block and elements per block of each ggml tensor type (ggml.h `enum ggml_type`, block
 * structs in ggml-common.h). A type missing here makes `dataBytes` null and counts 0 bytes in the
 * truncation check, so every type llama.cpp writes must be listed (the IQ*, TQ* and FP4 types were
 * missing: such models counted as 0 bytes of data, issue 18 item 11).
 * 4, 5 (Q4_2, Q4_3), 31–33 (Q4_0_4_4 …) and 36–38 (IQ4_NL_4_4 …) were removed from GGUF files.
 */
export const GGML_TYPE_SIZE: Readonly<Record<number, readonly [bytes: number, elements: number]>> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  16: [66, 256], // IQ2_XXS: d + qs[QK_K/8] u16
  17: [74, 256], // IQ2_XS: d + qs[QK_K/8] u16 + scales[QK_K/32]
  18: [98, 256], // IQ3_XXS: d + qs[3*QK_K/8]
  19: [50, 256], // IQ1_S: d + qs[QK_K/8] + qh[QK_K/32] u16
  20: [18, 32], // IQ4_NL: d + qs[16]
  21: [110, 256], // IQ3_S: d + qs[QK_K/4] + qh[QK_K/32] + signs[QK_K/8] + scales[QK_K/64]
  22: [82, 256], // IQ2_S: d + qs[QK_K/4] + qh[QK_K/32] + scales[QK_K/32]
  23: [136, 256], // IQ4_XS: d + scales_h + scales_l[QK_K/64] + qs[QK_K/2]
  24: [1, 1], // I8
  25: [2, 1], // I16
  26: [4, 1], // I32
  27: [8, 1], // I64
  28: [8, 1], // F64
  29: [56, 256], // IQ1_M: qs[QK_K/8] + qh[QK_K/16] + scales[QK_K/32] (no d)
  30: [2, 1], // BF16
  34: [54, 256], // TQ1_0: qs[48] + qh[4] + d
  35: [66, 256], // TQ2_0: qs[QK_K/4] + d
  39: [17, 32], // MXFP4: e + qs[16]
  40: [36, 64], // NVFP4: d[4] + qs[32]
};

/** A little-endian reader over a Blob that pulls more bytes on demand. */
class BlobReader {
  #blob: Blob;
  #buf = new Uint8Array(0);
  #view = new DataView(this.#buf.buffer);
  pos = 0;
  constructor(blob: Blob) {
    this.#blob = blob;
  }
  async need(n: number): Promise<void> {
    if (this.pos + n <= this.#buf.length) return;
    if (this.pos + n > this.#blob.size) throw new GgufFormatError(`the file ends at byte ${this.#blob.size} inside its header`);
    const size = Math.min(this.#blob.size, Math.max(this.pos + n, this.#buf.length * 2, 1 << 20));
    this.#buf = new Uint8Array(await this.#blob.slice(0, size).arrayBuffer());
    this.#view = new DataView(this.#buf.buffer);
  }
  async u32() { await this.need(4); const v = this.#view.getUint32(this.pos, true); this.pos += 4; return v; }
  async u64() { await this.need(8); const v = this.#view.getBigUint64(this.pos, true); this.pos += 8; return safe(v); }
  async str(): Promise<string> {
    const len = await this.u64();
    if (len > 1 << 26) throw new GgufFormatError(`a string of ${len} bytes in the header is not plausible`);
    await this.need(len);
    const s = new TextDecoder().decode(this.#buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  /** `keepStrings`: an array of strings is returned as its strings (the vocabulary, when asked for). */
  async value(type: number, keepStrings = false): Promise<unknown> {
    const sizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
    if (type === 8) return this.str();
    if (type === 9) {
      const t = await this.u32();
      const n = await this.u64();
      if (t === 8 && keepStrings) {
        const out: string[] = [];
        for (let i = 0; i < n; i++) out.push(await this.str());
        return out;
      }
      // Large arrays (the vocabulary) are skipped, not decoded: only their length is kept.
      if (t !== 8 && t !== 9) {
        const w = sizes[t];
        if (w === undefined) throw new GgufFormatError(`unknown array element type ${t}`);
        await this.need(w * n);
        this.pos += w * n;
        return { arrayOf: t, length: n };
      }
      for (let i = 0; i < n; i++) await this.value(t);
      return { arrayOf: t, length: n };
    }
    const w = sizes[type];
    if (w === undefined) throw new GgufFormatError(`unknown metadata value type ${type}`);
    await this.need(w);
    const v = this.#view;
    const p = this.pos;
    this.pos += w;
    switch (type) {
      case 0: return v.getUint8(p);
      case 1: return v.getInt8(p);
      case 2: return v.getUint16(p, true);
      case 3: return v.getInt16(p, true);
      case 4: return v.getUint32(p, true);
      case 5: return v.getInt32(p, true);
      case 6: return v.getFloat32(p, true);
      case 7: return v.getUint8(p) !== 0;
      case 10: return safe(v.getBigUint64(p, true));
      case 11: return Number(v.getBigInt64(p, true));
      default: return v.getFloat64(p, true);
    }
  }
}

function safe(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError('a count in the header is impossibly large');
  return Number(v);
}

/**
 * Parses the header and checks that the file holds all of its tensor data. `tokens`: keep the
 * vocabulary (`tokenizer.ggml.tokens` as string[]), e.g. to name the BOS and EOS tokens a chat
 * template writes; otherwise only its length is kept.
 * @throws GgufFormatError naming what is wrong (not GGUF, unsupported version, truncated).
 */
export async function readGguf(blob: Blob, opts: { tokens?: boolean } = {}): Promise<GgufInfo> {
  const r = new BlobReader(blob);
  if (blob.size < 24) throw new GgufFormatError('the file is too small to be a GGUF model');
  if ((await r.u32()) !== 0x46554747) throw new GgufFormatError('this is not a GGUF file (wrong magic bytes)');
  const version = await r.u32();
  if (version < 2 || version > 3) throw new GgufFormatError(`GGUF version ${version} is not supported (2 and 3 are)`);
  const tensorCount = await r.u64();
  const kvCount = await r.u64();
  const metadata: Record<string, unknown> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = await r.str();
    metadata[key] = await r.value(await r.u32(), opts.tokens && key === 'tokenizer.ggml.tokens');
  }
  let dataBytes: number | null = 0;
  let maxEnd = 0;
  for (let i = 0; i < tensorCount; i++) {
    await r.str();
    const nDims = await r.u32();
    let elements = 1;
    for (let d = 0; d < nDims; d++) elements *= await r.u64();
    const type = await r.u32();
    const offset = await r.u64();
    const ts = GGML_TYPE_SIZE[type];
    const bytes = ts ? Math.ceil(elements / ts[1]) * ts[0] : 0;
    if (!ts) dataBytes = null;
    else if (dataBytes !== null) dataBytes += bytes;
    maxEnd = Math.max(maxEnd, offset + bytes);
  }
  const align = typeof metadata['general.alignment'] === 'number' ? (metadata['general.alignment'] as number) : 32;
  const dataStart = Math.ceil(r.pos / align) * align;
  if (dataStart + maxEnd > blob.size) {
    throw new GgufFormatError(`the file is truncated: its tensors need ${dataStart + maxEnd} bytes, it has ${blob.size}`);
  }
  return { version, metadata, tensorCount, dataBytes, dataStart };
}

/** The chat template of a GGUF's metadata with its BOS and EOS texts (read with `readGguf(blob, { tokens: true })`); null when it has none. */
export function ggufChatTemplate(metadata: Record<string, unknown>): ChatTemplateSource | null {
  const template = metadata['tokenizer.chat_template'];
  if (typeof template !== 'string' || !template.trim()) return null;
  const tokens = Array.isArray(metadata['tokenizer.ggml.tokens']) ? (metadata['tokenizer.ggml.tokens'] as string[]) : [];
  const token = (key: string) => {
    const id = metadata[key];
    return typeof id === 'number' ? (tokens[id] ?? '') : '';
  };
  return { kind: 'jinja', template, bosToken: token('tokenizer.ggml.bos_token_id'), eosToken: token('tokenizer.ggml.eos_token_id') };
}
