import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreBackupFile, writeBackup } from '../../src/lib/io/export/projectBackup';
import { BlobSink } from '../../src/lib/io/export/sink';
import type { RunBudget } from '../../src/lib/pipeline/budget';
import { emptyCounts } from '../../src/lib/pipeline/types';
import { SCHEMA_STEPS, SCHEMA_VERSION } from '../../src/cli/store/schema';
import { openStore, STORE_FILE, type Store } from '../../src/cli/store/store';

/**
 * A run's budget (caps and spend) lives in the SQLite run row, as the app's Run.budget: `status`
 * reads it there, a backup carries it to the app, and a store written before (spend in the cache,
 * caps in the row's JSON) is brought over by schema step 2.
 */

let dirs: string[] = [];
const stores: Store[] = [];
beforeEach(() => {
  dirs = [];
});
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'seedforge-budget-'));
  dirs.push(d);
  return d;
}
function open(d: string): Store {
  const s = openStore(d);
  stores.push(s);
  return s;
}
const seeds = [{ id: 's1', instruction: 'I', input: '', output: 'O' }];
const spent = (n: number): RunBudget['spent'] => ({ spend: n / 1000, tokens: n, calls: n / 100 });

describe('the run budget in the run row', () => {
  it('is saved and read with the run and by status; a backup carries it into another store', async () => {
    const a = open(dir());
    const p = a.createProject('Demo');
    const run = a.createRun({ projectId: p.id, name: 'r', recipe: { version: 1, name: 'x', steps: [] }, roles: {}, models: {}, concurrency: 2, total: 1, seeds, budget: { maxSpend: 1, maxTokens: null, spent: spent(0) } });
    expect(a.runStatusSummary(run.id).budget).toEqual({ maxSpend: 1, maxTokens: null, spent: spent(0) });
    const budget: RunBudget = { maxSpend: 2, maxTokens: 5000, spent: spent(1200) };
    a.setRunBudget(run.id, budget);
    expect(a.getRun(run.id)!.budget).toEqual(budget);
    expect(a.runStatusSummary(run.id).budget).toEqual(budget);
    expect(() => a.setRunBudget('nope', budget)).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    // The fixed JSON of the row does not hold it: saving the spend never rewrites the recipe.
    const raw = new Database(join(a.path, '..', STORE_FILE), { readonly: true });
    expect(JSON.parse(raw.prepare(`SELECT json FROM runs WHERE id = ?`).pluck().get(run.id) as string)).not.toHaveProperty('budget');
    raw.close();

    const sink = new BlobSink('application/jsonl');
    await writeBackup(a.datasetSource(), p.id, sink);
    const file = sink.blob();
    const line = (await file.text()).split('\n').find((l) => l.includes(`"${run.id}"`) && l.includes('"budget"'));
    expect(line).toBeDefined();
    const b = open(dir());
    await restoreBackupFile(b.restoreTarget(), file);
    expect(b.getRun(run.id)!.budget).toEqual(budget);
    expect(b.runStatusSummary(run.id).budget).toEqual(budget);
  });

  it('a run without a budget reads null', () => {
    const s = open(dir());
    const p = s.createProject('Demo');
    const run = s.createRun({ projectId: p.id, name: 'r', recipe: { version: 1, name: 'r', steps: [] }, roles: {}, models: {}, concurrency: 1, total: 1, seeds });
    expect(s.getRun(run.id)).not.toHaveProperty('budget');
    expect(s.runStatusSummary(run.id).budget).toBeNull();
  });

  it('schema step 2 moves a version-1 store’s spend from the cache (else the caps from the row) into the column', () => {
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    const d = dir();
    const raw = new Database(join(d, STORE_FILE));
    raw.exec(SCHEMA_STEPS[0]!);
    raw.prepare(`INSERT INTO meta (key, value) VALUES ('schemaVersion', '1')`).run();
    raw.prepare(`INSERT INTO projects (id, createdAt, json) VALUES ('p', 1, '{"id":"p","name":"P","createdAt":1,"updatedAt":1}')`).run();
    const row = (id: string, extra: Record<string, unknown>) =>
      raw.prepare(`INSERT INTO runs (id, projectId, status, error, counts, createdAt, updatedAt, json) VALUES (?, 'p', 'paused', NULL, ?, 1, 1, ?)`).run(id, JSON.stringify(emptyCounts(1)), JSON.stringify({ id, projectId: 'p', name: id, recipe: {}, ...extra }));
    const caps = { maxSpend: 3, maxTokens: null, spent: spent(0) };
    row('cached', { budget: caps });
    row('capsOnly', { budget: caps });
    row('none', {});
    const saved: RunBudget = { maxSpend: 3, maxTokens: null, spent: spent(900) };
    raw.prepare(`INSERT INTO cache (ns, key, value, updatedAt) VALUES ('cli.budget', 'cached', ?, 1)`).run(JSON.stringify(saved));
    raw.close();

    const s = open(d);
    expect(s.getRun('cached')!.budget).toEqual(saved);
    expect(s.getRun('capsOnly')!.budget).toEqual(caps);
    expect(s.getRun('none')).not.toHaveProperty('budget');
    expect(s.getRun('cached')).toMatchObject({ id: 'cached', name: 'cached', recipe: {} });
    expect(s.cacheGet('cli.budget', 'cached')).toBeUndefined();
  });
});
