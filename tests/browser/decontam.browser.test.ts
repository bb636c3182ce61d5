import { describe, expect, it } from 'vitest';
import { datasetSource } from '../../src/lib/db/datasetSource';
import { addEvalSet, deleteEvalSet, dexieDecontamTarget, getEvalSets, listEvalSets } from '../../src/lib/db/evalSetsRepo';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { BlobSink } from '../../src/lib/io/export/sink';
import type { DatasetSource } from '../../src/lib/io/export/source';
import { DEFAULT_DECONTAM } from '../../src/lib/pipeline/recipe';
import { DEFAULT_SOURCE } from '../../src/lib/engines/modelSource';
import { readEvalFile, runDecontamPhase, type DecontamPhaseOptions, type DecontamProgress } from '../../src/lib/runner/decontamPhase';
import { fixtureProject } from './exportFixture';
import { freshDb } from './freshDb';

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
/** Item 0 is sample 1's instruction re-punctuated (exact), item 1 rewords sample 5's (shares a 5-gram), item 2 is seed 2's, item 3 matches nothing. */
const EVAL = jsonl([
  { question: 'explain TOPIC 1 in three sentences', answer: '1' },
  { question: 'Please explain topic 5 in three short sentences for a class.', answer: '2' },
  { question: 'Explain concept number 2!', answer: '3' },
  { question: 'What is the capital of a country that does not exist anywhere at all?', answer: '4' },
]);
const { enabled: _enabled, ...METHODS } = DEFAULT_DECONTAM;
const opts = (o: Partial<DecontamPhaseOptions> = {}): DecontamPhaseOptions => ({ ...METHODS, ngram: { ...METHODS.ngram, wordN: 5 }, appBase: '/', source: DEFAULT_SOURCE, ...o });
const exportOpts = { format: 'alpaca-jsonl' as const, provenance: true, acceptedOnly: true, minScore: null, skipDuplicates: true, realPercent: 0, selectionSeed: 1 };

