import { datasetSource } from '../../src/lib/db/datasetSource';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { addDocument, ChunkSpanError, countChunks, deleteDocument, DocumentExistsError, findDocumentBySha256, getDocument, getDocumentFile, listChunks, listDocuments, replaceChunks, updateChunks } from '../../src/lib/db/documentsRepo';
import { createProject, deleteProject, updateProjectNotes } from '../../src/lib/db/projectsRepo';
import type { ChunkDraft, DocumentDraft } from '../../src/lib/db/types';
import { restoreBackupFile, writeBackup } from '../../src/lib/io/export/projectBackup';
import { BlobSink } from '../../src/lib/io/export/sink';
import { fixtureProject, projectRows } from './exportFixture';
import { freshDb } from './freshDb';
import { chunkDocument } from '../../src/lib/documents/chunk';
import { documentDraft, pageAt, sha256Hex } from '../../src/lib/documents/draft';
import { buildLabelTree } from '../../src/lib/documents/labelTree';
import { buildDoc, type Part } from '../unit/documentsFixtures';

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A document as an extractor would hand it over, with its chunks: each chunk is one block of the text. */
async function made(name: string, sections: [heading: string, body: string][]): Promise<{ draft: DocumentDraft; chunks: ChunkDraft[]; file: Blob }> {
  let text = '';
  const blocks: DocumentDraft['blocks'] = [];
  const chunks: ChunkDraft[] = [];
  for (const [heading, body] of sections) {
    if (text) text += '\n\n';
    const h = `## ${heading}`;
    blocks.push({ kind: 'heading', level: 2, title: heading, start: text.length, end: text.length + h.length });
    text += h + '\n\n';
    const start = text.length;
    text += body;
    blocks.push({ kind: 'paragraph', start, end: text.length });
    chunks.push({ text: body, headingPath: [heading], pages: null, span: [start, text.length], tokens: body.length });
  }
  const bytes = new TextEncoder().encode(text);
  const draft: DocumentDraft = {
    name,
    type: 'markdown',
    bytes: bytes.length,
    sha256: await sha256(bytes),
    pages: null,
    title: name.replace(/\.md$/, ''),
    text,
    blocks,
    outline: sections.map(([title]) => ({ title, level: 2 })),
    pageStarts: [],
    status: 'ready',
    error: null,
  };
  return { draft, chunks, file: new Blob([bytes], { type: 'text/markdown' }) };
}

const guide = (): Promise<ReturnType<typeof made> extends Promise<infer T> ? T : never> =>
  made('临床指南.md', [
    ['适用范围', '本指南适用于成人患者。儿童患者请参见附录。'],
    ['剂量', '每日一次，每次十毫克！不得超过二十毫克？'],
    ['Follow-up', 'See the patient again after two weeks. Check the blood pressure.'],
  ]);

/** Every row of the three document tables, for "nothing changed" checks. */
async function documentTables(db: AppDb) {
  return { documents: await db.documents.toArray(), chunks: await db.chunks.toArray(), files: await db.documentFiles.count() };
}

