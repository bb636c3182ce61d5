import { beforeEach, describe, expect, it } from 'vitest';
import type { AppDb } from '../../src/lib/db/db';
import { freshDb } from './freshDb';
import { editSample, forEachSamplePage, redactSample, restoreSamples, sampleChain, setSamplesStatus } from '../../src/lib/db/samplesRepo';
import { redactAll } from '../../src/lib/privacy/scan';
import type { Sample } from '../../src/lib/db/types';

let db: AppDb;
beforeEach(async () => {
  db = await freshDb('samples');
});

const sample = (id: string, over: Partial<Sample> = {}): Sample => ({
  id, projectId: 'p1', runId: 'r1', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null,
  instruction: `i ${id}`, input: '', output: `o ${id}`, status: 'accepted', rejectReason: null, score: 3, duplicateOf: null,
  lineage: { calls: [] }, createdAt: 1, updatedAt: 1, ...over,
});

describe('samples repository: redaction (real IndexedDB)', () => {
  it('redacts the text and every copy the sample keeps (earlier edits, model replies, reasoning, notes, verdict); nothing of the value is left', async () => {
    const PHONE = '13812345678';
    const scrub = (text: string) => redactAll({ text }, { names: [], terms: [], ignored: [] }, 'placeholder').fields.text!;
    await db.samples.add(sample('r1:p', {
      output: `Call ${PHONE}.`,
      lineage: { calls: [{ op: 'respond', role: 'responder' as const, engine: 'openai', model: 'm', template: 'respond', templateVersion: 1, templateHash: 'h', promptTokens: null, completionTokens: null, ms: 1, retries: 0, raw: `Call ${PHONE}.`, reasoning: `The number is ${PHONE}` }], notes: { critique: `mentions ${PHONE}`, n: 3 }, verdict: { score: 4, reason: `cites ${PHONE}` }, outputFrom: 'r1:p' },
    }));
    await editSample(db, 'r1:p', { instruction: 'i r1:p', input: '', output: `Please call ${PHONE} today.` });
    const next = await redactSample(db, 'r1:p', { output: 'Please call [PHONE_1] today.' }, scrub);
    const stored = (await db.samples.get('r1:p'))!;
    expect(stored).toEqual(next);
    expect(stored.output).toBe('Please call [PHONE_1] today.');
    expect(JSON.stringify(stored)).not.toContain(PHONE);
    expect(stored.lineage.human).toEqual([
      { kind: 'edit', at: expect.any(Number), before: { instruction: 'i r1:p', input: '', output: 'Call [PHONE_1].' } },
      { kind: 'redact', at: expect.any(Number) },
    ]);
    expect(stored.lineage).toMatchObject({ calls: [{ op: 'respond', raw: 'Call [PHONE_1].', reasoning: 'The number is [PHONE_1]' }], notes: { critique: 'mentions [PHONE_1]', n: 3 }, verdict: { score: 4, reason: 'cites [PHONE_1]' }, outputFrom: 'r1:p' });
    await expect(redactSample(db, 'gone', {}, scrub)).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('samples repository: curation (real IndexedDB)', () => {
  it('pages through one project in id order, never another project', async () => {
    const ids = Array.from({ length: 2503 }, (_, i) => `r1:${String(i).padStart(5, '0')}`);
    await db.samples.bulkAdd([...ids.map((id) => sample(id)), sample('r0:x', { projectId: 'p0' }), sample('r9:z', { projectId: 'p2' })]);
    const pages: number[] = [];
    const seen: string[] = [];
    await forEachSamplePage(db, 'p1', (rows) => {
      pages.push(rows.length);
      seen.push(...rows.map((r) => r.id));
    }, 1000);
    expect(pages).toEqual([1000, 1000, 503]);
    expect(seen).toEqual(ids);
  });

  it('rejects in bulk with the decision in the lineage, leaves judge rejections alone, and undoes exactly', async () => {
    await db.samples.bulkAdd([
      ...Array.from({ length: 2500 }, (_, i) => sample(`a${i}`)),
      sample('judged', { status: 'rejected', rejectReason: 'judge:lowScore' }),
    ]);
    const before = await db.samples.toArray();
    const ids = before.map((s) => s.id);
    const progress: number[] = [];
    const { prev, next } = await setSamplesStatus(db, ids, 'rejected', null, (done) => progress.push(done));
    expect(prev).toHaveLength(2500);
    expect(next.every((n) => n.status === 'rejected' && n.rejectReason === 'human:rejected')).toBe(true);
    expect(progress).toEqual([1000, 2000, 2501]);
    const a0 = (await db.samples.get('a0'))!;
    expect(a0).toMatchObject({ status: 'rejected', rejectReason: 'human:rejected' });
    expect(a0.lineage.human).toEqual([{ kind: 'reject', at: expect.any(Number), from: 'accepted' }]);
    expect((await db.samples.get('judged'))!.rejectReason).toBe('judge:lowScore');

    await restoreSamples(db, prev);
    expect(await db.samples.toArray()).toEqual(before);
  });

  it('a bulk action that fails writes nothing', async () => {
    await db.samples.bulkAdd(Array.from({ length: 1500 }, (_, i) => sample(`a${i}`)));
    const before = await db.samples.toArray();
    // The second chunk's write fails (its rows cannot be cloned) after the first chunk was put.
    const orig = db.samples.bulkPut.bind(db.samples);
    let calls = 0;
    db.samples.bulkPut = ((rows: Sample[]) => (++calls === 2 ? orig(rows.map((r) => ({ ...r, lineage: { notes: { bad: () => 1 } } }))) : orig(rows))) as typeof db.samples.bulkPut;
    await expect(setSamplesStatus(db, before.map((s) => s.id), 'rejected')).rejects.toThrow();
    db.samples.bulkPut = orig;
    expect(await db.samples.toArray()).toEqual(before);
  });

  it('an edit is a human revision: the text before it stays in the lineage, and undo puts it back', async () => {
    await db.samples.add(sample('e1'));
    const { prev, next } = await editSample(db, 'e1', { instruction: 'better', input: 'x', output: 'best' });
    expect(next).toMatchObject({ instruction: 'better', input: 'x', output: 'best' });
    expect(next.lineage.human).toEqual([{ kind: 'edit', at: expect.any(Number), before: { instruction: 'i e1', input: '', output: 'o e1' } }]);
    await restoreSamples(db, [prev]);
    expect(await db.samples.get('e1')).toEqual(sample('e1'));
    await expect(editSample(db, 'missing', { instruction: '', input: '', output: '' })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('walks the lineage chain to the seed as the run saw it', async () => {
    await db.runSeeds.add({ runId: 'r1', seeds: [{ id: 's1', instruction: 'seed as it was', input: '', output: '' }] });
    await db.seeds.add({ id: 's1', projectId: 'p1', instruction: 'seed edited since', input: '', output: '', system: '', tags: [], hash: 'h', source: { file: 'f', line: 1, format: 'jsonl' }, order: 0, createdAt: 1, updatedAt: 1 });
    await db.samples.bulkAdd([sample('r1:a', { seedId: 's1', round: 1 }), sample('r1:b', { seedId: 's1', parentId: 'r1:a', round: 2 }), sample('r1:c', { seedId: 's1', parentId: 'r1:b', round: 3 })]);
    const { chain, seed } = await sampleChain(db, 'r1:c');
    expect(chain.map((s) => s.id)).toEqual(['r1:a', 'r1:b', 'r1:c']);
    expect(seed?.instruction).toBe('seed as it was');
    // A cycle (corrupt data) ends the walk instead of hanging.
    await db.samples.update('r1:a', { parentId: 'r1:c' });
    expect((await sampleChain(db, 'r1:c')).chain.map((s) => s.id)).toEqual(['r1:a', 'r1:b', 'r1:c']);
  });
});
