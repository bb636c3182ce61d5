import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { Project, RunSeeds, RunWithTasks, Sample, Seed, StoredChunk, StoredDocument } from '../../src/lib/db/types';
import type { EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import type { Role } from '../../src/lib/engines/roles';
import { emptyCounts, type CallRecord } from '../../src/lib/pipeline/types';
import { blobLines, readBackup } from '../../src/lib/io/export/backup';
import { datasetCard } from '../../src/lib/io/export/card';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { restoreBackupFile, writeBackup, type BackupProgress } from '../../src/lib/io/export/projectBackup';
import { planMix } from '../../src/lib/io/export/select';
import { BlobSink, type ByteSink } from '../../src/lib/io/export/sink';
import { allRows, BackupCollisionError, type ProjectTable } from '../../src/lib/io/export/source';
import { DEFAULT_FILTERS, EXPORT_FORMATS, type ExportFormat, type ExportOptions } from '../../src/lib/io/export/types';
import { runDedupPhase } from '../../src/lib/runner/dedupPhase';
import { checkAlpacaJson, checkOpenAiJsonl } from '../e2e/exportChecks';
import { MemoryDatasetSource } from '../support/memoryDatasetSource';

// The shared exporter, dataset card, backup writer, restore and Dedup step over a store in
// memory, in plain Node (no document, no IndexedDB): the path the command line's SQLite store takes.

const P = 'p1';
const call = (role: Role, model: string, engine: string): CallRecord => ({ op: role, role, engine, model, template: `${role}.t`, templateVersion: 1, templateHash: '0123456789abcdef', raw: '', promptTokens: 10, completionTokens: 20, ms: 5, retries: 0 });
const CALLS = [call('responder', 'Qwen2.5-7B-Instruct', 'openai'), call('judge', 'gpt-4o-mini', 'openai')];
const DOC_TEXT = 'Nettle is a cryptographic library. It is designed to fit easily in many contexts.';

const project: Project = { id: P, name: 'Cats and 猫', createdAt: 1, updatedAt: 2 };
const policy = { concurrency: 4, timeoutMs: 60000, maxRetries: 4, baseDelayMs: 1000, maxDelayMs: 60000 };
const used: EndpointConfig = { id: 'ep1', name: 'vLLM', kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: 'Qwen2.5-7B-Instruct', policy, prices: null };
const unused: EndpointConfig = { ...used, id: 'ep2', name: 'Other' };
const run: RunWithTasks = {
  id: 'r1', projectId: P, name: 'Answer and judge', status: 'done',
  recipe: { version: 1, name: 'Answer and judge', seed: 7, language: 'auto', steps: [{ op: 'respond' }, { op: 'judge', minScore: 1, retries: 2 }] },
  roles: { generator: null, responder: { kind: 'remote', endpointId: 'ep1' }, judge: { kind: 'remote', endpointId: 'ep1' } },
  models: { responder: 'remote:ep1', judge: 'remote:ep1' }, seedCount: 6, concurrency: 64, completed: [0, 1, 2], pool: [], counts: emptyCounts(3), error: null, createdAt: 10, updatedAt: 20,
  budget: { maxSpend: 5, maxTokens: null, spent: { spend: 0.25, tokens: 1200, calls: 9 } },
};
const seed = (i: number): Seed => ({
  id: `s${i}`, projectId: P, order: i, instruction: `Explain concept number ${i}.`, input: '', output: i < 5 ? `Concept ${i} explained.` : '', system: '', tags: [], hash: `h${i}`,
  source: { file: 'seeds.jsonl', line: i + 1, format: 'jsonl' }, createdAt: 1, updatedAt: 1,
});
const sample = (i: number, over: Partial<Sample> = {}): Sample => ({
  id: `r1:${String(i).padStart(3, '0')}`, projectId: P, runId: 'r1', seedId: `s${i % 5}`, parentId: null, operation: 'respond', round: 0, persona: null,
  instruction: TOPICS[i % TOPICS.length]!, input: i % 3 ? '' : `context ${i}`, output: `Answer ${i}.`,
  status: 'accepted', rejectReason: null, score: 4 + (i % 2), duplicateOf: null, lineage: { calls: CALLS }, createdAt: 100 + i, updatedAt: 100 + i, ...over,
});
const document: StoredDocument = {
  id: 'd1', projectId: P, name: 'guide.md', type: 'markdown', bytes: DOC_TEXT.length, sha256: 'ab'.repeat(32), pages: null, title: 'Guide', text: DOC_TEXT,
  blocks: [{ kind: 'paragraph', start: 0, end: DOC_TEXT.length }], outline: [], pageStarts: [], status: 'ready', error: null, createdAt: 3, updatedAt: 3,
};
const chunk = (i: number): StoredChunk => ({ id: `c${i}`, projectId: P, documentId: 'd1', index: i, text: DOC_TEXT, headingPath: ['Guide'], pages: null, span: [0, DOC_TEXT.length], tokens: 20 });
const runSeeds: RunSeeds = {
  runId: 'r1',
  seeds: [0, 1, 2].map((i) => ({ id: `s${i}`, instruction: seed(i).instruction, input: '', output: seed(i).output })),
  chunks: [{ id: 'c0', documentId: 'd1', documentName: 'guide.md', index: 0, text: DOC_TEXT, headingPath: ['Guide'], pages: null, span: [0, DOC_TEXT.length], tokens: 20, label: 'n1' }],
};
/** Distinct instructions (the lexical pass must see them as different). */
const TOPICS = ['How do cats sleep through the afternoon?', 'Why do parrots repeat words?', 'What makes wolves hunt in packs?', 'Where do salmon spawn each year?', 'When do bears wake from hibernation?', 'Which owls hunt during daylight?'];

/** 6 good accepted samples, a lower-scored exact copy of the first, a marked duplicate, a document-made one, one pending, one rejected. */
function samples(): Sample[] {
  const good = [0, 1, 2, 3, 4, 5].map((i) => sample(i));
  const first = good[0]!;
  return [
    ...good,
    sample(6, { instruction: first.instruction, input: first.input, output: 'Another answer.', score: 3 }),
    sample(7, { instruction: 'What do hedgehogs eat in winter?', duplicateOf: 'r1:001' }),
    sample(8, {
      operation: 'groundedAnswer', seedId: null, instruction: 'What is Nettle designed for?', input: '', output: 'To fit easily in many contexts.',
      source: { documentId: 'd1', documentName: 'guide.md', chunkId: 'c0', chunkIndex: 0, pages: null, headingPath: ['Guide'], span: [0, DOC_TEXT.length], cited: [] },
    }),
    sample(9, { status: 'pending' }),
    sample(10, { status: 'rejected', rejectReason: 'judge' }),
  ];
}

function fixture(): MemoryDatasetSource {
  const src = new MemoryDatasetSource();
  src.put('projects', [project]);
  // A key-looking field on a stored endpoint must never reach a backup.
  src.put('endpoints', [{ ...used, apiKey: 'sk-secret-123' } as EndpointConfig, unused]);
  src.put('recipes', [{ id: 'rc1', name: 'Saved', recipe: { version: 1, name: 'Saved', steps: [] }, createdAt: 1, updatedAt: 1 }]);
  src.put('runs', [run]);
  src.put('runSeeds', [runSeeds]);
  src.put('seeds', [0, 1, 2, 3, 4, 5].map(seed));
  src.put('samples', samples());
  src.put('documents', [document]);
  src.put('chunks', [chunk(0), chunk(1)]);
  return src;
}

const opts = (format: ExportFormat): ExportOptions => ({ ...DEFAULT_FILTERS, format, provenance: true, source: 'context', realPercent: 20 });

async function exported(src: MemoryDatasetSource, format: ExportFormat) {
  const sink = new BlobSink('application/octet-stream');
  const summary = await exportDataset(src, P, opts(format), sink);
  return { summary, bytes: new Uint8Array(await sink.blob().arrayBuffer()) };
}

async function records(format: ExportFormat, bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const text = new TextDecoder().decode(bytes);
  if (format === 'parquet') return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
  if (format === 'csv') return text.split('\r\n').filter(Boolean).slice(1).map((line) => ({ line }));
  if (format.endsWith('-jsonl')) return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return JSON.parse(text) as Record<string, unknown>[];
}

async function backupBlob(src: MemoryDatasetSource, progress?: BackupProgress[]): Promise<Blob> {
  const sink = new BlobSink('application/jsonl');
  await writeBackup(src, P, sink, (p) => progress?.push(p), 5);
  return sink.blob();
}

/** The project's rows of every table, for comparing two stores. */
function projectRows(src: MemoryDatasetSource) {
  const tables: ProjectTable[] = ['runs', 'runSeeds', 'seeds', 'samples', 'documents', 'chunks'];
  return Object.fromEntries(tables.map((t) => [t, [...src.tables[t].entries()].sort(([a], [b]) => (a < b ? -1 : 1))]));
}

describe('export, card, backup, restore and dedup over a DatasetSource in plain Node', () => {
  it('runs in Node without a browser: no document, no indexedDB', () => {
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
    expect(typeof (globalThis as { indexedDB?: unknown }).indexedDB).toBe('undefined');
  });

  it('exports every format with the same items, left-out counts and real share; JSON formats pass the format checks', async () => {
    const src = fixture();
    // Eligible: the 6 good, the unmarked copy and the document-made one (8); the marked duplicate
    // is left out, and so are the pending and the rejected (not accepted). Seeds with an answer: 5.
    const plan = planMix(8, 5, 20);
    expect(plan.real).toBeGreaterThan(0);
    for (const format of EXPORT_FORMATS) {
      const { summary, bytes } = await exported(src, format);
      expect(summary.plan).toEqual(plan);
      expect(summary.leftOut).toEqual({ status: 2, duplicate: 1, seedNoOutput: 1 });
      expect(summary.runIds).toEqual(['r1']);
      expect(summary.models.map((m) => m.model)).toEqual(['gpt-4o-mini', 'Qwen2.5-7B-Instruct']);
      expect(summary.documents).toEqual([{ id: 'd1', name: 'guide.md', type: 'markdown', pages: null, sha256: 'ab'.repeat(32), bytes: DOC_TEXT.length, items: 1 }]);
      expect(summary.sourceMissing).toBeUndefined();
      expect(summary.bytes).toBe(bytes.byteLength);
      const rows = await records(format, bytes);
      expect(rows, format).toHaveLength(plan.synthetic + plan.real);
      // The document-made item carries its grounding text (read through the source's documents).
      expect(JSON.stringify(rows), format).toContain('Nettle is a cryptographic library.');
    }
    // The strict format checks take files without the optional provenance and source fields.
    for (const [format, check] of [['openai-jsonl', checkOpenAiJsonl], ['alpaca-json', checkAlpacaJson]] as const) {
      const sink = new BlobSink('x');
      await exportDataset(src, P, { ...opts(format), provenance: false, source: 'none' }, sink);
      expect(check(await sink.blob().text()), format).toEqual([]);
    }
  });

  it('writes the dataset card from the export and the runs read through the source', async () => {
    const src = fixture();
    const { summary } = await exported(src, 'alpaca-jsonl');
    const card = datasetCard({ projectName: project.name, summary, runs: await allRows(src, 'runs', P), dataFile: 'cats.jsonl', createdAt: 0 });
    expect(card).toMatch(/^---\n/);
    expect(card).toContain('cats.jsonl');
    expect(card).toContain('Answer and judge');
    expect(card).toContain('gpt-4o-mini');
    expect(card).toContain('guide.md');
  });

  it('writes a backup readBackup accepts: every row of the project, the endpoints its runs used, no key; progress ends at the total', async () => {
    const src = fixture();
    const progress: BackupProgress[] = [];
    const b = await readBackup(blobLines(await backupBlob(src, progress)));
    expect(b.project).toEqual(project);
    expect(b.recipes.map((r) => r.id)).toEqual(['rc1']);
    expect(b.endpoints).toEqual([used]);
    expect(b.runs).toEqual([run]);
    expect(b.runSeeds).toEqual([runSeeds]);
    expect(b.seeds.map((s) => s.id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    // Document-made samples keep their grounding, run snapshots their chunks, runs their budget.
    expect(b.samples).toEqual(samples());
    expect(b.samples.find((s) => s.source)?.source?.chunkId).toBe('c0');
    expect(b.documents).toEqual([document]);
    expect(b.chunks).toEqual([chunk(0), chunk(1)]);
    expect(await (await backupBlob(src)).text()).not.toContain('sk-secret');
    const last = progress.at(-1)!;
    expect(last).toEqual({ type: 'write', done: 1 + 1 + 1 + 1 + 6 + 11 + 1 + 2, total: 1 + 1 + 1 + 1 + 6 + 11 + 1 + 2 });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
  });

  it('restores a backup into another store with the same rows, and that store exports the same bytes', async () => {
    const src = fixture();
    const blob = await backupBlob(src);
    const dst = new MemoryDatasetSource();
    const r = await restoreBackupFile(dst, blob);
    expect(r).toEqual({ projectId: P, skipped: { recipes: 0, endpoints: 0 } });
    expect(projectRows(dst)).toEqual(projectRows(src));
    expect([...dst.tables.endpoints.values()]).toEqual([used]);
    for (const format of ['openai-jsonl', 'csv', 'parquet'] as const) expect((await exported(dst, format)).bytes).toEqual((await exported(src, format)).bytes);
  });

  it('refuses a restore that collides, naming the table and id, and writes nothing', async () => {
    const src = fixture();
    const blob = await backupBlob(src);
    const dst = new MemoryDatasetSource();
    await restoreBackupFile(dst, blob);
    const before = structuredClone(dst.tables);
    const again = await restoreBackupFile(dst, blob).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(BackupCollisionError);
    expect(again).toMatchObject({ name: 'BackupCollisionError', table: 'projects', id: P, message: expect.stringContaining('already in this memory store') });
    expect(dst.tables).toEqual(before);

    // A sample id already stored (another project's) is found after the project row was added: all of it rolls back.
    const other = new MemoryDatasetSource();
    other.put('samples', [sample(3, { projectId: 'elsewhere' })]);
    const clash = await restoreBackupFile(other, blob).catch((e: unknown) => e);
    expect(clash).toMatchObject({ name: 'BackupCollisionError', table: 'samples', id: 'r1:003' });
    expect(other.rollbacks).toBe(1);
    expect(other.tables.projects.size).toBe(0);
    expect(other.tables.runs.size).toBe(0);
    expect([...other.tables.samples.keys()]).toEqual(['r1:003']);
  });

  it('refuses a backup while a run holds the project, and aborts the sink', async () => {
    const src = fixture();
    src.running.add(P);
    const seen: string[] = [];
    const sink: ByteSink = { write: async () => void seen.push('write'), close: async () => void seen.push('close'), abort: async () => void seen.push('abort') };
    await expect(writeBackup(src, P, sink)).rejects.toMatchObject({ name: 'BackupBusyError' });
    expect(seen).toEqual(['abort']);
    await expect(writeBackup(new MemoryDatasetSource(), P, new BlobSink('x'))).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('runs the Dedup step without an embedder: exact copies are marked in the store, the semantic pass is reported as not run', async () => {
    const src = fixture();
    const r = await runDedupPhase(src, P, { threshold: 0.9, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: '', source: { kind: 'huggingface' } });
    expect(r.noEmbedder).toBe(true);
    expect(r.embedded).toBe(0);
    expect(r.byPass.semantic).toBe(0);
    // The copy (score 3) goes, the first sample (score 4) stays; the old mark on sample 7 is cleared.
    const copy = (await src.get('samples', 'r1:006'))!;
    expect(copy.duplicateOf).toBe('r1:000');
    expect(copy.lineage.dedup).toMatchObject({ duplicateOf: 'r1:000', pass: 'exact' });
    expect(copy.lineage.dedupCheck).toMatchObject({ model: 'lexical', againstSeeds: true });
    expect((await src.get('samples', 'r1:007'))!.duplicateOf).toBeNull();
    expect((await src.get('samples', 'r1:000'))!.duplicateOf).toBeNull();
    expect(r.removed).toBe(r.byPass.exact + r.byPass.lexical);
    expect(r.byPass.exact).toBeGreaterThanOrEqual(1);
    // Pending and rejected samples are not the step's: untouched.
    expect((await src.get('samples', 'r1:009'))!.lineage.dedupCheck).toBeUndefined();
  });

  it('loads no Dexie, IndexedDB repository or embedding model on the shared path (static import graph)', () => {
    const entries = ['src/lib/io/export/exportDataset.ts', 'src/lib/io/export/projectBackup.ts', 'src/lib/io/export/card.ts', 'src/lib/runner/dedupPhase.ts', 'src/lib/io/export/source.ts'];
    const { files, packages } = importGraph(entries.map((e) => resolve(e)));
    expect([...packages].filter((p) => p === 'dexie' || p.startsWith('@huggingface/') || p === 'comlink-worker')).toEqual([]);
    const dbModules = [...files].map((f) => f.slice(resolve('.').length + 1)).filter((f) => f.startsWith('src/lib/db/') || f.startsWith('src/lib/embed/embedApi'));
    expect(dbModules).toEqual([]);
  });
});

/**
 * The modules `entries` load at run time: value imports and re-exports (`import type` and
 * `export type` erase), relative ones followed, packages collected. Dynamic `import()` is not
 * followed (it loads on use only).
 */
function importGraph(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gms)) {
      const clause = m[3]!.trim();
      const names = clause.replace(/[{}]/g, '').split(',').map((n) => n.trim()).filter(Boolean);
      if (m[2] || (clause.startsWith('{') && names.every((n) => n.startsWith('type ')))) continue;
      const spec = m[4]!;
      if (!spec.startsWith('.')) packages.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
      else todo.push([`${spec}.ts`, spec, `${spec}/index.ts`].map((s) => resolve(dirname(file), s)).find((f) => existsSync(f) && statSync(f).isFile())!);
    }
    for (const m of src.matchAll(/^import\s+'([^']+)'/gm)) if (!m[1]!.startsWith('.')) packages.add(m[1]!);
  }
  return { files, packages };
}
