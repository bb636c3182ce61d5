import Dexie from 'dexie';
import type { AppDb } from './db';
import type { Backup, BackupTable } from '../io/export/backup';
import type { Sample, Seed } from './types';
import type { EngineRef } from '../engines/roles';
import type { EndpointConfig } from '../engines/remote/remoteEngine';

/**
 * Whole-project reads for exports and backups (page by page: a 100k-sample project is never one
 * read), and the restore writer. Never touches the secrets table.
 */

/** Rows read per IndexedDB request by the paged readers. */
export const PAGE_SIZE = 1000;

/** Ids of a project's samples with these statuses, in index order (status, then id). */
export async function sampleIdsByStatus(db: AppDb, projectId: string, statuses: Sample['status'][]): Promise<string[]> {
  const out: string[] = [];
  for (const status of statuses) out.push(...(await db.samples.where('[projectId+status]').equals([projectId, status]).primaryKeys()));
  return out;
}

/** Ids of a project's seeds in import order. */
export async function seedIdsInOrder(db: AppDb, projectId: string): Promise<string[]> {
  return db.seeds.where('[projectId+order]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).primaryKeys();
}

/**
 * Rows of a table by id, `PAGE_SIZE` at a time, in the ids' order. An id deleted since it was
 * listed is skipped (the export then has one item fewer than counted; the summary says how many).
 */
export async function* pagesById<T>(table: Dexie.Table<T, string, unknown>, ids: string[], pageSize = PAGE_SIZE): AsyncGenerator<T[]> {
  for (let i = 0; i < ids.length; i += pageSize) {
    const rows = (await table.bulkGet(ids.slice(i, i + pageSize))).filter((r): r is T => r !== undefined);
    yield rows;
  }
}

export function samplePages(db: AppDb, ids: string[], pageSize?: number): AsyncGenerator<Sample[]> {
  return pagesById<Sample>(db.samples as unknown as Dexie.Table<Sample, string, unknown>, ids, pageSize);
}

export function seedPages(db: AppDb, ids: string[], pageSize?: number): AsyncGenerator<Seed[]> {
  return pagesById<Seed>(db.seeds as unknown as Dexie.Table<Seed, string, unknown>, ids, pageSize);
}

/** Ids of every row of a project in one backup table, in primary-key order. */
export async function backupIds(db: AppDb, projectId: string, table: Exclude<BackupTable, 'recipes' | 'endpoints'>): Promise<string[]> {
  if (table === 'runSeeds') return db.runs.where('projectId').equals(projectId).primaryKeys();
  return db[table].where('projectId').equals(projectId).primaryKeys();
}

/** The endpoints the project's runs used (by id), as stored: configuration only, keys live elsewhere. */
export async function endpointsOfRuns(db: AppDb, projectId: string): Promise<EndpointConfig[]> {
  const ids = new Set<string>();
  await db.runs.where('projectId').equals(projectId).each((r) => {
    for (const ref of Object.values(r.roles) as (EngineRef | null)[]) if (ref?.kind === 'remote') ids.add(ref.endpointId);
  });
  return (await db.endpoints.bulkGet([...ids])).filter((e): e is EndpointConfig => !!e);
}

/** Something in the backup is already in this browser; nothing was written. */
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
}

const CHUNK = 5000;

/**
 * Restores a validated backup as a project of this browser, with the ids it had — in ONE
 * transaction: either everything is written or nothing is. A project, run, seed or sample id that
 * is already stored refuses the restore (a backup restores into a browser that does not have the
 * project, e.g. a fresh one, or after the project was deleted). Documents come back with their
 * text and chunks but without their original file (backups do not carry it). Saved recipes and endpoints are
 * shared by all projects: one already here with the same id is kept and the backup's copy
 * skipped. `onProgress` is called with rows written; it must not await anything.
 * @throws BackupCollisionError, Dexie errors (e.g. QuotaExceededError) — with nothing written.
 */
export async function restoreBackup(db: AppDb, b: Backup, onProgress?: (done: number, total: number) => void): Promise<RestoreResult> {
  const total = 1 + b.recipes.length + b.endpoints.length + b.runs.length + b.runSeeds.length + b.seeds.length + b.samples.length + b.documents.length + b.chunks.length;
  return db.transaction('rw', [db.projects, db.recipes, db.endpoints, db.runs, db.runSeeds, db.seeds, db.samples, db.documents, db.chunks], async () => {
    const existing = await db.projects.get(b.project.id);
    if (existing) throw new BackupCollisionError('projects', b.project.id, `the project “${existing.name}” (${b.project.id}) is already in this browser: delete it first, or restore in another browser profile`);
    let done = 0;
    const step = (n: number) => onProgress?.((done += n), total);
    await db.projects.add(b.project);
    step(1);
    const haveRecipes = new Set(await db.recipes.where('id').anyOf(b.recipes.map((r) => r.id)).primaryKeys());
    const haveEndpoints = new Set(await db.endpoints.where('id').anyOf(b.endpoints.map((e) => e.id)).primaryKeys());
    await db.recipes.bulkAdd(b.recipes.filter((r) => !haveRecipes.has(r.id)));
    await db.endpoints.bulkAdd(b.endpoints.filter((e) => !haveEndpoints.has(e.id)));
    step(b.recipes.length + b.endpoints.length);
    for (const [name, rows] of [
      ['runs', b.runs],
      ['runSeeds', b.runSeeds],
      ['seeds', b.seeds],
      ['samples', b.samples],
      ['documents', b.documents],
      ['chunks', b.chunks],
    ] as const) {
      const table = db.table(name);
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        try {
          await table.bulkAdd(part);
        } catch (e) {
          // A key already stored: say which, then let the transaction roll everything back.
          if (e instanceof Dexie.BulkError) {
            const first = Object.keys(e.failuresByPos)[0];
            const row = part[Number(first)] as { id?: string; runId?: string } | undefined;
            const rowId = row?.id ?? row?.runId ?? '?';
            throw new BackupCollisionError(name, rowId, `${name} ${rowId} is already in this browser (${e.failures[0]?.name ?? 'ConstraintError'}): nothing was restored`);
          }
          throw e;
        }
        step(part.length);
      }
    }
    return { projectId: b.project.id, skipped: { recipes: haveRecipes.size, endpoints: haveEndpoints.size } };
  });
}
