import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject, deleteProject } from '../../src/lib/db/projectsRepo';
import { addSeeds, countSeeds, deleteSeeds, listSeeds, restoreSeeds, retagSeeds, seedHashes, updateSeed } from '../../src/lib/db/seedsRepo';
import type { SeedDraft } from '../../src/lib/db/types';
import { seedHash } from '../../src/lib/text/normalize';

let db: AppDb;
beforeEach(async () => {
  db = openDb(`repo-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

const draft = (instruction: string, line = 1): SeedDraft => ({
  instruction,
  input: '',
  output: 'o',
  system: '',
  tags: [],
  hash: seedHash({ instruction, input: '', output: 'o' }),
  source: { file: 'f.jsonl', line, format: 'jsonl' },
});

describe('seeds repository (real IndexedDB)', () => {
  it('keeps projects apart and numbers seeds in import order', async () => {
    const a = await createProject(db, 'A');
    const b = await createProject(db, 'B');
    await addSeeds(db, a.id, [draft('a1'), draft('a2')]);
    await addSeeds(db, b.id, [draft('b1')]);
    await addSeeds(db, a.id, [draft('a3')]);
    expect((await listSeeds(db, a.id)).map((s) => [s.instruction, s.order])).toEqual([
      ['a1', 0],
      ['a2', 1],
      ['a3', 2],
    ]);
    expect(await countSeeds(db, b.id)).toBe(1);
    expect(await seedHashes(db, a.id)).toEqual(new Set(['a1', 'a2', 'a3'].map((i) => draft(i).hash)));
  });

  it('writes nothing when any part of a large import fails', async () => {
    const p = await createProject(db, 'P');
    await addSeeds(db, p.id, [draft('kept')]);
    const drafts = Array.from({ length: 12_000 }, (_, i) => draft(`row ${i}`, i + 1));
    // Row 11 000 cannot be stored (a function is not cloneable): the chunks before it were
    // already sent to IndexedDB in the same transaction and must be rolled back.
    (drafts[11_000]!.source as unknown as Record<string, unknown>).bad = () => 0;
    await expect(addSeeds(db, p.id, drafts)).rejects.toMatchObject({ name: 'DataCloneError' });
    expect((await listSeeds(db, p.id)).map((s) => s.instruction)).toEqual(['kept']);
  });

  it('refuses to add seeds to a project that does not exist', async () => {
    await expect(addSeeds(db, 'nope', [draft('x')])).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await db.seeds.count()).toBe(0);
  });

  it('edits a seed and follows its text with the hash; deletes and restores unchanged', async () => {
    const p = await createProject(db, 'P');
    const [s1, s2] = await addSeeds(db, p.id, [draft('one'), draft('two')]);
    const edited = await updateSeed(db, s1!.id, { instruction: 'ONE edited', tags: [' x ', 'x', ''] });
    expect(edited.hash).toBe(seedHash({ instruction: 'one edited', input: '', output: 'o' }));
    expect(edited.tags).toEqual(['x']);
    const removed = await deleteSeeds(db, [s2!.id, s1!.id]);
    expect(await countSeeds(db, p.id)).toBe(0);
    await restoreSeeds(db, removed);
    const back = await listSeeds(db, p.id);
    expect(back.map((s) => s.instruction)).toEqual(['ONE edited', 'two']);
    expect(back[1]).toEqual(s2);
  });

  it('adds and removes tags on many seeds', async () => {
    const p = await createProject(db, 'P');
    const seeds = await addSeeds(db, p.id, [draft('a'), draft('b'), draft('c')]);
    await retagSeeds(db, seeds.slice(0, 2).map((s) => s.id), ['law', 'zh']);
    await retagSeeds(db, [seeds[0]!.id], [], ['zh']);
    expect((await listSeeds(db, p.id)).map((s) => s.tags)).toEqual([['law'], ['law', 'zh'], []]);
    expect(await db.seeds.where('tags').equals('law').count()).toBe(2);
  });

  it('deletes a project with all that belongs to it, and only that', async () => {
    const a = await createProject(db, 'A');
    const b = await createProject(db, 'B');
    await addSeeds(db, a.id, [draft('a')]);
    await addSeeds(db, b.id, [draft('b')]);
    await deleteProject(db, a.id);
    expect(await db.projects.count()).toBe(1);
    expect(await countSeeds(db, a.id)).toBe(0);
    expect(await countSeeds(db, b.id)).toBe(1);
  });
});
