import type { AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import { createRun, dexieRunStore } from '../../src/lib/db/runsRepo';
import { applyDuplicates } from '../../src/lib/db/samplesRepo';
import { addSeeds } from '../../src/lib/db/seedsRepo';
import type { ChunkDraft, DocumentDraft, Project, Run, Sample, SeedDraft, StoredChunk, StoredDocument } from '../../src/lib/db/types';
import { addDocument } from '../../src/lib/db/documentsRepo';
import { sha256Hex } from '../../src/lib/documents/draft';
import type { ChunkRef, SampleSource } from '../../src/lib/documents/types';
import { newCandidate, type CallRecord, type SampleDraft } from '../../src/lib/pipeline/types';
import { seedHash } from '../../src/lib/text/normalize';

/** What a fixture project holds, so tests can compute the expected counts themselves. */
export interface FixtureProject {
  project: Project;
  run: Run;
  /** Accepted, unmarked, scored ≥ 4, with an answer. */
  good: number;
  /** Accepted with score 2. */
  lowScore: number;
  /** Accepted, marked duplicateOf. */
  duplicates: number;
  rejected: number;
  /** Seeds with an instruction and an answer. */
  usableSeeds: number;
  /** Seeds without an answer. */
  seedsWithoutOutput: number;
}

const call = (role: 'generator' | 'responder' | 'judge', model: string, engine: string): CallRecord => ({
  op: role === 'judge' ? 'judge' : role === 'generator' ? 'evol:deepen' : 'respond', role, engine, model, template: `${role}.t`, templateVersion: 1, templateHash: '0123456789abcdef',
  raw: `raw ${role} output`, promptTokens: 10, completionTokens: 20, ms: 5, retries: 0,
});

/**
 * A project built through the app's own repositories, as a run would leave it: seeds (some without
 * an answer), a run with its seed snapshot and remote judge, accepted samples with lineage calls and
 * scores, low-scored and rejected ones, and near-duplicates marked by applyDuplicates.
 */
export async function fixtureProject(db: AppDb, opts: { good: number; lowScore?: number; duplicates?: number; rejected?: number; seeds: number; seedsWithoutOutput?: number; endpointId?: string; name?: string }): Promise<FixtureProject> {
  const { good, lowScore = 0, duplicates = 0, rejected = 0, seeds, seedsWithoutOutput = 0 } = opts;
  const project = await createProject(db, opts.name ?? 'Fixture');
  const drafts: SeedDraft[] = [];
  for (let i = 0; i < seeds + seedsWithoutOutput; i++) {
    const zh = i % 3 === 0;
    const instruction = zh ? `解释第${i}个概念。` : `Explain concept number ${i}.`;
    const output = i < seeds ? (zh ? `这是第${i}个概念的解释。` : `Concept ${i} explained.`) : '';
    drafts.push({ instruction, input: '', output, system: i % 5 === 0 ? 'You are a teacher.' : '', tags: [], hash: seedHash({ instruction, input: '', output }), source: { file: 'seeds.jsonl', line: i + 1, format: 'jsonl' } });
  }
  const stored = await addSeeds(db, project.id, drafts);
  const endpointId = opts.endpointId ?? 'ep-fixture';
  const run = await createRun(db, {
    projectId: project.id,
    name: 'Fixture run',
    recipe: { version: 1, name: 'Evol 2', seed: 7, language: 'auto', steps: [{ op: 'evolve', rounds: 2 }, { op: 'judge', minScore: 1, retries: 2 }, { op: 'dedup', threshold: 0.9, model: 'all-MiniLM-L6-v2', againstSeeds: true }] },
    roles: { generator: { kind: 'webllm', family: 'Qwen2.5-0.5B' }, responder: { kind: 'webllm', family: 'Qwen2.5-0.5B' }, judge: { kind: 'remote', endpointId } },
    models: { generator: 'webllm:Qwen2.5-0.5B', responder: 'webllm:Qwen2.5-0.5B', judge: `remote:${endpointId}` },
    seeds: stored.map((s) => ({ id: s.id, instruction: s.instruction, input: s.input, output: s.output })),
    concurrency: 1,
    total: good + lowScore + duplicates + rejected,
  });
  const store = dexieRunStore(db);
  const kinds: ('good' | 'low' | 'dup' | 'rej')[] = [...Array(good).fill('good'), ...Array(lowScore).fill('low'), ...Array(duplicates).fill('dup'), ...Array(rejected).fill('rej')];
  const ids: string[] = [];
  const dupIds: string[] = [];
  for (const [t, kind] of kinds.entries()) {
    const key = `${t}.0`;
    const zh = t % 4 === 0;
    const d: SampleDraft = {
      ...newCandidate(key, {
        instruction: zh ? `用三句话解释主题${t}。` : `Explain topic ${t} in three sentences.`,
        input: t % 3 === 0 ? `context ${t}` : '',
        output: zh ? `主题${t}的三句话解释。` : `Three sentences about topic ${t}.`,
        operation: t % 2 ? 'evol:deepen' : 'respond',
        round: t % 3,
        seedId: stored[t % stored.length]?.id ?? null,
        score: kind === 'low' ? 2 : 4 + (t % 2),
        calls: [call('generator', 'Qwen2.5-0.5B', 'webllm'), call('responder', 'Qwen2.5-0.5B', 'webllm'), call('judge', 'gpt-4o-mini', 'openai')],
      }),
      status: kind === 'rej' ? 'rejected' : 'accepted',
      rejectReason: kind === 'rej' ? 'judge:lowScore' : null,
      taskIndex: t,
    };
    await store.commitTask(run.id, t, { samples: [d], pool: [], calls: 3, promptTokens: 30, completionTokens: 60, modelMs: 15 });
    ids.push(`${run.id}:${key}`);
    if (kind === 'dup') dupIds.push(`${run.id}:${key}`);
  }
  if (dupIds.length) await applyDuplicates(db, ids, dupIds.map((id) => ({ id, duplicateOf: ids[0]!, similarity: 0.93 })));
  return { project, run: (await db.runs.get(run.id))!, good, lowScore, duplicates, rejected, usableSeeds: seeds, seedsWithoutOutput };
}

/** Every row of a project, per table, sorted by key: two stores hold the same project when these are equal. */
export async function projectRows(db: AppDb, projectId: string) {
  const byId = <T extends { id: string }>(rows: T[]) => rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  const runs = byId(await db.runs.where('projectId').equals(projectId).toArray());
  return {
    project: await db.projects.get(projectId),
    seeds: byId(await db.seeds.where('projectId').equals(projectId).toArray()),
    samples: byId(await db.samples.where('projectId').equals(projectId).toArray()),
    runs,
    runSeeds: (await db.runSeeds.bulkGet(runs.map((r) => r.id))).filter(Boolean),
    // A run's committed tasks (schema 9): in key order, so that two stores compare equal.
    runTasks: (await db.runTasks.where('runId').anyOf(runs.map((r) => r.id)).toArray()).sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.task - b.task)),
  };
}

