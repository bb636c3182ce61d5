import Dexie from 'dexie';
import type { AppDb } from './db';
import { newId } from './db';
import type { ChunkDraft, DocumentDraft, StoredChunk, StoredDocument } from './types';
import type { ChunkExclusion } from '../documents/types';
import { mergeChunkPair, splitChunkAt, type EditedChunk } from '../documents/chunk';
import { LabelTreeError, resolveLabel, type LabelTree } from '../documents/labelTree';

/**
 * The only code that writes the documents, chunks and documentFiles tables. Extraction and
 * chunking happen before (in a worker): every write here is one transaction with nothing awaited
 * outside IndexedDB, so a failure leaves the store as it was.
 */

/** The same file (same SHA-256) is already a document of the project. Nothing was written. */
export class DocumentExistsError extends Error {
  override name = 'DocumentExistsError';
  constructor(
    readonly existing: StoredDocument,
    name: string,
  ) {
    super(`“${name}” is already in this project as “${existing.name}” (same content): delete that one first to add it again`);
  }
}

/** A chunk does not fit its document's text (a chunker bug). Nothing was written. */
export class ChunkSpanError extends Error {
  override name = 'ChunkSpanError';
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

/** A merge or split that cannot be done as asked (chunks not adjacent, a split point outside the chunk). Nothing was written. */
export class ChunkEditError extends Error {
  override name = 'ChunkEditError';
}

/** Rows per bulk request: keeps each IndexedDB request small; all belong to the same transaction. */
const BULK = 5000;

export async function listDocuments(db: AppDb, projectId: string): Promise<StoredDocument[]> {
  return db.documents.where('[projectId+createdAt]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).toArray();
}

/** A project's document ids in the order they were added, read from the index alone (no row, no text). */
export async function listDocumentIds(db: AppDb, projectId: string): Promise<string[]> {
  return db.documents.where('[projectId+createdAt]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).primaryKeys();
}

/** Documents by id, in the order asked (undefined where one is gone). */
export async function getDocuments(db: AppDb, ids: string[]): Promise<(StoredDocument | undefined)[]> {
  return db.documents.bulkGet(ids);
}

/**
 * How many chunks a document has, and how many of them are excluded: both counted on indexes in
 * one read transaction, without reading a chunk row (a 10 MB document has 10k of them).
 */
export async function countDocumentChunks(db: AppDb, documentId: string): Promise<{ chunks: number; excluded: number }> {
  return db.transaction('r', db.chunks, async () => {
    const [chunks, excluded] = await Promise.all([
      db.chunks.where('documentId').equals(documentId).count(),
      db.chunks.where('[documentId+excluded]').between([documentId, Dexie.minKey], [documentId, Dexie.maxKey]).count(),
    ]);
    return { chunks, excluded };
  });
}

export async function countDocuments(db: AppDb, projectId: string): Promise<number> {
  return db.documents.where('projectId').equals(projectId).count();
}

export async function getDocument(db: AppDb, id: string): Promise<StoredDocument | undefined> {
  return db.documents.get(id);
}

/** The project's document made from a file with this SHA-256, if any. */
export async function findDocumentBySha256(db: AppDb, projectId: string, sha256: string): Promise<StoredDocument | undefined> {
  return db.documents.where('[projectId+sha256]').equals([projectId, sha256]).first();
}

/** A document's chunks in order. */
export async function listChunks(db: AppDb, documentId: string): Promise<StoredChunk[]> {
  return db.chunks.where('[documentId+index]').between([documentId, Dexie.minKey], [documentId, Dexie.maxKey]).toArray();
}

export async function countChunks(db: AppDb, projectId: string): Promise<number> {
  return db.chunks.where('projectId').equals(projectId).count();
}

/** The original file of a document, where it was kept. */
export async function getDocumentFile(db: AppDb, documentId: string): Promise<Blob | undefined> {
  return (await db.documentFiles.get(documentId))?.blob;
}

/** Stored rows for a document's chunk drafts, numbered in the drafts' order; fields not in the layout are left out. */
function chunkRows(doc: StoredDocument, drafts: ChunkDraft[]): StoredChunk[] {
  return drafts.map((d, index) => {
    const [start, end] = d.span;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= doc.text.length)) {
      throw new ChunkSpanError(index, `chunk ${index} of “${doc.name}” spans [${start}, ${end}), outside its text (0–${doc.text.length}): nothing was stored; report this as a bug with the file`);
    }
    const row: StoredChunk = { id: newId(), projectId: doc.projectId, documentId: doc.id, index, text: d.text, headingPath: d.headingPath, pages: d.pages, span: [start, end], tokens: d.tokens };
    if (d.excluded) row.excluded = d.excluded;
    if (d.label !== undefined) row.label = d.label;
    return row;
  });
}

/**
 * Adds a document with its chunks (and its original file, when given) in ONE transaction: either
 * all of it is stored or nothing is.
 * @throws NotFoundError (no such project), DocumentExistsError (the same file is already in the
 *   project), ChunkSpanError, Dexie errors (e.g. QuotaExceededError) — each with nothing written.
 */
export async function addDocument(
  db: AppDb,
  projectId: string,
  draft: DocumentDraft,
  chunks: ChunkDraft[],
  file?: Blob,
): Promise<{ document: StoredDocument; chunks: StoredChunk[] }> {
  return db.transaction('rw', [db.projects, db.documents, db.chunks, db.documentFiles], async () => {
    if (!(await db.projects.get(projectId))) throw new Dexie.NotFoundError(`project ${projectId} does not exist`);
    const same = await findDocumentBySha256(db, projectId, draft.sha256);
    if (same) throw new DocumentExistsError(same, draft.name);
    const now = Date.now();
    const document: StoredDocument = { ...draft, id: newId(), projectId, createdAt: now, updatedAt: now };
    const rows = chunkRows(document, chunks);
    await db.documents.add(document);
    for (let i = 0; i < rows.length; i += BULK) await db.chunks.bulkAdd(rows.slice(i, i + BULK));
    if (file) await db.documentFiles.add({ documentId: document.id, projectId, blob: file });
    await db.projects.update(projectId, { updatedAt: now });
    return { document, chunks: rows };
  });
}

/**
 * Deletes a document with its chunks and file, in one transaction, and returns the undo: it puts
 * all of them back as they were (ids, order, labels, exclusions).
 * @throws NotFoundError (no such document). The undo throws NotFoundError when the project was
 *   deleted meanwhile, DocumentExistsError when the same file was added again meanwhile.
 */
export async function deleteDocument(db: AppDb, id: string): Promise<() => Promise<void>> {
  const { document, chunks, file } = await db.transaction('rw', [db.documents, db.chunks, db.documentFiles], async () => {
    const document = await db.documents.get(id);
    if (!document) throw new Dexie.NotFoundError(`document ${id} does not exist`);
    const chunks = await listChunks(db, id);
    const file = await db.documentFiles.get(id);
    await db.chunks.bulkDelete(chunks.map((c) => c.id));
    await db.documentFiles.delete(id);
    await db.documents.delete(id);
    return { document, chunks, file };
  });
  return async () => {
    await db.transaction('rw', [db.projects, db.documents, db.chunks, db.documentFiles], async () => {
      if (!(await db.projects.get(document.projectId))) throw new Dexie.NotFoundError(`the project of “${document.name}” was deleted: the document cannot come back`);
      const same = await findDocumentBySha256(db, document.projectId, document.sha256);
      if (same) throw new DocumentExistsError(same, document.name);
      await db.documents.add(document);
      for (let i = 0; i < chunks.length; i += BULK) await db.chunks.bulkAdd(chunks.slice(i, i + BULK));
      if (file) await db.documentFiles.add(file);
    });
  };
}

/**
 * Replaces a document's chunks (re-chunking with other settings, a merge or a split) in one
 * transaction. The new chunks get new ids, numbered in the drafts' order. Returns them.
 * @throws NotFoundError (no such document), ChunkSpanError, Dexie errors — with nothing changed.
 */
export async function replaceChunks(db: AppDb, documentId: string, drafts: ChunkDraft[]): Promise<StoredChunk[]> {
  return db.transaction('rw', [db.documents, db.chunks], async () => {
    const doc = await db.documents.get(documentId);
    if (!doc) throw new Dexie.NotFoundError(`document ${documentId} does not exist`);
    const rows = chunkRows(doc, drafts);
    await db.chunks.where('documentId').equals(documentId).delete();
    for (let i = 0; i < rows.length; i += BULK) await db.chunks.bulkAdd(rows.slice(i, i + BULK));
    await db.documents.update(documentId, { updatedAt: Date.now() });
    return rows;
  });
}

/** What `updateChunks` changes; `null` clears the field (the chunk is included again, or unlabelled). */
export interface ChunkPatch {
  excluded?: ChunkExclusion | null;
  label?: string | null;
}

/**
 * Excludes, includes, labels or unlabels chunks, in one transaction. Returns the updated chunks.
 * @throws NotFoundError (a chunk that does not exist) with nothing changed.
 */
export async function updateChunks(db: AppDb, ids: string[], patch: ChunkPatch): Promise<StoredChunk[]> {
  return db.transaction('rw', db.chunks, async () => {
    const rows = await db.chunks.bulkGet(ids);
    const missing = ids.find((_, i) => !rows[i]);
    if (missing !== undefined) throw new Dexie.NotFoundError(`chunk ${missing} does not exist`);
    const next = (rows as StoredChunk[]).map((c) => {
      const n: StoredChunk = { ...c };
      if (patch.excluded === null) delete n.excluded;
      else if (patch.excluded !== undefined) n.excluded = patch.excluded;
      if (patch.label === null) delete n.label;
      else if (patch.label !== undefined) n.label = patch.label;
      return n;
    });
    await db.chunks.bulkPut(next);
    return next;
  });
}

/** A stored chunk with an edit's fields in place of its own (fields the edit lacks are dropped). */
function withEdit(c: StoredChunk, e: EditedChunk, index: number): StoredChunk {
  const row: StoredChunk = { id: c.id, projectId: c.projectId, documentId: c.documentId, index, text: e.text, headingPath: e.headingPath, pages: e.pages, span: e.span, tokens: e.tokens };
  if (e.excluded) row.excluded = e.excluded;
  if (e.label !== undefined) row.label = e.label;
  return row;
}

/**
 * Merges chunk `b` into chunk `a`, the one just before it in the same document (see
 * documents/chunk.ts mergeChunkPair: span the union, text re-read from the document). `a` keeps its
 * id; `b` is deleted and the chunks after it move up one, so `index` stays 0, 1, 2, … — all in one
 * transaction. Returns the merged chunk.
 * @throws NotFoundError (a chunk or the document does not exist), ChunkEditError (not the same
 *   document, or `b` is not right after `a`) — with nothing changed.
 */
export async function mergeChunks(db: AppDb, a: string, b: string): Promise<StoredChunk> {
  return db.transaction('rw', [db.documents, db.chunks], async () => {
    const [ca, cb] = await db.chunks.bulkGet([a, b]);
    if (!ca || !cb) throw new Dexie.NotFoundError(`chunk ${ca ? b : a} does not exist: it may have been merged or re-chunked meanwhile; reopen the document`);
    if (ca.documentId !== cb.documentId || cb.index !== ca.index + 1)
      throw new ChunkEditError(`Only a chunk and the one right after it in the same document can be merged (chunks ${ca.index + 1} and ${cb.index + 1} were given).`);
    const doc = await db.documents.get(ca.documentId);
    if (!doc) throw new Dexie.NotFoundError(`document ${ca.documentId} does not exist`);
    const all = await listChunks(db, doc.id);
    const merged = withEdit(ca, mergeChunkPair(doc.text, ca, cb), ca.index);
    const shifted = all.filter((c) => c.index > cb.index).map((c) => ({ ...c, index: c.index - 1 }));
    await db.chunks.delete(cb.id);
    await db.chunks.bulkPut([merged, ...shifted]);
    await db.documents.update(doc.id, { updatedAt: Date.now() });
    return merged;
  });
}

/**
 * Splits a chunk in two at `at`, an offset of its document's text strictly inside the chunk's span
 * (see documents/chunk.ts splitPoints and splitChunkAt). The first part keeps the chunk's id, the
 * second gets a new one right after it, and the chunks after move down one, so `index` stays
 * dense — all in one transaction. Returns both parts.
 * @throws NotFoundError (no such chunk or document), ChunkEditError (a point outside the chunk, or
 *   one that leaves a part without text) — with nothing changed.
 */
export async function splitChunk(db: AppDb, id: string, at: number): Promise<[StoredChunk, StoredChunk]> {
  return db.transaction('rw', [db.documents, db.chunks], async () => {
    const c = await db.chunks.get(id);
    if (!c) throw new Dexie.NotFoundError(`chunk ${id} does not exist: it may have been merged or re-chunked meanwhile; reopen the document`);
    const doc = await db.documents.get(c.documentId);
    if (!doc) throw new Dexie.NotFoundError(`document ${c.documentId} does not exist`);
    let parts: [EditedChunk, EditedChunk];
    try {
      parts = splitChunkAt(doc.text, doc.pageStarts, c, at);
    } catch (e) {
      throw new ChunkEditError((e as Error).message);
    }
    const all = await listChunks(db, doc.id);
    const first = withEdit(c, parts[0], c.index);
    const second = withEdit({ ...c, id: newId() }, parts[1], c.index + 1);
    const shifted = all.filter((x) => x.index > c.index).map((x) => ({ ...x, index: x.index + 1 }));
    await db.chunks.bulkPut([first, ...shifted]);
    await db.chunks.add(second);
    await db.documents.update(doc.id, { updatedAt: Date.now() });
    return [first, second];
  });
}

/**
 * Stores a project's label tree and brings every chunk of the project in line with it, in one
 * transaction: a chunk named in `assign` gets that label; any other keeps its label as the tree
 * now resolves it (a merged label becomes the one that absorbed it, a deleted one is cleared).
 * Returns how many chunks changed.
 * @throws NotFoundError (no such project), LabelTreeError (`assign` names a label not in the tree)
 *   — with nothing changed.
 */
export async function saveLabelTree(db: AppDb, projectId: string, tree: LabelTree, assign?: ReadonlyMap<string, string>): Promise<number> {
  if (assign) for (const label of new Set(assign.values())) if (!tree.nodes.some((n) => n.id === label)) throw new LabelTreeError(`There is no label "${label}" in the tree to tag chunks with: rebuild the tree from the documents.`);
  return db.transaction('rw', [db.projects, db.chunks], async () => {
    if (!(await db.projects.get(projectId))) throw new Dexie.NotFoundError(`project ${projectId} does not exist`);
    const changed: StoredChunk[] = [];
    await db.chunks.where('projectId').equals(projectId).each((c) => {
      const want = assign?.get(c.id) ?? (c.label === undefined ? undefined : resolveLabel(tree, c.label));
      if (want === c.label) return;
      const n: StoredChunk = { ...c };
      if (want === undefined) delete n.label;
      else n.label = want;
      changed.push(n);
    });
    for (let i = 0; i < changed.length; i += BULK) await db.chunks.bulkPut(changed.slice(i, i + BULK));
    await db.projects.update(projectId, { labels: tree, updatedAt: Date.now() });
    return changed.length;
  });
}

/** A project's chunks (all documents), for the label tree and the coverage view. */
export async function listProjectChunks(db: AppDb, projectId: string): Promise<StoredChunk[]> {
  return db.chunks.where('projectId').equals(projectId).toArray();
}
