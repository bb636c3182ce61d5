import { datasetSource } from '../../src/lib/db/datasetSource';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { PAGE_SIZE } from '../../src/lib/db/backupRepo';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { BlobSink, WritableSink, type ByteSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS, NothingToExportError, type ExportOptions, type ExportProgress } from '../../src/lib/io/export/types';
import { ImportSession } from '../../src/lib/io/importSession';
import { checkAlpacaJson, checkOpenAiJsonl } from '../e2e/exportChecks';
import { freshDb } from './freshDb';
import { fixtureProject } from './exportFixture';

const opts = (over: Partial<ExportOptions> = {}): ExportOptions => ({ ...DEFAULT_FILTERS, format: 'alpaca-jsonl', provenance: true, ...over });

async function run(db: AppDb, projectId: string, o: ExportOptions, progress?: ExportProgress[]) {
  const sink = new BlobSink('x');
  const summary = await exportDataset(datasetSource(db), projectId, o, sink, (p) => progress?.push(p));
  return { summary, blob: sink.blob() };
}

const jsonl = async (b: Blob) => (await b.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { instruction: string; provenance: { source: string; id: string } });

describe('dataset export from IndexedDB', () => {
  it('applies the filters and a 20 % real share: counts by the rule, real items spread through the file, deterministic', async () => {
    const db = await freshDb('export');
    const fx = await fixtureProject(db, { good: 40, lowScore: 6, duplicates: 4, rejected: 5, seeds: 30, seedsWithoutOutput: 3 });
    const o = opts({ realPercent: 20, minScore: 3 });
    const { summary, blob } = await run(db, fx.project.id, o);
    const rows = await jsonl(blob);
    // 40 good samples pass (6 scored 2 fall under 3, 4 duplicates and 5 rejected stay out);
    // real = round(20 · 40 / 80) = 10 of the 30 usable seeds.
    const real = rows.filter((r) => r.provenance.source === 'seed');
    expect(rows.filter((r) => r.provenance.source === 'synthetic')).toHaveLength(40);
    expect(real).toHaveLength(10);
    expect(summary.plan).toEqual({ synthetic: 40, seedsAvailable: 30, realWanted: 10, real: 10, share: 0.2, short: false });
    expect(summary.leftOut).toEqual({ status: 5, score: 6, duplicate: 4, seedNoOutput: 3 });
    // Evenly spread: one real item before every four synthetic ones.
    const positions = rows.flatMap((r, i) => (r.provenance.source === 'seed' ? [i] : []));
    expect(positions).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
    // The same options give the same file; another selection seed picks other seeds, same counts.
    expect(await (await run(db, fx.project.id, o)).blob.text()).toBe(await blob.text());
    const other = await jsonl((await run(db, fx.project.id, { ...o, selectionSeed: 2 })).blob);
    expect(other.filter((r) => r.provenance.source === 'seed')).toHaveLength(10);
    expect(other.filter((r) => r.provenance.source === 'seed').map((r) => r.provenance.id)).not.toEqual(real.map((r) => r.provenance.id));
    // Languages are counted per item.
    expect(summary.languages.en + summary.languages.zh).toBe(50);
    expect(summary.languages.zh).toBeGreaterThan(0);
    expect(summary.models).toContainEqual({ role: 'judge', model: 'gpt-4o-mini', engine: 'openai' });
    expect(summary.runIds).toEqual([fx.run.id]);
  });

  it('says when there are not enough seeds and reports the share reached', async () => {
    const db = await freshDb('export');
    const fx = await fixtureProject(db, { good: 40, seeds: 6 });
    const { summary, blob } = await run(db, fx.project.id, opts({ realPercent: 50 }));
    expect(summary.plan).toMatchObject({ realWanted: 40, real: 6, short: true });
    expect(summary.plan.share).toBeCloseTo(6 / 46, 12);
    expect((await jsonl(blob)).filter((r) => r.provenance.source === 'seed')).toHaveLength(6);
    // 100 %: real data only.
    const only = await run(db, fx.project.id, opts({ realPercent: 100 }));
    expect((await jsonl(only.blob)).map((r) => r.provenance.source)).toEqual(Array(6).fill('seed'));
  });

  it('includes near-duplicates and pending samples only when asked, and refuses an empty export', async () => {
    const db = await freshDb('export');
    const fx = await fixtureProject(db, { good: 5, duplicates: 3, seeds: 2 });
    expect((await run(db, fx.project.id, opts())).summary.plan.synthetic).toBe(5);
    expect((await run(db, fx.project.id, opts({ skipDuplicates: false }))).summary.plan.synthetic).toBe(8);
    await db.samples.where('projectId').equals(fx.project.id).modify({ status: 'pending' });
    await expect(run(db, fx.project.id, opts())).rejects.toBeInstanceOf(NothingToExportError);
    expect((await run(db, fx.project.id, opts({ acceptedOnly: false }))).summary.plan.synthetic).toBe(5);
  });

  it(`streams ${PAGE_SIZE * 2 + 500} samples page by page: progress only grows and ends at the total; the OpenAI and Alpaca files pass the format checks and import back`, async () => {
    const db = await freshDb('export');
    const fx = await fixtureProject(db, { good: 60, seeds: 20 });
    // Many more samples, written straight into the table (the fixture's run store is slow for thousands).
    const base = (await db.samples.where('projectId').equals(fx.project.id).first())!;
    const n = PAGE_SIZE * 2 + 500;
    await db.samples.bulkAdd(Array.from({ length: n }, (_, i) => ({ ...base, id: `bulk:${String(i).padStart(6, '0')}`, instruction: `Bulk task ${i}?`, output: `Bulk answer ${i}.` })));
    const progress: ExportProgress[] = [];
    const { summary, blob } = await run(db, fx.project.id, opts({ format: 'openai-jsonl', realPercent: 10 }), progress);
    const S = 60 + n;
    expect(summary.plan).toMatchObject({ synthetic: S, real: 20, short: true });
    const text = await blob.text();
    expect(checkOpenAiJsonl(text)).toEqual([]);
    expect(text.split('\n').filter(Boolean)).toHaveLength(S + 20);
    for (const type of ['scan', 'write'] as const) {
      const ps = progress.filter((p): p is Extract<ExportProgress, { type: typeof type }> => p.type === type);
      expect(ps.length, type).toBeGreaterThan(2);
      for (let i = 1; i < ps.length; i++) expect(ps[i]!.done).toBeGreaterThanOrEqual(ps[i - 1]!.done);
      expect(ps.at(-1)!.done).toBe(ps.at(-1)!.total);
    }
    expect(progress.at(-1)).toEqual({ type: 'done', bytes: blob.size });

    const alpaca = await run(db, fx.project.id, opts({ format: 'alpaca-json', provenance: false, realPercent: 10 }));
    expect(checkAlpacaJson(await alpaca.blob.text())).toEqual([]);
    const s = new ImportSession();
    const [a] = await s.analyse([new File([alpaca.blob], 'x.alpaca.json')]);
    expect(a!.issueCount).toBe(0);
    s.plan([a!.mapping], new Set());
    expect(s.drafts(false)).toHaveLength(S + 20);
  });

  it('writes Parquet into a real file through a FileSystemWritableFileStream (OPFS), which reads back', async () => {
    const db = await freshDb('export');
    const fx = await fixtureProject(db, { good: 25, seeds: 10 });
    const dir = await navigator.storage.getDirectory();
    const name = `export-${crypto.randomUUID()}.parquet`;
    const handle = await dir.getFileHandle(name, { create: true });
    try {
      const summary = await exportDataset(datasetSource(db), fx.project.id, opts({ format: 'parquet', realPercent: 20 }), new WritableSink(await handle.createWritable()));
      const file = await handle.getFile();
      expect(file.size).toBe(summary.bytes);
      const rows = await parquetReadObjects({ file: await file.arrayBuffer() });
      expect(rows).toHaveLength(25 + 6); // round(20 · 25 / 80) = 6
      expect(rows.filter((r) => r.source === 'seed')).toHaveLength(6);
      expect(rows.find((r) => r.source === 'synthetic')).toMatchObject({ judge: 'gpt-4o-mini', generator: 'Qwen2.5-0.5B' });
    } finally {
      await dir.removeEntry(name);
    }
  });

  it('aborts the sink and rethrows when writing fails (no half file is kept)', async () => {
    const db = await freshDb('export');
    const fx = await fixtureProject(db, { good: 5, seeds: 2 });
    const calls: string[] = [];
    const failing: ByteSink = {
      async write() {
        calls.push('write');
        throw Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
      },
      async close() {
        calls.push('close');
      },
      async abort() {
        calls.push('abort');
      },
    };
    await expect(exportDataset(datasetSource(db), fx.project.id, opts(), failing)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(calls).toEqual(['write', 'abort']);
  });
});
