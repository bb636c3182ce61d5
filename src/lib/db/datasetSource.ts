import Dexie from 'dexie';
import type { AppDb } from './db';
import { backupIds, endpointsById, pagesById, sampleIdsByStatus, seedIdsInOrder } from './backupRepo';
import { listRecipes } from './recipesRepo';
import { applyDuplicates, type DedupCheck, type DuplicateMark } from './samplesRepo';
import { getRunWithTasks, listRunTasks } from './runsRepo';
import { dexiePairReader } from './pairsRepo';
import { toTaskLists, toTaskRows, withoutTaskLists } from './runTasks';
import type { Project, Run, RunWithTasks, Sample } from './types';
import type { Vectors } from '../dedup/types';
import { KeyExistsError, type BackupSource, type DedupEmbedRequest, type DedupStore, type ProjectRows, type ProjectTable, type RestoreRows, type RestoreTable, type RestoreTarget, type RestoreWriter } from '../io/export/source';
import { withRunLock } from '../runner/runLock';
import type { PairReader } from '../io/export/pairs';
import { embeddingsFor } from '../embed/service';

/**
 * The app's IndexedDB as the shared export, backup, restore and dedup code reads and writes it
 * (../io/export/source.ts). A thin adapter over the repositories of this folder: the order of
 * every list is the index order those give.
 */
export class DexieDatasetSource implements BackupSource, DedupStore, RestoreTarget {
  readonly place = { here: 'this browser', elsewhere: 'restore in another browser profile' };
  /** The project's preference pairs, for its backup. */
  readonly pairs: PairReader;
  constructor(readonly db: AppDb) {
    this.pairs = dexiePairReader(db);
  }

  project(id: string): Promise<Project | undefined> {
    return this.db.projects.get(id);
  }

  countSamples(projectId: string): Promise<number> {
    return this.db.samples.where('projectId').equals(projectId).count();
  }

  sampleIdsByStatus(projectId: string, statuses: readonly Sample['status'][]): Promise<string[]> {
    return sampleIdsByStatus(this.db, projectId, statuses);
  }

  seedIdsInOrder(projectId: string): Promise<string[]> {
    return seedIdsInOrder(this.db, projectId);
  }

  ids(table: ProjectTable, projectId: string): Promise<string[]> {
    return backupIds(this.db, projectId, table);
  }

  pages<T extends ProjectTable>(table: T, ids: readonly string[], pageSize?: number): AsyncIterable<ProjectRows[T][]> {
    if (table === 'runs') return this.#runPages(ids, pageSize) as AsyncIterable<ProjectRows[T][]>;
    return pagesById(this.#table(table), ids, pageSize);
  }

  get<T extends ProjectTable>(table: T, id: string): Promise<ProjectRows[T] | undefined> {
    if (table === 'runs') return getRunWithTasks(this.db, id) as Promise<ProjectRows[T] | undefined>;
    return this.#table(table).get(id);
  }

  /** Runs with their committed tasks (the stores keep those as rows; a backup and the card take them as lists). */
  async *#runPages(ids: readonly string[], pageSize?: number): AsyncGenerator<RunWithTasks[]> {
    for await (const page of pagesById(this.db.runs as unknown as Dexie.Table<Run, string, unknown>, ids, pageSize)) {
      const out: RunWithTasks[] = [];
      for (const run of page) out.push({ ...run, ...toTaskLists(await listRunTasks(this.db, run.id)) });
      yield out;
    }
  }

  recipes() {
    return listRecipes(this.db);
  }

  endpoints(ids: readonly string[]) {
    return endpointsById(this.db, ids);
  }

  withRunLock<T>(projectId: string, fn: () => Promise<T>) {
    return withRunLock(projectId, fn);
  }

  applyDuplicates(scope: readonly string[], marks: readonly DuplicateMark[], check?: DedupCheck): Promise<void> {
    return applyDuplicates(this.db, [...scope], [...marks], check);
  }

  /**
   * The app's embedder (transformers.js or Seedforge's WebAssembly encoder, in the worker that
   * runs this), held through the embedding service for the call and freed when no one else in this
   * realm holds it: the pipeline worker lives as long as the tab. Its cache goes through this
   * connection (no second one to the same database). The encoder is imported on first use, so that
   * an export or a backup never loads it; the service (a small registry, statically imported by
   * the main thread's dedup too) is not.
   */
  async embed(texts: string[], request: DedupEmbedRequest, onProgress?: (done: number, total: number) => void): Promise<Vectors> {
    const { createEmbedApi } = await import('../embed/embedApi');
    const embedder = await embeddingsFor(this.db, () => createEmbedApi(this.db)).acquire({ model: request.model, source: request.source, appBase: request.appBase, dbName: this.db.name });
    try {
      const v = await embedder.embed(texts, undefined, (p) => {
        if (p.status === 'embed') onProgress?.(p.done, p.total);
      });
      return { data: v.data, n: v.n, d: v.d };
    } finally {
      await embedder.dispose(); // the last holder's dispose frees the model
    }
  }

  transaction<T>(write: (tx: RestoreWriter) => Promise<T>): Promise<T> {
    const db = this.db;
    /** Adds rows; a key already stored is a KeyExistsError naming the row. */
    const bulkAdd = async (table: string, rows: readonly unknown[], write: () => Promise<unknown>) => {
      try {
        await write();
      } catch (e) {
        // A key already stored: say which, and let the transaction roll everything back.
        if (e instanceof Dexie.BulkError) {
          const first = Object.keys(e.failuresByPos)[0];
          const row = rows[Number(first)] as { id?: string; runId?: string } | undefined;
          throw new KeyExistsError(table, row?.id ?? row?.runId ?? '?', e.failures[0]?.name ?? 'ConstraintError');
        }
        throw e;
      }
    };
    const writer: RestoreWriter = {
      project: (id) => db.projects.get(id),
      existing: async (table, ids) => new Set((await db.table(table).where('id').anyOf([...ids]).primaryKeys()) as string[]),
      add: <K extends RestoreTable>(table: K, rows: RestoreRows[K][]) =>
        bulkAdd(table, rows, async () => {
          if (table === 'runs') {
            // A backup's run carries its tasks as lists: the run row without them, one task row each.
            const runs = rows as RestoreRows['runs'][];
            await db.runs.bulkAdd(runs.map(withoutTaskLists));
            await db.runTasks.bulkAdd(runs.flatMap((r) => toTaskRows(r.id, r)));
            return;
          }
          await db.table(table).bulkAdd(rows);
        }),
      addPairs: (rows) => bulkAdd('pairs', rows, () => db.pairs.bulkAdd(rows)),
    };
    // An async scope function: Dexie then keeps the transaction open across the native awaits
    // inside `write` (a plain arrow returning its promise commits early: PrematureCommitError).
    return db.transaction('rw', [db.projects, db.recipes, db.endpoints, db.runs, db.runTasks, db.runSeeds, db.seeds, db.samples, db.documents, db.chunks, db.pairs], async () => await write(writer));
  }

  #table<T extends ProjectTable>(table: T): Dexie.Table<ProjectRows[T], string, unknown> {
    return this.db.table(table) as Dexie.Table<ProjectRows[T], string, unknown>;
  }
}

/** The app's store as the shared export, backup, restore and dedup code takes it. */
export function datasetSource(db: AppDb): DexieDatasetSource {
  return new DexieDatasetSource(db);
}
