import { datasetSource } from '../../src/lib/db/datasetSource';
import { describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { datasetCard } from '../../src/lib/io/export/card';
import { BlobSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS } from '../../src/lib/io/export/types';
import { listRunsWithTasks } from '../../src/lib/db/runsRepo';
import { editSample, setSamplesStatus } from '../../src/lib/db/samplesRepo';
import { hasHumanReview, updateProjectNotes } from '../../src/lib/db/projectsRepo';
import { freshDb } from './freshDb';
import { documentProject, fixtureProject } from './exportFixture';

describe('dataset card from a stored project (issue 13, item 9)', () => {
  it('counts items accepted by the judge and by hand over each verdict, the seeds the run used, and the stored licence and description', async () => {
    const db = await freshDb('card');
    // 6 accepted with a judge score, 4 rejected by the pipeline (reason judge:lowScore), 30 seeds.
    const fx = await fixtureProject(db, { good: 6, rejected: 4, seeds: 30 });
    const rejected = (await db.samples.where('[projectId+status]').equals([fx.project.id, 'rejected']).toArray()).map((s) => s.id).sort();
    expect(rejected).toHaveLength(4);
    // One rejection becomes an unreadable judge reply; then a person accepts three of the four
    // through the repository the Review screen uses, and edits one judge-accepted sample.
    await db.samples.update(rejected[0]!, { rejectReason: 'judgeFailed' });
    // The checklist's Review step: no person has decided anything yet.
    expect(await hasHumanReview(db, fx.project.id)).toBe(false);
    await setSamplesStatus(db, rejected.slice(0, 3), 'accepted');
    const judged = (await db.samples.where('[projectId+status]').equals([fx.project.id, 'accepted']).toArray()).find((s) => !rejected.includes(s.id))!;
    expect(await hasHumanReview(db, fx.project.id)).toBe(true);
    await editSample(db, judged.id, { instruction: judged.instruction, input: judged.input, output: `${judged.output} (edited)` });
    // The run was limited to 5 of the project's 30 seeds.
    await db.runs.update(fx.run.id, { status: 'done', recipe: { ...fx.run.recipe, maxSeeds: 5 } });
    await updateProjectNotes(db, fx.project.id, { card: { license: 'cc-by-4.0', description: 'Everyday questions, answered briefly.' } });

    const summary = await exportDataset(datasetSource(db), fx.project.id, { ...DEFAULT_FILTERS, format: 'alpaca-jsonl', provenance: false }, new BlobSink('x'));
    expect(summary.plan.synthetic).toBe(9);
    expect(summary.acceptance).toEqual({ judge: 6, recipe: 0, byHand: { judgeFailed: 1, 'judge:lowScore': 2 }, pending: 0, edited: 1 });

    const project = (await db.projects.get(fx.project.id))!;
    const card = datasetCard({ projectName: project.name, summary, runs: await listRunsWithTasks(db, fx.project.id), dataFile: 'x.jsonl', createdAt: 0, license: project.card?.license, description: project.card?.description });
    expect(card).toMatch(/^---\nlicense: cc-by-4\.0\n/);
    expect(card).toContain('## Description\n\nEveryday questions, answered briefly.\n');
    expect(card).toContain('- 6 accepted by the judge');
    expect(card).toContain('- 2 accepted by hand over `judge:lowScore`');
    expect(card).toContain('- 1 accepted by hand over `judgeFailed`: a judge failure');
    expect(card).toContain('5 seeds used (seed limit 5; the project had 30).');
    expect(card).not.toContain('30 seeds used');
  });

  it('lists the source documents of document-made samples (name, type, pages, bytes, SHA-256, items) with the copyright warning, and never their text', async () => {
    const db = await freshDb('card');
    const fx = await documentProject(db, { good: 2, seeds: 2 });
    const summary = await exportDataset(datasetSource(db), fx.project.id, { ...DEFAULT_FILTERS, format: 'sharegpt-json', provenance: true, source: 'context' }, new BlobSink('x'));
    const card = datasetCard({ projectName: 'Docs', summary, runs: await listRunsWithTasks(db, fx.project.id), dataFile: 'x.json', createdAt: 0 });
    expect(card).toContain('## Source documents');
    expect(card).toContain(`- setup-guide.md (Markdown, 3 pages, ${fx.document.bytes} bytes), SHA-256 \`${fx.document.sha256}\`: 5 items.`);
    expect(card).toMatch(/may be copyrighted or confidential, and this dataset may reproduce their text/);
    expect(card).toContain('carries its source passage in the `context` field');
    // The card describes the documents; their text stays out of it.
    for (const c of fx.chunks) expect(card).not.toContain(c.text.slice(0, 30));
    // An export without document-made items (real seed data only) has no such section.
    const real = await exportDataset(datasetSource(db), fx.project.id, { ...DEFAULT_FILTERS, format: 'sharegpt-json', provenance: true, source: 'context', realPercent: 100 }, new BlobSink('x'));
    expect(real.documents).toBeUndefined();
    expect(datasetCard({ projectName: 'Docs', summary: real, runs: [], dataFile: 'x.json', createdAt: 0 })).not.toContain('Source documents');
  });
});
