import type { AppDb } from '../db/db';
import { getDocument, listChunks, mergeChunks, replaceChunks, splitChunk, updateChunks } from '../db/documentsRepo';
import type { ChunkDraft, StoredChunk, StoredDocument } from '../db/types';
import { chunkDocument, extractedOf, middleSplitPoint, splitPoints } from '../documents/chunk';
import type { ChunkExclusion } from '../documents/types';

/** A re-chunk asked for before the document was read (or after it went): load() first. */
export class DocumentNotLoadedError extends Error {
  override name = 'DocumentNotLoadedError' as const;
  constructor() {
    super('The document is not loaded');
  }
}

/** Chunks per exclusion reason, for the summary line. */
export interface ChunkSummary {
  total: number;
  excluded: number;
  duplicate: number;
  boilerplate: number;
  user: number;
}

/**
 * One document's chunks as the chunk view shows and edits them. Every write goes through the
 * documents repository (one transaction each); the list is then read again, since a merge or a
 * split renumbers the chunks after it.
 */
export class ChunksState {
  #db: AppDb;
  #documentId: string;
  #doc = $state.raw<StoredDocument | null>(null);
  #chunks = $state.raw<StoredChunk[]>([]);
  #loading = $state(true);
  #missing = $state(false);
  #busy = $state(false);

  constructor(db: AppDb, documentId: string) {
    this.#db = db;
    this.#documentId = documentId;
  }

  get document(): StoredDocument | null {
    return this.#doc;
  }
  get chunks(): StoredChunk[] {
    return this.#chunks;
  }
  get loading(): boolean {
    return this.#loading;
  }
  /** The document is not (or no longer) stored. */
  get missing(): boolean {
    return this.#missing;
  }
  /** A write is in flight: the view disables its actions so that two edits never cross. */
  get busy(): boolean {
    return this.#busy;
  }

  summary = $derived.by((): ChunkSummary => {
    const s: ChunkSummary = { total: this.#chunks.length, excluded: 0, duplicate: 0, boilerplate: 0, user: 0 };
    for (const c of this.#chunks) {
      if (!c.excluded) continue;
      s.excluded++;
      s[c.excluded]++;
    }
    return s;
  });

  async load(): Promise<void> {
    this.#loading = true;
    try {
      const doc = await getDocument(this.#db, this.#documentId);
      this.#missing = !doc;
      this.#doc = doc ?? null;
      this.#chunks = doc ? await listChunks(this.#db, doc.id) : [];
    } finally {
      this.#loading = false;
    }
  }

  async #write<T>(fn: () => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      const out = await fn();
      await this.load();
      return out;
    } finally {
      this.#busy = false;
    }
  }

  /** Excludes a chunk by hand ('user'), or includes an excluded one (whatever excluded it). */
  setExcluded(id: string, excluded: ChunkExclusion | null): Promise<StoredChunk[]> {
    return this.#write(() => updateChunks(this.#db, [id], { excluded }));
  }

  /** Merges the chunk with the one after it. */
  mergeWithNext(chunk: StoredChunk): Promise<StoredChunk> {
    const next = this.#chunks[chunk.index + 1];
    return this.#write(() => mergeChunks(this.#db, chunk.id, next?.id ?? ''));
  }

  /** Offsets where a chunk may be split (line and sentence starts), and the one nearest its middle. */
  splitPointsOf(chunk: StoredChunk): { points: number[]; middle: number | undefined } {
    const points = this.#doc ? splitPoints(this.#doc.text, chunk.span) : [];
    return { points, middle: middleSplitPoint(points, chunk.span) };
  }

  split(chunk: StoredChunk, at: number): Promise<[StoredChunk, StoredChunk]> {
    return this.#write(() => splitChunk(this.#db, chunk.id, at));
  }

  /**
   * Cuts the whole document again with other settings, replacing every chunk (hand edits are lost).
   * A new chunk whose heading path an old chunk had takes that chunk's label, so the label tree
   * keeps applying where the headings did not change.
   * @throws ChunkOptionsError (bad size or overlap), DocumentNotLoadedError, NotFoundError — with nothing changed.
   */
  rechunk(maxTokens: number, overlapTokens: number): Promise<StoredChunk[]> {
    return this.#write(async () => {
      const doc = this.#doc;
      if (!doc) throw new DocumentNotLoadedError();
      const byPath = new Map<string, string>();
      for (const c of this.#chunks) if (c.label !== undefined && !byPath.has(c.headingPath.join('\u0001'))) byPath.set(c.headingPath.join('\u0001'), c.label);
      const drafts: ChunkDraft[] = chunkDocument(extractedOf(doc), { maxTokens, overlapTokens }).chunks.map(({ index: _, id: __, ...c }) => {
        const label = byPath.get(c.headingPath.join('\u0001'));
        return label === undefined ? c : { ...c, label };
      });
      return replaceChunks(this.#db, doc.id, drafts);
    });
  }
}
