import Database from 'better-sqlite3';
import { mkdirSync, openAsBlob, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Seed, SeedDraft } from '../../src/lib/db/types';
import { ImportSession } from '../../src/lib/io/importSession';
import { createStagedRun, STAGE_CHUNK } from '../../src/cli/store/seedStaging';
import { SCHEMA_STEPS } from '../../src/cli/store/schema';
import { openStore, STORE_FILE, type Store } from '../../src/cli/store/store';
import { stageSeedFiles } from '../../src/cli/verbs/seedFiles';
import { cleanup, tempDir } from './support';

/**
 * `run` streams seed files into a staging file (src/cli/store/seedStaging.ts), STAGE_CHUNK drafts
 * at a time, and moves them with the run's snapshot into the store in one transaction. Checked
 * here against the whole-file path it replaced (the app's ImportSession, Store.addSeeds and a
 * snapshot of the stored rows): the same seeds, numbered alike, the same snapshot; and a bad
 * record far past the first chunks leaves a store that already holds a project byte for byte as
 * it was.
 */

afterAll(cleanup);

const N = 25_000;
const dir = tempDir('staging');

/** A line of the seed file: distinct by `i`, except that every 1000th repeats the one before it. */
function line(i: number): string {
  const k = i % 1000 === 999 ? i - 1 : i;
  return JSON.stringify({ instruction: `Explain point ${k} of the plan`, input: k % 3 ? '' : `context ${k}`, output: `Point ${k} is plain.` });
}

const file = join(dir, 'seeds.jsonl');
writeFileSync(file, Array.from({ length: N }, (_, i) => line(i)).join('\n') + '\n');
/** Seeds the project holds before the import: 300 of them are in the file too. */
const earlier = join(dir, 'earlier.jsonl');
writeFileSync(earlier, [...Array.from({ length: 300 }, (_, i) => line(i * 7)), ...Array.from({ length: 50 }, (_, i) => JSON.stringify({ instruction: `Earlier only ${i}`, output: 'x' }))].join('\n') + '\n');

/** The whole-file path: every draft parsed and held, then stored at once. */
async function wholeDrafts(path: string): Promise<SeedDraft[]> {
  const session = new ImportSession();
  const analyses = await session.analyse([new File([await openAsBlob(path)], path)]);
  session.plan(
    analyses.map((a) => a.mapping),
    new Set(),
  );
  return session.drafts(true);
}

