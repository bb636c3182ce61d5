import { describe, expect, it } from 'vitest';

// The ground the WebGPU code paths stand on: if this fails, the kernels' parity tests and the
// engines' WebGPU preflight tests would be testing nothing.
describe('the WebGPU test browser', () => {
  it('has a real WebGPU adapter (SwiftShader here) and a cross-origin isolated page', async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    expect(adapter).toBeTruthy();
    const device = await adapter!.requestDevice();
    expect(device.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    device.destroy();
    expect(crossOriginIsolated).toBe(true);
  });
});
