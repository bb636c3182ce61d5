import Dexie from 'dexie';
import type { AppDb } from './db';
import { newId } from './db';
import type { ChunkDraft, DocumentDraft, StoredChunk, StoredDocument } from './types';
import type { ChunkExclusion } from '../documents/types';

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

/** Rows per bulk request: keeps each IndexedDB request small; all belong to the same transaction. */
const BULK = 5000;

export async function listDocuments(db: AppDb, projectId: string): Promise<StoredDocument[]> {
  return db.documents.where('[projectId+createdAt]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).toArray();
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
