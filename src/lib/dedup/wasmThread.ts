import * as Comlink from 'comlink';
import { screenRowBlocks, type ScreenFn, type ScreenLayout } from './wasmKernel';

/** What one pool thread receives: the compiled kernel, the shared memory, where things are. */
export interface ScreenJob {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  layout: ScreenLayout;
}

/** The API of one kernel thread (wasmThread.worker.ts exposes it). */
export function createWasmThreadApi() {
  return {
    /**
     * Instantiates the kernel on the shared memory and screens row blocks until none are left.
     * @returns flat global (i, j) candidate pairs, transferred.
     */
    async run(job: ScreenJob, threadIndex: number): Promise<Uint32Array> {
      const instance = await WebAssembly.instantiate(job.module, { env: { memory: job.memory } });
      const flat = screenRowBlocks(instance.exports['screen'] as ScreenFn, job.memory.buffer, job.layout, threadIndex);
      return Comlink.transfer(flat, [flat.buffer]);
    },
  };
}
export type WasmThreadApi = ReturnType<typeof createWasmThreadApi>;
