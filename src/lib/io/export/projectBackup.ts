import type { Run } from '../../db/types';
import { BACKUP_TABLES, blobLines, endLine, headerLine, readBackup, rowLine, type Backup, type BackupCounts } from './backup';
import { CHUNK_CHARS } from './encode';
import type { ByteSink } from './sink';
import { BackupCollisionError, KeyExistsError, RESTORE_TABLES, type BackupSource, type RestoreRows, type RestoreResult, type RestoreTarget } from './source';

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
 * secrets table is never read. On failure the sink is aborted. The store is read through
 * `source` (the app's IndexedDB, or the command line's SQLite store).
 * @throws NotFoundError (no such project), BackupBusyError (a run holds the project), the store's errors, the sink's errors.
 */
export async function writeBackup(source: BackupSource, projectId: string, sink: ByteSink, onProgress?: (p: BackupProgress) => void, now = Date.now()): Promise<BackupCounts> {
  // A run committing while the backup reads page by page could leave a run row listing tasks
  // whose samples are not in the file (a restored run would then skip them for good). The run
  // lock keeps runs out for the backup's duration, and a backup out while a run is going.
  const locked = await source.withRunLock(projectId, () => writeBackupUnlocked(source, projectId, sink, onProgress, now));
  if (!locked.acquired) {
    await sink.abort().catch(() => undefined);
    throw Object.assign(new Error('a run of this project is in progress (in this tab or another): pause it, then back up'), { name: 'BackupBusyError' });
  }
  return locked.value;
}

