import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { datasetSource } from '../../src/lib/db/datasetSource';
import { setPairsStatus } from '../../src/lib/db/pairsRepo';
import { deleteProject } from '../../src/lib/db/projectsRepo';
import { BackupFormatError } from '../../src/lib/io/export/backup';
import { restoreBackupFile, writeBackup } from '../../src/lib/io/export/projectBackup';
import { BlobSink } from '../../src/lib/io/export/sink';
import type { PreferencePair } from '../../src/lib/preference/types';
import { fixtureProject, projectRows } from './exportFixture';
import { freshDb } from './freshDb';

/** Preference pairs in project backups (issue 16): the reviewer's decisions survive a restore. */

async function backupText(db: AppDb, projectId: string): Promise<string> {
  const sink = new BlobSink('application/jsonl');
  await writeBackup(datasetSource(db), projectId, sink);
  return (await sink.blob()).text();
}

/** A project with three pairs over its samples: one rejected by hand, one accepted by hand, one as built. */
async function projectWithPairs(db: AppDb) {
  const fx = await fixtureProject(db, { good: 4, rejected: 2, seeds: 3 });
  const samples = (await db.samples.where('projectId').equals(fx.project.id).sortBy('id'));
  const pair = (i: number, extra: Partial<PreferencePair> = {}): PreferencePair => ({
    id: `pair-${i}`,
    projectId: fx.project.id,
    runId: fx.run.id,
    sampleId: samples[i]!.id,
    source: 'judge',
    prompt: { system: '', instruction: samples[i]!.instruction, input: samples[i]!.input },
    chosen: { text: samples[i]!.output, score: 9, sampleId: samples[i]!.id },
    rejected: { text: `worse answer ${i}`, score: 3, sampleId: samples[i + 1]!.id, reasoning: 'thought first' },
    gap: 6,
    reason: 'an accepted against a rejected answer',
    status: 'accepted',
    createdAt: 1000 + i,
    updatedAt: 1000 + i,
    ...extra,
  });
  await db.pairs.bulkAdd([pair(0), pair(1), pair(2, { prompt: { system: 's', instruction: 'i', input: '', turns: [{ role: 'user', content: 'hi' }] }, gap: null })]);
  expect(await setPairsStatus(db, ['pair-0'], 'rejected')).toBe(1);
  expect(await setPairsStatus(db, ['pair-1'], 'accepted')).toBe(1);
  return fx;
}

const pairsOf = async (db: AppDb, projectId: string) => (await db.pairs.where('projectId').equals(projectId).toArray()).sort((a, b) => (a.id < b.id ? -1 : 1));

