import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/lib/db/db';
import { declareSchema, schemaVersions } from '../../src/lib/db/schema';
import { listSeeds } from '../../src/lib/db/seedsRepo';
import { addDocument, countDocumentChunks, listChunks, listDocumentIds, listDocuments, updateChunks } from '../../src/lib/db/documentsRepo';
import { deleteProject } from '../../src/lib/db/projectsRepo';
import { addEvalSet, listEvalSets } from '../../src/lib/db/evalSetsRepo';

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

  it('upgrades version 5 data to version 6: the document tables appear empty, everything else is as it was', async () => {
    // A browser that last ran the build before documents (schema version 5), with a project,
    // seeds and samples.
    const v5 = new Dexie(name);
    declareSchema(v5, 5);
    await v5.open();
    expect(v5.verno).toBe(5);
    expect(v5.tables.map((t) => t.name)).not.toContain('documents');
    const project = { id: 'p1', name: '诊所', createdAt: 1, updatedAt: 1 };
    await v5.table('projects').add(project);
    const seed = { id: 's1', projectId: 'p1', order: 0, tags: ['law'], instruction: 'i', input: '', output: 'o', system: '', hash: 'h', source: { file: 'f', line: 1, format: 'jsonl' }, createdAt: 1, updatedAt: 1 };
    await v5.table('seeds').add(seed);
    const sample = { id: 'r1:0', projectId: 'p1', runId: 'r1', seedId: 's1', parentId: null, operation: 'respond', round: 0, persona: null, instruction: 'i', input: '', output: 'o', status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, lineage: {}, createdAt: 1, updatedAt: 1 };
    await v5.table('samples').add(sample);
    v5.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    expect(await db.projects.get('p1')).toEqual(project);
    expect(await listSeeds(db, 'p1')).toEqual([seed]);
    expect(await db.samples.where('[projectId+status]').equals(['p1', 'accepted']).toArray()).toEqual([sample]);
    expect(await listDocuments(db, 'p1')).toEqual([]);
    // The new tables and their indexes work on the upgraded store.
    const text = '# 范围\n\n本指南适用于成人。';
    const { document } = await addDocument(
      db,
      'p1',
      { name: 'g.md', type: 'markdown', bytes: 30, sha256: 'cd'.repeat(32), pages: null, title: '范围', text, blocks: [], outline: [], pageStarts: [], status: 'ready', error: null },
      [{ text: '本指南适用于成人。', headingPath: ['范围'], pages: null, span: [6, text.length], tokens: 9, label: '范围' }],
      new Blob([text]),
    );
    expect((await listChunks(db, document.id)).map((c) => c.text)).toEqual(['本指南适用于成人。']);
    expect(await db.chunks.where('[projectId+label]').equals(['p1', '范围']).count()).toBe(1);
    await deleteProject(db, 'p1');
    expect([await db.documents.count(), await db.chunks.count(), await db.documentFiles.count(), await db.seeds.count()]).toEqual([0, 0, 0, 0]);
    db.close();
  });

  it('upgrades version 6 data to version 7: chunks stored before are counted on the new excluded index, nothing else changes', async () => {
    const v6 = new Dexie(name);
    declareSchema(v6, 6);
    await v6.open();
    expect(v6.verno).toBe(6);
    await v6.table('projects').add({ id: 'p1', name: 'Docs', createdAt: 1, updatedAt: 1 });
    const text = 'one two three four';
    const document = { id: 'd1', projectId: 'p1', name: 'g.md', type: 'markdown', bytes: 18, sha256: 'ab'.repeat(32), pages: null, title: 'g', text, blocks: [], outline: [], pageStarts: [], status: 'ready', error: null, createdAt: 1, updatedAt: 1 };
    await v6.table('documents').add(document);
    const chunk = (index: number, excluded?: string) => ({ id: `c${index}`, projectId: 'p1', documentId: 'd1', index, text: 'x', headingPath: [], pages: null, span: [0, 1], tokens: 1, ...(excluded ? { excluded } : {}) });
    const rows = [chunk(0), chunk(1, 'duplicate'), chunk(2), chunk(3, 'boilerplate'), chunk(4, 'user')];
    await v6.table('chunks').bulkAdd(rows);
    v6.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(schemaVersions.at(-1)!.version);
    expect(await db.documents.get('d1')).toEqual(document);
    expect(await listChunks(db, 'd1')).toEqual(rows);
    expect(await countDocumentChunks(db, 'd1')).toEqual({ chunks: 5, excluded: 3 });
    expect(await listDocumentIds(db, 'p1')).toEqual(['d1']);
    await updateChunks(db, ['c0'], { excluded: 'user' });
    await updateChunks(db, ['c1'], { excluded: null });
    expect(await countDocumentChunks(db, 'd1')).toEqual({ chunks: 5, excluded: 3 });
    await updateChunks(db, ['c3', 'c4'], { excluded: null });
    expect(await countDocumentChunks(db, 'd1')).toEqual({ chunks: 5, excluded: 1 });
    db.close();
  });

  it('upgrades version 7 data to version 8: the eval-set table appears empty, samples and projects read as before (no contamination mark)', async () => {
    const v7 = new Dexie(name);
    declareSchema(v7, 7);
    await v7.open();
    expect(v7.verno).toBe(7);
    const project = { id: 'p1', name: 'Bench', createdAt: 1, updatedAt: 1 };
    const sample = { id: 'r:0.0', projectId: 'p1', runId: 'r', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null, instruction: 'Q', input: '', output: 'A', status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, lineage: {}, createdAt: 1, updatedAt: 1 };
    await v7.table('projects').add(project);
    await v7.table('samples').add(sample);
    v7.close();

    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(8);
    expect(await db.projects.get('p1')).toEqual(project);
    expect(await db.samples.get('r:0.0')).toEqual(sample);
    expect(await listEvalSets(db, 'p1')).toEqual([]);
    const added = await addEvalSet(db, 'p1', { name: 'e.jsonl', shape: 'text', count: 1, bytes: 2, sha256: 'cd'.repeat(32), items: [{ text: 'Q' }] });
    expect(await listEvalSets(db, 'p1')).toEqual([added.set]);
    expect((await addEvalSet(db, 'p1', { name: 'renamed.jsonl', shape: 'text', count: 1, bytes: 2, sha256: 'cd'.repeat(32), items: [{ text: 'Q' }] })).existing).toBe(true);
    db.close();
  });
});
