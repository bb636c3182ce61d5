import * as Comlink from 'comlink';
import { BertEncoder, type BertConfig, type BertPooling } from './bertEncoder';

export interface EncoderInit {
  kernel: WebAssembly.Module;
  /** The ONNX model file's bytes (each thread keeps its own packed copy of the weights). */
  model: ArrayBuffer;
  config: BertConfig;
  pooling: BertPooling;
}

/** One thread of the encoder pool (encoderPool.ts starts it in workers/encoderThread.worker.ts). */
export function createEncoderThreadApi() {
  let encoder: BertEncoder | null = null;
  return {
    async init(init: EncoderInit): Promise<void> {
      encoder = await BertEncoder.create(init.kernel, new Uint8Array(init.model), init.config, init.pooling);
    },
    /** Unit vectors of the sequences, transferred. */
    encode(sequences: number[][]): Float32Array {
      if (!encoder) throw new Error('The encoder thread was not initialised.');
      const out = encoder.encode(sequences);
      return Comlink.transfer(out, [out.buffer]);
    },
  };
}
export type EncoderThreadApi = ReturnType<typeof createEncoderThreadApi>;
