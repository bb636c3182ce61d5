import Dexie from 'dexie';
import type { AppDb } from './db';
import { PAGE_SIZE, type ProjectTable } from '../io/export/source';
import type { Sample, Seed } from './types';
import type { EndpointConfig } from '../engines/remote/types';

/**
 * Whole-project reads for exports and backups, page by page (a 100k-sample project is never one
 * read): the IndexedDB side of ../io/export/source.ts (./datasetSource.ts assembles them). Never
 * touches the secrets table.
 */

export { PAGE_SIZE };
// The restore's error and result are the shared code's (../io/export/source.ts); named here too
// for the callers that import them with the readers.
export { BackupCollisionError, type RestoreResult } from '../io/export/source';

/** Ids of a project's samples with these statuses, in index order (status, then id). */
export async function sampleIdsByStatus(db: AppDb, projectId: string, statuses: readonly Sample['status'][]): Promise<string[]> {
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
export async function* pagesById<T>(table: Dexie.Table<T, string, unknown>, ids: readonly string[], pageSize = PAGE_SIZE): AsyncGenerator<T[]> {
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

/** Ids of every row of a project in one of its tables, in primary-key order (`runSeeds`: the runs' ids). */
export async function backupIds(db: AppDb, projectId: string, table: ProjectTable): Promise<string[]> {
  if (table === 'runSeeds') return db.runs.where('projectId').equals(projectId).primaryKeys();
  return db[table].where('projectId').equals(projectId).primaryKeys();
}

/** The endpoints with these ids that exist, in the ids' order, as stored: configuration only, keys live elsewhere. */
export async function endpointsById(db: AppDb, ids: readonly string[]): Promise<EndpointConfig[]> {
  return (await db.endpoints.bulkGet([...ids])).filter((e): e is EndpointConfig => !!e);
}
