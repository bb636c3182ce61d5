import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newId } from '../../lib/db/db';
import { createRun as dexieCreateRun, toSample } from '../../lib/db/runsRepo';
import type { SavedRecipe } from '../../lib/db/recipesRepo';
import type { Project, Run, RunSeeds, RunTaskLists, RunWithTasks, Sample, Seed, SeedDraft, StoredChunk, StoredDocument } from '../../lib/db/types';
import type { EndpointConfig } from '../../lib/engines/remote/remoteEngine';
import type { RestoreRows, RestoreTable } from '../../lib/io/export/source';
import type { ChunkRef } from '../../lib/documents/types';
import type { RunBudget } from '../../lib/pipeline/budget';
import type { SeedPages } from '../../lib/pipeline/run';
import { addTask, emptyCounts, type RunCounts, type RunStatus, type RunStore, type TaskDelta } from '../../lib/pipeline/types';
import { migrate, SCHEMA_VERSION, storedVersion } from './schema';
import { runFromRow, splitRun, type RunRow } from './rows';
import { SqliteDatasetSource } from './sources';
import { NotFoundError, StoreError, toStoreError } from './storeError';

/** The file a store directory holds. */
export const STORE_FILE = 'seedforge.sqlite';

/** How long a write waits for another process's write before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 15_000;

/** What `createRun` takes: the same fields as the app's runsRepo.createRun. */
export type NewRun = Parameters<typeof dexieCreateRun>[1];

/** What `addSeeds` stored, and the exact duplicates it found (equal `hash`, as the app's importer flags them). */
export interface AddSeedsResult {
  seeds: Seed[];
  /** Drafts equal to an earlier draft of the same call. */
  duplicateInImport: number;
  /** Drafts equal to a seed the project already had. */
  duplicateExisting: number;
  /** Duplicates left out (`skipDuplicates`); 0 when they were stored. */
  skipped: number;
}

/** What `status --json` prints for one run. */
export interface RunStatusSummary {
  id: string;
  projectId: string;
  name: string;
  status: RunStatus;
  error: string | null;
  /** Tasks committed, of `counts.total`. */
  completedTasks: number;
  counts: RunCounts;
  /** Stored samples of the run by status (the counts are what the pipeline decided; a review in the app may change a status). */
  samples: { accepted: number; rejected: number; pending: number };
  /** The run's caps and what it has spent (Run.budget); null when it has none. */
  budget: RunBudget | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * The command line's store: one SQLite file in a directory, with the app's rows (same ids, same
 * lineage as src/lib/db), so that a backup made here restores in the browser and back.
 *
 * better-sqlite3 is synchronous, so the store's own methods are too; `runStore()` and the shared
 * interfaces wrap them in promises. WAL with synchronous=NORMAL: a process killed at any point
 * (SIGKILL included) loses only transactions that had not committed, and readers in other
 * processes (`status` while a run goes on) never block the writer. Every write transaction is
 * IMMEDIATE: it takes the write lock before its first read, so a second process writing the same
 * file waits (busy timeout) instead of failing with SQLITE_BUSY_SNAPSHOT on a read gone stale.
 *
 * Every method throws StoreError (with the file's path and SQLite's code) when SQLite fails, and
 * NotFoundError when a named project or run does not exist; a failed write changes nothing.
 */
export class Store {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmt: ReturnType<typeof prepare>;

  /** @internal Use openStore. */
  constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#stmt = prepare(db);
  }

