import { datasetSource } from '../../src/lib/db/datasetSource';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { deleteDocument } from '../../src/lib/db/documentsRepo';
import { updateProjectNotes } from '../../src/lib/db/projectsRepo';
import { addLabel, emptyLabelTree } from '../../src/lib/documents/labelTree';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { BlobSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS, type ExportOptions } from '../../src/lib/io/export/types';
import { readGrounding } from '../../src/lib/state/review.svelte';
import { documentProject } from './exportFixture';
import { freshDb } from './freshDb';

const opts = (over: Partial<ExportOptions> = {}): ExportOptions => ({ ...DEFAULT_FILTERS, format: 'alpaca-jsonl', provenance: true, ...over });

async function run(db: AppDb, projectId: string, o: ExportOptions) {
  const sink = new BlobSink('x');
  const summary = await exportDataset(datasetSource(db), projectId, o, sink);
  return { summary, blob: sink.blob() };
}

type Row = { instruction: string; input: string; output: string; system?: string; context?: string; provenance: Record<string, unknown> };
const jsonl = async (b: Blob) => (await b.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);

describe('export of document-made samples from IndexedDB', () => {
  it('writes each sample’s grounding text, sliced from the stored document over its span (two chunks for a multi-chunk question), and lists the document in the summary', async () => {
    const db = await freshDb('export-source');
    const fx = await documentProject(db, { good: 4, seeds: 3 });
    const { summary, blob } = await run(db, fx.project.id, opts({ source: 'context' }));
    const rows = await jsonl(blob);
    expect(rows).toHaveLength(4 + 5);
    const byId = new Map(rows.map((r) => [r.provenance.id as string, r]));
    for (const s of fx.docSamples) {
      const r = byId.get(s.id)!;
      expect(r.context).toBe(fx.document.text.slice(s.source!.span[0], s.source!.span[1]));
      expect(r.provenance).toMatchObject({ document: 'setup-guide.md', pages: s.source!.pages, headingPath: s.source!.headingPath, chunkId: s.source!.chunkId });
    }
    // The two-chunk question's text runs from the first chunk's start to the second's end, the heading between them included.
    expect(byId.get(fx.docSamples[4]!.id)!.context).toBe(`${fx.chunks[1]!.text}\n\n## Removing\n\n${fx.chunks[2]!.text}`);
    // Seed-made samples: the same keys, empty context, null document fields.
    const plain = rows.find((r) => r.provenance.document === null)!;
    expect(plain.context).toBe('');
    expect(Object.keys(plain)).toEqual(Object.keys(byId.get(fx.docSamples[0]!.id)!));
    expect(summary.documents).toEqual([{ id: fx.document.id, name: 'setup-guide.md', type: 'markdown', pages: 3, sha256: fx.document.sha256, bytes: fx.document.bytes, items: 5 }]);
    expect(summary.sourceMissing).toBeUndefined();

    // RAG-style Parquet: the chunk is the input.
    const pq = await run(db, fx.project.id, opts({ format: 'parquet', source: 'input' }));
    const table = await parquetReadObjects({ file: await pq.blob.arrayBuffer() });
    const row = table.find((r) => r.id === fx.docSamples[0]!.id)!;
    expect(row.input).toBe(fx.chunks[0]!.text);
    expect(row.document).toBe('setup-guide.md');
  });

  it('falls back to the run’s chunk snapshot when the document was deleted, and counts what has no text left', async () => {
    const db = await freshDb('export-source');
    const fx = await documentProject(db, { good: 2, seeds: 0 });
    await deleteDocument(db, fx.document.id);
    const { summary, blob } = await run(db, fx.project.id, opts({ source: 'system' }));
    const rows = await jsonl(blob);
    const first = rows.find((r) => r.provenance.id === fx.docSamples[0]!.id)!;
    expect(first.system).toBe(fx.chunks[0]!.text);
    // The snapshot holds chunks, not the text between them: a two-chunk question gets both chunks.
    expect(rows.find((r) => r.provenance.id === fx.docSamples[4]!.id)!.system).toBe(`${fx.chunks[1]!.text}\n\n${fx.chunks[2]!.text}`);
    // The card still names the document, from the samples, and says what is unknown.
    expect(summary.documents).toEqual([{ id: fx.document.id, name: 'setup-guide.md', type: null, pages: null, sha256: null, bytes: null, items: 5 }]);

    await db.runSeeds.delete(fx.run.id);
    const gone = await run(db, fx.project.id, opts({ source: 'system' }));
    expect(gone.summary.sourceMissing).toBe(5);
    expect((await jsonl(gone.blob)).filter((r) => r.system)).toEqual([]);
    // The drawer says the document is gone.
    expect(await readGrounding(db, fx.docSamples[0]!)).toEqual({ state: 'deleted' });
  });

  it('balances per label: at most k per label, the best-scored first, or the smallest label’s count; the same file twice', async () => {
    const db = await freshDb('export-source');
    const fx = await documentProject(db, { good: 3, seeds: 0 });
    // Labels A (three samples, scores 5, 4, 3) and B (two); the three seed-made samples are one unlabelled group.
    const one = await run(db, fx.project.id, opts({ balance: 1 }));
    const ids = (await jsonl(one.blob)).map((r) => r.provenance.id);
    expect(ids.filter((id) => (id as string).includes(':doc-'))).toEqual([fx.docSamples[0]!.id, fx.docSamples[3]!.id]);
    expect(ids).toHaveLength(3);
    expect(one.summary.leftOut.balance).toBe(2 + 1 + 2);
    expect(await (await run(db, fx.project.id, opts({ balance: 1 }))).blob.text()).toBe(await one.blob.text());
    const min = await run(db, fx.project.id, opts({ balance: 'min' }));
    expect(min.summary.plan.synthetic).toBe(2 + 2 + 2);
    // A label merged into another counts as that one (the project's tree is read).
    let tree = emptyLabelTree();
    const a = addLabel(tree, 'Installing', null);
    tree = { ...a.tree, merged: { B: a.id, A: a.id } };
    await updateProjectNotes(db, fx.project.id, { labels: tree });
    expect((await run(db, fx.project.id, opts({ balance: 2 }))).summary.plan.synthetic).toBe(2 + 2);
  });

  it('reads the drawer’s grounding text: the document’s text over the span, where the cited offsets fall on the quoted words', async () => {
    const db = await freshDb('export-source');
    const fx = await documentProject(db, { good: 1, seeds: 0 });
    const s = fx.docSamples[4]!;
    const g = await readGrounding(db, s);
    expect(g).toEqual({ state: 'found', text: fx.document.text.slice(s.source!.span[0], s.source!.span[1]), offset: s.source!.span[0] });
    if (g?.state !== 'found') return;
    expect(s.source!.cited.map(([a, b]) => g.text.slice(a - g.offset, b - g.offset))).toEqual(['never changes your settings', 'Your documents stay']);
    expect(await readGrounding(db, { source: undefined })).toBeNull();
  });
});
