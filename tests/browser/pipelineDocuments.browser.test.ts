import * as Comlink from 'comlink';
import Dexie from 'dexie';
import ggufUrl from '../fixtures/stories260K.gguf?url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { addDocument, listChunks, updateChunks } from '../../src/lib/db/documentsRepo';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, getRun, getRunChunks, listRunSamples } from '../../src/lib/db/runsRepo';
import { chunkDocument } from '../../src/lib/documents/chunk';
import type { ChunkRef } from '../../src/lib/documents/types';
import { documentDraft, sha256Hex } from '../../src/lib/documents/draft';
import { saveGguf } from '../../src/lib/engines/local/ggufStore';
import { installErrorTransfer } from '../../src/lib/engines/errors';
import { PRESETS, validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { taskCount } from '../../src/lib/pipeline/run';
import type { RunnerApi, RunnerEvent } from '../../src/lib/runner/runnerApi';
import { readProjectChunks } from '../../src/lib/state/runs.svelte';
import { buildDoc } from '../unit/documentsFixtures';

/**
 * "Q&A from documents" end to end on the real TinyStories model (wllama in the pipeline worker)
 * over chunks stored in real IndexedDB. A 260K-parameter story model writes nonsense, so this
 * checks the mechanics, not the quality: every task commits, every sample points at a real chunk,
 * every rejection has a known reason, and the run keeps its chunk snapshot.
 */
let db: AppDb;
let worker: Worker;
let api: Comlink.Remote<RunnerApi>;
const ref = { kind: 'wllama', file: 'stories260K.gguf' } as const;

beforeAll(async () => {
  installErrorTransfer();
  db = openDb(`pipeline-docs-${crypto.randomUUID()}`);
  await db.open();
  await saveGguf(new File([await (await fetch(ggufUrl)).blob()], 'stories260K.gguf'));
  worker = new Worker(new URL('../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<RunnerApi>(worker);
  await api.useDatabase(db.name);
}, 60_000);
afterAll(async () => {
  worker?.terminate();
  db?.close();
  await Dexie.delete(db.name);
});

const KNOWN = /^(questions:none|unanswerable|citationMissing|citationNotFound|ungrounded|judgeFailed|contextOverflow|filter:[a-zA-Z]+)$/;

describe('a document recipe on the real TinyStories model, through the real run store', () => {
  it('docQA: every task commits, every sample has a source at a real chunk, every rejection a known reason', async () => {
    const project = await createProject(db, 'docs');
    const doc = buildDoc(
      [
        { h: 1, title: 'Kettle', page: 1 },
        { p: 'Lily had a red kettle. She boiled water in it every morning.', page: 1 },
        { h: 1, title: 'Garden', page: 2 },
        { p: 'The garden had tall flowers. Tom watered them on sunny days.', page: 2 },
        { h: 1, title: 'Park', page: 2 },
        { p: 'Ben went to the park with his dog. They played ball until it was dark.', page: 2 },
        { h: 1, title: 'Cake', page: 3 },
        { p: 'Mom baked a big cake. Sue helped her and licked the spoon.', page: 3 },
        { h: 1, title: 'Copyright', page: 3 },
        { p: 'All rights reserved by nobody at all.', page: 3 },
      ],
      'Little stories',
    );
    const drafts = chunkDocument(doc, { maxTokens: 40, overlapTokens: 0 }).chunks.map(({ index: _, id: __, ...c }) => c);
    const bytes = new TextEncoder().encode(doc.text);
    const added = await addDocument(db, project.id, documentDraft({ name: 'stories.md', size: bytes.length }, await sha256Hex(bytes), { format: 'markdown', doc }), drafts);
    expect(added.chunks.length).toBeGreaterThanOrEqual(3);
    // The user excludes the last chunk: the run must not use it.
    const excluded = added.chunks.at(-1)!;
    await updateChunks(db, [excluded.id], { excluded: 'user' });

    const { chunks, documents } = await readProjectChunks(db, project.id);
    expect(documents).toBe(1);
    expect(chunks.map((c) => c.id)).toEqual(added.chunks.slice(0, -1).map((c) => c.id));
    expect(chunks.every((c) => c.documentName === 'stories.md')).toBe(true);

    // The preset with short answers, without its dedup pass (that loads the embedding model); then
    // the same with answers that quote nothing let through, so the groundedness judge is reached.
    // (The story model writes dialogue in quotation marks, which are never in the chunk: its
    // answers end as citationNotFound. The groundedness judge's logic is in the unit tests.)
    await runOn(project.id, added.document.id, chunks, true);
    await runOn(project.id, added.document.id, chunks, false);
  }, 240_000);
});

/** Runs docQA's steps over the chunks and checks the mechanics; returns the run's samples. */
async function runOn(projectId: string, documentId: string, chunks: ChunkRef[], requireQuote: boolean) {
  const preset = PRESETS.docQA!;
  const input: RecipeInput = {
    ...preset,
    steps: [
      { op: 'questions', tokensPerQuestion: 10, maxPerChunk: 3, maxTokens: 96 },
      { op: 'groundedAnswer', maxTokens: 48, requireQuote },
      { op: 'groundedJudge', minScore: 4, retries: 0 },
      { op: 'filter', minChars: 20 },
    ],
  };
  const v = validateRecipe(input);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const run = await createRun(db, { projectId, name: input.name, recipe: v.recipe, roles: { generator: ref, responder: ref, judge: ref }, models: {}, seeds: [], chunks, concurrency: 1, total: taskCount(v.recipe, chunks.length) });
  expect(await getRunChunks(db, run.id)).toEqual(chunks);

  const events: RunnerEvent[] = [];
  const status = await api.start(run.id, { source: { kind: 'huggingface' }, keys: {}, appBase: new URL('/', location.href).href }, Comlink.proxy((e: RunnerEvent) => void events.push(e)));
  expect(status).toBe('done');
  const counts = (await getRun(db, run.id))!.counts;
  expect(counts.done).toBe(chunks.length);
  expect(counts.total).toBe(chunks.length);
  const samples = await listRunSamples(db, run.id);
  expect(samples.length).toBeGreaterThanOrEqual(chunks.length);
  expect(counts.accepted + counts.rejected).toBe(samples.length);
  const stored = new Map((await listChunks(db, documentId)).map((c) => [c.id, c]));
  for (const s of samples) {
    const src = s.source!;
    expect(src, s.id).toBeTruthy();
    const chunk = stored.get(src.chunkId)!;
    expect(chunk, src.chunkId).toBeTruthy();
    expect(chunk.excluded).toBeUndefined();
    expect(src).toMatchObject({ documentId, documentName: 'stories.md', chunkIndex: chunk.index, span: chunk.span, pages: chunk.pages, headingPath: chunk.headingPath });
    // Whatever was cited lies inside the chunk's span of the document's text.
    for (const [a, b] of src.cited) expect(a >= src.span[0] && b <= src.span[1] && a < b).toBe(true);
    if (s.status === 'rejected') expect(s.rejectReason).toMatch(KNOWN);
    else expect(s.output.length).toBeGreaterThanOrEqual(20);
    expect(s.seedId).toBeNull();
  }
  // Every task left at least one sample (a question, or the record that none was readable).
  expect(new Set(samples.map((s) => s.lineage.taskIndex))).toEqual(new Set(chunks.map((_, i) => i)));
  // The lineage names the real engine, and the first call of every task asked for questions.
  const first = samples[0]!.lineage.calls![0]!;
  expect(first).toMatchObject({ op: 'questions', engine: 'wllama', model: 'stories260K.gguf' });
  expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ counts: { done: chunks.length, total: chunks.length } });
  // An item that got past the grounded answer was judged for groundedness (its verdict, or the judge's failure, is kept).
  for (const s of samples) {
    const ops = s.lineage.calls!.map((c) => c.op);
    const answered = ops.includes('groundedAnswer') && !['unanswerable', 'citationMissing', 'citationNotFound', 'contextOverflow'].includes(s.rejectReason ?? '');
    if (answered) expect(ops).toContain('groundedJudge');
    if (ops.includes('groundedJudge') && s.rejectReason !== 'judgeFailed' && s.rejectReason !== 'contextOverflow') {
      const g = s.lineage.notes?.groundedness;
      expect(typeof g === 'object' ? g.score : g).toBeGreaterThanOrEqual(1);
    }
  }
  return samples;
}