  /** The connection, for the store's own modules (sources.ts); nothing else writes through it. */
  get db(): Database.Database {
    return this.#db;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `fn`, turning SQLite's errors into StoreError (a NotFoundError or TypeError passes as it is). */
  guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreError(this.path, what, err);
    }
  }

  // ---- Projects and seeds ----------------------------------------------------------------

  createProject(name: string): Project {
    const clean = name.trim();
    if (!clean) throw new TypeError('A project needs a name');
    const now = Date.now();
    const project: Project = { id: newId(), name: clean, createdAt: now, updatedAt: now };
    this.guard('creating a project', () => this.#stmt.insertProject.run(project.id, project.createdAt, JSON.stringify(project)));
    return project;
  }

  project(id: string): Project | undefined {
    const row = this.guard('reading a project', () => this.#stmt.getProject.get(id) as { json: string } | undefined);
    return row ? (JSON.parse(row.json) as Project) : undefined;
  }

  /** Every project, oldest first. */
  listProjects(): Project[] {
    const rows = this.guard('listing projects', () => this.#stmt.listProjects.all() as { json: string }[]);
    return rows.map((r) => JSON.parse(r.json) as Project);
  }

  /** Hashes of the project's stored seeds (ImportSession.plan's `existing`), read from the index alone. */
  seedHashes(projectId: string): Set<string> {
    const rows = this.guard('reading seed hashes', () => this.#stmt.seedHashes.all(projectId) as string[]);
    return new Set(rows);
  }

  countSeeds(projectId: string): number {
    return this.guard('counting seeds', () => this.#stmt.countSeeds.get(projectId) as number);
  }

  /** The project's seeds in import order. */
  listSeeds(projectId: string): Seed[] {
    const rows = this.guard('reading seeds', () => this.#stmt.listSeeds.all(projectId) as string[]);
    return rows.map((j) => JSON.parse(j) as Seed);
  }

  /**
   * Adds drafts to a project in ONE transaction (every draft or none), numbered after its last
   * seed, and counts the exact duplicates (equal `hash`) within the drafts and against the stored
   * seeds; `skipDuplicates` leaves them out, as the app's import dialog can.
   * @throws NotFoundError when the project does not exist; StoreError with nothing written.
   */
  addSeeds(projectId: string, drafts: SeedDraft[], opts: { skipDuplicates?: boolean } = {}): AddSeedsResult {
    return this.guard('adding seeds', () =>
      this.#db.transaction(() => {
        if (!this.#stmt.getProject.get(projectId)) throw new NotFoundError(`project ${projectId} does not exist`);
        const existing = new Set(this.#stmt.seedHashes.all(projectId) as string[]);
        const seen = new Set<string>();
        let order = ((this.#stmt.lastSeedOrder.get(projectId) as number | null) ?? -1) + 1;
        const now = Date.now();
        const result: AddSeedsResult = { seeds: [], duplicateInImport: 0, duplicateExisting: 0, skipped: 0 };
        for (const d of drafts) {
          let dup = false;
          if (existing.has(d.hash)) {
            result.duplicateExisting++;
            dup = true;
          } else if (seen.has(d.hash)) {
            result.duplicateInImport++;
            dup = true;
          }
          seen.add(d.hash);
          if (dup && opts.skipDuplicates) {
            result.skipped++;
            continue;
          }
          const seed: Seed = { ...d, id: newId(), projectId, order: order++, createdAt: now, updatedAt: now };
          this.#stmt.insertSeed.run(seed.id, projectId, seed.order, seed.hash, JSON.stringify(seed));
          result.seeds.push(seed);
        }
        this.#touchProject(projectId, now);
        return result;
      }).immediate(),
    );
  }

  #touchProject(projectId: string, now: number): void {
    const row = this.#stmt.getProject.get(projectId) as { json: string } | undefined;
    if (!row) return;
    this.#stmt.updateProject.run(JSON.stringify({ ...(JSON.parse(row.json) as Project), updatedAt: now }), projectId);
  }

  // ---- Runs ------------------------------------------------------------------------------

  /**
   * Creates a paused run with its seed (and chunk) snapshot, in one transaction: the same row as
   * the app's runsRepo.createRun. `staged` (seedStaging.ts) writes the snapshot's seed rows of an
   * import staged in SQLite (`seeds` is then empty), inside this transaction.
   * @throws NotFoundError when the project does not exist.
   */
  createRun(r: NewRun, staged?: { count: number; write(runId: string): void }): Run {
    const now = Date.now();
    const { total, seeds, chunks, ...rest } = r;
    const run: Run = { ...rest, id: newId(), status: 'paused', seedCount: staged?.count ?? seeds.length, counts: emptyCounts(total), error: null, createdAt: now, updatedAt: now };
    const snapshot: RunSeeds = { runId: run.id, seeds, ...(chunks ? { chunks } : {}) };
    this.guard('creating a run', () =>
      this.#db.transaction(() => {
        if (!this.#stmt.getProject.get(run.projectId)) throw new NotFoundError(`project ${run.projectId} does not exist`);
        this.#insertRun(run);
        this.#insertSnapshot(snapshot);
        staged?.write(run.id);
      }).immediate(),
    );
    return run;
  }

  /**
   * @internal Adds the app's rows to a table exactly as they are (a restore; sources.ts). Not a
   * transaction of its own: the caller's. Throws SQLite's own error (SQLITE_CONSTRAINT_PRIMARYKEY
   * for a key already stored) so that the caller can name the row.
   */
  insertRows<T extends RestoreTable>(table: T, rows: readonly RestoreRows[T][]): void {
    const st = this.#stmt;
    for (const row of rows as readonly RestoreRows[RestoreTable][]) {
      switch (table) {
        case 'projects': {
          const p = row as Project;
          st.insertProject.run(p.id, p.createdAt, JSON.stringify(p));
          break;
        }
        case 'recipes': {
          const r = row as SavedRecipe;
          st.insertRecipe.run(r.id, r.updatedAt, JSON.stringify(r));
          break;
        }
        case 'endpoints': {
          // Keys never enter the store, whatever a file carries.
          const { key: _key, apiKey: _apiKey, ...ep } = row as EndpointConfig & { key?: unknown; apiKey?: unknown };
          st.insertEndpoint.run(ep.id, JSON.stringify(ep));
          break;
        }
        case 'runs':
          this.#insertRun(row as RunWithTasks);
          break;
        case 'runSeeds':
          this.#insertSnapshot(row as RunSeeds);
          break;
        case 'seeds': {
          const s = row as Seed;
          st.insertSeed.run(s.id, s.projectId, s.order, s.hash, JSON.stringify(s));
          break;
        }
        case 'samples':
          this.#insertSample(row as Sample);
          break;
        case 'documents': {
          const d = row as StoredDocument;
          st.insertDocument.run(d.id, d.projectId, d.createdAt, JSON.stringify(d));
          break;
        }
        case 'chunks': {
          const c = row as StoredChunk;
          st.insertChunk.run(c.id, c.projectId, c.documentId, c.index, JSON.stringify(c));
          break;
        }
        default:
          throw new TypeError(`no table ${String(table)} in the store`);
      }
    }
  }

  /** A run's snapshot: its seeds one row each (runSeedRows), the rest of the row in runSeeds. */
  #insertSnapshot({ seeds, ...rest }: RunSeeds): void {
    this.#stmt.insertRunSeeds.run(rest.runId, JSON.stringify(rest));
    seeds.forEach((s, i) => this.#stmt.insertRunSeedRow.run(rest.runId, i, JSON.stringify(s)));
  }

  #insertSample(s: Sample): void {
    this.#stmt.insertSample.run(s.id, s.projectId, s.runId, s.seedId, s.status, s.score, s.createdAt, JSON.stringify(s));
  }

  /** A new run (no tasks yet), or a restored one with the tasks and pool its backup line carries. */
  #insertRun(run: Run & Partial<RunTaskLists>): void {
    const { fixed, live } = splitRun(run);
    this.#stmt.insertRun.run(run.id, run.projectId, live.status, live.error, JSON.stringify(live.counts), run.createdAt, live.updatedAt, JSON.stringify(fixed), live.budget ? JSON.stringify(live.budget) : null);
    for (const t of run.completed ?? []) this.#stmt.insertTask.run(run.id, t);
    for (const p of run.pool ?? []) this.#stmt.insertPool.run(run.id, p.task, p.text);
  }

  getRun(id: string): Run | undefined {
    return this.guard('reading a run', () => {
      const row = this.#stmt.getRun.get(id) as RunRow | undefined;
      return row ? runFromRow(row) : undefined;
    });
  }

  /** The project's runs, newest first (as the app lists them). */
  listRuns(projectId: string): Run[] {
    return this.guard('listing runs', () => (this.#stmt.listRuns.all(projectId) as RunRow[]).map((r) => runFromRow(r)));
  }

  /** @throws NotFoundError when the snapshot is missing: resuming without it would change the items. */
  getRunSeeds(runId: string): RunSeeds['seeds'] {
    const { count, read } = this.#seedRows(runId);
    return read(0, count);
  }

  /** The snapshot's seed count and a reader of its rows by place. @throws NotFoundError when the snapshot is missing. */
  #seedRows(runId: string): { count: number; read(from: number, to: number): RunSeeds['seeds'] } {
    return this.guard('reading a run snapshot', () => {
      if (!this.#stmt.hasRunSeeds.get(runId)) throw new NotFoundError(`the seed snapshot of run ${runId} is missing`);
      return {
        count: this.#stmt.countRunSeeds.get(runId) as number,
        read: (from, to) => (this.#stmt.runSeedsPage.all(runId, from, to) as string[]).map((j) => JSON.parse(j) as RunSeeds['seeds'][number]),
      };
    });
  }

  /**
   * The run's seeds in pages, read from the snapshot's rows (runSeedRows) without reading the
   * rest: what the pipeline takes for a run (runRecipe's SeedPages), so that a run of 100k seeds
   * holds one page of them, not all.
   * @throws NotFoundError when the snapshot is missing.
   */
  runSeedPages(runId: string): SeedPages {
    const { count, read } = this.#seedRows(runId);
    return { count, read: async (from, to) => this.guard('reading a run snapshot', () => read(from, to)) };
  }

  /** The chunks a document run was created with (empty for a seed run), read without its seeds. @throws NotFoundError when the snapshot is missing. */
  getRunChunks(runId: string): ChunkRef[] {
    const row = this.guard('reading a run snapshot', () => this.#stmt.getRunChunks.get(runId) as { chunks: string | null } | undefined);
    if (!row) throw new NotFoundError(`the seed snapshot of run ${runId} is missing`);
    return row.chunks ? (JSON.parse(row.chunks) as ChunkRef[]) : [];
  }

  /** Sets a run's status, adds a session's wall time; the error is kept only while 'failed' (as the app does). */
  setRunStatus(id: string, status: RunStatus, extra: { error?: string; wallMs?: number } = {}): void {
    this.guard('setting a run status', () =>
      this.#db.transaction(() => {
        const row = this.#stmt.getRunProgress.get(id) as { counts: string; error: string | null } | undefined;
        if (!row) return;
        const counts = JSON.parse(row.counts) as RunCounts;
        const next = extra.wallMs ? { ...counts, wallMs: counts.wallMs + extra.wallMs } : counts;
        const error = extra.error ?? (status === 'failed' ? row.error : null);
        this.#stmt.setRunStatus.run(status, error, JSON.stringify(next), Date.now(), id);
      }).immediate(),
    );
  }

  /**
   * Sets a run's budget — its caps and what it has spent — as the app's runsRepo setRunSpent and
   * setRunCaps do: a backup carries it, `status` reads it.
   * @throws NotFoundError when the run does not exist.
   */
  setRunBudget(id: string, budget: RunBudget): void {
    this.guard('saving a run budget', () => {
      if (this.#stmt.setRunBudget.run(JSON.stringify(budget), Date.now(), id).changes === 0) throw new NotFoundError(`run ${id} does not exist`);
    });
  }

  /** The run's stored samples, in id order. */
  listRunSamples(runId: string): Sample[] {
    const rows = this.guard('reading samples', () => this.#stmt.listRunSamples.all(runId) as string[]);
    return rows.map((j) => JSON.parse(j) as Sample);
  }

  /** A run's state for `status --json`, read without loading its samples. @throws NotFoundError */
  runStatusSummary(runId: string): RunStatusSummary {
    return this.guard('reading a run status', () => {
      const row = this.#stmt.getRun.get(runId) as RunRow | undefined;
      if (!row) throw new NotFoundError(`run ${runId} does not exist`);
      const fixed = JSON.parse(row.json) as Pick<Run, 'name'>;
      const samples = { accepted: 0, rejected: 0, pending: 0 };
      for (const r of this.#stmt.countRunSamples.all(runId) as { status: keyof typeof samples; n: number }[]) samples[r.status] = r.n;
      return {
        id: row.id,
        projectId: row.projectId,
        name: fixed.name,
        status: row.status,
        error: row.error,
        completedTasks: this.#stmt.countTasks.get(runId) as number,
        counts: JSON.parse(row.counts) as RunCounts,
        samples,
        budget: row.budget ? (JSON.parse(row.budget) as RunBudget) : null,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      };
    });
  }

  /**
   * The pipeline's RunStore over this file. commitTask writes the task's samples (toSample: the
   * app's ids and lineage), records the task and updates the counts in ONE transaction; a task
   * already recorded is a no-op, so a resumed run that commits it again changes nothing.
   */
  runStore(): RunStore {
    const commit = this.#db.transaction((runId: string, taskIndex: number, delta: TaskDelta) => {
      const run = this.#stmt.getRunProgress.get(runId) as { projectId: string; counts: string } | undefined;
      if (!run) throw new NotFoundError(`run ${runId} does not exist`);
      if (this.#stmt.insertTask.run(runId, taskIndex).changes === 0) return;
      const now = Date.now();
      for (const d of delta.samples) {
        this.#insertSample(toSample(runId, run.projectId, d, now));
      }
      for (const text of delta.pool) this.#stmt.insertPool.run(runId, taskIndex, text);
      this.#stmt.setRunCounts.run(JSON.stringify(addTask(JSON.parse(run.counts) as RunCounts, delta)), now, runId);
    });
    return {
      progress: async (runId) =>
        this.guard('reading a run progress', () => {
          const row = this.#stmt.getRunProgress.get(runId) as { counts: string } | undefined;
          if (!row) throw new NotFoundError(`run ${runId} does not exist`);
          return {
            completed: new Set(this.#stmt.listTasks.all(runId) as number[]),
            pool: this.#stmt.listPool.all(runId) as { task: number; text: string }[],
            counts: JSON.parse(row.counts) as RunCounts,
          };
        }),
      commitTask: async (runId, taskIndex, delta) => {
        this.guard(`committing task ${taskIndex} of run ${runId}`, () => commit.immediate(runId, taskIndex, delta));
      },
      setStatus: async (runId, status, extra) => {
        this.setRunStatus(runId, status, extra);
      },
    };
  }

  // ---- The shared code's interfaces ------------------------------------------------------

  #source: SqliteDatasetSource | undefined;

  /** The store as the shared exporter, dataset card and backup writer read it (src/lib/io/export/source.ts). */
  datasetSource(): SqliteDatasetSource {
    return (this.#source ??= new SqliteDatasetSource(this));
  }

  /** Where the shared restore (projectBackup.ts restoreBackup / restoreBackupFile) writes. */
  restoreTarget(): SqliteDatasetSource {
    return this.datasetSource();
  }

  /** What the shared dedup phase (runner/dedupPhase.ts) reads and marks; no embedder (exact and lexical passes). */
  dedupTarget(): SqliteDatasetSource {
    return this.datasetSource();
  }

  // ---- Cache -----------------------------------------------------------------------------

  /** A value stored under (namespace, key) by cachePut, or undefined. */
  cacheGet<T = unknown>(ns: string, key: string): T | undefined {
    const json = this.guard('reading the cache', () => this.#stmt.cacheGet.get(ns, key) as string | undefined);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /** Stores a JSON-serialisable value under (namespace, key), replacing what was there; durable once it returns. */
  cachePut(ns: string, key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`cache ${ns}/${key}: the value is not JSON-serialisable`);
    this.guard('writing the cache', () => this.#stmt.cachePut.run(ns, key, json, Date.now()));
  }

  cacheDelete(ns: string, key: string): void {
    this.guard('writing the cache', () => this.#stmt.cacheDelete.run(ns, key));
  }

  /** One namespace of the cache as a `{ get, put }` map: what the batch engine's BatchLedger asks for. */
  cacheOf<T>(ns: string): { get(key: string): T | undefined; put(key: string, value: T): void } {
    return { get: (key) => this.cacheGet<T>(ns, key), put: (key, value) => this.cachePut(ns, key, value) };
  }
}

/** The statements the store runs, prepared once per connection (`pluck()`: those that read one column). */
function prepare(db: Database.Database) {
  return {
    insertProject: db.prepare(`INSERT INTO projects (id, createdAt, json) VALUES (?, ?, ?)`),
    getProject: db.prepare(`SELECT json FROM projects WHERE id = ?`),
    updateProject: db.prepare(`UPDATE projects SET json = ? WHERE id = ?`),
    listProjects: db.prepare(`SELECT json FROM projects ORDER BY createdAt, id`),
    seedHashes: db.prepare(`SELECT hash FROM seeds WHERE projectId = ?`).pluck(),
    countSeeds: db.prepare(`SELECT count(*) FROM seeds WHERE projectId = ?`).pluck(),
    listSeeds: db.prepare(`SELECT json FROM seeds WHERE projectId = ? ORDER BY ord, id`).pluck(),
    lastSeedOrder: db.prepare(`SELECT max(ord) FROM seeds WHERE projectId = ?`).pluck(),
    insertSeed: db.prepare(`INSERT INTO seeds (id, projectId, ord, hash, json) VALUES (?, ?, ?, ?, ?)`),
    insertRun: db.prepare(`INSERT INTO runs (id, projectId, status, error, counts, createdAt, updatedAt, json, budget) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    setRunBudget: db.prepare(`UPDATE runs SET budget = ?, updatedAt = ? WHERE id = ?`),
    getRun: db.prepare(`SELECT * FROM runs WHERE id = ?`),
    listRuns: db.prepare(`SELECT * FROM runs WHERE projectId = ? ORDER BY createdAt DESC, id DESC`),
    getRunProgress: db.prepare(`SELECT projectId, counts, error FROM runs WHERE id = ?`),
    setRunStatus: db.prepare(`UPDATE runs SET status = ?, error = ?, counts = ?, updatedAt = ? WHERE id = ?`),
    setRunCounts: db.prepare(`UPDATE runs SET counts = ?, updatedAt = ? WHERE id = ?`),
    insertTask: db.prepare(`INSERT OR IGNORE INTO runTasks (runId, taskIndex) VALUES (?, ?)`),
    listTasks: db.prepare(`SELECT taskIndex FROM runTasks WHERE runId = ? ORDER BY taskIndex`).pluck(),
    countTasks: db.prepare(`SELECT count(*) FROM runTasks WHERE runId = ?`).pluck(),
    insertPool: db.prepare(`INSERT INTO runPool (runId, task, text) VALUES (?, ?, ?)`),
    // Task order, as the app's runTasks rows give it (the order an uninterrupted Self-Instruct run commits in).
    listPool: db.prepare(`SELECT task, text FROM runPool WHERE runId = ? ORDER BY task, seq`),
    insertRunSeeds: db.prepare(`INSERT INTO runSeeds (runId, json) VALUES (?, ?)`),
    hasRunSeeds: db.prepare(`SELECT 1 FROM runSeeds WHERE runId = ?`).pluck(),
    insertRunSeedRow: db.prepare(`INSERT INTO runSeedRows (runId, idx, json) VALUES (?, ?, ?)`),
    countRunSeeds: db.prepare(`SELECT count(*) FROM runSeedRows WHERE runId = ?`).pluck(),
    runSeedsPage: db.prepare(`SELECT json FROM runSeedRows WHERE runId = ? AND idx >= ? AND idx < ? ORDER BY idx`).pluck(),
    getRunChunks: db.prepare(`SELECT json_extract(json, '$.chunks') AS chunks FROM runSeeds WHERE runId = ?`),
    insertSample: db.prepare(`INSERT INTO samples (id, projectId, runId, seedId, status, score, createdAt, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    listRunSamples: db.prepare(`SELECT json FROM samples WHERE runId = ? ORDER BY id`).pluck(),
    countRunSamples: db.prepare(`SELECT status, count(*) AS n FROM samples WHERE runId = ? GROUP BY status`),
    insertRecipe: db.prepare(`INSERT INTO recipes (id, updatedAt, json) VALUES (?, ?, ?)`),
    insertEndpoint: db.prepare(`INSERT INTO endpoints (id, json) VALUES (?, ?)`),
    insertDocument: db.prepare(`INSERT INTO documents (id, projectId, createdAt, json) VALUES (?, ?, ?, ?)`),
    insertChunk: db.prepare(`INSERT INTO chunks (id, projectId, documentId, idx, json) VALUES (?, ?, ?, ?, ?)`),
    cacheGet: db.prepare(`SELECT value FROM cache WHERE ns = ? AND key = ?`).pluck(),
    cachePut: db.prepare(`INSERT INTO cache (ns, key, value, updatedAt) VALUES (?, ?, ?, ?) ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt`),
    cacheDelete: db.prepare(`DELETE FROM cache WHERE ns = ? AND key = ?`),
  };
}

/**
 * Opens (creating on first use) the store in `dir`: `dir/seedforge.sqlite`, WAL, foreign keys on,
 * a busy timeout so that two processes take turns, the schema brought to this version.
 * @throws StoreError when the directory cannot be made, the file is not a store, or a newer
 * Seedforge wrote it (its schema is ahead of this one).
 */
export function openStore(dir: string): Store {
  const path = resolve(join(dir, STORE_FILE));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreError(path, `the store directory ${dir} cannot be made: ${(err as Error).message}; name a directory you can write`);
  }
  if (!statSync(dir).isDirectory()) throw new StoreError(path, `${dir} is not a directory; name a directory for --store`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StoreError(path, `the store could not use WAL journaling (got ${String(mode)}); put it on a local disk`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const found = storedVersion(db);
    if (found > SCHEMA_VERSION) throw new StoreError(path, `the store has schema version ${found}, newer than this Seedforge's ${SCHEMA_VERSION}; update Seedforge to open it`);
    migrate(db);
    return new Store(path, db);
  } catch (err) {
    db?.close();
    const e = toStoreError(path, 'opening the store', err);
    if (e instanceof StoreError) throw e;
    throw new StoreError(path, `opening the store failed: ${(err as Error).message}; is it a Seedforge store?`);
  }
}