async function writeBackupUnlocked(source: BackupSource, projectId: string, sink: ByteSink, onProgress: ((p: BackupProgress) => void) | undefined, now: number): Promise<BackupCounts> {
  try {
    const project = await source.project(projectId);
    if (!project) throw Object.assign(new Error(`project ${projectId} does not exist`), { name: 'NotFoundError' });
    const enc = new TextEncoder();
    let buf = headerLine(project, now);
    const flush = async (force = false) => {
      if (buf && (force || buf.length >= CHUNK_CHARS)) {
        await sink.write(enc.encode(buf));
        buf = '';
      }
    };
    const recipes = await source.recipes();
    const ids = {
      runs: await source.ids('runs', projectId),
      runSeeds: await source.ids('runSeeds', projectId),
      seeds: await source.ids('seeds', projectId),
      samples: await source.ids('samples', projectId),
      documents: await source.ids('documents', projectId),
      chunks: await source.ids('chunks', projectId),
    };
    const endpointIds = new Set<string>();
    for await (const page of source.pages('runs', ids.runs)) for (const id of endpointIdsOf(page)) endpointIds.add(id);
    const endpoints = await source.endpoints([...endpointIds]);
    const pairIds = (await source.pairs?.pairIdsByStatus(projectId, ['pending', 'accepted', 'rejected'])) ?? [];
    const total = recipes.length + endpoints.length + ids.runs.length + ids.runSeeds.length + ids.seeds.length + ids.samples.length + ids.documents.length + ids.chunks.length + pairIds.length;
    const counts = Object.fromEntries(BACKUP_TABLES.map((t) => [t, 0])) as BackupCounts;
    let done = 0;
    for (const r of recipes) buf += rowLine('recipes', r);
    for (const e of endpoints) buf += rowLine('endpoints', e);
    counts.recipes = recipes.length;
    counts.endpoints = endpoints.length;
    done += recipes.length + endpoints.length;
    for (const table of RESTORE_TABLES) {
      for await (const page of source.pages(table, ids[table])) {
        for (const row of page) buf += rowLine(table, row);
        counts[table] += page.length;
        done += page.length;
        await flush();
        onProgress?.({ type: 'write', done, total });
      }
    }
    // Pairs after the samples they answer (the reader checks each pair's sample is in the file).
    if (source.pairs && pairIds.length) {
      for await (const page of source.pairs.pairPages(pairIds)) {
        for (const row of page) buf += rowLine('pairs', row);
        counts.pairs += page.length;
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

/** The endpoints runs used (remote roles), in the runs' order and then the roles' order. */
export function endpointIdsOf(runs: readonly Pick<Run, 'roles'>[]): string[] {
  const ids = new Set<string>();
  for (const r of runs) for (const ref of Object.values(r.roles)) if (ref?.kind === 'remote') ids.add(ref.endpointId);
  return [...ids];
}

/**
 * Reads, validates and restores a backup file. Nothing is written unless the whole file is valid,
 * and then everything is written in one transaction.
 * @throws BackupFormatError (with line and field), BackupVersionError, BackupCollisionError, the store's errors.
 */
export async function restoreBackupFile(target: RestoreTarget, file: Blob, onProgress?: (p: BackupProgress) => void): Promise<RestoreResult> {
  let bytesSeen = 0;
  const lines = blobLines(file, (read) => (bytesSeen = read));
  const backup = await readBackup(lines, () => onProgress?.({ type: 'read', done: Math.min(bytesSeen, file.size), total: file.size }));
  onProgress?.({ type: 'read', done: file.size, total: file.size });
  return restoreBackup(target, backup, (done, total) => onProgress?.({ type: 'restore', done, total }));
}

/** Rows added per write of a restore. */
const CHUNK = 5000;

/**
 * Restores a validated backup as a project of this store, with the ids it had — in ONE
 * transaction: either everything is written or nothing is. A project, run, seed or sample id that
 * is already stored refuses the restore (a backup restores into a store that does not have the
 * project, e.g. a fresh one, or after the project was deleted). Documents come back with their
 * text and chunks but without their original file (backups do not carry it). Saved recipes and
 * endpoints are shared by all projects: one already here with the same id is kept and the
 * backup's copy skipped. `onProgress` is called with rows written; it must not await anything.
 * @throws BackupCollisionError, the store's errors (e.g. QuotaExceededError) — with nothing written.
 */
export async function restoreBackup(target: RestoreTarget, b: Backup, onProgress?: (done: number, total: number) => void): Promise<RestoreResult> {
  const total = 1 + b.recipes.length + b.endpoints.length + b.runs.length + b.runSeeds.length + b.seeds.length + b.samples.length + b.documents.length + b.chunks.length + b.pairs.length;
  const { here, elsewhere } = target.place;
  return target.transaction(async (tx) => {
    const existing = await tx.project(b.project.id);
    if (existing) throw new BackupCollisionError('projects', b.project.id, `the project “${existing.name}” (${b.project.id}) is already in ${here}: delete it first, or ${elsewhere}`);
    let done = 0;
    const step = (n: number) => onProgress?.((done += n), total);
    await tx.add('projects', [b.project]);
    step(1);
    const haveRecipes = await tx.existing('recipes', b.recipes.map((r) => r.id));
    const haveEndpoints = await tx.existing('endpoints', b.endpoints.map((e) => e.id));
    await tx.add('recipes', b.recipes.filter((r) => !haveRecipes.has(r.id)));
    await tx.add('endpoints', b.endpoints.filter((e) => !haveEndpoints.has(e.id)));
    step(b.recipes.length + b.endpoints.length);
    const addAll = async <T>(name: string, rows: T[], add: (part: T[]) => Promise<void>) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        try {
          await add(part);
        } catch (e) {
          // A key already stored: say which, then let the transaction roll everything back.
          if (e instanceof KeyExistsError) throw new BackupCollisionError(name, e.id, `${name} ${e.id} is already in ${here} (${e.storeError}): nothing was restored`);
          throw e;
        }
        step(part.length);
      }
    };
    for (const name of RESTORE_TABLES) await addAll(name, b[name] as RestoreRows[typeof name][], (part) => tx.add(name, part));
    // Pairs last, after the samples they answer, in the same transaction. A store without a pairs
    // table (the command line's) writes the rest and says how many it could not keep.
    const addPairs = tx.addPairs?.bind(tx);
    if (addPairs) await addAll('pairs', b.pairs, addPairs);
    const result: RestoreResult = { projectId: b.project.id, skipped: { recipes: haveRecipes.size, endpoints: haveEndpoints.size } };
    if (!addPairs && b.pairs.length) result.pairsNotKept = b.pairs.length;
    return result;
  });
}

/** The backup's file name: `<project>.seedforge-backup.jsonl`. */
export const BACKUP_SUFFIX = '.seedforge-backup.jsonl';
