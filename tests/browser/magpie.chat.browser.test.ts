import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WllamaEngine } from '../../src/lib/engines/local/wllamaEngine';
import { magpiePromptFor } from '../../src/lib/pipeline/magpie';
import { validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe } from '../../src/lib/pipeline/run';
import { chatModelFile } from '../support/chatModel';
import { MemoryRunStore } from '../support/memoryRunStore';

/**
 * Magpie on the real chat model (TinyLlama-1.1B-Chat in wllama): the prefix comes from the GGUF's
 * own template, the model writes the instruction by raw completion and stops at its EOS, and the
 * chat call answers it. Nothing here judges quality; budgets are for a loaded 2-core machine.
 */
let engine: WllamaEngine;
beforeAll(async () => {
  engine = new WllamaEngine({ kind: 'file', file: await chatModelFile(), name: 'tinyllama' });
  await engine.load();
}, 600_000);
afterAll(() => engine?.unload());

describe('Magpie with the real chat model', () => {
  it('writes at least one instruction from the template prefix alone and answers it', async () => {
    expect(engine.rawCompletion).toBe(true);
    expect(await magpiePromptFor(engine)).toEqual({ prefix: '<|user|>\n', stop: ['</s>'] });
    const v = validateRecipe({ version: 1, name: 'magpie', seed: 3, steps: [{ op: 'magpie', count: 3, maxTokens: 48, temperature: 0.8 }, { op: 'respond', maxTokens: 48 }] });
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const store = new MemoryRunStore();
    const counts = await runRecipe({ runId: 'magpie', recipe: v.recipe, seeds: [], engines: { generator: engine, responder: engine, judge: engine }, store, concurrency: 1 });
    expect(counts.total).toBe(3);
    expect(store.samples).toHaveLength(3);
    for (const s of store.samples) {
      expect(s.operation).toBe('magpie');
      const query = s.calls[0]!;
      expect([query.op, query.template]).toEqual(['magpie', 'magpie.query']);
      // The raw completion stopped at the end of the user's turn: no template marker in the query.
      expect(s.instruction).not.toMatch(/<\/s>|<\|user\|>|<\|assistant\|>/);
      if (s.status === 'rejected') expect(s.rejectReason).toMatch(/^magpie:/);
    }
    const written = store.samples.filter((s) => s.status !== 'rejected');
    expect(written.length).toBeGreaterThanOrEqual(1);
    for (const s of written) {
      expect(s.instruction.length).toBeGreaterThan(5);
      expect(s.output?.length ?? 0).toBeGreaterThan(0);
      expect(s.calls.map((c) => c.op)).toEqual(['magpie', 'respond']);
    }
    console.log('magpie instructions:', JSON.stringify(store.samples.map((s) => [s.status, s.instruction, s.rejectReason])));
  }, 900_000);
});