describe('eval sets and the decontam phase (real IndexedDB)', () => {
  it('stores an eval set once, marks contaminated samples with their evidence, keeps the report, and the export leaves them out', async () => {
    const db = await freshDb('decontam');
    const fx = await fixtureProject(db, { good: 8, rejected: 1, seeds: 4 });
    const pid = fx.project.id;
    const draft = await readEvalFile(new File([EVAL], 'gsm8k.jsonl'));
    const { keys: _keys, ...row } = draft;
    const first = await addEvalSet(db, pid, row);
    const again = await addEvalSet(db, pid, row);
    expect(first.existing).toBe(false);
    expect(again).toEqual({ set: first.set, existing: true });
    expect(await listEvalSets(db, pid)).toEqual([first.set]);
    expect((await getEvalSets(db, pid))[0]!.items).toHaveLength(4);

    const progress: DecontamProgress[] = [];
    const out = await runDecontamPhase(datasetSource(db), dexieDecontamTarget(db), pid, opts(), (p) => progress.push(p));
    expect(progress[0]).toEqual({ stage: 'read' });
    expect(progress.at(-1)).toEqual({ stage: 'apply' });
    const id = (t: number) => `${fx.run.id}:${t}.0`;
    const samples = await db.samples.where('projectId').equals(pid).toArray();
    const marked = Object.fromEntries(samples.filter((s) => s.contamination).map((s) => [s.id, s.contamination]));
    expect(marked).toEqual({
      [id(1)]: { evalSet: 'gsm8k.jsonl', evalSetId: first.set.id, evalIndex: 0, method: 'exact', evidence: 'explain TOPIC 1 in three sentences', share: 1, matches: 1 },
      [id(5)]: { evalSet: 'gsm8k.jsonl', evalSetId: first.set.id, evalIndex: 1, method: 'ngram', evidence: 'explain topic 5 in three', share: expect.any(Number), matches: 1 },
    });
    expect(marked[id(5)]!.share).toBeCloseTo(1 / 7); // 1 of the item's 7 word 5-grams
    expect(out!.report).toMatchObject({ sets: [{ name: 'gsm8k.jsonl', sha256: first.set.sha256, count: 4, bytes: EVAL.length }], checked: { samples: 9, seeds: 4, chunks: 0 }, found: { samples: 2, seeds: 1, chunks: 0 } });
    expect(out!.material).toEqual([{ kind: 'seed', id: expect.any(String), mark: expect.objectContaining({ evalIndex: 2, method: 'exact' }) }]);
    expect((await db.projects.get(pid))!.decontam).toEqual(out!.report);

    // Export: the two marked samples are left out by default and counted for the card.
    const sink = new BlobSink('x');
    const summary = await exportDataset(datasetSource(db), pid, exportOpts, sink);
    const lines = (await sink.blob().text()).trim().split('\n').map((l) => JSON.parse(l) as { provenance: { id: string } });
    expect(lines.map((l) => l.provenance.id)).not.toContain(id(1));
    expect(lines.map((l) => l.provenance.id)).not.toContain(id(5));
    expect(lines).toHaveLength(6);
    expect(summary.leftOut.contaminated).toBe(2);
    expect(summary.decontam).toEqual({ report: out!.report, excluded: 2, kept: 0 });
    const kept = await exportDataset(datasetSource(db), pid, { ...exportOpts, includeContaminated: true }, new BlobSink('x'));
    expect(kept.plan.synthetic).toBe(8);
    expect(kept.decontam).toMatchObject({ excluded: 0, kept: 2 });

    // Again with only the n-gram method: a copy is still found (as a full overlap); marks are rewritten, not added to.
    await runDecontamPhase(datasetSource(db), dexieDecontamTarget(db), pid, opts({ exact: false }));
    expect((await db.samples.get(id(1)))!.contamination).toMatchObject({ method: 'ngram', share: 1 });
    // With a threshold no item reaches, the old marks are cleared.
    await runDecontamPhase(datasetSource(db), dexieDecontamTarget(db), pid, opts({ exact: false, ngram: { ...METHODS.ngram, wordN: 5, minShare: 1 } }));
    expect((await db.samples.get(id(5)))!.contamination).toBeNull();

    // Embedding asked where the store has no embedder: skipped, and the report says so.
    const src = datasetSource(db);
    const noEmbed: DatasetSource = { project: (i) => src.project(i), countSamples: (i) => src.countSamples(i), sampleIdsByStatus: (i, s) => src.sampleIdsByStatus(i, s), seedIdsInOrder: (i) => src.seedIdsInOrder(i), ids: (t, i) => src.ids(t, i), pages: (t, ids, n) => src.pages(t, ids, n), get: (t, i) => src.get(t, i) };
    const skipped = await runDecontamPhase(noEmbed, dexieDecontamTarget(db), pid, opts({ embedding: { enabled: true, threshold: 0.9, model: 'x' } }));
    expect(skipped!.report.skipped).toEqual(['embedding: no embedding model can run here']);
    expect(skipped!.report.found.samples).toBe(2);

    // Aborted: nothing is written.
    const before = (await db.projects.get(pid))!.decontam;
    const ctl = new AbortController();
    ctl.abort();
    await expect(runDecontamPhase(datasetSource(db), dexieDecontamTarget(db), pid, opts({ exact: false }), undefined, ctl.signal)).rejects.toMatchObject({ name: 'AbortedError' });
    expect((await db.projects.get(pid))!.decontam).toEqual(before);

    // No eval set: nothing to check, nothing written.
    await deleteEvalSet(db, first.set.id);
    expect(await runDecontamPhase(datasetSource(db), dexieDecontamTarget(db), pid, opts())).toBeNull();
    expect((await db.projects.get(pid))!.decontam).toEqual(before);
  });
});
