import Dexie from 'dexie';
import type { AppDb } from './db';
import type { Sample, SampleStatus } from './types';
import { buildPairs, DEFAULT_PAIR_OPTIONS, type PairOptions } from '../preference/build';
import type { PreferencePair } from '../preference/types';
import type { PairReader } from '../io/export/pairs';

/** The only code that writes preference pairs (built from samples by preference/build.ts). */

/** What a build changed: pairs new, rebuilt (a decided status kept), and gone (no longer made by the rules). */
export interface PairsBuilt {
  added: number;
  updated: number;
  removed: number;
  /** Pairs of the scope after the build. */
  total: number;
}

/**
 * Builds the pairs of a project's runs (or of one run) and stores them in ONE transaction: a
 * pair built again keeps the status a person gave it (`decidedAt`) and its `createdAt`; a pair of
 * the chosen sources that the rules no longer make (a sample rejected or edited back, another
 * mode) is removed. Pairs of sources not asked for are left alone. Pure compute between the reads
 * and the writes: nothing awaited but Dexie inside the transaction.
 * @throws PairOptionsError for bad options (nothing written); Dexie errors with nothing written.
 */
export async function buildProjectPairs(db: AppDb, projectId: string, options: PairOptions = DEFAULT_PAIR_OPTIONS, runId?: string): Promise<PairsBuilt> {
  return db.transaction('rw', db.runs, db.samples, db.pairs, async () => {
    const runIds = runId ? [runId] : ((await db.runs.where('projectId').equals(projectId).primaryKeys()) as string[]);
    const wanted = new Set<string>(options.sources);
    const r: PairsBuilt = { added: 0, updated: 0, removed: 0, total: 0 };
    const now = Date.now();
    for (const id of runIds) {
      // A run at a time: pairs never cross runs, and a 100k-sample project is never one read.
      const samples: Sample[] = await db.samples.where('runId').equals(id).toArray();
      const drafts = buildPairs(samples.filter((s) => s.projectId === projectId), options);
      const before = new Map((await db.pairs.where('runId').equals(id).toArray()).map((p) => [p.id, p]));
      const rows: PreferencePair[] = drafts.map((d) => {
        const old = before.get(d.id);
        before.delete(d.id);
        if (old) r.updated++;
        else r.added++;
        const decided = old?.decidedAt !== undefined;
        return { ...d, status: decided ? old!.status : 'accepted', ...(decided ? { decidedAt: old!.decidedAt } : {}), createdAt: old?.createdAt ?? now, updatedAt: now };
      });
      const stale = [...before.values()].filter((p) => wanted.has(p.source)).map((p) => p.id);
      if (stale.length) await db.pairs.bulkDelete(stale);
      if (rows.length) await db.pairs.bulkPut(rows);
      r.removed += stale.length;
      r.total += before.size - stale.length + rows.length;
    }
    return r;
  });
}

/**
 * One page of a project's pairs in id order (the [projectId+id] index), after the id `after`
 * (null: from the start), optionally of one status.
 */
export async function listPairs(db: AppDb, projectId: string, opts: { after?: string | null; limit?: number; status?: SampleStatus } = {}): Promise<PreferencePair[]> {
  const { after = null, limit = 50, status } = opts;
  const lower: [string, string | typeof Dexie.minKey] = [projectId, after ?? Dexie.minKey];
  const range = db.pairs.where('[projectId+id]').between(lower, [projectId, Dexie.maxKey], after === null, true);
  return (status ? range.filter((p) => p.status === status) : range).limit(limit).toArray();
}

/** A project's pairs per status (on the [projectId+status] index: no row is read). */
export async function countPairs(db: AppDb, projectId: string): Promise<Record<SampleStatus, number> & { total: number }> {
  const [pending, accepted, rejected] = await Promise.all((['pending', 'accepted', 'rejected'] as const).map((s) => db.pairs.where('[projectId+status]').equals([projectId, s]).count()));
  return { pending: pending!, accepted: accepted!, rejected: rejected!, total: pending! + accepted! + rejected! };
}

/** Ids of a project's pairs with these statuses, each status in id order (what an export writes). */
export async function pairIdsByStatus(db: AppDb, projectId: string, statuses: readonly SampleStatus[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of statuses) out.push(...((await db.pairs.where('[projectId+status]').equals([projectId, s]).primaryKeys()) as string[]).sort());
  return out;
}

/** Pairs by id, in the ids' order (missing ones skipped). */
export async function getPairs(db: AppDb, ids: readonly string[]): Promise<PreferencePair[]> {
  return (await db.pairs.bulkGet([...ids])).filter((p): p is PreferencePair => !!p);
}

/**
 * Accepts or rejects pairs by hand in one transaction; a decision is kept when the pairs are built
 * again. Returns how many changed.
 */
export async function setPairsStatus(db: AppDb, ids: readonly string[], status: 'accepted' | 'rejected'): Promise<number> {
  return db.transaction('rw', db.pairs, async () => {
    const now = Date.now();
    const rows = (await db.pairs.bulkGet([...ids])).filter((p): p is PreferencePair => !!p && (p.status !== status || p.decidedAt === undefined));
    if (rows.length) await db.pairs.bulkPut(rows.map((p) => ({ ...p, status, decidedAt: now, updatedAt: now })));
    return rows.length;
  });
}

/** The app's pairs as the pair exporter reads them (io/export/pairs.ts), 1000 rows a read. */
export function dexiePairReader(db: AppDb): PairReader {
  return {
    pairIdsByStatus: (projectId, statuses) => pairIdsByStatus(db, projectId, statuses),
    async *pairPages(ids) {
      for (let i = 0; i < ids.length; i += 1000) yield getPairs(db, ids.slice(i, i + 1000));
    },
  };
}

/** Deletes a project's pairs (all of them, or one run's). */
export async function deletePairs(db: AppDb, projectId: string, runId?: string): Promise<number> {
  return db.transaction('rw', db.pairs, async () => (runId ? db.pairs.where('runId').equals(runId).filter((p) => p.projectId === projectId).delete() : db.pairs.where('projectId').equals(projectId).delete()));
}
