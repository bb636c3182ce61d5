import { datasetSource } from '../../src/lib/db/datasetSource';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { BackupCollisionError } from '../../src/lib/db/backupRepo';
import { saveEndpoint } from '../../src/lib/db/endpointsRepo';
import { saveRecipe } from '../../src/lib/db/recipesRepo';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { BackupFormatError } from '../../src/lib/io/export/backup';
import { restoreBackupFile, writeBackup, type BackupProgress } from '../../src/lib/io/export/projectBackup';
import { BlobSink } from '../../src/lib/io/export/sink';
import { KeysState } from '../../src/lib/state/keys.svelte';
import { freshDb } from './freshDb';
import { fixtureProject, projectRows } from './exportFixture';
import { runLockName } from '../../src/lib/runner/runLock';

const PLAIN_KEY = 'sk-proj-PLANTED-plain-0123456789abcdef';
const SEALED_KEY = 'sk-ant-PLANTED-sealed-fedcba9876543210';

async function backupOf(db: AppDb, projectId: string, progress?: BackupProgress[]): Promise<Blob> {
  const sink = new BlobSink('application/jsonl');
  await writeBackup(datasetSource(db), projectId, sink, (p) => progress?.push(p));
  return sink.blob();
}

/** Does `needle` occur in `haystack` as bytes (UTF-8), anywhere, not only on a line boundary? */
function containsBytes(haystack: Uint8Array, needle: string): boolean {
  const n = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

describe('project backup and restore (real IndexedDB)', () => {
  it('refuses to back up while a run of the project holds its lock, and writes nothing', async () => {
    const a = await freshDb('backup-busy');
    const fx = await fixtureProject(a, { good: 3, seeds: 2 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let got!: () => void;
    const gotLock = new Promise<void>((r) => (got = r));
    const holder = navigator.locks.request(runLockName(fx.project.id), async () => {
      got();
      await held;
    });
    await gotLock;
    const sink = new BlobSink('application/jsonl');
    await expect(writeBackup(datasetSource(a), fx.project.id, sink)).rejects.toMatchObject({ name: 'BackupBusyError' });
    release();
    await holder;
    // Once the run has let go, the backup goes through.
    expect((await backupOf(a, fx.project.id)).size).toBeGreaterThan(0);
  });

  it('restores into a fresh store an identical project — counts, lineage, scores, duplicate marks — with no API key in the file', async () => {
    const a = await freshDb('backup-src');
    // Keys planted the way the app stores them (KeysState → secrets table).
    const keys = new KeysState(a);
    await saveEndpoint(a, { id: 'ep-judge', name: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', policy: DEFAULT_POLICY, prices: { input: 0.15, output: 0.6 } });
    await saveEndpoint(a, { id: 'ep-other', name: 'Unused', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude', policy: DEFAULT_POLICY });
    await keys.set('ep-judge', PLAIN_KEY);
    await keys.set('ep-other', SEALED_KEY);
    await saveRecipe(a, { version: 1, name: 'Saved recipe', steps: [{ op: 'respond' }] });
    const fx = await fixtureProject(a, { good: 30, lowScore: 4, duplicates: 3, rejected: 5, seeds: 12, seedsWithoutOutput: 2, endpointId: 'ep-judge' });
    // Another project in the same browser must not leak into the backup.
    await fixtureProject(a, { good: 3, seeds: 2, name: 'Other' });

    // Keys stored in plain text: not in the backup.
    expect((await a.secrets.toArray()).map((r) => r.plain)).toEqual([PLAIN_KEY, SEALED_KEY]);
    const plainBytes = new Uint8Array(await (await backupOf(a, fx.project.id)).arrayBuffer());
    for (const k of [PLAIN_KEY, SEALED_KEY, 'PLANTED']) expect(containsBytes(plainBytes, k), k).toBe(false);
    // The check can fail: the same search finds a text that is in the file.
    expect(containsBytes(plainBytes, 'Three sentences about topic 1.')).toBe(true);

    // Keys sealed with a passphrase: neither the keys, the passphrase nor the ciphertext.
    await keys.setPassphrase('correct horse');
    expect(await keys.get('ep-judge')).toBe(PLAIN_KEY);
    const progress: BackupProgress[] = [];
    const blob = await backupOf(a, fx.project.id, progress);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    for (const k of [PLAIN_KEY, SEALED_KEY, 'PLANTED', 'correct horse']) expect(containsBytes(bytes, k), k).toBe(false);
    const sealed = (await a.secrets.toArray()).flatMap((r) => (r.sealed ? [r.sealed.data] : []));
    expect(sealed.length).toBe(2);
    for (const s of sealed) expect(text.includes(s)).toBe(false);
    expect(text).not.toMatch(/"(key|apiKey|secret|sealed|plain)"\s*:/);
    // Only the endpoint the project's runs used is in it.
    expect(text).toContain('"ep-judge"');
    expect(text).not.toContain('"ep-other"');
    // Progress never goes backwards and ends at the total.
    const writes = progress.filter((p) => p.type === 'write');
    for (let i = 1; i < writes.length; i++) expect(writes[i]!.done).toBeGreaterThanOrEqual(writes[i - 1]!.done);
    expect(writes.at(-1)!.done).toBe(writes.at(-1)!.total);

    const b = await freshDb('backup-dst');
    const r = await restoreBackupFile(datasetSource(b), new File([blob], 'x.seedforge-backup.jsonl'));
    expect(r.projectId).toBe(fx.project.id);
    const before = await projectRows(a, fx.project.id);
    const after = await projectRows(b, fx.project.id);
    expect(after).toEqual(before);
    expect(after.seeds).toHaveLength(14);
    expect(after.samples).toHaveLength(42);
    expect(after.samples.filter((s) => s.duplicateOf)).toHaveLength(3);
    expect(after.samples.every((s) => s.lineage.calls?.length === 3)).toBe(true);
    expect(after.samples.map((s) => s.score)).toEqual(before.samples.map((s) => s.score));
    expect(await b.recipes.count()).toBe(1);
    expect((await b.endpoints.toArray()).map((e) => e.id)).toEqual(['ep-judge']);
    expect(await b.endpoints.get('ep-judge')).toEqual(await a.endpoints.get('ep-judge'));
    // Keys are not restored: the user enters them again.
    expect(await b.secrets.count()).toBe(0);
    expect(await b.projects.count()).toBe(1);
  });

  it('refuses to restore a project that is already there, and writes nothing', async () => {
    const a = await freshDb('backup-dup');
    const fx = await fixtureProject(a, { good: 5, seeds: 3 });
    const blob = await backupOf(a, fx.project.id);
    const before = await projectRows(a, fx.project.id);
    await expect(restoreBackupFile(datasetSource(a), blob)).rejects.toBeInstanceOf(BackupCollisionError);
    await expect(restoreBackupFile(datasetSource(a), blob)).rejects.toThrow(/already in this browser/);
    expect(await projectRows(a, fx.project.id)).toEqual(before);
    expect(await a.projects.count()).toBe(1);
  });

  it('rolls the whole restore back when a run id collides midway (one transaction)', async () => {
    const a = await freshDb('backup-mid');
    const fx = await fixtureProject(a, { good: 5, seeds: 3 });
    const text = await (await backupOf(a, fx.project.id)).text();
    // The same rows under another project id: the project is new, but its run is already here.
    const renamed = text.replaceAll(fx.project.id, 'another-project');
    const err = await restoreBackupFile(datasetSource(a), new Blob([renamed])).catch((e: Error) => e);
    expect(err).toBeInstanceOf(BackupCollisionError);
    expect((err as BackupCollisionError).table).toBe('runs');
    // The project row that was added first in the transaction is gone again.
    expect(await a.projects.get('another-project')).toBeUndefined();
    expect(await a.samples.where('projectId').equals('another-project').count()).toBe(0);
  });

  it('refuses a damaged backup naming the line and field, and writes nothing', async () => {
    const a = await freshDb('backup-bad');
    const fx = await fixtureProject(a, { good: 6, seeds: 3 });
    const original = (await (await backupOf(a, fx.project.id)).text()).split('\n');
    const lines = [...original];
    const at = lines.findIndex((l) => l.includes('"table":"samples"'));
    const row = JSON.parse(lines[at]!);
    row.row.score = 'excellent';
    lines[at] = JSON.stringify(row);
    const b = await freshDb('backup-bad-dst');
    const err = await restoreBackupFile(datasetSource(b), new Blob([lines.join('\n')])).catch((e: Error) => e);
    expect(err).toBeInstanceOf(BackupFormatError);
    expect((err as BackupFormatError).problems[0]).toMatchObject({ line: at + 1, field: 'row(samples).score' });
    expect((err as BackupFormatError).message).toContain(`line ${at + 1}, row(samples).score`);
    for (const t of ['projects', 'seeds', 'samples', 'runs', 'runSeeds', 'recipes', 'endpoints'] as const) expect(await b.table(t).count(), t).toBe(0);

    // A truncated file (the closing line lost) is refused too.
    const cut = original.slice(0, -2).join('\n');
    await expect(restoreBackupFile(datasetSource(b), new Blob([cut]))).rejects.toThrow(/truncated/);
    expect(await b.projects.count()).toBe(0);
  });
});