describe('preference pairs in project backups (real IndexedDB)', () => {
  it('round trip: every pair comes back with its decision (status, decidedAt), after the samples in the file, counted', async () => {
    const a = await freshDb('bpairs-src');
    const fx = await projectWithPairs(a);
    const before = await pairsOf(a, fx.project.id);
    expect(before.map((p) => [p.id, p.status, p.decidedAt !== undefined])).toEqual([
      ['pair-0', 'rejected', true],
      ['pair-1', 'accepted', true],
      ['pair-2', 'accepted', false],
    ]);
    const text = await backupText(a, fx.project.id);
    const lines = text.trimEnd().split('\n');
    const tables = lines.slice(1, -1).map((l) => JSON.parse(l).table as string);
    expect(tables.filter((t) => t === 'pairs')).toHaveLength(3);
    expect(tables.indexOf('pairs')).toBeGreaterThan(tables.lastIndexOf('samples'));
    expect(JSON.parse(lines.at(-1)!).counts.pairs).toBe(3);

    const b = await freshDb('bpairs-dst');
    await restoreBackupFile(datasetSource(b), new Blob([text]));
    expect(await pairsOf(b, fx.project.id)).toEqual(before);
    expect(await projectRows(b, fx.project.id)).toEqual(await projectRows(a, fx.project.id));
  });

  it('an old (version 2) backup without pairs restores, with no pairs', async () => {
    const a = await freshDb('bpairs-old-src');
    const fx = await projectWithPairs(a);
    const lines = (await backupText(a, fx.project.id)).trimEnd().split('\n');
    const header = { ...JSON.parse(lines[0]!), version: 2 };
    const end = JSON.parse(lines.at(-1)!);
    delete end.counts.pairs;
    const old = [JSON.stringify(header), ...lines.slice(1, -1).filter((l) => JSON.parse(l).table !== 'pairs'), JSON.stringify(end)].join('\n');
    expect(old).not.toContain('"pairs"');

    const b = await freshDb('bpairs-old-dst');
    const r = await restoreBackupFile(datasetSource(b), new Blob([old]));
    expect(r).toEqual({ projectId: fx.project.id, skipped: { recipes: 0, endpoints: 0 } });
    expect(await projectRows(b, fx.project.id)).toEqual(await projectRows(a, fx.project.id));
    expect(await b.pairs.count()).toBe(0);
  });

  it('refuses a bad pair line naming the line and field, and a pair whose sample is not in the file; nothing is written', async () => {
    const a = await freshDb('bpairs-bad-src');
    const fx = await projectWithPairs(a);
    const lines = (await backupText(a, fx.project.id)).split('\n');
    const at = lines.findIndex((l) => l.includes('"table":"pairs"'));
    const b = await freshDb('bpairs-bad-dst');
    const nothingStored = async () => {
      for (const t of ['projects', 'runs', 'runTasks', 'runSeeds', 'seeds', 'samples', 'recipes', 'endpoints', 'pairs'] as const) expect(await b.table(t).count(), t).toBe(0);
    };

    const badStatus = [...lines];
    const row = JSON.parse(lines[at]!);
    row.row.status = 'maybe';
    badStatus[at] = JSON.stringify(row);
    const e1 = await restoreBackupFile(datasetSource(b), new Blob([badStatus.join('\n')])).catch((e: Error) => e);
    expect(e1).toBeInstanceOf(BackupFormatError);
    expect((e1 as BackupFormatError).problems[0]).toMatchObject({ line: at + 1, field: 'row(pairs).status' });
    expect((e1 as Error).message).toContain(`line ${at + 1}, row(pairs).status`);
    await nothingStored();

    const orphan = [...lines];
    const row2 = JSON.parse(lines[at]!);
    row2.row.sampleId = 'no-such-sample';
    orphan[at] = JSON.stringify(row2);
    const e2 = await restoreBackupFile(datasetSource(b), new Blob([orphan.join('\n')])).catch((e: Error) => e);
    expect(e2).toBeInstanceOf(BackupFormatError);
    expect((e2 as BackupFormatError).problems).toEqual([{ line: at + 1, field: 'row(pairs).sampleId', message: `pair ${row2.row.id} answers sample no-such-sample, which is not in the backup` }]);
    await nothingStored();
  });

  it('deleting a project deletes its pairs (and no other project’s); its backup then restores in the same store', async () => {
    const a = await freshDb('bpairs-delete');
    const fx = await projectWithPairs(a);
    const other = { ...(await a.pairs.get('pair-2'))!, id: 'other-pair', projectId: 'other-project' };
    await a.pairs.add(other);
    const before = await pairsOf(a, fx.project.id);
    const text = await backupText(a, fx.project.id);

    await deleteProject(a, fx.project.id);
    expect(await pairsOf(a, fx.project.id)).toEqual([]);
    expect(await a.pairs.toCollection().primaryKeys()).toEqual(['other-pair']);

    await restoreBackupFile(datasetSource(a), new Blob([text]));
    expect(await pairsOf(a, fx.project.id)).toEqual(before);
  });

  it('a pair already stored rolls the whole restore back (one transaction)', async () => {
    const a = await freshDb('bpairs-mid');
    const fx = await projectWithPairs(a);
    // Every id renamed but the pairs' own: the project, run, seeds and samples are new, the pairs are already here.
    let text = (await backupText(a, fx.project.id)).replaceAll(fx.project.id, 'another-project').replaceAll(fx.run.id, 'another-run');
    for (const id of [...(await a.samples.toCollection().primaryKeys()), ...(await a.seeds.toCollection().primaryKeys())]) text = text.replaceAll(`"${id}"`, `"x-${id}"`);
    const err = await restoreBackupFile(datasetSource(a), new Blob([text])).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'BackupCollisionError', table: 'pairs' });
    expect(await a.projects.get('another-project')).toBeUndefined();
    expect(await a.samples.where('projectId').equals('another-project').count()).toBe(0);
  });
});
