import Dexie from 'dexie';
import type { AppDb } from '../../db/db';
import { backupIds, endpointsOfRuns, pagesById, restoreBackup, type RestoreResult } from '../../db/backupRepo';
import { listRecipes } from '../../db/recipesRepo';
import { BACKUP_TABLES, blobLines, endLine, headerLine, readBackup, rowLine, type BackupCounts } from './backup';
import { CHUNK_CHARS } from './encode';
import { withRunLock } from '../../runner/runLock';
import type { ByteSink } from './sink';

/** Progress of a backup or a restore (a tagged union like every progress in the app). */
export type BackupProgress =
  | { type: 'write'; done: number; total: number }
  | { type: 'read'; done: number; total: number }
  | { type: 'restore'; done: number; total: number };

/**
 * Writes a project's backup (see ./backup.ts for the layout) into a sink, a page of rows at a
 * time. Everything of the project: seeds, samples, runs and their seed snapshots, documents
 * (their text, not their file) and chunks; the saved
 * recipes (shared by all projects); the endpoints its runs used, without keys. No key: the
 * secrets table is never read. On failure the sink is aborted.
 * @throws NotFoundError (no such project), Dexie errors, the sink's errors.
 */
export async function writeBackup(db: AppDb, projectId: string, sink: ByteSink, onProgress?: (p: BackupProgress) => void, now = Date.now()): Promise<BackupCounts> {
  // A run committing while the backup reads page by page could leave a run row listing tasks
  // whose samples are not in the file (a restored run would then skip them for good). The run
  // lock keeps runs out for the backup's duration, and a backup out while a run is going.
  const locked = await withRunLock(projectId, () => writeBackupUnlocked(db, projectId, sink, onProgress, now));
  if (!locked.acquired) {
    await sink.abort().catch(() => undefined);
    throw Object.assign(new Error('a run of this project is in progress (in this tab or another): pause it, then back up'), { name: 'BackupBusyError' });
  }
  return locked.value;
}

async function writeBackupUnlocked(db: AppDb, projectId: string, sink: ByteSink, onProgress: ((p: BackupProgress) => void) | undefined, now: number): Promise<BackupCounts> {
  try {
    const project = await db.projects.get(projectId);
    if (!project) throw new Dexie.NotFoundError(`project ${projectId} does not exist`);
    const enc = new TextEncoder();
    let buf = headerLine(project, now);
    const flush = async (force = false) => {
      if (buf && (force || buf.length >= CHUNK_CHARS)) {
        await sink.write(enc.encode(buf));
        buf = '';
      }
    };
    const recipes = await listRecipes(db);
    const endpoints = await endpointsOfRuns(db, projectId);
    const ids = {
      runs: await backupIds(db, projectId, 'runs'),
      runSeeds: await backupIds(db, projectId, 'runSeeds'),
      seeds: await backupIds(db, projectId, 'seeds'),
      samples: await backupIds(db, projectId, 'samples'),
      documents: await backupIds(db, projectId, 'documents'),
      chunks: await backupIds(db, projectId, 'chunks'),
    };
    const total = recipes.length + endpoints.length + ids.runs.length + ids.runSeeds.length + ids.seeds.length + ids.samples.length + ids.documents.length + ids.chunks.length;
    const counts = Object.fromEntries(BACKUP_TABLES.map((t) => [t, 0])) as BackupCounts;
    let done = 0;
    for (const r of recipes) buf += rowLine('recipes', r);
    for (const e of endpoints) buf += rowLine('endpoints', e);
    counts.recipes = recipes.length;
    counts.endpoints = endpoints.length;
    done += recipes.length + endpoints.length;
    for (const table of ['runs', 'runSeeds', 'seeds', 'samples', 'documents', 'chunks'] as const) {
      for await (const page of pagesById(db.table(table) as Dexie.Table<unknown, string>, ids[table])) {
        for (const row of page) buf += rowLine(table, row);
        counts[table] += page.length;
        done += page.length;
        await flush();
        onProgress?.({ type: 'write', done, total });
      }
    }
    // The counts are of rows actually written (a row deleted meanwhile is not counted), so the
    // closing line always matches the file.
    buf += endLine(counts);
    await flush(true);
    await sink.close();
    onProgress?.({ type: 'write', done: total, total });
    return counts;
  } catch (e) {
    await sink.abort().catch(() => {});
    throw e;
  }
}

/**
 * Reads, validates and restores a backup file. Nothing is written unless the whole file is valid,
 * and then everything is written in one transaction.
 * @throws BackupFormatError (with line and field), BackupVersionError, BackupCollisionError, Dexie errors.
 */
export async function restoreBackupFile(db: AppDb, file: Blob, onProgress?: (p: BackupProgress) => void): Promise<RestoreResult> {
  let bytesSeen = 0;
  const lines = blobLines(file, (read) => (bytesSeen = read));
  const backup = await readBackup(lines, () => onProgress?.({ type: 'read', done: Math.min(bytesSeen, file.size), total: file.size }));
  onProgress?.({ type: 'read', done: file.size, total: file.size });
  return restoreBackup(db, backup, (done, total) => onProgress?.({ type: 'restore', done, total }));
}

/** The backup's file name: `<project>.seedforge-backup.jsonl`. */
export const BACKUP_SUFFIX = '.seedforge-backup.jsonl';
