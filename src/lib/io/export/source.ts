import type { EndpointConfig } from '../../engines/remote/remoteEngine';
import type { SavedRecipe } from '../../db/recipesRepo';
import type { DedupCheck, DuplicateMark } from '../../db/samplesRepo';
import type { Project, RunSeeds, RunWithTasks, Sample, Seed, StoredChunk, StoredDocument } from '../../db/types';
import type { ModelSource } from '../../engines/modelSource';
import type { Vectors } from '../../dedup/types';
import type { PreferencePair } from '../../preference/types';
import type { PairReader } from './pairs';

/**
 * The store behind an export, a backup, a restore and a dedup, as the shared code reads and writes
 * it: the app's IndexedDB (src/lib/db/datasetSource.ts) and the command line's SQLite store
 * implement it, so both run the same exporter, card, backup writer, restore and dedup phase.
 *
 * Rows are the app's own types (src/lib/db/types.ts), as stored. Reads that may be large come a
 * page of at most `PAGE_SIZE` rows at a time (a 100k-sample project is never one read). The
 * secrets table is no part of it: nothing here can read a key.
 */

/** Rows read per request by the paged readers. */
export const PAGE_SIZE = 1000;

/**
 * A project's own tables, by name (the backup's names), with their row types. A run comes with its
 * committed tasks as lists (RunWithTasks): the stores keep them as rows of their own, the backup
 * file and the dataset card as lists beside the run.
 */
export interface ProjectRows {
  runs: RunWithTasks;
  runSeeds: RunSeeds;
  seeds: Seed;
  samples: Sample;
  documents: StoredDocument;
  chunks: StoredChunk;
}
export type ProjectTable = keyof ProjectRows;

/** The reads of an export and of its dataset card. */
export interface DatasetSource {
  /** The project, or undefined when there is none with this id. */
  project(id: string): Promise<Project | undefined>;

  /** How many samples the project has, whatever their status. */
  countSamples(projectId: string): Promise<number>;

  /**
   * Ids of the project's samples with these statuses: those of the first status, then those of
   * the next; within a status in id order (string order by UTF-16 code unit — IndexedDB's; a
   * SQLite `ORDER BY id` gives the same for the app's ASCII ids).
   */
  sampleIdsByStatus(projectId: string, statuses: readonly Sample['status'][]): Promise<string[]>;

  /** Ids of the project's seeds in import order (`order`, then id). */
  seedIdsInOrder(projectId: string): Promise<string[]>;

  /**
   * Ids of every row of the project in one table, in id order. For `runSeeds` (keyed by run):
   * the ids of the project's runs, whether or not each has a snapshot row.
   */
  ids(table: ProjectTable, projectId: string): Promise<string[]>;

  /**
   * Rows by id, at most `pageSize` (default `PAGE_SIZE`) per page, in the ids' order. An id with
   * no row (deleted since it was listed) is skipped, so a page may be shorter; callers count what
   * they actually got.
   */
  pages<T extends ProjectTable>(table: T, ids: readonly string[], pageSize?: number): AsyncIterable<ProjectRows[T][]>;

  /** One row by id (a document, a run's seed snapshot), or undefined. */
  get<T extends ProjectTable>(table: T, id: string): Promise<ProjectRows[T] | undefined>;
}

/** The reads a backup adds: the saved recipes and endpoints (shared by all projects), and the run lock. */
export interface BackupSource extends DatasetSource {
  /** Every saved recipe, most recently updated first. */
  recipes(): Promise<SavedRecipe[]>;

  /** The endpoints with these ids that exist, in the ids' order: configuration only (keys live elsewhere and are never read). */
  endpoints(ids: readonly string[]): Promise<EndpointConfig[]>;

  /**
   * Runs `fn` while no run of the project can commit (the backup reads page by page: a commit in
   * between could leave a run row naming tasks whose samples are not in the file). Resolves
   * `{ acquired: false }` at once, without calling `fn`, when a run holds the project.
   */
  withRunLock<T>(projectId: string, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }>;

  /** The project's preference pairs (with their reviewers' decisions). Absent: this store keeps none (the command line's), and its backups have none. */
  readonly pairs?: PairReader;
}

/** Every row of a project's table, in id order (for small tables: runs for the dataset card). */
export async function allRows<T extends ProjectTable>(source: DatasetSource, table: T, projectId: string): Promise<ProjectRows[T][]> {
  const out: ProjectRows[T][] = [];
  for await (const page of source.pages(table, await source.ids(table, projectId))) out.push(...page);
  return out;
}

// ---- Restore -------------------------------------------------------------------------------

/** The tables a restore writes after the project, recipes and endpoints, in this order. */
export const RESTORE_TABLES = ['runs', 'runSeeds', 'seeds', 'samples', 'documents', 'chunks'] as const satisfies readonly ProjectTable[];

