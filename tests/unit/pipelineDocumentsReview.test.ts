import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/lib/documents/chunk';
import type { ChunkRef } from '../../src/lib/documents/types';
import { runRecipe } from '../../src/lib/pipeline/run';
import type { RecipeInput } from '../../src/lib/pipeline/recipe';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { buildDoc } from './documentsFixtures';
import { recipeOf } from './helpers';

/**
 * Review of issue 14: a step that rewrites a grounded answer without its chunk (respond, critique,
 * best-of-N) leaves no cited spans behind — they were the first answer's quotes, and the drawer
 * marked them in the text as the new answer's.
 */
const TEXT = 'Descale the kettle once a month with white vinegar. Fill it halfway, boil, and leave it for an hour.';
const doc = buildDoc([{ h: 1, title: 'Care' }, { p: TEXT }]);
const chunks: ChunkRef[] = chunkDocument(doc).chunks.map((c, i) => ({ id: `c${i}`, documentId: 'd', documentName: 'k.md', index: c.index, text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens }));

async function run(steps: RecipeInput['steps']) {
  const gen = new ScriptedEngine([{ match: /different questions/, reply: '1. How often is the kettle descaled?' }], 'gen', 'Every few weeks, with any acid you have at hand.');
  const resp = new ScriptedEngine([{ match: /ONLY the text below/, reply: 'Once a month.\nQuote: "Descale the kettle once a month with white vinegar."' }], 'resp', 'Every few weeks, with any acid you have at hand.');
  const judge = new ScriptedEngine([], 'judge', '{"score": 5, "reason": "fine"}');
  const store = new MemoryRunStore();
  await runRecipe({ runId: 'r', recipe: recipeOf({ version: 1, name: 'doc', steps }), seeds: [], chunks, engines: { generator: gen, responder: resp, judge }, store, concurrency: 1 });
  return store.samples;
}

describe('a grounded answer rewritten by a later step', () => {
  it('keeps its cited spans when nothing rewrites it', async () => {
    const [s] = await run([{ op: 'questions' }, { op: 'groundedAnswer' }]);
    expect(s!.source!.cited.map(([a, b]) => doc.text.slice(a, b))).toEqual(['Descale the kettle once a month with white vinegar.']);
  });

  it('respond, critique and best-of-N after it leave no cited spans', async () => {
    for (const step of [{ op: 'respond' }, { op: 'critique' }, { op: 'bestOfN', n: 2, k: 1 }] as RecipeInput['steps']) {
      const out = await run([{ op: 'questions' }, { op: 'groundedAnswer' }, step]);
      const rewritten = out.filter((s) => s.output !== 'Once a month.');
      expect(rewritten.length).toBeGreaterThan(0);
      for (const s of rewritten) expect(s.source!.cited).toEqual([]);
    }
  });
});

describe('multi-chunk questions', () => {
  it('join a chunk only with the one right after it: never across a chunk left out (excluded), whose text the prompt did not show', async () => {
    const long = buildDoc([{ h: 1, title: 'Care' }, ...Array.from({ length: 4 }, (_, i) => ({ p: `Step ${i + 1}: descale the kettle with white vinegar, boil it, and rinse it twice afterwards.` }))]);
    const all: ChunkRef[] = chunkDocument(long, { maxTokens: 20, overlapTokens: 0 }).chunks.map((c, i) => ({ id: `c${i}`, documentId: 'd', documentName: 'k.md', index: c.index, text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens }));
    expect(all.length).toBeGreaterThanOrEqual(4);
    const kept = all.filter((c) => c.index !== 1); // chunk 1 excluded
    const gen = new ScriptedEngine([{ match: /different questions/, reply: '1. How is the kettle descaled?' }], 'gen');
    const resp = new ScriptedEngine([{ match: /ONLY the text below/, reply: 'With white vinegar.\nQuote: "descale the kettle with white vinegar"' }], 'resp');
    const store = new MemoryRunStore();
    const recipe = recipeOf({ version: 1, name: 'doc', steps: [{ op: 'questions', multiChunk: 1 }, { op: 'groundedAnswer' }] });
    await runRecipe({ runId: 'r', recipe, seeds: [], chunks: kept, engines: { generator: gen, responder: resp, judge: resp }, store, concurrency: 1 });
    const first = store.samples.find((s) => s.source!.chunkId === 'c0')!;
    expect(first.source!.moreChunks).toBeUndefined();
    expect(first.source!.span).toEqual(all[0]!.span);
    // Chunks 2 and 3 are neighbours: joined.
    expect(store.samples.find((s) => s.source!.chunkId === 'c2')!.source!.moreChunks).toEqual([{ id: 'c3', index: 3 }]);
  });
});
