import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { addDocument, ChunkEditError, listChunks, listProjectChunks, mergeChunks, saveLabelTree, splitChunk, updateChunks } from '../../src/lib/db/documentsRepo';
import { createProject } from '../../src/lib/db/projectsRepo';
import type { StoredChunk, StoredDocument } from '../../src/lib/db/types';
import { chunkDocument, splitPoints } from '../../src/lib/documents/chunk';
import { documentDraft, pageAt, sha256Hex } from '../../src/lib/documents/draft';
import { buildLabelTree, deleteLabel, LabelTreeError, mergeLabels } from '../../src/lib/documents/labelTree';
import { estimateTextTokens } from '../../src/lib/documents/sentences';
import { buildDoc } from '../unit/documentsFixtures';
import { freshDb } from './freshDb';

/** A paged Chinese/English document stored with its chunks (one chunk per section, small sections). */
async function stored(db: AppDb, title = 'Guide'): Promise<{ doc: StoredDocument; chunks: StoredChunk[]; projectId: string }> {
  const project = await createProject(db, 'chunk ops');
  const x = buildDoc(
    [
      { h: 1, title: '适用范围', page: 1 },
      { p: '本指南适用于成人患者。儿童患者请参见附录。', page: 1 },
      { h: 1, title: 'Dosage', page: 2 },
      { p: 'Take one tablet a day. Do not exceed two tablets. See a doctor after a week.', page: 2 },
      { h: 1, title: 'Follow-up', page: 3 },
      { p: 'See the patient again after two weeks.', page: 3 },
      { h: 1, title: 'Appendix', page: 4 },
      { p: 'Children: 5 mg. Adults: 10 mg.', page: 4 },
    ],
    title,
  );
  const drafts = chunkDocument(x, { maxTokens: 200, overlapTokens: 0 }).chunks.map(({ index: _, id: __, ...c }) => c);
  const text = new TextEncoder().encode(x.text);
  const { document, chunks } = await addDocument(db, project.id, documentDraft({ name: `${title}.md`, size: text.length }, await sha256Hex(text), { format: 'markdown', doc: x }), drafts);
  return { doc: document, chunks, projectId: project.id };
}

/** What must hold for a document's stored chunks after any edit. */
async function checkChunks(db: AppDb, doc: StoredDocument): Promise<StoredChunk[]> {
  const rows = await listChunks(db, doc.id);
  expect(rows.map((c) => c.index)).toEqual(rows.map((_, i) => i));
  for (const c of rows) {
    expect(c.text).toBe(doc.text.slice(c.span[0], c.span[1]));
    expect(c.tokens).toBe(estimateTextTokens(c.text));
    expect(c.pages).toEqual([pageAt(doc.pageStarts, c.span[0]), pageAt(doc.pageStarts, c.span[1] - 1)]);
  }
  for (let i = 1; i < rows.length; i++) expect(rows[i]!.span[0]).toBeGreaterThanOrEqual(rows[i - 1]!.span[1]);
  return rows;
}

async function everything(db: AppDb) {
  return { chunks: await db.chunks.toArray(), documents: await db.documents.toArray(), projects: await db.projects.toArray() };
}

