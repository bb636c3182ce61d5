import Dexie from 'dexie';
import type { AppDb } from './db';
import { newId } from './db';
import type { Seed, SeedDraft } from './types';
import { seedHash } from '../text/normalize';

/** The only code that writes the seeds table. */

export async function listSeeds(db: AppDb, projectId: string): Promise<Seed[]> {
  return db.seeds.where('[projectId+order]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).toArray();
}

export async function countSeeds(db: AppDb, projectId: string): Promise<number> {
  return db.seeds.where('projectId').equals(projectId).count();
}

/** Hashes of the project's stored seeds, read from the index alone (no row is loaded). */
export async function seedHashes(db: AppDb, projectId: string): Promise<Set<string>> {
  const keys = await db.seeds
    .where('[projectId+hash]')
    .between([projectId, Dexie.minKey], [projectId, Dexie.maxKey])
    .keys();
  return new Set(keys.map((k) => (k as unknown as [string, string])[1]));
}

/**
 * Adds drafts to a project in ONE transaction: either every draft is stored or none is (a
 * failed import writes nothing). Returns the stored seeds.
 * @throws Dexie errors (e.g. `QuotaExceededError`) with nothing written.
 */
export async function addSeeds(
  db: AppDb,
  projectId: string,
  drafts: SeedDraft[],
  onProgress?: (stored: number, total: number) => void,
): Promise<Seed[]> {
  return db.transaction('rw', db.seeds, db.projects, async () => {
    if (!(await db.projects.get(projectId))) throw new Dexie.NotFoundError(`project ${projectId} does not exist`);
    const last = await db.seeds
      .where('[projectId+order]')
      .between([projectId, Dexie.minKey], [projectId, Dexie.maxKey])
      .last();
    let order = last ? last.order + 1 : 0;
    const now = Date.now();
    const seeds: Seed[] = drafts.map((d) => ({ ...d, id: newId(), projectId, order: order++, createdAt: now, updatedAt: now }));
    // Chunks keep each IndexedDB request small; they all belong to the same transaction.
    // onProgress only posts a message: nothing is awaited outside IndexedDB inside the transaction.
    for (let i = 0; i < seeds.length; i += 5000) {
      await db.seeds.bulkAdd(seeds.slice(i, i + 5000));
      onProgress?.(Math.min(seeds.length, i + 5000), seeds.length);
    }
    await db.projects.update(projectId, { updatedAt: now });
    return seeds;
  });
}

export type SeedPatch = Partial<Pick<Seed, 'instruction' | 'input' | 'output' | 'system' | 'tags'>>;

/** Edits one seed; its duplicate hash follows its text. */
export async function updateSeed(db: AppDb, id: string, patch: SeedPatch): Promise<Seed> {
  return db.transaction('rw', db.seeds, async () => {
    const seed = await db.seeds.get(id);
    if (!seed) throw new Dexie.NotFoundError(`seed ${id} does not exist`);
    const next: Seed = { ...seed, ...patch, updatedAt: Date.now() };
    if (patch.tags) next.tags = normalizeTags(patch.tags);
    next.hash = seedHash(next);
    await db.seeds.put(next);
    return next;
  });
}

/** Deletes seeds and returns them as they were, so that an undo can put them back unchanged. */
export async function deleteSeeds(db: AppDb, ids: string[]): Promise<Seed[]> {
  return db.transaction('rw', db.seeds, async () => {
    const rows = (await db.seeds.bulkGet(ids)).filter((s): s is Seed => !!s);
    await db.seeds.bulkDelete(rows.map((s) => s.id));
    return rows;
  });
}

/** Puts deleted seeds back with their ids, order and timestamps (undo of deleteSeeds). */
export async function restoreSeeds(db: AppDb, seeds: Seed[]): Promise<void> {
  await db.transaction('rw', db.seeds, async () => {
    await db.seeds.bulkPut(seeds);
  });
}

/** Adds and removes tags on many seeds at once. Returns the updated seeds. */
export async function retagSeeds(db: AppDb, ids: string[], add: string[], remove: string[] = []): Promise<Seed[]> {
  const addN = normalizeTags(add);
  const removeN = new Set(normalizeTags(remove));
  return db.transaction('rw', db.seeds, async () => {
    const rows = (await db.seeds.bulkGet(ids)).filter((s): s is Seed => !!s);
    const now = Date.now();
    const next = rows.map((s) => ({
      ...s,
      tags: normalizeTags([...s.tags.filter((t) => !removeN.has(t)), ...addN]),
      updatedAt: now,
    }));
    await db.seeds.bulkPut(next);
    return next;
  });
}

export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
}
