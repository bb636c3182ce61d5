import * as Comlink from 'comlink';
import { BertEncoder, type BertConfig, type BertPooling } from './bertEncoder';
import type { EncoderThreadApi } from './encoderThread';

/**
 * The BERT encoder on `threads` cores: each thread (a worker) holds its own instance of the
 * kernels and weights, and a call's sequences are split between them in contiguous runs of about
 * equal token counts (data parallel: no synchronisation inside the forward pass). With one thread
 * the encoder runs on the calling thread.
 */
export class EncoderPool {
  /** Rejects when a thread dies or the pool is closed: pending calls fail instead of hanging. */
  private readonly dead: Promise<never>;
  private kill: (e: Error) => void = () => {};

  private constructor(
    private readonly local: BertEncoder | null,
    private readonly workers: Worker[],
    private readonly threads: Comlink.Remote<EncoderThreadApi>[],
    readonly dims: number,
    readonly maxTokens: number,
  ) {
    this.dead = new Promise<never>((_, reject) => (this.kill = reject));
    this.dead.catch(() => undefined);
    for (const w of workers) w.addEventListener('error', (e) => this.kill(new Error(`An encoder thread stopped (${e.message || 'worker error'}): load the model again.`)));
  }

  /** @throws when the model file is not one the encoder reads, or a thread cannot start. */
  static async start(kernel: WebAssembly.Module, model: ArrayBuffer, config: BertConfig, pooling: BertPooling, threads: number): Promise<EncoderPool> {
    if (threads <= 1) {
      const enc = await BertEncoder.create(kernel, new Uint8Array(model), config, pooling);
      return new EncoderPool(enc, [], [], enc.dims, enc.maxTokens);
    }
    const workers = Array.from({ length: threads }, () => new Worker(new URL('../../../../workers/encoderThread.worker.ts', import.meta.url), { type: 'module' }));
    try {
      const failed = new Promise<never>((_, reject) => {
        for (const w of workers) w.addEventListener('error', (e) => reject(new Error(`An encoder thread failed to start (${e.message || 'worker error'}).`)));
      });
      const remotes = workers.map((w) => Comlink.wrap<EncoderThreadApi>(w));
      await Promise.race([Promise.all(remotes.map((r) => r.init({ kernel, model, config, pooling }))), failed]);
      return new EncoderPool(null, workers, remotes, config.hidden_size, config.max_position_embeddings);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
  }

  get size(): number {
    return this.local ? 1 : this.threads.length;
  }

  /** Unit vectors (dims each, in order) of token id sequences. */
  async encode(sequences: number[][]): Promise<Float32Array> {
    if (this.local) return this.local.encode(sequences);
    const parts = splitByTokens(sequences.map((s) => s.length), this.threads.length);
    const outs = await Promise.race([Promise.all(parts.map(([s, e], k) => (e > s ? this.threads[k]!.encode(sequences.slice(s, e)) : Promise.resolve(new Float32Array(0))))), this.dead]);
    const all = new Float32Array(sequences.length * this.dims);
    let at = 0;
    for (const o of outs) {
      all.set(o, at);
      at += o.length;
    }
    return all;
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    this.kill(new Error('The encoder was closed (another model was loaded, or the embedder was disposed).'));
  }
}

/** `parts` contiguous [start, end) runs of the items with about equal sums of lengths. */
export function splitByTokens(lengths: readonly number[], parts: number): [number, number][] {
  const total = lengths.reduce((a, b) => a + b, 0);
  const out: [number, number][] = [];
  let start = 0;
  let sum = 0;
  for (let k = 1; k <= parts; k++) {
    const target = (total * k) / parts;
    let end = start;
    while (end < lengths.length && (k === parts || sum + lengths[end]! / 2 <= target)) sum += lengths[end++]!;
    out.push([start, end]);
    start = end;
  }
  return out;
}
