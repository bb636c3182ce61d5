import type { AppDb } from './db';
import type { Sample } from './types';

/** Reads and curation writes of generated samples (the runs repository writes them first). */

export async function acceptedSamples(db: AppDb, projectId: string): Promise<Sample[]> {
  return db.samples.where('[projectId+status]').equals([projectId, 'accepted']).toArray();
}

export interface DuplicateMark {
  id: string;
  duplicateOf: string;
  similarity: number | null;
}

/**
 * Marks samples as near-duplicates (they stay stored, with `duplicateOf` and the similarity) and
 * clears the marks of the other samples in `scope` — in one transaction, so a dedup applied twice
 * or with another threshold never leaves stale marks.
 */
export async function applyDuplicates(db: AppDb, scope: string[], marks: DuplicateMark[]): Promise<void> {
  const byId = new Map(marks.map((m) => [m.id, m]));
  await db.transaction('rw', db.samples, async () => {
    const rows = (await db.samples.bulkGet(scope)).filter((s): s is Sample => !!s);
    const now = Date.now();
    const next = rows.map((s) => {
      const m = byId.get(s.id);
      const lineage = { ...s.lineage };
      if (m) lineage.dedup = { duplicateOf: m.duplicateOf, similarity: m.similarity };
      else delete lineage.dedup;
      return { ...s, duplicateOf: m?.duplicateOf ?? null, lineage, updatedAt: now };
    });
    await db.samples.bulkPut(next);
  });
}
