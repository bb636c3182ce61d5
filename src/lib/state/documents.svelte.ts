import type { AppDb } from '../db/db';
import { isQuotaError } from '../db/quota';
import { errorInfo } from './engines.svelte';
import { countDocumentChunks, deleteDocument, getDocuments, listDocumentIds } from '../db/documentsRepo';
import type { StoredDocument } from '../db/types';
import { addInWorker } from '../documents/extract/client';
import { FORMAT_EXTENSIONS } from '../documents/extract/detect';
import type { ExtractProgress } from '../documents/extract/types';

/** What the Documents library reads (the file picker's `accept`, and the window drop's routing): detectFormat's names. */
export const DOCUMENT_EXTENSIONS: readonly string[] = Object.values(FORMAT_EXTENSIONS).flat();

/** Only a document, never seeds: wherever such a file is dropped, it goes to Documents (all but plain text). */
const ONLY_DOCUMENT = new Set<string>(
  Object.entries(FORMAT_EXTENSIONS).flatMap(([format, names]) => (format === 'text' ? [] : names)),
);

/** MIME types a drag reports before the drop (names are hidden until then). */
const DOCUMENT_MIME = /^(application\/pdf|application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.document|application\/epub\+zip|application\/xhtml\+xml|text\/html|text\/markdown|text\/x-markdown)$/;
const SEEDS_MIME = /^(application\/(json|jsonl|x-ndjson|x-jsonlines|vnd\.apache\.parquet|x-parquet)|text\/(csv|tab-separated-values))$/;

export type DropTarget = 'documents' | 'seeds' | 'both';

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Where files dropped on the window go. PDF, DOCX, EPUB, Markdown and HTML (by every name detectFormat reads) are documents wherever they
 * are dropped. Plain text (.txt) is ambiguous — the seed importer reads it as one prompt per line
 * — so it is a document only when the Documents screen is open, and seeds elsewhere. Everything
 * else (JSONL, CSV, JSON, Parquet, unknown) goes to the seed importer, which says what it cannot read.
 */
export function routeFiles(files: readonly File[], onDocumentsScreen: boolean): { documents: File[]; seeds: File[] } {
  const documents: File[] = [];
  const seeds: File[] = [];
  for (const f of files) {
    const ext = extensionOf(f.name);
    if (ONLY_DOCUMENT.has(ext) || (ext === 'txt' && onDocumentsScreen)) documents.push(f);
    else seeds.push(f);
  }
  return { documents, seeds };
}

/**
 * Where a drag in progress will go, from the MIME types the browser tells before the drop
 * (`DataTransferItem.type`; often empty): 'both' when it cannot tell or the files go both ways.
 */
export function dropTargetOf(types: readonly string[], onDocumentsScreen: boolean): DropTarget {
  if (!types.length) return 'both';
  const where = types.map((t): DropTarget => {
    if (DOCUMENT_MIME.test(t) || (t === 'text/plain' && onDocumentsScreen)) return 'documents';
    if (SEEDS_MIME.test(t) || t === 'text/plain') return 'seeds';
    return 'both';
  });
  return where.every((w) => w === where[0]) ? where[0]! : 'both';
}

/** A stored document as the list shows it: without its text and structure (kept in IndexedDB), with its chunk counts. */
export type DocumentRow = Omit<StoredDocument, 'text' | 'blocks' | 'outline' | 'pageStarts'> & { chunks: number; excluded: number };

export type JobPhase = 'queued' | 'reading' | 'chunking' | 'saving' | 'password' | 'failed';

/** A file being read (or waiting, or failed), before it is a stored document. */
export interface DocumentJob {
  id: number;
  projectId: string;
  name: string;
  size: number;
  phase: JobPhase;
  /** The extractor's last report (bytes, then pages for a PDF); null before the first. */
  progress: ExtractProgress | null;
  /** Why it failed (phase 'failed'): a DocumentError's name and message, the pages without text, the document it repeats. */
  error: { name: string; message: string; pages?: number[]; existing?: string } | null;
  /** Phase 'password' after a password that did not open the file. */
  wrongPassword: boolean;
}

