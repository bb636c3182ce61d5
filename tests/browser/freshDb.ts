import Dexie from 'dexie';
import { afterEach } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';

const opened: AppDb[] = [];

/** A new, empty app database in real IndexedDB, closed and deleted after the test that opened it. */
export async function freshDb(label: string): Promise<AppDb> {
  const db = openDb(`${label}-${crypto.randomUUID()}`);
  await db.open();
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});
