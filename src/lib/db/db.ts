import Dexie, { type EntityTable, type Table } from 'dexie';
import { declareSchema, schemaVersions } from './schema';
import { guardVersionChange, type VersionChangeGuard } from './versionChange';
import type { DocumentFile, EmbeddingRow, EvalSetRow, Project, Run, RunSeeds, RunTaskRow, Sample, Seed, SettingRow, StoredChunk, StoredDocument } from './types';
import type { EndpointConfig } from '../engines/remote/types';
import type { SecretRow } from './secretsRepo';
import type { SavedRecipe } from './recipesRepo';
import type { PreferencePair } from '../preference/types';

export const DEFAULT_DB_NAME = 'seedforge';

/**
 * The one database. Tables are declared in ./schema.ts; only the repositories in this folder
 * write to them.
 */
export class AppDb extends Dexie {
  projects!: EntityTable<Project, 'id'>;
  seeds!: EntityTable<Seed, 'id'>;
  samples!: EntityTable<Sample, 'id'>;
  runs!: EntityTable<Run, 'id'>;
  embeddings!: Table<EmbeddingRow, [string, string]>;
  settings!: EntityTable<SettingRow, 'key'>;
  endpoints!: EntityTable<EndpointConfig, 'id'>;
  secrets!: EntityTable<SecretRow, 'id'>;
  recipes!: EntityTable<SavedRecipe, 'id'>;
  runSeeds!: EntityTable<RunSeeds, 'runId'>;
  documents!: EntityTable<StoredDocument, 'id'>;
  chunks!: EntityTable<StoredChunk, 'id'>;
  documentFiles!: EntityTable<DocumentFile, 'documentId'>;
  evalSets!: EntityTable<EvalSetRow, 'id'>;
  /** A run's committed tasks (version 9): one small row per task; see runsRepo. */
  runTasks!: Table<RunTaskRow, [string, number]>;
  pairs!: EntityTable<PreferencePair, 'id'>;
  /** How this connection steps aside when another tab upgrades the store (./versionChange.ts). */
  readonly versionChange: VersionChangeGuard;

  constructor(name = DEFAULT_DB_NAME) {
    super(name);
    declareSchema(this);
    // Test builds only: tests/e2e/upgrade.test.ts builds the app a second time with this variable
    // set, one version past the shipped schema, so that two builds of different versions meet in
    // one browser. The shipped build has no such variable and drops the line.
    if (import.meta.env.VITE_SEEDFORGE_NEXT_SCHEMA) this.version(schemaVersions.at(-1)!.version + 1).stores({ upgradeProbe: 'id' });
    this.versionChange = guardVersionChange(this);
  }
}

/** Opens the app's database. Tests pass their own name so that each gets a fresh store. */
export function openDb(name = DEFAULT_DB_NAME): AppDb {
  return new AppDb(name);
}

export function newId(): string {
  return crypto.randomUUID();
}

/** A worker's database handle: opened on first use, reopened when a test names another database. */
export function lazyDb(): (name?: string) => AppDb {
  let db: AppDb | null = null;
  return (name) => {
    if (!db || (name && db.name !== name)) {
      db?.close();
      db = openDb(name);
    }
    return db;
  };
}
