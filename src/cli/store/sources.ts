import Database from 'better-sqlite3';
import type { SavedRecipe } from '../../lib/db/recipesRepo';
import type { DedupCheck, DuplicateMark } from '../../lib/db/samplesRepo';
import type { Project, RunSeeds, Sample } from '../../lib/db/types';
import type { EndpointConfig } from '../../lib/engines/remote/remoteEngine';
import {
  duplicateMarked,
  KeyExistsError,
  PAGE_SIZE,
  type BackupSource,
  type DedupStore,
  type DedupTarget,
  type ProjectRows,
  type ProjectTable,
  type RestoreRows,
  type RestoreTable,
  type RestoreTarget,
  type RestoreWriter,
} from '../../lib/io/export/source';
import { runFromRow, type RunRow } from './rows';
import type { Store } from './store';
import { StoreError, toStoreError } from './storeError';

/**
 * The SQLite store as the shared export, backup, restore and dedup code reads and writes it
 * (src/lib/io/export/source.ts): the same exporter, dataset card, backup writer, restore and dedup
 * phase as the app run on it unchanged. Lists are in SQLite's `ORDER BY id` (byte order, which is
 * IndexedDB's for the app's ASCII ids).
 *
 * Without an embedder (the default) a dedup over this store keeps its exact and lexical passes and
 * says so; the command line injects its own (src/cli/embed.ts) for the semantic pass.
 */
export class SqliteDatasetSource implements BackupSource, DedupStore, RestoreTarget {
  readonly place = { here: 'this store', elsewhere: 'restore into another --store directory' };
  readonly #store: Store;
  /** The reads on the store's connection; during withRunLock, those of a snapshot connection instead. */
  #reads: Reads;
  #applyDuplicates: Database.Transaction<(scope: readonly string[], marks: readonly DuplicateMark[], check?: DedupCheck) => void>;
  /** DedupTarget.embed: present only when the caller gave one. */
  readonly embed?: DedupTarget['embed'];