/** At most this many files are read at once, each in a worker of its own; the others wait their turn. */
export const POOL_SIZE = 2;

type DocumentHead = Omit<DocumentRow, 'chunks' | 'excluded'>;

function headOf(d: StoredDocument): DocumentHead {
  const { text: _text, blocks: _blocks, outline: _outline, pageStarts: _starts, ...rest } = d;
  return rest;
}

/**
 * The current project's documents, and the files being read into it. A file goes: queued →
 * reading (in a documents worker of its own, at most POOL_SIZE at once) → chunking (same worker)
 * → saving (the same worker writes it with its chunks and original file in one transaction). A file that fails stores nothing
 * and stays in the list with its error until dismissed; a protected PDF waits for its password.
 */
export class DocumentsState {
  #db: AppDb;
  #projectId: string | null = null;
  #list = $state.raw<DocumentRow[]>([]);
  /**
   * What the list shows of each document but its chunk counts, read once per document: nothing
   * rewrites a stored document's name, type, size, pages or status, and its row carries the whole
   * text (10 MB for a big Markdown file), which a refresh must not read again.
   */
  #heads = new Map<string, DocumentHead>();
  #loading = $state(false);
  /** Why the list could not be read (the screen shows it); null after a read that worked. */
  #error = $state.raw<{ name: string; message: string } | null>(null);
  /** Each load's number: only the latest one started sets the list (a load started before a write may end after it). */
  #loadGen = 0;
  #jobs = $state<DocumentJob[]>([]);
  #nextJob = 1;
  #running = 0;
  /** Per job: the file, its cancel switch and the password typed for it (kept out of reactive state). */
  #work = new Map<number, { file: File; controller: AbortController | null; password?: string }>();

  constructor(db: AppDb) {
    this.#db = db;
  }

  get list(): DocumentRow[] {
    return this.#list;
  }

  get loading(): boolean {
    return this.#loading;
  }

  get error(): { name: string; message: string } | null {
    return this.#error;
  }

  /** The current project's files being read, waiting or failed, in the order they were added. */
  get jobs(): DocumentJob[] {
    return this.#jobs.filter((j) => j.projectId === this.#projectId);
  }

  /** The first file waiting for its password, if any (the screen asks for one at a time). */
  get askingPassword(): DocumentJob | undefined {
    return this.jobs.find((j) => j.phase === 'password');
  }

