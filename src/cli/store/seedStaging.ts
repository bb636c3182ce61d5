import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../lib/db/db';
import type { Run, SeedDraft } from '../../lib/db/types';
import type { NewRun, Store } from './store';
import { NotFoundError } from './storeError';

/** Drafts written per transaction of the staging file: what the process holds of an import at once. */
export const STAGE_CHUNK = 2000;

/**
 * The staging file's page cache (SQLite's cache_size: negative is KiB): 2 MiB, SQLite's own
 * default. better-sqlite3 builds SQLite with 16 MiB per database per connection, and an import of
 * 100k seeds filled it (+38 MiB of RSS at 100k, +4 at 10k) for a file that is written once in
 * order and read once in order.
 */
const STAGING_CACHE = -2000;

/**
 * An import's seeds on their way into a store, kept in a scratch SQLite file of their own (under
 * the system's temporary directory, removed by `close`) rather than in memory: at 100k seeds the
 * one `addSeeds` transaction of all drafts was the command line's peak RSS (issue 15).
 *
 * Why a separate file and not rows in the store: bad input must change nothing stored, and a
 * bad record may come at the end of a file read in chunks. The store is not even opened until the
 * whole import has been read and staged; then `createStagedRun` moves the staged seeds and the
 * run's snapshot into it in ONE transaction, SQLite to SQLite, so a failure or a kill at any point
 * leaves the store as it was. Exact duplicates within the import (equal `hash`) are left out
 * here, as the app's import dialog leaves them out; ids are given here, once.
 */
export class SeedStaging {
  readonly path: string;
  readonly #dir: string;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  #count = 0;
  #duplicates = 0;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'seedforge-import-'));
    this.path = join(this.#dir, 'staged.sqlite');
    this.#db = new Database(this.path);
    // A scratch file: nothing to recover after a crash (the store never saw it), so no journal.
    this.#db.pragma('journal_mode = OFF');
    this.#db.pragma('synchronous = OFF');
    this.#db.pragma(`cache_size = ${STAGING_CACHE}`);
    // `existing` and `ord` are filled by createStagedRun. `seq` runs 1, 2, … without gaps: rows
    // are only ever inserted, and a duplicate ignored takes no rowid.
    this.#db.exec(`CREATE TABLE seeds (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, json TEXT NOT NULL, existing TEXT, ord INTEGER)`);
    this.#insert = this.#db.prepare(`INSERT OR IGNORE INTO seeds (id, hash, json) VALUES (?, ?, ?)`);
  }

  /** Unique seeds staged. */
  get count(): number {
    return this.#count;
  }

  /** Drafts left out as exact duplicates of an earlier one of the same import. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Stages drafts in file order, in one transaction. */
  add(drafts: readonly SeedDraft[]): void {
    this.#db.transaction(() => {
      for (const d of drafts) {
        if (this.#insert.run(newId(), d.hash, JSON.stringify(d)).changes) this.#count++;
        else this.#duplicates++;
      }
    })();
  }

  /** The staged drafts in file order, read a page at a time. */
  *drafts(): Generator<SeedDraft> {
    const page = this.#db.prepare(`SELECT seq, json FROM seeds WHERE seq > ? ORDER BY seq LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = page.all(after, STAGE_CHUNK) as { seq: number; json: string }[];
      if (!rows.length) return;
      for (const r of rows) yield JSON.parse(r.json) as SeedDraft;
      after = rows.at(-1)!.seq;
    }
  }

  /** Closes and removes the scratch file; idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * Adds a staged import to a project and creates a paused run over it, in ONE transaction of the
 * store: the staged seeds the project does not hold yet (by `hash`) are added, numbered after its
 * last seed, exactly as Store.addSeeds writes them; the run's snapshot lists every staged seed in
 * file order, a seed the project already had by its stored row (as the app reuses it). SQLite
 * builds both from the attached staging file, so no seed passes through this process's heap.
 * @throws NotFoundError when the project does not exist; StoreError with nothing written.
 */
export function createStagedRun(store: Store, staging: SeedStaging, fields: Omit<NewRun, 'seeds' | 'chunks'>): { run: Run; added: number } {
  const db = store.db;
  return store.guard('adding the seeds and creating the run', () => {
    // ATTACH cannot run inside a transaction: around it, and always undone.
    db.prepare(`ATTACH DATABASE ? AS staged`).run(staging.path);
    db.pragma(`staged.cache_size = ${STAGING_CACHE}`);
    db.pragma('staged.journal_mode = OFF');
    try {
      return db
        .transaction(() => {
          const projectId = fields.projectId;
          if (!db.prepare(`SELECT 1 FROM projects WHERE id = ?`).get(projectId)) throw new NotFoundError(`project ${projectId} does not exist`);
          const now = Date.now();
          const base = db.prepare(`SELECT coalesce(max(ord), -1) + 1 FROM seeds WHERE projectId = ?`).pluck().get(projectId) as number;
          // Three passes, so that no statement reads the table it writes (SQLite would then copy
          // the whole result aside first): mark the seeds the project has (its first of that hash,
          // as the app reuses it), number the new ones after its last seed, copy them in.
          db.prepare(`UPDATE staged.seeds SET existing = (SELECT x.id FROM main.seeds AS x WHERE x.projectId = ? AND x.hash = seeds.hash ORDER BY x.ord, x.id LIMIT 1)`).run(projectId);
          db.prepare(`UPDATE staged.seeds SET ord = ? + n.k FROM (SELECT seq, row_number() OVER (ORDER BY seq) - 1 AS k FROM staged.seeds WHERE existing IS NULL) AS n WHERE seeds.seq = n.seq`).run(base);
          const added = db
            .prepare(
              `INSERT INTO main.seeds (id, projectId, ord, hash, json)
               SELECT id, @projectId, ord, hash, json_set(json, '$.id', id, '$.projectId', @projectId, '$.order', ord, '$.createdAt', @now, '$.updatedAt', @now)
               FROM staged.seeds WHERE existing IS NULL ORDER BY seq`,
            )
            .run({ projectId, now }).changes;
          db.prepare(`UPDATE projects SET json = json_set(json, '$.updatedAt', ?) WHERE id = ?`).run(now, projectId);
          const run = store.createRun(
            { ...fields, seeds: [] },
            {
              count: staging.count,
              // Each staged row's seed as stored: a new one, or the one the project had.
              write: (runId) =>
                db
                  .prepare(
                    `INSERT INTO main.runSeedRows (runId, idx, json)
                     SELECT ?, s.seq - 1, json_object('id', e.id, 'instruction', e.json ->> '$.instruction', 'input', e.json ->> '$.input', 'output', e.json ->> '$.output')
                     FROM staged.seeds AS s JOIN main.seeds AS e ON e.id = coalesce(s.existing, s.id)
                     ORDER BY s.seq`,
                  )
                  .run(runId),
            },
          );
          return { run, added };
        })
        .immediate();
    } finally {
      db.prepare(`DETACH DATABASE staged`).run();
    }
  });
}
