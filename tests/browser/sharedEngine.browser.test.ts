import ggufUrl from '../fixtures/stories260K.gguf?url';
import { Wllama } from '@wllama/wllama';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireEngine, sharedEngineCount, type EngineDeps } from '../../src/lib/engines/registry';
import type { EngineRef } from '../../src/lib/engines/roles';
import { complete } from '../../src/lib/engines/types';

const ref: EngineRef = { kind: 'wllama', file: 'stories260K.gguf' };
const greedy = { messages: [{ role: 'user' as const, content: 'Once upon a time' }], temperature: 0, maxTokens: 12 };

/** What the playground (EnginesState) and a run (runnerApi) pass: the stored GGUF and the same settings. */
async function deps(): Promise<EngineDeps> {
  const file = new File([await (await fetch(ggufUrl)).blob()], 'stories260K.gguf');
  return {
    source: { kind: 'huggingface', airGapped: false } as EngineDeps['source'],
    openGguf: async () => file,
    endpoint: async () => { throw new Error('no endpoints here'); },
    key: async () => '',
    wllama: { nCtx: 256 },
  };
}

afterEach(() => vi.restoreAllMocks());

describe('one loaded local model per realm (real llama.cpp in WebAssembly)', () => {
  it('gives the playground and a run one instance, loaded once, and keeps it until the last holder lets go', async () => {
    const loads = vi.spyOn(Wllama.prototype, 'loadModel');
    const exits = vi.spyOn(Wllama.prototype, 'exit');
    // The playground holds the model; a run starts while it does (both ask at once, too).
    const [playground, run] = await Promise.all([acquireEngine(ref, await deps()), acquireEngine(ref, await deps())]);
    expect(run.engine).toBe(playground.engine);
    expect(loads).toHaveBeenCalledTimes(1);
    expect(sharedEngineCount()).toBe(1);
    // Both generate at once: the engine serialises them, and each gets the documented greedy text.
    const [a, b] = await Promise.all([complete(playground.engine, greedy), complete(run.engine, greedy)]);
    expect(a.text).toBe(b.text);
    expect(a.text.startsWith(', there was a little girl')).toBe(true);

    // The run ends: the playground's model stays loaded and answers.
    await run.release();
    await run.release(); // a second release of the same hold changes nothing
    expect(exits).not.toHaveBeenCalled();
    expect((await complete(playground.engine, greedy)).text).toBe(a.text);
    // A later run joins it again, with no second load.
    const again = await acquireEngine(ref, await deps());
    expect(again.engine).toBe(playground.engine);
    expect(loads).toHaveBeenCalledTimes(1);
    await again.release();
    // The last holder lets go: unloaded, and the next acquire loads anew.
    await playground.release();
    expect(exits).toHaveBeenCalledTimes(1);
    expect(sharedEngineCount()).toBe(0);
    const fresh = await acquireEngine(ref, await deps());
    expect(fresh.engine).not.toBe(playground.engine);
    expect(loads).toHaveBeenCalledTimes(2);
    await fresh.release();
  }, 120_000);

  it('keeps different load settings apart', async () => {
    const small = await acquireEngine(ref, await deps());
    const other = await acquireEngine(ref, { ...(await deps()), wllama: { nCtx: 128 } });
    expect(other.engine).not.toBe(small.engine);
    expect(sharedEngineCount()).toBe(2);
    await Promise.all([small.release(), other.release()]);
    expect(sharedEngineCount()).toBe(0);
  }, 120_000);
});