function withStore<T>(name: string, fn: (s: Store) => T): T {
  const s = openStore(join(dir, name));
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

const FIELDS = { name: 'r', recipe: { version: 1 as const, name: 'x', steps: [] }, roles: {}, models: { generator: 'm' }, concurrency: 2, total: 1 };
/** A seed as compared between stores: everything but the ids and times. */
const plain = ({ id: _i, projectId: _p, createdAt: _c, updatedAt: _u, ...rest }: Seed) => rest;

describe('seed files staged in chunks', () => {
  it(`gives the same stored seeds and snapshot as the whole-file path (${N} lines, duplicates within and against the project)`, async () => {
    // The path before: all drafts in memory, one addSeeds, the snapshot from the stored rows.
    const oldWay = await (async () => {
      const s = openStore(join(dir, 'whole'));
      try {
        const p = s.createProject('cli');
        s.addSeeds(p.id, await wholeDrafts(earlier), { skipDuplicates: true });
        const drafts = await wholeDrafts(file);
        s.addSeeds(p.id, drafts, { skipDuplicates: true });
        const byHash = new Map<string, Seed>();
        for (const x of s.listSeeds(p.id)) if (!byHash.has(x.hash)) byHash.set(x.hash, x);
        const refs = drafts.map((d) => byHash.get(d.hash)!);
        return { seeds: s.listSeeds(p.id).map(plain), snapshot: refs.map((x) => [x.hash, x.instruction, x.input, x.output]) };
      } finally {
        s.close();
      }
    })();

    // The path now: both files staged, each moved in one transaction.
    const { staging: first } = await stageSeedFiles([earlier], false);
    const { staging, skipped } = await stageSeedFiles([file], false);
    try {
      expect(skipped).toEqual([]);
      expect(staging.duplicates).toBe(Math.floor(N / 1000));
      expect(staging.count).toBe(N - Math.floor(N / 1000));
      withStore('staged', (s) => {
        const p = s.createProject('cli');
        createStagedRun(s, first, { ...FIELDS, projectId: p.id });
        const { run, added } = createStagedRun(s, staging, { ...FIELDS, projectId: p.id });
        expect(added).toBe(staging.count - 300);
        expect(run.seedCount).toBe(staging.count);
        expect(s.getRun(run.id)?.seedCount).toBe(staging.count);
        const seeds = s.listSeeds(p.id);
        expect(seeds.map(plain)).toEqual(oldWay.seeds);
        // Stored rows are the app's rows: the JSON holds its own id, project, order and times.
        expect(seeds.every((x) => x.projectId === p.id && typeof x.id === 'string' && x.createdAt > 0)).toBe(true);
        const byId = new Map(seeds.map((x) => [x.id, x]));
        const snap = s.getRunSeeds(run.id);
        expect(snap.map((r) => [byId.get(r.id)!.hash, r.instruction, r.input, r.output])).toEqual(oldWay.snapshot);
        // The pipeline's paged reader sees the same snapshot.
        const pages = s.runSeedPages(run.id);
        expect(pages.count).toBe(staging.count);
      });
    } finally {
      first.close();
      staging.close();
    }
  }, 60_000);

  it('a bad record far past the first chunks: named by file and line, the store unchanged, the staging file removed', async () => {
    const badLine = 3 * STAGE_CHUNK + 777;
    const bad = join(dir, 'bad.jsonl');
    const lines = Array.from({ length: 5 * STAGE_CHUNK }, (_, i) => line(i));
    lines[badLine - 1] = '{"instruction": "cut here", "output": ';
    lines[badLine + 99] = '{"output": "no instruction"}';
    writeFileSync(bad, lines.join('\n') + '\n');
    // A store that already holds a project, a seed import and a run.
    const storeDir = join(dir, 'kept');
    withStore('kept', (s) => {
      const p = s.createProject('cli');
      s.addSeeds(p.id, [{ instruction: 'Kept', input: '', output: 'k', system: '', tags: [], hash: 'kept', source: { file: 'k.jsonl', line: 1, format: 'jsonl' } }]);
    });
    const dump = () => {
      const db = new Database(join(storeDir, STORE_FILE), { readonly: true });
      try {
        const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
        return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]));
      } finally {
        db.close();
      }
    };
    const was = dump();
    const stagingDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('seedforge-import-'));
    const dirsBefore = stagingDirs();
    const err = await stageSeedFiles([bad], false).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'SeedFileError' });
    expect((err as Error).message).toContain(`${bad}:${badLine}: invalid JSON`);
    expect((err as Error).message).toContain(`${bad}:${badLine + 100}: no instruction`);
    expect((err as Error).message).toMatch(/have 2 problems/);
    expect(dump()).toEqual(was);
    // This test's own staging directory is gone (others' tests may have theirs under way).
    expect(stagingDirs().filter((d) => !dirsBefore.includes(d))).toEqual([]);
    // With --skip-bad both records are left out and the rest is staged.
    const { staging, skipped } = await stageSeedFiles([bad], true);
    try {
      expect(skipped.map((i) => i.line)).toEqual([badLine, badLine + 100]);
      expect(staging.count + staging.duplicates).toBe(5 * STAGE_CHUNK - 2);
    } finally {
      staging.close();
    }
  }, 60_000);

  it('a move that fails (no such project) writes nothing', async () => {
    const { staging } = await stageSeedFiles([earlier], false);
    try {
      withStore('failing', (s) => {
        const p = s.createProject('cli');
        expect(() => createStagedRun(s, staging, { ...FIELDS, projectId: 'no-such-project' })).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
        expect(s.countSeeds(p.id)).toBe(0);
        expect(s.listRuns('no-such-project')).toEqual([]);
        expect(s.db.prepare(`SELECT count(*) FROM seeds`).pluck().get()).toBe(0);
        expect(s.db.prepare(`SELECT count(*) FROM runSeeds`).pluck().get()).toBe(0);
        // And the store is usable after: the staging file was detached.
        const { run } = createStagedRun(s, staging, { ...FIELDS, projectId: p.id });
        expect(s.getRunSeeds(run.id)).toHaveLength(staging.count);
      });
    } finally {
      staging.close();
    }
  });

  it('schema step 3 moves a version-2 store’s snapshots into rows: resume reads the same seeds, a backup gives the same RunSeeds row', async () => {
    const d = join(dir, 'v2');
    mkdirSync(d);
    const raw = new Database(join(d, STORE_FILE));
    raw.exec(SCHEMA_STEPS[0]!);
    raw.exec(SCHEMA_STEPS[1]!);
    raw.prepare(`INSERT INTO meta (key, value) VALUES ('schemaVersion', '2')`).run();
    raw.prepare(`INSERT INTO projects (id, createdAt, json) VALUES ('p', 1, '{"id":"p","name":"P","createdAt":1,"updatedAt":1}')`).run();
    const seeds = Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, instruction: `Q${i} 解释`, input: i % 2 ? `in ${i}` : '', output: `A${i}` }));
    const chunk = { id: 'c1', documentId: 'd1', text: 't', headingPath: [], pages: null, span: [0, 1] };
    for (const [id, snap] of [
      ['seeded', { runId: 'seeded', seeds }],
      ['chunked', { runId: 'chunked', seeds: [], chunks: [chunk] }],
    ] as const) {
      raw.prepare(`INSERT INTO runs (id, projectId, status, error, counts, createdAt, updatedAt, json) VALUES (?, 'p', 'paused', NULL, '{}', 1, 1, ?)`).run(id, JSON.stringify({ id, projectId: 'p', name: id }));
      raw.prepare(`INSERT INTO runSeeds (runId, json) VALUES (?, ?)`).run(id, JSON.stringify(snap));
    }
    raw.close();

    withStore('v2', (s) => {
      expect(s.getRunSeeds('seeded')).toEqual(seeds);
      expect(s.getRunSeeds('chunked')).toEqual([]);
      expect(s.getRunChunks('chunked')).toEqual([chunk]);
      expect(s.db.prepare(`SELECT json FROM runSeeds WHERE runId = 'seeded'`).pluck().get()).toBe('{"runId":"seeded"}');
    });
    // What a backup writes: the app's RunSeeds row, seeds back in it.
    const s = openStore(d);
    try {
      const pages = s.runSeedPages('seeded');
      expect(pages.count).toBe(5);
      expect(await pages.read(1, 3)).toEqual(seeds.slice(1, 3));
      expect(await s.datasetSource().get('runSeeds', 'seeded')).toEqual({ runId: 'seeded', seeds });
      expect(await s.datasetSource().get('runSeeds', 'chunked')).toEqual({ runId: 'chunked', seeds: [], chunks: [chunk] });
    } finally {
      s.close();
    }
  });
});
