import { parquetReadObjects } from 'hyparquet';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SavedRecipe } from '../../src/lib/db/recipesRepo';
import type { SeedDraft } from '../../src/lib/db/types';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import type { EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import { datasetCard } from '../../src/lib/io/export/card';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { restoreBackupFile, writeBackup } from '../../src/lib/io/export/projectBackup';
import { BlobSink } from '../../src/lib/io/export/sink';
import { allRows } from '../../src/lib/io/export/source';
import { DEFAULT_FILTERS, EXPORT_FORMATS, type ExportOptions } from '../../src/lib/io/export/types';
import type { SampleDraft, TaskDelta } from '../../src/lib/pipeline/types';
import { runDedupPhase } from '../../src/lib/runner/dedupPhase';
import { openStore, STORE_FILE, type Store } from '../../src/cli/store/store';

/**
 * The shared exporter, dataset card, backup writer, restore and dedup phase of the app, run
 * unchanged over the SQLite store (store.datasetSource() / restoreTarget() / dedupTarget()),
 * on a store filled the way a run fills it: by the RunStore's commitTask.
 */

const dirs: string[] = [];
const stores: Store[] = [];
function fresh(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'seedforge-src-'));
  dirs.push(dir);
  const s = openStore(dir);
  stores.push(s);
  return s;
}
beforeEach(() => {
  dirs.length = 0;
  stores.length = 0;
});
afterEach(() => {
  for (const s of stores) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SECRET = 'sk-test-never-stored-0123456789';
const ANSWERS = ['Paris is the capital of France.', 'Water boils at 100 °C at sea level.', 'A leap year has 366 days.', 'Light travels about 300,000 km per second.'];

function seed(i: number): SeedDraft {
  return { instruction: `Seed question ${i}?`, input: '', output: `Seed answer ${i}.`, system: '', tags: [], hash: `seed${i}`, source: { file: 'seeds.jsonl', line: i + 1, format: 'jsonl' } };
}

function draft(t: number, i: number, instruction: string, output: string, status: 'accepted' | 'rejected', score: number): SampleDraft {
  return {
    key: `${t}.${i}`,
    instruction,
    input: '',
    output,
    seedId: null,
    parentKey: null,
    operation: 'respond',
    round: 0,
    persona: null,
    score,
    verdict: null,
    outputFrom: 'responder',
    calls: [{ op: 'respond', role: 'responder', engine: 'openai', model: 'gen-model', template: 'respond', templateVersion: 1, templateHash: 'h', raw: output, promptTokens: 10, completionTokens: 20, ms: 5, retries: 0 }],
    revisedFrom: null,
    source: null,
    notes: {},
    status,
    rejectReason: status === 'rejected' ? 'judge:low' : null,
    taskIndex: t,
  };
}

/** A project with 4 seeds, a saved recipe, an endpoint its run used, and a run of 4 committed tasks: 5 accepted (one an exact copy), 2 rejected. */
async function filled(store: Store) {
  const p = store.createProject('Capitals');
  const { seeds } = store.addSeeds(p.id, [0, 1, 2, 3].map(seed));
  const endpoint: EndpointConfig & { key: string } = { id: 'ep1', name: 'Fake', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'gen-model', policy: DEFAULT_POLICY, key: SECRET };
  const recipe: SavedRecipe = { id: 'rc1', name: 'Answer', recipe: { version: 1, name: 'Answer', steps: [] }, createdAt: 1, updatedAt: 2 };
  store.db.transaction(() => {
    store.insertRows('endpoints', [endpoint]);
    store.insertRows('recipes', [recipe]);
  })();
  const run = store.createRun({
    projectId: p.id,
    name: 'answers',
    recipe: { version: 1, name: 'Answer', steps: [] },
    roles: { generator: { kind: 'remote', endpointId: 'ep1' }, responder: { kind: 'remote', endpointId: 'ep1' }, judge: { kind: 'remote', endpointId: 'ep1' } },
    models: { generator: 'gen-model', responder: 'gen-model', judge: 'gen-model' },
    concurrency: 2,
    total: 4,
    seeds: seeds.map((s) => ({ id: s.id, instruction: s.instruction, input: s.input, output: s.output })),
  });
  const rs = store.runStore();
  const delta = (samples: SampleDraft[], pool: string[] = []): TaskDelta => ({ samples, pool, calls: samples.length, promptTokens: 10, completionTokens: 20, modelMs: 5 });
  await rs.commitTask(run.id, 0, delta([draft(0, 0, 'What is the capital of France?', ANSWERS[0]!, 'accepted', 5), draft(0, 1, 'Capital of France, briefly?', 'Paris.', 'rejected', 1)], ['pool 0']));
  await rs.commitTask(run.id, 1, delta([draft(1, 0, 'At what temperature does water boil?', ANSWERS[1]!, 'accepted', 4)]));
  await rs.commitTask(run.id, 2, delta([draft(2, 0, 'How many days has a leap year?', ANSWERS[2]!, 'accepted', 5), draft(2, 1, 'How many days has a leap year?', ANSWERS[2]!, 'accepted', 3)]));
  await rs.commitTask(run.id, 3, delta([draft(3, 0, 'How fast is light?', ANSWERS[3]!, 'accepted', 5), draft(3, 1, 'Speed of light?', 'Fast.', 'rejected', 1)]));
  await rs.setStatus(run.id, 'done', { wallMs: 10 });
  return { p, run: store.getRun(run.id)!, seeds };
}

const opts = (format: ExportOptions['format']): ExportOptions => ({ ...DEFAULT_FILTERS, format, provenance: true });

describe('the shared exporter over the SQLite store', () => {
  it('writes every format with the accepted samples, and the dataset card from the same summary', async () => {
    const store = fresh();
    const { p, run } = await filled(store);
    const source = store.datasetSource();
    const accepted = store.listRunSamples(run.id).filter((s) => s.status === 'accepted');
    expect(accepted).toHaveLength(5);
    for (const format of EXPORT_FORMATS) {
      const sink = new BlobSink('x');
      const summary = await exportDataset(source, p.id, opts(format), sink);
      expect(summary.plan.synthetic, format).toBe(5);
      const blob = sink.blob();
      const text = await blob.text();
      if (format === 'parquet') {
        const rows = (await parquetReadObjects({ file: await blob.arrayBuffer() })) as Record<string, unknown>[];
        expect(rows).toHaveLength(5);
        expect(JSON.stringify(rows)).toContain(ANSWERS[3]!);
      } else {
        for (const a of ANSWERS) expect(text, format).toContain(a.slice(0, 20));
        expect(text).not.toContain('Fast.');
      }
      if (format === 'alpaca-jsonl') {
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { instruction: string; provenance: { id: string } });
        expect(lines.map((l) => l.provenance.id).sort()).toEqual(accepted.map((s) => s.id).sort());
      }
      if (format === 'openai-jsonl') {
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
        expect(lines.map((l) => l.messages.at(-1)!.content).sort()).toEqual(accepted.map((s) => s.output).sort());
        const card = datasetCard({ projectName: p.name, summary, runs: await allRows(source, 'runs', p.id), dataFile: 'data.jsonl', createdAt: 0, license: 'mit' });
        expect(card).toContain('gen-model');
        expect(card).toContain('mit');
      }
    }
  });
});

describe('backup and restore between SQLite stores', () => {
  it('restores the same rows into a fresh store, refuses a second restore writing nothing, and never stores a key', async () => {
    const a = fresh();
    const { p, run } = await filled(a);
    const sink = new BlobSink('application/jsonl');
    const counts = await writeBackup(a.datasetSource(), p.id, sink);
    expect(counts).toMatchObject({ runs: 1, runSeeds: 1, seeds: 4, samples: 7, recipes: 1, endpoints: 1 });
    const file = sink.blob();
    expect(await file.text()).not.toContain(SECRET);

    const b = fresh();
    const result = await restoreBackupFile(b.restoreTarget(), file);
    expect(result).toEqual({ projectId: p.id, skipped: { recipes: 0, endpoints: 0 } });
    expect(b.project(p.id)).toEqual(a.project(p.id));
    expect(b.listSeeds(p.id)).toEqual(a.listSeeds(p.id));
    expect(b.getRun(run.id)).toEqual(a.getRun(run.id));
    expect(b.getRunSeeds(run.id)).toEqual(a.getRunSeeds(run.id));
    expect(b.listRunSamples(run.id)).toEqual(a.listRunSamples(run.id));
    expect(await b.runStore().progress(run.id)).toEqual(await a.runStore().progress(run.id));
    expect(await b.datasetSource().recipes()).toEqual(await a.datasetSource().recipes());
    const [ep] = await b.datasetSource().endpoints(['ep1']);
    expect(ep).toMatchObject({ id: 'ep1', baseUrl: 'http://127.0.0.1:1/v1' });
    expect(ep).not.toHaveProperty('key');

    const before = b.listRunSamples(run.id).length;
    await expect(restoreBackupFile(b.restoreTarget(), file)).rejects.toMatchObject({ name: 'BackupCollisionError', table: 'projects', message: expect.stringContaining('this store') });
    expect(b.listRunSamples(run.id)).toHaveLength(before);
    expect(b.listProjects()).toHaveLength(1);
    b.close();
    a.close();
    for (const d of dirs) expect(readFileSync(join(d, STORE_FILE)).includes(SECRET)).toBe(false);
  });

  it('writes no pairs (this store keeps none), and restores an app backup with pairs saying how many it could not keep', async () => {
    const a = fresh();
    const { p, run } = await filled(a);
    const sink = new BlobSink('application/jsonl');
    expect(await writeBackup(a.datasetSource(), p.id, sink)).toMatchObject({ pairs: 0, samples: 7 });
    const lines = (await sink.blob().text()).trimEnd().split('\n');
    expect(lines.some((l) => l.includes('"table":"pairs"'))).toBe(false);
    // The app's backup of the same project, with one decided pair over its first sample.
    const s = a.listRunSamples(run.id)[0]!;
    const side = { text: s.output, score: null, sampleId: s.id };
    const pair = { id: 'pair-1', projectId: p.id, runId: run.id, sampleId: s.id, source: 'judge', prompt: { system: '', instruction: s.instruction, input: s.input }, chosen: side, rejected: { ...side, text: 'worse' }, gap: null, reason: 'r', status: 'rejected', decidedAt: 5, createdAt: 1, updatedAt: 5 };
    const end = JSON.parse(lines.at(-1)!);
    end.counts.pairs = 1;
    const withPair = [...lines.slice(0, -1), JSON.stringify({ table: 'pairs', row: pair }), JSON.stringify(end)].join('\n');
    const b = fresh();
    expect(await restoreBackupFile(b.restoreTarget(), new Blob([withPair]))).toEqual({ projectId: p.id, skipped: { recipes: 0, endpoints: 0 }, pairsNotKept: 1 });
    expect(b.listRunSamples(run.id)).toEqual(a.listRunSamples(run.id));
  });

  it('rolls the whole restore back when a row collides after others were written', async () => {
    const a = fresh();
    const { p, run } = await filled(a);
    const sink = new BlobSink('x');
    await writeBackup(a.datasetSource(), p.id, sink);
    const b = fresh();
    // Another project in b already holds one of the backup's sample ids.
    const other = b.createProject('Other');
    const clash = a.listRunSamples(run.id)[3]!;
    b.db.transaction(() => b.insertRows('samples', [{ ...clash, projectId: other.id }]))();
    await expect(restoreBackupFile(b.restoreTarget(), sink.blob())).rejects.toMatchObject({ name: 'BackupCollisionError', table: 'samples', id: clash.id });
    expect(b.project(p.id)).toBeUndefined();
    expect(b.getRun(run.id)).toBeUndefined();
    expect(b.listSeeds(p.id)).toEqual([]);
    expect(await b.datasetSource().recipes()).toEqual([]);
    // The store is usable after the rollback.
    expect(b.createProject('After').name).toBe('After');
  });

  it('backs up one snapshot while a task commits during the backup', async () => {
    const store = fresh();
    const { p, run } = await filled(store);
    const source = store.datasetSource();
    const rs = store.runStore();
    const seen = await source.withRunLock(p.id, async () => {
      const before = await source.countSamples(p.id);
      const runBefore = await source.get('runs', run.id);
      await rs.commitTask(run.id, 4, { samples: [draft(4, 0, 'Late question?', 'Late answer that is long enough.', 'accepted', 5)], pool: [], calls: 1, promptTokens: 1, completionTokens: 1, modelMs: 1 });
      return { before, after: await source.countSamples(p.id), completed: runBefore?.completed, completedAfter: (await source.get('runs', run.id))?.completed };
    });
    expect(seen).toEqual({ acquired: true, value: { before: 7, after: 7, completed: [0, 1, 2, 3], completedAfter: [0, 1, 2, 3] } });
    expect(await source.countSamples(p.id)).toBe(8);
    expect((await source.get('runs', run.id))!.completed).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('the shared dedup phase over the SQLite store', () => {
  it('marks the exact copy (keeping the better-scored one), and a second pass leaves the same marks', async () => {
    const store = fresh();
    const { p, run } = await filled(store);
    const o = { threshold: 0.9, model: 'all-MiniLM-L6-v2', againstSeeds: true, appBase: '/', source: { kind: 'hub' } as never };
    const first = await runDedupPhase(store.dedupTarget(), p.id, o);
    expect(first).toMatchObject({ removed: 1, noEmbedder: true });
    expect(first.byPass.exact).toBe(1);
    const marked = store.listRunSamples(run.id).filter((s) => s.duplicateOf);
    expect(marked.map((s) => [s.id, s.duplicateOf])).toEqual([[`${run.id}:2.1`, `${run.id}:2.0`]]);
    expect(marked[0]!.lineage).toMatchObject({ dedup: { duplicateOf: `${run.id}:2.0` }, dedupCheck: { threshold: 0.9 } });
    const second = await runDedupPhase(store.dedupTarget(), p.id, o);
    expect(second.removed).toBe(1);
    expect(store.listRunSamples(run.id).filter((s) => s.duplicateOf).map((s) => s.id)).toEqual([`${run.id}:2.1`]);
    // The exporter leaves the marked copy out.
    const sink = new BlobSink('x');
    expect((await exportDataset(store.datasetSource(), p.id, opts('alpaca-jsonl'), sink)).plan.synthetic).toBe(4);
    expect((await sink.blob().text()).split('\n').filter(Boolean)).toHaveLength(4);
  });
});
