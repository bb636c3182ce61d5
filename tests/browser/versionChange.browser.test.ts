import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDb, openDb } from '../../src/lib/db/db';
import { schemaVersions } from '../../src/lib/db/schema';
import type { VersionChange } from '../../src/lib/db/versionChange';

/**
 * Another tab's upgrade as one connection sees it (lib/db/versionChange.ts), in real IndexedDB:
 * the "other tab" is a second connection of this page at one version more, as a newer build opens it.
 */

const names: string[] = [];
const fresh = () => {
  const name = `vc-${crypto.randomUUID()}`;
  names.push(name);
  return name;
};
afterEach(async () => {
  for (const n of names.splice(0)) await Dexie.delete(n);
});

const NEXT = schemaVersions.at(-1)!.version + 1;

/** The app's database as a build one schema version newer declares it. */
function newerDb(name: string): AppDb {
  const db = new AppDb(name);
  db.version(NEXT).stores({ upgradeProbe: 'id' });
  return db;
}

const project = (id: string) => ({ id, name: id, createdAt: 1, updatedAt: 1 });

describe('another tab upgrades the store (real IndexedDB)', () => {
  it('the newer open waits (blocked) while a hook still writes, then opens with every row; the old connection stays closed', async () => {
    const name = fresh();
    const old = openDb(name);
    await old.projects.add(project('p1'));
    let release!: () => void;
    const seen: VersionChange[] = [];
    old.versionChange.beforeClose(async (change) => {
      seen.push(change);
      await new Promise<void>((r) => (release = r));
      // What a pausing run does before the connection goes: one last write.
      await old.projects.add(project('written-by-the-hook'));
    });

    const next = newerDb(name);
    const blocked: VersionChange[] = [];
    next.versionChange.onBlocked((c) => blocked.push(c));
    let opened = false;
    const opening = next.open().then(() => (opened = true));
    await expect.poll(() => blocked.length, { timeout: 30_000 }).toBe(1);
    expect(blocked[0]).toEqual({ oldVersion: schemaVersions.at(-1)!.version, newVersion: NEXT });
    expect(seen).toEqual(blocked);
    expect(old.versionChange.requested).toBe(true);
    expect(opened).toBe(false);

    release();
    await opening;
    expect(next.verno).toBe(NEXT);
    expect((await next.projects.toArray()).map((p) => p.id).sort()).toEqual(['p1', 'written-by-the-hook']);
    // The old code never reopens onto the new schema: every later call says the connection is closed.
    await expect(old.projects.count()).rejects.toMatchObject({ name: 'DatabaseClosedError' });
    expect(old.isOpen()).toBe(false);
    next.close();
  });

  it('a transaction running when the request comes commits whole: rows written after it are all there', async () => {
    const name = fresh();
    const old = openDb(name);
    await old.open();
    const raw = new Promise<IDBDatabase>((resolve, reject) => {
      // Started inside the transaction below, by plain IndexedDB (as another tab's Dexie would).
      (globalThis as { startUpgrade?: () => void }).startUpgrade = () => {
        const r = indexedDB.open(name, NEXT * 10);
        r.onupgradeneeded = () => r.result.createObjectStore('upgradeProbe', { keyPath: 'id' });
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      };
    });
    let written = 0;
    let afterRequest = 0;
    await old.transaction('rw', old.projects, async () => {
      (globalThis as { startUpgrade?: () => void }).startUpgrade!();
      // One row at a time until the request has arrived, then twenty more.
      while (afterRequest < 20 && written < 20_000) {
        await old.projects.add(project(`p${written++}`));
        if (old.versionChange.requested) afterRequest++;
      }
    });
    expect(afterRequest).toBe(20);
    const db = await raw;
    const count = await new Promise<number>((resolve, reject) => {
      const q = db.transaction('projects').objectStore('projects').count();
      q.onsuccess = () => resolve(q.result);
      q.onerror = () => reject(q.error);
    });
    expect(count).toBe(written);
    db.close();
  });

  it('a deletion keeps Dexie’s default: the connection reopens onto a fresh store of its own version', async () => {
    const name = fresh();
    const db = openDb(name);
    await db.projects.add(project('gone'));
    await Dexie.delete(name);
    expect(db.versionChange.requested).toBe(false);
    expect(await db.projects.count()).toBe(0);
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    db.close();
  });
});
