import { EngineError } from '../errors';

export interface GpuCheck {
  /** The adapter can run f16 shaders (WebLLM's q4f16 models). */
  shaderF16: boolean;
  vendor: string;
  architecture: string;
  maxBufferBytes: number;
}

/**
 * Asks for a WebGPU adapter before anything is downloaded (WebLLM itself downloads first and
 * checks later, so a browser without WebGPU would fetch gigabytes for nothing).
 * @throws NoWebGpuError when the browser has no WebGPU or no adapter.
 */
export async function checkWebGpu(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<GpuCheck> {
  if (!gpu) throw new EngineError('NoWebGpuError', 'this browser has no WebGPU');
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new EngineError('NoWebGpuError', `no WebGPU adapter: ${(e as Error).message}`, { cause: e });
  }
  if (!adapter) throw new EngineError('NoWebGpuError', 'WebGPU is present but no GPU adapter is available');
  const info = adapter.info;
  return {
    shaderF16: adapter.features.has('shader-f16'),
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    maxBufferBytes: adapter.limits.maxBufferSize,
  };
}