  /**
   * Reads the project's documents. A failed read is kept in `error` (the screen shows it) as well as thrown.
   * @throws whatever IndexedDB threw (DatabaseClosedError, …)
   */
  async load(projectId: string): Promise<void> {
    if (projectId !== this.#projectId) this.#error = null;
    this.#projectId = projectId;
    const gen = ++this.#loadGen;
    this.#loading = true;
    try {
      // Ids from the index, rows only for documents not seen yet, counts from the indexes: a
      // refresh reads no document text and no chunk row.
      const ids = await listDocumentIds(this.#db, projectId);
      const unseen = ids.filter((id) => !this.#heads.has(id));
      for (const d of await getDocuments(this.#db, unseen)) if (d) this.#heads.set(d.id, headOf(d));
      const rows = await Promise.all(
        ids.flatMap((id) => {
          const head = this.#heads.get(id);
          return head ? [countDocumentChunks(this.#db, id).then((n): DocumentRow => ({ ...head, ...n }))] : [];
        }),
      );
      if (gen === this.#loadGen) {
        this.#list = rows;
        this.#error = null;
      }
    } catch (e) {
      if (gen === this.#loadGen) this.#error = errorInfo(e);
      throw e;
    } finally {
      if (gen === this.#loadGen) this.#loading = false;
    }
  }

  async reload(): Promise<void> {
    if (this.#projectId) await this.load(this.#projectId);
  }

  /**
   * Reads the list again where nobody awaits it (the screen showing again, a file stored): a failure
   * is not thrown but shown as `error`, so it never becomes an unhandled rejection.
   */
  refresh(): Promise<void> {
    return this.reload().catch(() => undefined);
  }

  /** Queues files for the current project; they are read POOL_SIZE at a time. */
  add(files: readonly File[]): void {
    const projectId = this.#projectId;
    if (!projectId) return;
    for (const file of files) {
      const id = this.#nextJob++;
      this.#work.set(id, { file, controller: null });
      this.#jobs.push({ id, projectId, name: file.name, size: file.size, phase: 'queued', progress: null, error: null, wrongPassword: false });
    }
    this.#pump();
  }

  /** Stops a file being read (its worker is stopped at once) or drops one waiting, failed or asking for a password. */
  cancel(id: number): void {
    const w = this.#work.get(id);
    if (w?.controller) w.controller.abort();
    else this.#forget(id);
  }

  /** Retries a protected PDF with the password the user typed. */
  unlock(id: number, password: string): void {
    const job = this.#job(id);
    const w = this.#work.get(id);
    if (!job || !w || job.phase !== 'password') return;
    w.password = password;
    job.phase = 'queued';
    this.#pump();
  }

  /**
   * Deletes a stored document with its chunks and file; returns the undo (the list is re-read after it).
   * @throws NotFoundError (see documentsRepo.deleteDocument)
   */
  async remove(id: string): Promise<() => Promise<void>> {
    const undo = await deleteDocument(this.#db, id);
    this.#heads.delete(id);
    this.#loadGen++; // a load under way would bring it back
    this.#loading = false;
    this.#list = this.#list.filter((d) => d.id !== id);
    return async () => {
      await undo();
      await this.reload();
    };
  }

  #job(id: number): DocumentJob | undefined {
    return this.#jobs.find((j) => j.id === id);
  }

  #forget(id: number): void {
    this.#work.delete(id);
    const i = this.#jobs.findIndex((j) => j.id === id);
    if (i >= 0) this.#jobs.splice(i, 1);
  }

  #pump(): void {
    while (this.#running < POOL_SIZE) {
      const next = this.#jobs.find((j) => j.phase === 'queued');
      if (!next) return;
      this.#running++;
      void this.#read(next).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #read(job: DocumentJob): Promise<void> {
    const w = this.#work.get(job.id);
    if (!w) return;
    const controller = new AbortController();
    w.controller = controller;
    job.phase = 'reading';
    job.progress = null;
    job.error = null;
    try {
      // The worker stores the document itself: only a small summary comes back to this thread.
      await addInWorker(w.file, job.projectId, this.#db.name, {
        password: w.password,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.unit === 'chunking' || p.unit === 'saving') job.phase = p.unit;
          else job.progress = p;
        },
      });
    } catch (e) {
      w.controller = null;
      const err = e as Error & { pages?: number[]; existing?: { name: string } };
      if (err.name === 'AbortedError') {
        // Stopped while saving: the worker's transaction may have committed just before; the list says.
        const saving = (job.phase as JobPhase) === 'saving';
        this.#forget(job.id);
        if (saving && this.#projectId === job.projectId) await this.refresh();
      } else if (err.name === 'PasswordRequiredError' || err.name === 'WrongPasswordError') {
        job.phase = 'password';
        job.wrongPassword = err.name === 'WrongPasswordError';
        job.progress = null;
      } else {
        job.phase = 'failed';
        job.progress = null;
        // A full disk aborts the transaction: Dexie reports an AbortError with the quota error inside.
        job.error = { name: isQuotaError(err) ? 'QuotaExceededError' : err.name, message: err.message, ...(err.pages ? { pages: [...err.pages] } : {}), ...(err.existing ? { existing: err.existing.name } : {}) };
      }
      return;
    }
    // Stored: the file leaves the list of files being read and joins the documents.
    this.#forget(job.id);
    if (this.#projectId === job.projectId) await this.refresh();
  }
}
