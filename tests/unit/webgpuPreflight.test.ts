import { describe, expect, it } from 'vitest';
import { checkWebGpu, noWebGpuReason } from '../../src/lib/engines/webllm/preflight';

/** The three ways a browser can lack WebGPU, each a reason the UI words in its own language. */
describe('why there is no WebGPU', () => {
  const reasonOf = async (gpu: GPU | undefined) => {
    const err = (await checkWebGpu(gpu).catch((e: Error) => e)) as Error;
    expect(err.name).toBe('NoWebGpuError');
    return noWebGpuReason(err.message);
  };

  it('tells no API from no adapter from a failed request, and keeps the browser’s own words only for the last', async () => {
    expect(await reasonOf(undefined)).toEqual({ why: 'noApi' });
    expect(await reasonOf({ requestAdapter: async () => null } as unknown as GPU)).toEqual({ why: 'noAdapter' });
    expect(await reasonOf({ requestAdapter: async () => { throw new Error('GPU process crashed'); } } as unknown as GPU)).toEqual({ why: 'failed', detail: 'GPU process crashed' });
  });

  it('treats an unknown message as a failure and shows it as the detail', () => {
    expect(noWebGpuReason('something else')).toEqual({ why: 'failed', detail: 'something else' });
  });
});