/** A fixture project with a stored document and samples made from its chunks (see documentProject). */
export interface DocumentFixture extends FixtureProject {
  document: StoredDocument;
  chunks: StoredChunk[];
  /** The document-made samples, in id order: three from chunk 0 (label A), one from chunk 1 (label B), one two-chunk question (chunks 1–2, label B). */
  docSamples: Sample[];
}

/**
 * `fixtureProject` plus a Markdown document of three sections stored through documentsRepo
 * (one chunk per section), the run's chunk snapshot in its runSeeds row, and five accepted
 * document-made samples with `source` (pages, heading path, label, cited spans into the text).
 */
export async function documentProject(db: AppDb, opts: Parameters<typeof fixtureProject>[1]): Promise<DocumentFixture> {
  const fx = await fixtureProject(db, opts);
  const sections: [string, string][] = [
    ['Installing', 'Run the installer as an administrator. The installer asks for a licence key before it copies any file.'],
    ['Updating', 'Updates arrive every month. An update never changes your settings.'],
    ['Removing', 'Remove the program from the control panel. Your documents stay where they are.'],
  ];
  let text = '';
  const blocks: DocumentDraft['blocks'] = [];
  const drafts: ChunkDraft[] = [];
  for (const [i, [heading, body]] of sections.entries()) {
    if (text) text += '\n\n';
    const h = `## ${heading}`;
    blocks.push({ kind: 'heading', level: 2, title: heading, start: text.length, end: text.length + h.length });
    text += h + '\n\n';
    const start = text.length;
    text += body;
    blocks.push({ kind: 'paragraph', start, end: text.length });
    drafts.push({ text: body, headingPath: ['Guide', heading], pages: [i + 1, i + 1], span: [start, text.length], tokens: body.length, label: i === 0 ? 'A' : 'B' });
  }
  const bytes = new TextEncoder().encode(text);
  const draft: DocumentDraft = {
    name: 'setup-guide.md', type: 'markdown', bytes: bytes.length, sha256: await sha256Hex(bytes), pages: 3, title: 'Setup guide', text, blocks,
    outline: sections.map(([title]) => ({ title, level: 2 })), pageStarts: [], status: 'ready', error: null,
  };
  const { document, chunks } = await addDocument(db, fx.project.id, draft, drafts);
  const refs: ChunkRef[] = chunks.map((c) => ({ id: c.id, documentId: document.id, documentName: document.name, index: c.index, text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens, ...(c.label ? { label: c.label } : {}) }));
  const snap = await db.runSeeds.get(fx.run.id);
  await db.runSeeds.put({ runId: fx.run.id, seeds: snap?.seeds ?? [], chunks: refs });
  const base = (await db.samples.where('projectId').equals(fx.project.id).first())!;
  const cite = (c: StoredChunk, phrase: string): [number, number] => {
    const at = document.text.indexOf(phrase, c.span[0]);
    return [at, at + phrase.length];
  };
  const [c0, c1, c2] = chunks as [StoredChunk, StoredChunk, StoredChunk];
  const source = (c: StoredChunk, cited: [number, number][], more?: StoredChunk): SampleSource => ({
    documentId: document.id, documentName: document.name, chunkId: c.id, chunkIndex: c.index, pages: more ? [c.pages![0], more.pages![1]] : c.pages, headingPath: c.headingPath,
    span: [c.span[0], (more ?? c).span[1]], cited, label: c.label!, questionType: 'factual', ...(more ? { moreChunks: [{ id: more.id, index: more.index }] } : {}),
  });
  const docSamples: Sample[] = [
    { ...base, id: `${fx.run.id}:doc-0`, operation: 'groundedAnswer', instruction: 'What does the installer ask for?', output: 'A licence key, before it copies any file.', score: 5, source: source(c0, [cite(c0, 'asks for a licence key')]) },
    { ...base, id: `${fx.run.id}:doc-1`, operation: 'groundedAnswer', instruction: 'Who should run the installer?', output: 'An administrator.', score: 4, source: source(c0, [cite(c0, 'as an administrator')]) },
    { ...base, id: `${fx.run.id}:doc-2`, operation: 'groundedAnswer', instruction: 'When are files copied?', output: 'After the licence key is given.', score: 3, source: source(c0, []) },
    { ...base, id: `${fx.run.id}:doc-3`, operation: 'groundedAnswer', instruction: 'How often do updates arrive?', output: 'Every month.', score: 5, source: source(c1, [cite(c1, 'every month')]) },
    { ...base, id: `${fx.run.id}:doc-4`, operation: 'groundedAnswer', instruction: 'What stays the same through updates and removal?', output: 'Your settings and your documents.', score: 4, source: source(c1, [cite(c1, 'never changes your settings'), cite(c2, 'Your documents stay')], c2) },
  ].map((s) => ({ ...s, input: '', seedId: null, lineage: { ...s.lineage, notes: { groundedness: { score: s.score ?? 0, unsupported: '', reason: '' } } } }));
  await db.samples.bulkAdd(docSamples);
  return { ...fx, document, chunks, docSamples };
}
