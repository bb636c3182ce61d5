import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { EngineError, installErrorTransfer, isEngineError } from '../../src/lib/engines/errors';

describe('engine errors across a worker boundary (real worker, comlink)', () => {
  it('arrive as EngineError with their name, status and Retry-After', async () => {
    installErrorTransfer();
    const worker = new Worker(new URL('./fixtures/throwing.worker.ts', import.meta.url), { type: 'module' });
    const api = Comlink.wrap<{ rateLimited(): void; plain(): void }>(worker);
    const err = await api.rateLimited().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(isEngineError(err, 'RateLimitedError')).toBe(true);
    expect(err).toMatchObject({ message: 'slow down', status: 429, retryAfter: 7 });
    // Other errors still cross as comlink sends them.
    const plain = await api.plain().catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(Error);
    expect((plain as Error).name).toBe('TypeError');
    worker.terminate();
  });
});
