import { EngineError } from '../errors';

export interface GpuCheck {
  /** The adapter can run f16 shaders (WebLLM's q4f16 models). */
  shaderF16: boolean;
  vendor: string;
  architecture: string;
  maxBufferBytes: number;
}

const NO_API = 'this browser has no WebGPU';
const NO_ADAPTER = 'WebGPU is present but no GPU adapter is available';
const FAILED = 'no WebGPU adapter: ';

/**
 * Why checkWebGpu found no WebGPU, from its NoWebGpuError's message (only name and message cross
 * a worker boundary): the UI says it in its own language. `detail` is the browser's own words.
 */
export function noWebGpuReason(message: string): { why: 'noApi' | 'noAdapter' | 'failed'; detail?: string } {
  if (message === NO_API) return { why: 'noApi' };
  if (message === NO_ADAPTER) return { why: 'noAdapter' };
  return { why: 'failed', detail: message.startsWith(FAILED) ? message.slice(FAILED.length) : message };
}

/**
 * Asks for a WebGPU adapter before anything is downloaded (WebLLM itself downloads first and
 * checks later, so a browser without WebGPU would fetch gigabytes for nothing).
 * @throws NoWebGpuError when the browser has no WebGPU or no adapter.
 */
export async function checkWebGpu(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<GpuCheck> {
  if (!gpu) throw new EngineError('NoWebGpuError', NO_API);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new EngineError('NoWebGpuError', `${FAILED}${(e as Error).message}`, { cause: e });
  }
  if (!adapter) throw new EngineError('NoWebGpuError', NO_ADAPTER);
  const info = adapter.info;
  return {
    shaderF16: adapter.features.has('shader-f16'),
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    maxBufferBytes: adapter.limits.maxBufferSize,
  };
}