describe('documents repository (real IndexedDB)', () => {
  it('stores a document with its chunks and file, and reads them back in order', async () => {
    const db = await freshDb('docs-add');
    const p = await createProject(db, 'Clinic');
    const { draft, chunks, file } = await guide();
    const stored = await addDocument(db, p.id, draft, chunks, file);
    expect(stored.chunks.map((c) => c.index)).toEqual([0, 1, 2]);

    const [doc] = await listDocuments(db, p.id);
    expect(doc).toEqual(stored.document);
    expect(doc).toMatchObject({ ...draft, projectId: p.id });
    expect(await getDocument(db, doc!.id)).toEqual(doc);
    expect(await findDocumentBySha256(db, p.id, draft.sha256)).toEqual(doc);
    const read = await listChunks(db, doc!.id);
    expect(read).toEqual(stored.chunks);
    // Every chunk's span points at its text in the stored document (CJK and English alike).
    for (const c of read) expect(doc!.text.slice(c.span[0], c.span[1])).toBe(c.text);
    expect(read.map((c) => c.headingPath[0])).toEqual(['适用范围', '剂量', 'Follow-up']);
    // The original file comes back byte for byte.
    const back = await getDocumentFile(db, doc!.id);
    expect(new Uint8Array(await back!.arrayBuffer())).toEqual(new Uint8Array(await file.arrayBuffer()));
    expect((await db.projects.get(p.id))!.updatedAt).toBe(doc!.createdAt);
  });

  it('lists a project’s documents in the order they were added, and keeps projects apart', async () => {
    const db = await freshDb('docs-list');
    const a = await createProject(db, 'A');
    const b = await createProject(db, 'B');
    const names = ['one.md', 'two.md', 'three.md'];
    for (const n of names) {
      const d = await made(n, [[n, `Text of ${n}.`]]);
      await addDocument(db, a.id, d.draft, d.chunks);
      // createdAt is in milliseconds: make sure the next one is later.
      await new Promise((r) => setTimeout(r, 3));
    }
    const other = await made('other.md', [['Other', 'Other text.']]);
    await addDocument(db, b.id, other.draft, other.chunks);
    expect((await listDocuments(db, a.id)).map((d) => d.name)).toEqual(names);
    expect((await listDocuments(db, b.id)).map((d) => d.name)).toEqual(['other.md']);
    expect(await countChunks(db, a.id)).toBe(3);
  });

  it('stores nothing when the write fails midway: the document row added first is rolled back with the chunks', async () => {
    const db = await freshDb('docs-atomic');
    const p = await createProject(db, 'Clinic');
    const { draft, chunks, file } = await guide();
    // IndexedDB refuses a value it cannot clone: the document row is already written when the
    // chunks' bulkAdd throws, so only the transaction can take it back.
    const poisoned = chunks.map((c, i) => (i === 2 ? { ...c, label: (() => 'x') as unknown as string } : c));
    await expect(addDocument(db, p.id, draft, poisoned, file)).rejects.toMatchObject({ name: 'DataCloneError' });
    expect(await documentTables(db)).toEqual({ documents: [], chunks: [], files: 0 });

    // A chunk that does not fit the text: refused, nothing stored.
    const wrong = chunks.map((c, i) => (i === 1 ? { ...c, span: [10, draft.text.length + 1] as [number, number] } : c));
    const e = await addDocument(db, p.id, draft, wrong, file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ChunkSpanError);
    expect((e as ChunkSpanError).index).toBe(1);
    expect(await documentTables(db)).toEqual({ documents: [], chunks: [], files: 0 });

    // No such project.
    await expect(addDocument(db, 'nope', draft, chunks)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await documentTables(db)).toEqual({ documents: [], chunks: [], files: 0 });

    // After all that, the same document goes in.
    await addDocument(db, p.id, draft, chunks, file);
    expect(await db.chunks.count()).toBe(3);
  });

  it('refuses the same file twice in a project, naming the one already there; another project may have it', async () => {
    const db = await freshDb('docs-dup');
    const a = await createProject(db, 'A');
    const b = await createProject(db, 'B');
    const { draft, chunks } = await guide();
    const first = await addDocument(db, a.id, draft, chunks);
    const before = await documentTables(db);
    const e = await addDocument(db, a.id, { ...draft, name: 'copy.md' }, chunks).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DocumentExistsError);
    expect((e as DocumentExistsError).existing.id).toBe(first.document.id);
    expect((e as Error).message).toContain('“copy.md” is already in this project as “临床指南.md”');
    expect(await documentTables(db)).toEqual(before);
    await addDocument(db, b.id, draft, chunks);
    expect(await db.documents.count()).toBe(2);
  });

  it('deletes a document with its chunks and file, and the undo puts back the same rows', async () => {
    const db = await freshDb('docs-delete');
    const p = await createProject(db, 'Clinic');
    const g = await guide();
    const kept = await made('kept.md', [['Kept', 'This one stays.']]);
    const { document } = await addDocument(db, p.id, g.draft, g.chunks, g.file);
    await addDocument(db, p.id, kept.draft, kept.chunks, kept.file);
    // A label and an exclusion made by hand must survive the undo.
    const chunks = await listChunks(db, document.id);
    await updateChunks(db, [chunks[0]!.id], { label: 'scope' });
    await updateChunks(db, [chunks[2]!.id], { excluded: 'user' });
    const before = await documentTables(db);

    const undo = await deleteDocument(db, document.id);
    expect(await getDocument(db, document.id)).toBeUndefined();
    expect(await listChunks(db, document.id)).toEqual([]);
    expect(await getDocumentFile(db, document.id)).toBeUndefined();
    // The other document is untouched.
    expect((await listDocuments(db, p.id)).map((d) => d.name)).toEqual(['kept.md']);
    expect(await db.chunks.count()).toBe(1);

    await undo();
    const after = await documentTables(db);
    const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(byId(after.documents)).toEqual(byId(before.documents));
    expect(byId(after.chunks)).toEqual(byId(before.chunks));
    expect(after.files).toBe(2);
    expect(new Uint8Array(await (await getDocumentFile(db, document.id))!.arrayBuffer())).toEqual(new Uint8Array(await g.file.arrayBuffer()));

    // A missing document is a NotFoundError.
    await expect(deleteDocument(db, 'nope')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('an undo after the project was deleted, or after the same file came back, refuses and writes nothing', async () => {
    const db = await freshDb('docs-undo-late');
    const p = await createProject(db, 'Clinic');
    const g = await guide();
    const { document } = await addDocument(db, p.id, g.draft, g.chunks);
    const undo = await deleteDocument(db, document.id);
    await addDocument(db, p.id, g.draft, g.chunks);
    await expect(undo()).rejects.toBeInstanceOf(DocumentExistsError);
    expect(await db.documents.count()).toBe(1);

    const q = await createProject(db, 'Gone');
    const { document: d2 } = await addDocument(db, q.id, g.draft, g.chunks);
    const undo2 = await deleteDocument(db, d2.id);
    await deleteProject(db, q.id);
    await expect(undo2()).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await db.documents.where('projectId').equals(q.id).count()).toBe(0);
    expect(await db.chunks.where('projectId').equals(q.id).count()).toBe(0);
  });

  it('replaces a document’s chunks (re-chunking) in one go, or not at all', async () => {
    const db = await freshDb('docs-rechunk');
    const p = await createProject(db, 'Clinic');
    const g = await guide();
    const { document, chunks: old } = await addDocument(db, p.id, g.draft, g.chunks);
    // One chunk for the whole text.
    const whole: ChunkDraft = { text: g.draft.text, headingPath: [], pages: null, span: [0, g.draft.text.length], tokens: 80, label: 'all' };
    const next = await replaceChunks(db, document.id, [whole]);
    expect(next).toHaveLength(1);
    expect(await listChunks(db, document.id)).toEqual(next);
    expect(next[0]).toMatchObject({ index: 0, label: 'all', documentId: document.id, projectId: p.id });
    expect(await db.chunks.bulkGet(old.map((c) => c.id))).toEqual(old.map(() => undefined));

    const before = await documentTables(db);
    await expect(replaceChunks(db, document.id, [whole, { ...whole, span: [-1, 3] }])).rejects.toBeInstanceOf(ChunkSpanError);
    expect(await documentTables(db)).toEqual(before);
    await expect(replaceChunks(db, 'nope', [whole])).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('excludes, includes, labels and unlabels chunks; the label index finds them', async () => {
    const db = await freshDb('docs-chunk-edit');
    const p = await createProject(db, 'Clinic');
    const g = await guide();
    const { chunks } = await addDocument(db, p.id, g.draft, g.chunks);
    const [a, b, c] = chunks.map((x) => x.id) as [string, string, string];
    await updateChunks(db, [a, b], { label: '剂量' });
    await updateChunks(db, [c], { excluded: 'boilerplate' });
    const byLabel = await db.chunks.where('[projectId+label]').equals([p.id, '剂量']).toArray();
    expect(byLabel.map((x) => x.id).sort()).toEqual([a, b].sort());
    expect((await db.chunks.get(c))!.excluded).toBe('boilerplate');

    const [cleared] = await updateChunks(db, [c], { excluded: null, label: 'Follow-up' });
    expect(cleared).not.toHaveProperty('excluded');
    expect((await db.chunks.get(c))!).toMatchObject({ label: 'Follow-up' });
    expect((await db.chunks.get(c))!).not.toHaveProperty('excluded');
    await updateChunks(db, [a], { label: null });
    expect(await db.chunks.where('[projectId+label]').equals([p.id, '剂量']).primaryKeys()).toEqual([b]);

    // One unknown id: nothing changes, not even the known one.
    const before = await documentTables(db);
    await expect(updateChunks(db, [b, 'nope'], { excluded: 'user' })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await documentTables(db)).toEqual(before);
  });

  it('deleting a project deletes its documents, chunks and files, and nothing of another project', async () => {
    const db = await freshDb('docs-project-delete');
    const a = await createProject(db, 'A');
    const b = await createProject(db, 'B');
    const g = await guide();
    const other = await made('other.md', [['Other', 'Other text.']]);
    await addDocument(db, a.id, g.draft, g.chunks, g.file);
    await addDocument(db, b.id, other.draft, other.chunks, other.file);
    await deleteProject(db, a.id);
    expect(await db.documents.where('projectId').equals(a.id).count()).toBe(0);
    expect(await db.chunks.where('projectId').equals(a.id).count()).toBe(0);
    expect(await db.documentFiles.where('projectId').equals(a.id).count()).toBe(0);
    expect((await listDocuments(db, b.id)).map((d) => d.name)).toEqual(['other.md']);
    expect(await db.chunks.where('projectId').equals(b.id).count()).toBe(1);
    expect(await db.documentFiles.count()).toBe(1);
  });
});

async function backupOf(db: AppDb, projectId: string): Promise<Blob> {
  const sink = new BlobSink('application/jsonl');
  await writeBackup(datasetSource(db), projectId, sink);
  return sink.blob();
}

describe('documents in backups (real IndexedDB)', () => {
  it('a backup carries documents and chunks; restored in a fresh store they are identical, without the original file', async () => {
    const a = await freshDb('docs-backup-src');
    const fx = await fixtureProject(a, { good: 4, seeds: 3 });
    const g = await guide();
    const en = await made('handbook.md', [['Leave', 'Employees get 25 days of leave per year.']]);
    const { document } = await addDocument(a, fx.project.id, g.draft, g.chunks, g.file);
    await addDocument(a, fx.project.id, en.draft, en.chunks, en.file);
    const chunks = await listChunks(a, document.id);
    await updateChunks(a, [chunks[1]!.id], { label: '剂量', excluded: 'duplicate' });
    // Another project's document must not leak into the backup.
    const other = await createProject(a, 'Other');
    const o = await made('secret.md', [['Secret', 'Not in this backup.']]);
    await addDocument(a, other.id, o.draft, o.chunks);

    const blob = await backupOf(a, fx.project.id);
    const text = await blob.text();
    expect(text).not.toContain('Not in this backup.');
    expect(JSON.parse(text.split('\n').at(-2)!)).toMatchObject({ end: true, counts: { documents: 2, chunks: 4, seeds: 3 } });

    const b = await freshDb('docs-backup-dst');
    const r = await restoreBackupFile(datasetSource(b), blob);
    expect(r.projectId).toBe(fx.project.id);
    const sortById = <T extends { id: string }>(rows: T[]) => [...rows].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(await listDocuments(b, fx.project.id)).toEqual(await listDocuments(a, fx.project.id));
    expect(sortById(await b.chunks.toArray())).toEqual(sortById(await a.chunks.where('projectId').equals(fx.project.id).toArray()));
    expect(await listChunks(b, document.id)).toEqual(await listChunks(a, document.id));
    expect((await listChunks(b, document.id))[1]).toMatchObject({ label: '剂量', excluded: 'duplicate' });
    // Seeds, runs and samples came back too.
    expect(await projectRows(b, fx.project.id)).toEqual(await projectRows(a, fx.project.id));
    // The original file is not in backups.
    expect(await getDocumentFile(b, document.id)).toBeUndefined();
    // A restored document can be deleted and undone like any other.
    const undo = await deleteDocument(b, document.id);
    await undo();
    expect(await listChunks(b, document.id)).toEqual(await listChunks(a, document.id));
  });

  it('a chunk id already in this browser rolls the whole restore back, documents included', async () => {
    const a = await freshDb('docs-backup-collide-src');
    const fx = await fixtureProject(a, { good: 2, seeds: 1 });
    const g = await guide();
    const { chunks } = await addDocument(a, fx.project.id, g.draft, g.chunks);
    const blob = await backupOf(a, fx.project.id);

    const b = await freshDb('docs-backup-collide-dst');
    // A chunk of this browser happens to have the id of the backup's last chunk (written raw:
    // the repository would give it a fresh id).
    await b.chunks.add({ ...chunks[2]!, projectId: 'elsewhere', documentId: 'elsewhere' });
    await expect(restoreBackupFile(datasetSource(b), blob)).rejects.toMatchObject({ name: 'BackupCollisionError', table: 'chunks' });
    expect(await b.projects.get(fx.project.id)).toBeUndefined();
    expect(await b.documents.where('projectId').equals(fx.project.id).count()).toBe(0);
    expect(await b.seeds.count()).toBe(0);
  });

  it('a backup written before documents existed (format version 1) still restores', async () => {
    const a = await freshDb('docs-backup-v1-src');
    const fx = await fixtureProject(a, { good: 3, seeds: 2 });
    // What the Seedforge before this version wrote: version 1, six tables, six counts.
    const lines = (await (await backupOf(a, fx.project.id)).text()).split('\n');
    const header = JSON.parse(lines[0]!);
    const end = JSON.parse(lines.at(-2)!);
    expect(end.counts).toMatchObject({ documents: 0, chunks: 0 });
    delete end.counts.documents;
    delete end.counts.chunks;
    const v1 = [JSON.stringify({ ...header, version: 1 }), ...lines.slice(1, -2), JSON.stringify(end), ''].join('\n');
    expect(v1).not.toContain('"documents"');

    const b = await freshDb('docs-backup-v1-dst');
    await restoreBackupFile(datasetSource(b), new Blob([v1]));
    expect(await projectRows(b, fx.project.id)).toEqual(await projectRows(a, fx.project.id));
    expect(await listDocuments(b, fx.project.id)).toEqual([]);
    // The restored project takes documents like any other.
    const g = await guide();
    await addDocument(b, fx.project.id, g.draft, g.chunks);
    expect(await countChunks(b, fx.project.id)).toBe(3);
  });
});

describe('from the chunker to the store (real IndexedDB)', () => {
  it('stores what chunkDocument makes of a paged Chinese/English document — excluded duplicates, repeated table headers, labels — and a backup brings it back', async () => {
    // A 6-page PDF-like document: a running footer on every page, a long table, Chinese prose,
    // and the same notice three times.
    const prose = [
      '本指南适用于成人患者。儿童患者请参见附录。孕妇用药前必须咨询医生。',
      '每日一次，每次十毫克！不得超过二十毫克？漏服时不要补服双倍剂量。',
      '肾功能不全的患者应减少剂量。肝功能不全的患者禁用本药。',
      'See the patient again after two weeks. Check the blood pressure and the pulse.',
      'Write down every dose in the chart. Ask about dizziness, headache and swollen ankles.',
      'Stop the treatment when the blood pressure falls below 90/60. Call the doctor on duty.',
    ];
    const notice = 'This document is confidential. Do not share it outside the clinic. Ask the head nurse before you print it.';
    const parts: Part[] = [];
    for (let page = 1; page <= 6; page++) {
      if (page === 1) parts.push({ h: 1, title: '临床指南', page });
      if (page === 2) parts.push({ h: 2, title: '剂量', page });
      if (page === 4) parts.push({ h: 2, title: 'Follow-up', page });
      parts.push({ p: prose[page - 1]!, page });
      if (page === 3) parts.push({ table: [['药物', '剂量'], ...Array.from({ length: 30 }, (_, i) => [`药物${i}`, `${i + 1} 毫克`])], page });
      parts.push({ p: `Hospital guideline 2026 — page ${page}`, page });
    }
    // The same notice under three headings of its own: boilerplate chunks, excluded.
    for (const title of ['Notice', 'Notice', 'Notice']) parts.push({ h: 2, title, page: 6 }, { p: notice, page: 6 });
    const doc = buildDoc(parts, '临床指南');
    const { chunks } = chunkDocument(doc, { maxTokens: 60, overlapTokens: 10 });
    expect(chunks.length).toBeGreaterThan(4);
    const { tree, labels } = buildLabelTree([{ title: doc.title, chunks }]);
    const labelled = chunks.map((c, i) => ({ ...c, label: labels[0]![i]! }));

    const bytes = new TextEncoder().encode(doc.text);
    const file = new Blob([bytes], { type: 'application/pdf' });
    const draft = documentDraft({ name: '临床指南.pdf', size: file.size }, await sha256Hex(file), { format: 'pdf', doc, pagesWithoutText: [] });
    const a = await freshDb('docs-chunker-src');
    const p = await createProject(a, '诊所');
    const { document } = await addDocument(a, p.id, draft, labelled, file);
    await updateProjectNotes(a, p.id, { labels: tree });

    const stored = await listChunks(a, document.id);
    expect(stored.map((c) => c.text)).toEqual(chunks.map((c) => c.text));
    expect(stored.map((c) => c.excluded)).toEqual(chunks.map((c) => c.excluded));
    expect(stored.map((c) => c.label)).toEqual(labels[0]);
    // The document exercises what the store must keep: an excluded chunk, and a table chunk whose
    // text (header row repeated) is longer than its span.
    expect(stored.some((c) => c.excluded)).toBe(true);
    expect(stored.some((c) => c.text.length > c.span[1] - c.span[0])).toBe(true);
    // The chunker's id (a number it may carry) never reaches the store: ids are the repository's.
    for (const c of stored) expect(typeof c.id).toBe('string');
    // The page map agrees with the chunks' pages: a chunk starts on its first page or, when that
    // page has no block starting on it, no later than its last.
    for (const c of stored) {
      if (!c.pages) continue;
      const at = pageAt(document.pageStarts, c.span[0])!;
      expect(at, c.text.slice(0, 30)).toBeGreaterThanOrEqual(1);
      expect(at).toBeLessThanOrEqual(c.pages[1]);
    }

    const b = await freshDb('docs-chunker-dst');
    await restoreBackupFile(datasetSource(b), await backupOf(a, p.id));
    expect(await listDocuments(b, p.id)).toEqual(await listDocuments(a, p.id));
    expect(await listChunks(b, document.id)).toEqual(stored);
    // The label tree the chunks' labels point into comes back with the project.
    expect((await b.projects.get(p.id))!.labels).toEqual(tree);
    expect(tree.nodes.map((n) => n.title)).toEqual(expect.arrayContaining(['临床指南', '剂量', 'Follow-up']));
  });
});
