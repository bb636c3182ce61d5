import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import { listSeeds } from '../../src/lib/db/seedsRepo';
import type { ImportApi } from '../../src/lib/io/importApi';
import type { ReadProgress } from '../../src/lib/io/types';

let worker: Worker;
let api: Comlink.Remote<ImportApi>;
let db: AppDb;

beforeAll(async () => {
  db = openDb(`worker-${crypto.randomUUID()}`);
  await db.open();
  worker = new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<ImportApi>(worker);
  await api.useDatabase(db.name);
});
afterAll(async () => {
  worker.terminate();
  db.close();
  await Dexie.delete(db.name);
});

describe('the import worker (real worker, real IndexedDB)', () => {
  it('parses, maps and stores a file off the main thread, with progress', async () => {
    const p = await createProject(db, 'P');
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ question: `Q${i} ${'x'.repeat(100)}`, answer: `A${i}` }));
    const file = new File([lines.join('\n')], 'qa.jsonl');
    const progress: ReadProgress[] = [];
    const [a] = await api.analyse([file], ['auto'], Comlink.proxy((p: ReadProgress) => progress.push(p)));
    expect(a).toMatchObject({ rowCount: 3000, format: 'jsonl', mapping: { shape: 'qa' } });
    const plan = await api.plan(p.id, [a!.mapping]);
    expect(plan.total).toBe(3000);
    expect(await api.commit(p.id, true)).toBe(3000);
    const stored = await listSeeds(db, p.id);
    expect(stored).toHaveLength(3000);
    expect(stored[2999]).toMatchObject({ instruction: `Q2999 ${'x'.repeat(100)}`, output: 'A2999', order: 2999, source: { line: 3000 } });
    expect(progress.at(-1)).toEqual({ phase: 'read', done: file.size, total: file.size });
  });

  it('keeps typed errors across the worker boundary and stores nothing on failure', async () => {
    const [a] = await api.analyse([new File(['{"instruction": "x"}'], 'a.jsonl')], ['auto']);
    await api.plan('no-such-project', [a!.mapping]);
    const err = await api.commit('no-such-project', true).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('NotFoundError');
    expect(await db.seeds.where('projectId').equals('no-such-project').count()).toBe(0);
  });
});
