import type Database from 'better-sqlite3';

/**
 * The SQLite store's schema, versioned in `meta` (key 'schemaVersion'). Append-only, like the
 * app's Dexie versions (src/lib/db/schema.ts): a released step is never edited; a change is a new
 * step, run once in the same transaction that records its number.
 *
 * Every table keeps the app's row (src/lib/db/types.ts) whole as JSON in `json`, plus copies of
 * the fields the queries filter or sort on, so that a row read back is exactly the app's row and a
 * backup written from here restores in the browser. A run's progress is kept apart from its row:
 * the completed tasks one row each in `runTasks` (keyed (runId, taskIndex): a commit adds one row,
 * never rewrites a list) and the Self-Instruct pool in `runPool`; `runs.counts` holds the counts,
 * `runs.budget` the run's RunBudget (null: none). A run's seed snapshot is one row per seed in
 * `runSeedRows`; `runSeeds.json` is the app's RunSeeds row without its `seeds`.
 */
export const SCHEMA_STEPS: readonly string[] = [
  // 1: the app's tables, the run's progress tables and a generic cache.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE projects (id TEXT PRIMARY KEY, createdAt INTEGER NOT NULL, json TEXT NOT NULL);
  CREATE TABLE seeds (
    id TEXT PRIMARY KEY,
    projectId TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    hash TEXT NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX seeds_project_ord ON seeds(projectId, ord);
  CREATE INDEX seeds_project_hash ON seeds(projectId, hash);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    projectId TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    error TEXT,
    counts TEXT NOT NULL,
    createdAt INTEGER NOT NULL,
    updatedAt INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX runs_project_created ON runs(projectId, createdAt);
  CREATE TABLE runTasks (
    runId TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    taskIndex INTEGER NOT NULL,
    PRIMARY KEY (runId, taskIndex)
  ) WITHOUT ROWID;
  CREATE TABLE runPool (
    seq INTEGER PRIMARY KEY,
    runId TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    task INTEGER NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX runPool_run ON runPool(runId, seq);
  CREATE TABLE runSeeds (runId TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE, json TEXT NOT NULL);
  CREATE TABLE samples (
    id TEXT PRIMARY KEY,
    projectId TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    runId TEXT NOT NULL,
    seedId TEXT,
    status TEXT NOT NULL,
    score REAL,
    createdAt INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX samples_project_status ON samples(projectId, status, id);
  CREATE INDEX samples_project_id ON samples(projectId, id);
  CREATE INDEX samples_run ON samples(runId, status);
  CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    projectId TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    createdAt INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX documents_project ON documents(projectId, createdAt);
  CREATE TABLE chunks (
    id TEXT PRIMARY KEY,
    projectId TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    documentId TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX chunks_project ON chunks(projectId, id);
  CREATE INDEX chunks_document ON chunks(documentId, idx);
  CREATE TABLE recipes (id TEXT PRIMARY KEY, updatedAt INTEGER NOT NULL, json TEXT NOT NULL);
  CREATE TABLE endpoints (id TEXT PRIMARY KEY, json TEXT NOT NULL);
  CREATE TABLE cache (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updatedAt INTEGER NOT NULL,
    PRIMARY KEY (ns, key)
  ) WITHOUT ROWID;
  `,
  // 2: a run's budget (its caps and what it spent) in a column of its own, as the app's Run.budget:
  // saved every 2 s while it runs without rewriting `json`, carried by a backup. Until now the
  // command line kept it in the cache (namespace 'cli.budget') and the caps alone in `json`.
  `
  ALTER TABLE runs ADD COLUMN budget TEXT;
  UPDATE runs SET
    budget = COALESCE((SELECT value FROM cache WHERE ns = 'cli.budget' AND key = runs.id), json_extract(json, '$.budget')),
    json = json_remove(json, '$.budget');
  DELETE FROM cache WHERE ns = 'cli.budget';
  `,
  // 3: a run's seed snapshot one row per seed in `runSeedRows` (idx: its place in the snapshot),
  // `runSeeds.json` keeping the rest of the app's RunSeeds row (runId, chunks). As one JSON array
  // in `runSeeds.json`, a 100k-seed snapshot was a ~12 MB value that SQLite built whole when the
  // run was created and parsed whole for every page the run read: the CLI's peak RSS grew with
  // the seeds (issue 15). Rows are written and read a page at a time.
  `
  CREATE TABLE runSeedRows (
    runId TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (runId, idx)
  ) WITHOUT ROWID;
  INSERT INTO runSeedRows (runId, idx, json) SELECT r.runId, j.key, j.value FROM runSeeds AS r, json_each(r.json, '$.seeds') AS j;
  UPDATE runSeeds SET json = json_remove(json, '$.seeds');
  `,
];

export const SCHEMA_VERSION = SCHEMA_STEPS.length;

/** The schema version the file records (0: a new, empty file). */
export function storedVersion(db: Database.Database): number {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (!hasMeta) return 0;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schemaVersion'`).get() as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

/**
 * Brings the file to SCHEMA_VERSION, each step in one IMMEDIATE transaction with the version it
 * records: a crash between steps leaves a file at a whole version, and two processes opening a new
 * store at once take turns (the second finds the step done and skips it). Returns the version
 * found before. The caller refuses a file newer than SCHEMA_VERSION before calling this.
 */
export function migrate(db: Database.Database): number {
  const from = storedVersion(db);
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      if (storedVersion(db) > v) return;
      db.exec(SCHEMA_STEPS[v]!);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('schemaVersion', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(v + 1));
    }).immediate();
  }
  return from;
}
