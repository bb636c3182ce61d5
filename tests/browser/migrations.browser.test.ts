import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/lib/db/db';
import { declareSchema, schemaVersions } from '../../src/lib/db/schema';
import { listSeeds } from '../../src/lib/db/seedsRepo';

const name = `migrate-${crypto.randomUUID()}`;
afterEach(async () => {
  await Dexie.delete(name);
});

describe('store migrations (real IndexedDB)', () => {
  it('upgrades version 1 data to version 2: seeds get an order and tags, nothing is lost', async () => {
    // A browser that last ran a build with schema version 1.
    const v1 = new Dexie(name);
    declareSchema(v1, 1);
    await v1.open();
    expect(v1.verno).toBe(1);
    await v1.table('projects').bulkAdd([
      { id: 'p1', name: 'A', createdAt: 1, updatedAt: 1 },
      { id: 'p2', name: 'B', createdAt: 2, updatedAt: 2 },
    ]);
    const base = { input: '', output: 'o', system: '', hash: 'h', source: { file: 'f', line: 1, format: 'jsonl' }, updatedAt: 0 };
    await v1.table('seeds').bulkAdd([
      { ...base, id: 's3', projectId: 'p1', instruction: 'third', createdAt: 30 },
      { ...base, id: 's1', projectId: 'p1', instruction: 'first', createdAt: 10 },
      { ...base, id: 's2', projectId: 'p1', instruction: 'second', createdAt: 20 },
      { ...base, id: 't1', projectId: 'p2', instruction: 'other', createdAt: 5 },
    ]);
    v1.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    const p1 = await listSeeds(db, 'p1');
    expect(p1.map((s) => [s.instruction, s.order])).toEqual([
      ['first', 0],
      ['second', 1],
      ['third', 2],
    ]);
    expect((await listSeeds(db, 'p2')).map((s) => s.order)).toEqual([0]);
    for (const s of p1) expect(s.tags).toEqual([]);
    // The new multi-entry index works on upgraded rows.
    await db.seeds.update('s2', { tags: ['law'] });
    expect((await db.seeds.where('tags').equals('law').toArray()).map((s) => s.id)).toEqual(['s2']);
    expect(await db.projects.count()).toBe(2);
    db.close();
  });
});