  constructor(store: Store, embed?: DedupTarget['embed']) {
    this.#store = store;
    if (embed) this.embed = embed;
    this.#reads = new Reads(store.db);
    const db = store.db;
    const getSample = db.prepare(`SELECT json FROM samples WHERE id = ?`).pluck();
    const setSample = db.prepare(`UPDATE samples SET json = ? WHERE id = ?`);
    this.#applyDuplicates = db.transaction((scope: readonly string[], marks: readonly DuplicateMark[], check?: DedupCheck) => {
      const byId = new Map(marks.map((m) => [m.id, m]));
      const now = Date.now();
      for (const id of scope) {
        const json = getSample.get(id) as string | undefined;
        if (json === undefined) continue;
        setSample.run(JSON.stringify(duplicateMarked(JSON.parse(json) as Sample, byId.get(id), check, now)), id);
      }
    });
  }

  #read<T>(what: string, fn: (r: Reads) => T): Promise<T> {
    try {
      return Promise.resolve(this.#store.guard(what, () => fn(this.#reads)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---- DatasetSource ---------------------------------------------------------------------

  project(id: string): Promise<Project | undefined> {
    return this.#read('reading a project', (r) => {
      const json = r.project.get(id) as string | undefined;
      return json === undefined ? undefined : (JSON.parse(json) as Project);
    });
  }

  countSamples(projectId: string): Promise<number> {
    return this.#read('counting samples', (r) => r.countSamples.get(projectId) as number);
  }

  sampleIdsByStatus(projectId: string, statuses: readonly Sample['status'][]): Promise<string[]> {
    return this.#read('listing samples', (r) => statuses.flatMap((s) => r.sampleIdsByStatus.all(projectId, s) as string[]));
  }

  seedIdsInOrder(projectId: string): Promise<string[]> {
    return this.#read('listing seeds', (r) => r.seedIdsInOrder.all(projectId) as string[]);
  }

  ids(table: ProjectTable, projectId: string): Promise<string[]> {
    return this.#read(`listing ${table}`, (r) => r.ids[table].all(projectId) as string[]);
  }

  async *pages<T extends ProjectTable>(table: T, ids: readonly string[], pageSize = PAGE_SIZE): AsyncIterable<ProjectRows[T][]> {
    for (let i = 0; i < ids.length; i += pageSize) {
      const part = ids.slice(i, i + pageSize);
      yield await this.#read(`reading ${table}`, (r) => {
        const found = new Map<string, ProjectRows[T]>();
        for (const row of r.byIds(table, part)) found.set(row.id, row.value as ProjectRows[T]);
        return part.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
      });
    }
  }

  get<T extends ProjectTable>(table: T, id: string): Promise<ProjectRows[T] | undefined> {
    return this.#read(`reading ${table}`, (r) => r.byIds(table, [id])[0]?.value as ProjectRows[T] | undefined);
  }

  // ---- BackupSource ----------------------------------------------------------------------

  recipes(): Promise<SavedRecipe[]> {
    return this.#read('reading recipes', (r) => (r.recipes.all() as string[]).map((j) => JSON.parse(j) as SavedRecipe));
  }

  endpoints(ids: readonly string[]): Promise<EndpointConfig[]> {
    return this.#read('reading endpoints', (r) => ids.flatMap((id) => {
      const json = r.endpoint.get(id) as string | undefined;
      return json === undefined ? [] : [JSON.parse(json) as EndpointConfig];
    }));
  }

  /**
   * Runs `fn` over one snapshot of the store: every read of this source inside it goes to a second,
   * read-only connection holding a read transaction, so a run committing meanwhile (in this
   * process or another) is either wholly in what `fn` reads or not at all — what the app's run lock
   * guarantees, without stopping the run. Always acquired.
   */
  async withRunLock<T>(_projectId: string, fn: () => Promise<T>): Promise<{ acquired: true; value: T }> {
    const path = this.#store.path;
    let snap: Database.Database;
    try {
      snap = new Database(path, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new StoreError(path, `opening a snapshot for the backup failed: ${(err as Error).message}`);
    }
    const outer = this.#reads;
    try {
      snap.exec('BEGIN');
      // The snapshot starts at the first read of the transaction.
      snap.prepare(`SELECT count(*) FROM meta`).get();
      this.#reads = new Reads(snap);
      return { acquired: true, value: await fn() };
    } finally {
      this.#reads = outer;
      if (snap.inTransaction) snap.exec('COMMIT');
      snap.close();
    }
  }

  // ---- DedupTarget -----------------------------------------------------------------------

  applyDuplicates(scope: readonly string[], marks: readonly DuplicateMark[], check?: DedupCheck): Promise<void> {
    try {
      this.#store.guard('marking duplicates', () => this.#applyDuplicates.immediate(scope, marks, check));
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---- RestoreTarget ---------------------------------------------------------------------

  /**
   * Runs `write` between BEGIN IMMEDIATE and COMMIT on the store's connection (ROLLBACK when it
   * throws). The writer's calls are synchronous underneath, so nothing else of this process can
   * slip into the transaction unless `write` itself awaits something else — the restore does not.
   * @throws StoreError when another transaction of this connection is open, or SQLite fails.
   */
  async transaction<T>(write: (tx: RestoreWriter) => Promise<T>): Promise<T> {
    const store = this.#store;
    const db = store.db;
    if (db.inTransaction) throw new StoreError(store.path, 'a restore cannot start while another write of this store is under way; try again when it ends');
    store.guard('starting the restore', () => db.exec('BEGIN IMMEDIATE'));
    const existing = {
      recipes: db.prepare(`SELECT id FROM recipes WHERE id IN (SELECT value FROM json_each(?))`).pluck(),
      endpoints: db.prepare(`SELECT id FROM endpoints WHERE id IN (SELECT value FROM json_each(?))`).pluck(),
    };
    const writer: RestoreWriter = {
      project: (id) => this.project(id),
      existing: async (table, ids) => {
        return new Set(store.guard(`reading ${table}`, () => existing[table].all(JSON.stringify(ids)) as string[]));
      },
      add: async <K extends RestoreTable>(table: K, rows: RestoreRows[K][]) => {
        try {
          // A savepoint: a batch that fails leaves none of its rows, so the row named is the one that collided.
          db.transaction(() => store.insertRows(table, rows))();
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
            throw new KeyExistsError(table, firstStored(store, table, rows) ?? '?', String(code));
          }
          throw toStoreError(store.path, `restoring ${table}`, err);
        }
      },
    };
    try {
      const value = await write(writer);
      store.guard('finishing the restore', () => db.exec('COMMIT'));
      return value;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}

/** The first row of `rows` whose key the store already holds (the one that stopped an insert). */
function firstStored<K extends RestoreTable>(store: Store, table: K, rows: readonly RestoreRows[K][]): string | undefined {
  const key = table === 'runSeeds' ? 'runId' : 'id';
  const stmt = store.db.prepare(`SELECT 1 FROM ${table} WHERE ${key} = ?`).pluck();
  const seen = new Set<string>();
  for (const row of rows) {
    const id = (row as unknown as Record<string, string>)[key]!;
    // A key twice in the rows themselves is the collision too.
    if (seen.has(id) || stmt.get(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/** The source's reads, prepared on one connection (the store's, or a backup's snapshot). */
class Reads {
  readonly project: Database.Statement;
  readonly countSamples: Database.Statement;
  readonly sampleIdsByStatus: Database.Statement;
  readonly seedIdsInOrder: Database.Statement;
  readonly ids: Record<ProjectTable, Database.Statement>;
  readonly recipes: Database.Statement;
  readonly endpoint: Database.Statement;
  readonly #db: Database.Database;
  /** Statements of `byIds`, prepared on first use, by table. */
  readonly #byIds = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.project = db.prepare(`SELECT json FROM projects WHERE id = ?`).pluck();
    this.countSamples = db.prepare(`SELECT count(*) FROM samples WHERE projectId = ?`).pluck();
    this.sampleIdsByStatus = db.prepare(`SELECT id FROM samples WHERE projectId = ? AND status = ? ORDER BY id`).pluck();
    this.seedIdsInOrder = db.prepare(`SELECT id FROM seeds WHERE projectId = ? ORDER BY ord, id`).pluck();
    const idsOf = (t: string) => db.prepare(`SELECT id FROM ${t} WHERE projectId = ? ORDER BY id`).pluck();
    this.ids = { runs: idsOf('runs'), runSeeds: idsOf('runs'), seeds: idsOf('seeds'), samples: idsOf('samples'), documents: idsOf('documents'), chunks: idsOf('chunks') };
    this.recipes = db.prepare(`SELECT json FROM recipes ORDER BY updatedAt DESC, id`).pluck();
    this.endpoint = db.prepare(`SELECT json FROM endpoints WHERE id = ?`).pluck();
  }

  /** The rows with these ids (any order; missing ones absent), as the app's rows. */
  byIds(table: ProjectTable, ids: readonly string[]): { id: string; value: unknown }[] {
    const json = JSON.stringify(ids);
    if (table === 'runs') {
      const tasks = this.#stmt('runTasks', `SELECT taskIndex FROM runTasks WHERE runId = ? ORDER BY taskIndex`).pluck();
      const pool = this.#stmt('runPool', `SELECT task, text FROM runPool WHERE runId = ? ORDER BY task, seq`);
      return (this.#stmt('runs', `SELECT * FROM runs WHERE id IN (SELECT value FROM json_each(?))`).all(json) as RunRow[]).map((row) => ({
        id: row.id,
        value: { ...runFromRow(row), completed: tasks.all(row.id) as number[], pool: pool.all(row.id) as { task: number; text: string }[] },
      }));
    }
    if (table === 'runSeeds') {
      // The app's RunSeeds row: the snapshot's seed rows (runSeedRows) back in its `seeds`.
      const seeds = this.#stmt('runSeedRows', `SELECT json FROM runSeedRows WHERE runId = ? ORDER BY idx`).pluck();
      return (this.#stmt('runSeeds', `SELECT runId, json FROM runSeeds WHERE runId IN (SELECT value FROM json_each(?))`).all(json) as { runId: string; json: string }[]).map((r) => {
        const { runId, ...rest } = JSON.parse(r.json) as Omit<RunSeeds, 'seeds'>;
        return { id: r.runId, value: { runId, seeds: (seeds.all(r.runId) as string[]).map((j) => JSON.parse(j) as RunSeeds['seeds'][number]), ...rest } };
      });
    }
    const rows = this.#stmt(table, `SELECT id, json FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).all(json) as { id: string; json: string }[];
    return rows.map((r) => ({ id: r.id, value: JSON.parse(r.json) }));
  }

  #stmt(name: string, sql: string): Database.Statement {
    let st = this.#byIds.get(name);
    if (!st) this.#byIds.set(name, (st = this.#db.prepare(sql)));
    return st;
  }
}