describe('chunk edits in real IndexedDB', () => {
  it('merges a chunk with the next one: union span, text re-read, pages joined, later chunks move up', async () => {
    const db = await freshDb('chunk-merge');
    const { doc, chunks } = await stored(db);
    expect(chunks).toHaveLength(4);
    const merged = await mergeChunks(db, chunks[1]!.id, chunks[2]!.id);
    expect(merged.id).toBe(chunks[1]!.id);
    expect(merged.span).toEqual([chunks[1]!.span[0], chunks[2]!.span[1]]);
    expect(merged.pages).toEqual([2, 3]);
    expect(merged.headingPath).toEqual(['Dosage']);
    const rows = await checkChunks(db, doc);
    expect(rows.map((c) => c.id)).toEqual([chunks[0]!.id, chunks[1]!.id, chunks[3]!.id]);
    expect(await db.chunks.get(chunks[2]!.id)).toBeUndefined();
    expect((await db.documents.get(doc.id))!.updatedAt).toBeGreaterThanOrEqual(doc.updatedAt);
  });

  it('refuses to merge chunks that are not neighbours, or of two documents, and changes nothing', async () => {
    const db = await freshDb('chunk-merge-refused');
    const { chunks } = await stored(db);
    const { chunks: other } = await stored(db, 'Other');
    const before = await everything(db);
    await expect(mergeChunks(db, chunks[0]!.id, chunks[2]!.id)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(mergeChunks(db, chunks[1]!.id, chunks[0]!.id)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(mergeChunks(db, chunks[3]!.id, other[0]!.id)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(mergeChunks(db, chunks[0]!.id, 'gone')).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await everything(db)).toEqual(before);
  });

  it('splits a chunk at a sentence boundary: the second part comes right after, later chunks move down', async () => {
    const db = await freshDb('chunk-split');
    const { doc, chunks } = await stored(db);
    const c = chunks[1]!;
    const points = splitPoints(doc.text, c.span);
    const at = doc.text.indexOf('Do not exceed');
    expect(points).toContain(at);
    const [a, b] = await splitChunk(db, c.id, at);
    expect(a.id).toBe(c.id);
    expect(b.span).toEqual([at, c.span[1]]);
    expect(b.text).toBe('Do not exceed two tablets. See a doctor after a week.');
    const rows = await checkChunks(db, doc);
    expect(rows.map((r) => r.id)).toEqual([chunks[0]!.id, c.id, b.id, chunks[2]!.id, chunks[3]!.id]);
    // Merge them back: the chunk is as it was (span, text, pages, tokens).
    const back = await mergeChunks(db, a.id, b.id);
    expect({ ...back }).toEqual({ ...c });
    await checkChunks(db, doc);
  });

  it('refuses a split point outside the chunk, changing nothing', async () => {
    const db = await freshDb('chunk-split-refused');
    const { chunks } = await stored(db);
    const before = await everything(db);
    const c = chunks[1]!;
    await expect(splitChunk(db, c.id, c.span[0])).rejects.toBeInstanceOf(ChunkEditError);
    await expect(splitChunk(db, c.id, c.span[1] + 5)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(splitChunk(db, 'gone', 3)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await everything(db)).toEqual(before);
  });

  it('a write that fails half-way leaves nothing half-written (merge and split)', async () => {
    const db = await freshDb('chunk-atomic');
    const { chunks } = await stored(db);
    const before = await everything(db);
    // The last write of a merge (the shifted chunks, after the delete) and of a split (the new
    // chunk's add, after the shifts) fail: the earlier writes of the same transaction must go too.
    const fail = () => {
      throw new Error('disk full (simulated)');
    };
    db.chunks.hook('creating', fail);
    await expect(splitChunk(db, chunks[0]!.id, splitPoints((await db.documents.toArray())[0]!.text, chunks[0]!.span)[0]!)).rejects.toThrow(/simulated/);
    db.chunks.hook('creating').unsubscribe(fail);
    expect(await everything(db)).toEqual(before);
    db.chunks.hook('updating', fail);
    await expect(mergeChunks(db, chunks[0]!.id, chunks[1]!.id)).rejects.toThrow(/simulated/);
    db.chunks.hook('updating').unsubscribe(fail);
    expect(await everything(db)).toEqual(before);
  });

  it('excludes by hand and includes again', async () => {
    const db = await freshDb('chunk-exclude');
    const { doc, chunks } = await stored(db);
    await updateChunks(db, [chunks[2]!.id], { excluded: 'user' });
    expect((await listChunks(db, doc.id)).map((c) => c.excluded ?? null)).toEqual([null, null, 'user', null]);
    await updateChunks(db, [chunks[2]!.id], { excluded: null });
    expect((await listChunks(db, doc.id)).every((c) => c.excluded === undefined)).toBe(true);
  });

  it('stores the label tree with every chunk’s label in one transaction; merges and deletes re-resolve the labels', async () => {
    const db = await freshDb('chunk-labels');
    const { doc, chunks, projectId } = await stored(db);
    const { tree, labels } = buildLabelTree([{ title: doc.title, chunks }]);
    const assign = new Map(chunks.map((c, i) => [c.id, labels[0]![i]!]));
    expect(await saveLabelTree(db, projectId, tree, assign)).toBe(4);
    expect((await db.projects.get(projectId))!.labels).toEqual(tree);
    const tagged = await listProjectChunks(db, projectId);
    expect(new Map(tagged.map((c) => [c.id, c.label]))).toEqual(assign);

    // Merge "Follow-up" into "Dosage", delete "Appendix" (top level under the document: its chunk goes to the document's label).
    const dosage = assign.get(chunks[1]!.id)!;
    const follow = assign.get(chunks[2]!.id)!;
    const appendix = assign.get(chunks[3]!.id)!;
    const next = deleteLabel(mergeLabels(tree, follow, dosage), appendix);
    expect(await saveLabelTree(db, projectId, next)).toBe(2);
    const after = new Map((await listChunks(db, doc.id)).map((c) => [c.index, c.label]));
    expect([...after.values()]).toEqual([assign.get(chunks[0]!.id), dosage, dosage, tree.nodes[0]!.id]);
    expect((await db.projects.get(projectId))!.labels).toEqual(next);
  });

  it('refuses a label that is not in the tree, or an unknown project, with nothing changed', async () => {
    const db = await freshDb('chunk-labels-refused');
    const { chunks, projectId } = await stored(db);
    const { tree } = buildLabelTree([{ title: 'Guide', chunks }]);
    const before = await everything(db);
    await expect(saveLabelTree(db, projectId, tree, new Map([[chunks[0]!.id, 'L999']]))).rejects.toBeInstanceOf(LabelTreeError);
    await expect(saveLabelTree(db, 'no-such-project', tree)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await everything(db)).toEqual(before);
  });
});