/** Where a restore writes: a store that can run a series of writes as one transaction. */
export interface RestoreTarget {
  /**
   * How the store is named to the user in a collision message, and where else they could restore:
   * `{ here: 'this browser', elsewhere: 'restore in another browser profile' }`.
   */
  readonly place: { here: string; elsewhere: string };

  /**
   * Runs `write` as ONE transaction: everything it wrote lands, or (when it throws) nothing. The
   * writer's calls are the only awaits inside `write` (IndexedDB commits a transaction early when
   * something else is awaited; a synchronous SQLite transaction cannot await at all, so its
   * implementation runs the writer's calls at once and BEGIN/COMMITs around them).
   * @throws what `write` throws, or the store's own errors (e.g. QuotaExceededError) — with nothing written.
   */
  transaction<T>(write: (tx: RestoreWriter) => Promise<T>): Promise<T>;
}

/** The writes of a restore, inside `RestoreTarget.transaction`. */
export interface RestoreWriter {
  /** The stored project with this id, or undefined. */
  project(id: string): Promise<Project | undefined>;
  /** Which of these ids the shared table already holds. */
  existing(table: 'recipes' | 'endpoints', ids: readonly string[]): Promise<Set<string>>;
  /** Adds new rows with their own ids (never overwrites). @throws KeyExistsError when a key is already stored. */
  add<T extends RestoreTable>(table: T, rows: RestoreRows[T][]): Promise<void>;
  /**
   * Adds preference pairs, as `add` does (after the samples they answer). Absent: this store keeps
   * no pairs; the restore then writes the rest and says how many pairs it could not keep.
   * @throws KeyExistsError when a pair's id is already stored.
   */
  addPairs?(rows: PreferencePair[]): Promise<void>;
}

/** Every table a restore writes, with its row type (the key of `runSeeds` is `runId`, of the others `id`). */
export interface RestoreRows extends ProjectRows {
  projects: Project;
  recipes: SavedRecipe;
  endpoints: EndpointConfig;
}
export type RestoreTable = keyof RestoreRows;

/** A row's key is already stored: thrown by `RestoreWriter.add` (the restore turns it into a BackupCollisionError). */
export class KeyExistsError extends Error {
  override name = 'KeyExistsError';
  constructor(
    readonly table: string,
    readonly id: string,
    /** The store's own error name, e.g. IndexedDB's ConstraintError or SQLite's SQLITE_CONSTRAINT_PRIMARYKEY. */
    readonly storeError: string,
  ) {
    super(`${table} ${id} is already stored (${storeError})`);
  }
}

/** Something in the backup is already in this store; nothing was written. */
export class BackupCollisionError extends Error {
  override name = 'BackupCollisionError';
  constructor(
    readonly table: string,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RestoreResult {
  projectId: string;
  /** Saved recipes and endpoints already here with the same id were kept as they are. */
  skipped: { recipes: number; endpoints: number };
  /** Pairs of the backup that this store cannot keep (it has no pairs table); absent when none. */
  pairsNotKept?: number;
}

// ---- Dedup ---------------------------------------------------------------------------------

/** Which embedding model a dedup asks for, and where it may be loaded from. */
export interface DedupEmbedRequest {
  model: string;
  source: ModelSource;
  /** The app's root URL (where public/ is served); a Node embedder may ignore it. */
  appBase: string;
}

/** Where a dedup writes its marks, and (optionally) what embeds texts for its semantic pass. */
export interface DedupTarget {
  /**
   * Marks the samples of `marks` as near-duplicates (they stay stored, with `duplicateOf`, and
   * `lineage.dedup` as `duplicateMarked` writes them) and clears the marks of the other samples
   * in `scope` — in ONE transaction, so a dedup applied twice or with another threshold never
   * leaves stale marks. An id of `scope` with no row is skipped.
   */
  applyDuplicates(scope: readonly string[], marks: readonly DuplicateMark[], check?: DedupCheck): Promise<void>;

  /**
   * Embeds texts for the semantic pass (loads the model, embeds with progress, frees it). Absent:
   * this store has no embedder; the dedup keeps its exact and lexical passes and says so.
   */
  embed?(texts: string[], request: DedupEmbedRequest, onProgress?: (done: number, total: number) => void): Promise<Vectors>;
}

/** The store a dedup phase runs over. */
export interface DedupStore extends DatasetSource, DedupTarget {}

/**
 * A sample as `DedupTarget.applyDuplicates` writes it: with the mark (or none) and, when given,
 * the check that looked at it, stamped `now`. Pure: both stores write what it returns.
 */
export function duplicateMarked(s: Sample, mark: DuplicateMark | undefined, check: DedupCheck | undefined, now: number): Sample {
  const lineage = { ...s.lineage };
  if (mark) lineage.dedup = { duplicateOf: mark.duplicateOf, similarity: mark.similarity, ...(mark.pass ? { pass: mark.pass } : {}) };
  else delete lineage.dedup;
  if (check) lineage.dedupCheck = { ...check, at: now };
  return { ...s, duplicateOf: mark?.duplicateOf ?? null, lineage, updatedAt: now };
}
