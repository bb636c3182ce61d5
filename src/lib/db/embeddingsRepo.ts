import type { AppDb } from './db';

/**
 * The only code that writes the embeddings table: one vector per (model key, hash of the
 * normalised text). Vectors are stored as Float32Array (IndexedDB clones typed arrays as is).
 */

/** The cached vectors of `hashes` under `model`, in order; undefined where none is cached. */
export async function getEmbeddings(db: AppDb, model: string, hashes: readonly string[]): Promise<(Float32Array | undefined)[]> {
  const rows = await db.embeddings.bulkGet(hashes.map((h) => [model, h] as [string, string]));
  return rows.map((r) => r?.vector);
}

/**
 * Stores vectors (row k of `data`, d numbers, for hashes[k]) in one transaction. Each row is
 * copied into its own buffer: storing a subarray would clone the whole batch per row.
 */
export async function putEmbeddings(db: AppDb, model: string, hashes: readonly string[], data: Float32Array, d: number): Promise<void> {
  const rows = hashes.map((hash, k) => ({ model, hash, vector: data.slice(k * d, (k + 1) * d) }));
  await db.transaction('rw', db.embeddings, () => db.embeddings.bulkPut(rows));
}

/** How many vectors are cached for a model key. */
export function countEmbeddings(db: AppDb, model: string): Promise<number> {
  return db.embeddings.where('model').equals(model).count();
}

/** Drops every cached vector of a model key (e.g. after the user replaced its files). */
export function clearEmbeddings(db: AppDb, model: string): Promise<number> {
  return db.embeddings.where('model').equals(model).delete();
}
