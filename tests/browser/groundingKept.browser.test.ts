import { datasetSource } from '../../src/lib/db/datasetSource';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { addDocument, deleteDocument } from '../../src/lib/db/documentsRepo';
import { chunkDocument } from '../../src/lib/documents/chunk';
import type { ExtractedDoc } from '../../src/lib/documents/types';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { BlobSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS } from '../../src/lib/io/export/types';
import { readGrounding } from '../../src/lib/state/review.svelte';
import { readProjectChunks, RunsState } from '../../src/lib/state/runs.svelte';
import { documentProject } from './exportFixture';
import { freshDb } from './freshDb';

/**
 * Review of issue 14: the drawer and the export agree on a sample's grounding text once its
 * document is deleted (both read the run's chunk snapshot; the drawer used to say the text was
 * gone while the export still wrote it), and a run's chunk snapshot read from IndexedDB carries
 * the pieces that place quotes of a PDF chunk whose running headers were cut out.
 */

async function exportedSystem(db: AppDb, projectId: string): Promise<Map<string, string | undefined>> {
  const sink = new BlobSink('x');
  await exportDataset(datasetSource(db), projectId, { ...DEFAULT_FILTERS, format: 'alpaca-jsonl', provenance: true, source: 'system' }, sink);
  const rows = (await sink.blob().text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { system?: string; provenance: { id: string } });
  return new Map(rows.map((r) => [r.provenance.id, r.system]));
}

describe('a deleted document’s grounding text', () => {
  it('the drawer shows the chunks the run kept, with the cited words marked, and the export writes the same text', async () => {
    const db = await freshDb('grounding-kept');
    const fx = await documentProject(db, { good: 1, seeds: 0 });
    await deleteDocument(db, fx.document.id);
    const system = await exportedSystem(db, fx.project.id);
    for (const s of fx.docSamples) {
      const g = await readGrounding(db, s);
      expect(g?.state).toBe('kept');
      if (g?.state !== 'kept') continue;
      expect(g.text).toBe(system.get(s.id));
      // Every cited span of the document is marked on the same words in the kept text.
      const words = s.source!.cited.map(([a, b]) => fx.document.text.slice(a, b));
      expect(g.cited.map(([a, b]) => g.text.slice(a, b))).toEqual(words);
    }
    const two = await readGrounding(db, fx.docSamples[4]!);
    expect(two).toEqual({ state: 'kept', text: `${fx.chunks[1]!.text}\n\n${fx.chunks[2]!.text}`, cited: expect.any(Array) });
    // Snapshot gone as well: nothing left to show.
    await db.runSeeds.delete(fx.run.id);
    expect(await readGrounding(db, fx.docSamples[0]!)).toEqual({ state: 'deleted' });
  });

  it('a run reads PDF chunks with their running headers cut out together with the pieces that place them in the document', async () => {
    const db = await freshDb('grounding-kept');
    const fx = await documentProject(db, { good: 1, seeds: 0 });
    const lines = ['Hand hygiene is required before every patient contact.', 'Gloves do not replace hand hygiene at any time.', 'Alcohol rub is used unless hands are visibly soiled.', 'Nails are kept short on every clinical shift.'];
    let text = '';
    const blocks: ExtractedDoc['blocks'] = [];
    lines.forEach((p, i) => {
      for (const line of ['Ward Policy — Infection Control', p, `Page ${i + 1} of 4`]) {
        if (text) text += '\n\n';
        blocks.push({ kind: 'paragraph', start: text.length, end: text.length + line.length, pages: [i + 1, i + 1] });
        text += line;
      }
    });
    const doc: ExtractedDoc = { title: 'Policy', text, blocks, pages: 4 };
    const r = chunkDocument(doc, { maxTokens: 25, overlapTokens: 0 });
    expect(r.removed.length).toBeGreaterThan(0);
    const { document } = await addDocument(
      db,
      fx.project.id,
      { name: 'policy.pdf', type: 'pdf', bytes: 1, sha256: 'f'.repeat(64), pages: 4, title: 'Policy', text, blocks, outline: [], pageStarts: [], status: 'ready', error: null },
      r.chunks.map((c) => ({ text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens })),
    );
    const mine = (await readProjectChunks(db, fx.project.id)).chunks.filter((c) => c.documentId === document.id);
    const cut = mine.filter((c) => c.text !== text.slice(c.span[0], c.span[1]));
    expect(cut.length).toBeGreaterThan(0);
    for (const c of cut) {
      expect(c.pieces?.length).toBeGreaterThan(0);
      for (const [at, doc0, n] of c.pieces!) expect(text.slice(doc0, doc0 + n)).toBe(c.text.slice(at, at + n));
    }
    for (const c of mine.filter((x) => !cut.includes(x))) expect(c.pieces).toBeUndefined();
  });
});

describe('the Run screen’s chunks', () => {
  it('a failed read of the chunks is shown as the runs’ error, not swallowed (the Run screen ignores the rejection)', async () => {
    const db = await freshDb('grounding-kept');
    const fx = await documentProject(db, { good: 1, seeds: 0 });
    const runs = new RunsState(db, {} as never, {} as never, {} as never);
    await runs.load(fx.project.id);
    await runs.loadChunks();
    expect(runs.chunks.length).toBe(fx.chunks.length);
    expect(runs.error).toBeNull();
    db.close();
    await runs.loadChunks().catch(() => {});
    expect(runs.error?.name).toBe('DatabaseClosedError');
  });
});
