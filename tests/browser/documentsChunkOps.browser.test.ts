import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src/lib/state/context';
import { I18n } from '../../src/lib/i18n/i18n.svelte';
import { Toasts } from '../../src/lib/state/toasts.svelte';
import type { Sample } from '../../src/lib/db/types';
import Harness from './DocumentsPanelsHarness.svelte';
import type { AppDb } from '../../src/lib/db/db';
import { addDocument, ChunkEditError, listChunks, listProjectChunks, mergeChunks, saveLabelTree, splitChunk, updateChunks } from '../../src/lib/db/documentsRepo';
import { createProject } from '../../src/lib/db/projectsRepo';
import type { StoredChunk, StoredDocument } from '../../src/lib/db/types';
import { chunkDocument, splitPoints } from '../../src/lib/documents/chunk';
import { documentDraft, pageAt, sha256Hex } from '../../src/lib/documents/draft';
import { buildLabelTree, deleteLabel, LabelTreeError, mergeLabels } from '../../src/lib/documents/labelTree';
import { estimateTextTokens } from '../../src/lib/documents/sentences';
import { buildDoc } from '../unit/documentsFixtures';
import { freshDb } from './freshDb';

/** A paged Chinese/English document stored with its chunks (one chunk per section, small sections). */
async function stored(db: AppDb, title = 'Guide'): Promise<{ doc: StoredDocument; chunks: StoredChunk[]; projectId: string }> {
  const project = await createProject(db, 'chunk ops');
  const x = buildDoc(
    [
      { h: 1, title: '适用范围', page: 1 },
      { p: '本指南适用于成人患者。儿童患者请参见附录。', page: 1 },
      { h: 1, title: 'Dosage', page: 2 },
      { p: 'Take one tablet a day. Do not exceed two tablets. See a doctor after a week.', page: 2 },
      { h: 1, title: 'Follow-up', page: 3 },
      { p: 'See the patient again after two weeks.', page: 3 },
      { h: 1, title: 'Appendix', page: 4 },
      { p: 'Children: 5 mg. Adults: 10 mg.', page: 4 },
    ],
    title,
  );
  const drafts = chunkDocument(x, { maxTokens: 200, overlapTokens: 0 }).chunks.map(({ index: _, id: __, ...c }) => c);
  const text = new TextEncoder().encode(x.text);
  const { document, chunks } = await addDocument(db, project.id, documentDraft({ name: `${title}.md`, size: text.length }, await sha256Hex(text), { format: 'markdown', doc: x }), drafts);
  return { doc: document, chunks, projectId: project.id };
}

/** What must hold for a document's stored chunks after any edit. */
async function checkChunks(db: AppDb, doc: StoredDocument): Promise<StoredChunk[]> {
  const rows = await listChunks(db, doc.id);
  expect(rows.map((c) => c.index)).toEqual(rows.map((_, i) => i));
  for (const c of rows) {
    expect(c.text).toBe(doc.text.slice(c.span[0], c.span[1]));
    expect(c.tokens).toBe(estimateTextTokens(c.text));
    expect(c.pages).toEqual([pageAt(doc.pageStarts, c.span[0]), pageAt(doc.pageStarts, c.span[1] - 1)]);
  }
  for (let i = 1; i < rows.length; i++) expect(rows[i]!.span[0]).toBeGreaterThanOrEqual(rows[i - 1]!.span[1]);
  return rows;
}

async function everything(db: AppDb) {
  return { chunks: await db.chunks.toArray(), documents: await db.documents.toArray(), projects: await db.projects.toArray() };
}

describe('chunk edits in real IndexedDB', () => {
  it('merges a chunk with the next one: union span, text re-read, pages joined, later chunks move up', async () => {
    const db = await freshDb('chunk-merge');
    const { doc, chunks } = await stored(db);
    expect(chunks).toHaveLength(4);
    const merged = await mergeChunks(db, chunks[1]!.id, chunks[2]!.id);
    expect(merged.id).toBe(chunks[1]!.id);
    expect(merged.span).toEqual([chunks[1]!.span[0], chunks[2]!.span[1]]);
    expect(merged.pages).toEqual([2, 3]);
    expect(merged.headingPath).toEqual(['Dosage']);
    const rows = await checkChunks(db, doc);
    expect(rows.map((c) => c.id)).toEqual([chunks[0]!.id, chunks[1]!.id, chunks[3]!.id]);
    expect(await db.chunks.get(chunks[2]!.id)).toBeUndefined();
    expect((await db.documents.get(doc.id))!.updatedAt).toBeGreaterThanOrEqual(doc.updatedAt);
  });

  it('refuses to merge chunks that are not neighbours, or of two documents, and changes nothing', async () => {
    const db = await freshDb('chunk-merge-refused');
    const { chunks } = await stored(db);
    const { chunks: other } = await stored(db, 'Other');
    const before = await everything(db);
    await expect(mergeChunks(db, chunks[0]!.id, chunks[2]!.id)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(mergeChunks(db, chunks[1]!.id, chunks[0]!.id)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(mergeChunks(db, chunks[3]!.id, other[0]!.id)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(mergeChunks(db, chunks[0]!.id, 'gone')).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await everything(db)).toEqual(before);
  });

  it('splits a chunk at a sentence boundary: the second part comes right after, later chunks move down', async () => {
    const db = await freshDb('chunk-split');
    const { doc, chunks } = await stored(db);
    const c = chunks[1]!;
    const points = splitPoints(doc.text, c.span);
    const at = doc.text.indexOf('Do not exceed');
    expect(points).toContain(at);
    const [a, b] = await splitChunk(db, c.id, at);
    expect(a.id).toBe(c.id);
    expect(b.span).toEqual([at, c.span[1]]);
    expect(b.text).toBe('Do not exceed two tablets. See a doctor after a week.');
    const rows = await checkChunks(db, doc);
    expect(rows.map((r) => r.id)).toEqual([chunks[0]!.id, c.id, b.id, chunks[2]!.id, chunks[3]!.id]);
    // Merge them back: the chunk is as it was (span, text, pages, tokens).
    const back = await mergeChunks(db, a.id, b.id);
    expect({ ...back }).toEqual({ ...c });
    await checkChunks(db, doc);
  });

  it('refuses a split point outside the chunk, changing nothing', async () => {
    const db = await freshDb('chunk-split-refused');
    const { chunks } = await stored(db);
    const before = await everything(db);
    const c = chunks[1]!;
    await expect(splitChunk(db, c.id, c.span[0])).rejects.toBeInstanceOf(ChunkEditError);
    await expect(splitChunk(db, c.id, c.span[1] + 5)).rejects.toBeInstanceOf(ChunkEditError);
    await expect(splitChunk(db, 'gone', 3)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await everything(db)).toEqual(before);
  });

  it('a write that fails half-way leaves nothing half-written (merge and split)', async () => {
    const db = await freshDb('chunk-atomic');
    const { chunks } = await stored(db);
    const before = await everything(db);
    // The last write of a merge (the shifted chunks, after the delete) and of a split (the new
    // chunk's add, after the shifts) fail: the earlier writes of the same transaction must go too.
    const fail = () => {
      throw new Error('disk full (simulated)');
    };
    db.chunks.hook('creating', fail);
    await expect(splitChunk(db, chunks[0]!.id, splitPoints((await db.documents.toArray())[0]!.text, chunks[0]!.span)[0]!)).rejects.toThrow(/simulated/);
    db.chunks.hook('creating').unsubscribe(fail);
    expect(await everything(db)).toEqual(before);
    db.chunks.hook('updating', fail);
    await expect(mergeChunks(db, chunks[0]!.id, chunks[1]!.id)).rejects.toThrow(/simulated/);
    db.chunks.hook('updating').unsubscribe(fail);
    expect(await everything(db)).toEqual(before);
  });

  it('any sequence of merges and splits keeps the index dense, the spans in order and the same text covered', async () => {
    const db = await freshDb('chunk-sequence');
    const project = await createProject(db, 'sequence');
    const parts = Array.from({ length: 24 }, (_, i) =>
      i % 4 === 0
        ? { h: 2 as const, title: `Section ${i / 4 + 1}`, page: Math.floor(i / 3) + 1 }
        : { p: `Paragraph ${i} opens here. It has a second sentence. 第${i}段的第三句。And a last one?`, page: Math.floor(i / 3) + 1 },
    );
    const x = buildDoc(parts, 'Sequence');
    const drafts = chunkDocument(x, { maxTokens: 12, overlapTokens: 0, removeRepeatedLines: false, markDuplicates: false }).chunks.map(({ index: _, id: __, ...c }) => c);
    const text = new TextEncoder().encode(x.text);
    const { document: doc } = await addDocument(db, project.id, documentDraft({ name: 'seq.md', size: text.length }, await sha256Hex(text), { format: 'markdown', doc: x }), drafts);
    const covered = (rows: StoredChunk[]) => {
      const on = new Set<number>();
      for (const c of rows) for (let i = c.span[0]; i < c.span[1]; i++) if (/\S/u.test(doc.text[i]!)) on.add(i);
      return on;
    };
    const start = await checkChunks(db, doc);
    const want = covered(start);
    // A fixed pseudo-random walk (the same every run).
    let r = 7;
    const next = () => (r = (Math.imul(r, 1103515245) + 12345) >>> 0) / 4294967296;
    expect(start.length).toBeGreaterThan(20);
    const done = { merge: 0, split: 0 };
    for (let step = 0; step < 30; step++) {
      const rows = await listChunks(db, doc.id);
      const i = Math.floor(next() * rows.length);
      const points = splitPoints(doc.text, rows[i]!.span);
      if ((next() < 0.5 || i === rows.length - 1) && points.length) {
        await splitChunk(db, rows[i]!.id, points[Math.floor(next() * points.length)]!);
        done.split++;
      } else if (i < rows.length - 1) {
        await mergeChunks(db, rows[i]!.id, rows[i + 1]!.id);
        done.merge++;
      }
      expect(covered(await checkChunks(db, doc))).toEqual(want);
    }
    expect(done.merge).toBeGreaterThan(5);
    expect(done.split).toBeGreaterThan(5);
  });

  it('excludes by hand and includes again', async () => {
    const db = await freshDb('chunk-exclude');
    const { doc, chunks } = await stored(db);
    await updateChunks(db, [chunks[2]!.id], { excluded: 'user' });
    expect((await listChunks(db, doc.id)).map((c) => c.excluded ?? null)).toEqual([null, null, 'user', null]);
    await updateChunks(db, [chunks[2]!.id], { excluded: null });
    expect((await listChunks(db, doc.id)).every((c) => c.excluded === undefined)).toBe(true);
  });

  it('stores the label tree with every chunk’s label in one transaction; merges and deletes re-resolve the labels', async () => {
    const db = await freshDb('chunk-labels');
    const { doc, chunks, projectId } = await stored(db);
    const { tree, labels } = buildLabelTree([{ title: doc.title, chunks }]);
    const assign = new Map(chunks.map((c, i) => [c.id, labels[0]![i]!]));
    expect(await saveLabelTree(db, projectId, tree, assign)).toBe(4);
    expect((await db.projects.get(projectId))!.labels).toEqual(tree);
    const tagged = await listProjectChunks(db, projectId);
    expect(new Map(tagged.map((c) => [c.id, c.label]))).toEqual(assign);

    // Merge "Follow-up" into "Dosage", delete "Appendix" (top level under the document: its chunk goes to the document's label).
    const dosage = assign.get(chunks[1]!.id)!;
    const follow = assign.get(chunks[2]!.id)!;
    const appendix = assign.get(chunks[3]!.id)!;
    const next = deleteLabel(mergeLabels(tree, follow, dosage), appendix);
    expect(await saveLabelTree(db, projectId, next)).toBe(2);
    const after = new Map((await listChunks(db, doc.id)).map((c) => [c.index, c.label]));
    expect([...after.values()]).toEqual([assign.get(chunks[0]!.id), dosage, dosage, tree.nodes[0]!.id]);
    expect((await db.projects.get(projectId))!.labels).toEqual(next);
  });

  it('refuses a label that is not in the tree, or an unknown project, with nothing changed', async () => {
    const db = await freshDb('chunk-labels-refused');
    const { chunks, projectId } = await stored(db);
    const { tree } = buildLabelTree([{ title: 'Guide', chunks }]);
    const before = await everything(db);
    await expect(saveLabelTree(db, projectId, tree, new Map([[chunks[0]!.id, 'L999']]))).rejects.toBeInstanceOf(LabelTreeError);
    await expect(saveLabelTree(db, 'no-such-project', tree)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await everything(db)).toEqual(before);
  });
});

describe('the chunk view, label tree and coverage components on real IndexedDB', () => {
  let mounted: { app: ReturnType<typeof mount>; box: HTMLElement } | null = null;
  afterEach(() => {
    if (!mounted) return;
    unmount(mounted.app);
    mounted.box.remove();
    mounted = null;
  });

  function show(db: AppDb, view: 'chunks' | 'labels' | 'coverage' | 'both', id: string, locale: 'en' | 'zh' = 'en') {
    const box = document.createElement('div');
    box.style.width = '390px';
    document.body.append(box);
    const ctx = { db, i18n: new I18n(locale), toasts: new Toasts() } as unknown as AppContext;
    const app = mount(Harness, { target: box, props: { ctx, view, id } });
    mounted = { app, box };
    return { box, ctx };
  }
  const button = (box: HTMLElement, name: string): HTMLButtonElement => {
    const b = [...box.ownerDocument.querySelectorAll('button')].find((x) => (x.getAttribute('aria-label') ?? x.textContent!.trim()) === name);
    if (!b) throw new Error(`no button named “${name}”`);
    return b;
  };
  const summary = (box: HTMLElement) => box.querySelector('[data-testid=chunk-summary]')?.textContent?.trim();

  it('chunk view: summary, exclude, merge, split and re-chunk by buttons with accessible names; text shown as text', async () => {
    const db = await freshDb('chunk-view');
    const { doc, chunks } = await stored(db);
    const { box, ctx } = show(db, 'chunks', doc.id);
    await vi.waitFor(() => expect(summary(box)).toBe('4 chunks, 0 excluded (duplicates: 0, boilerplate: 0, by you: 0)'));
    expect(box.querySelectorAll('[data-testid=chunk-row]')).toHaveLength(4);
    expect(box.querySelector('[data-testid=chunk-pages]')!.textContent).toBe('p. 1');

    button(box, 'Exclude chunk 3').click();
    await vi.waitFor(() => expect(summary(box)).toBe('4 chunks, 1 excluded (duplicates: 0, boilerplate: 0, by you: 1)'));
    expect((await db.chunks.get(chunks[2]!.id))!.excluded).toBe('user');
    expect(box.querySelector('[data-testid=chunk-excluded]')!.textContent).toBe('Excluded by you');
    button(box, 'Include chunk 3').click();
    await vi.waitFor(() => expect(summary(box)).toContain('0 excluded'));

    expect(button(box, 'Merge with next (chunk 4)').disabled).toBe(true);
    button(box, 'Merge with next (chunk 2)').click();
    await vi.waitFor(() => expect(summary(box)).toMatch(/^3 chunks/));
    expect((await listChunks(db, doc.id)).map((c) => c.headingPath[0])).toEqual(['适用范围', 'Dosage', 'Appendix']);

    button(box, 'Split chunk 2').click();
    flushSync();
    const reader = document.querySelector('[data-testid=chunk-reader]')!;
    expect(reader.querySelector('[data-testid=chunk-text]')!.textContent).toBe((await listChunks(db, doc.id))[1]!.text);
    expect(reader.querySelector('[data-testid=chunk-text]')!.children).toHaveLength(0);
    (reader.querySelector('[data-testid=chunk-split-middle]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(summary(box)).toMatch(/^4 chunks/));
    await checkChunks(db, doc);
    expect(document.querySelector('[data-testid=chunk-reader]')).toBeNull();

    // Re-chunk: bad settings are refused before anything is asked; then it asks first,
    // cancelling changes nothing, confirming cuts the document again.
    const before = await listChunks(db, doc.id);
    const overlapInput = box.querySelector('[data-testid=chunk-overlap]') as HTMLInputElement;
    overlapInput.value = '300';
    overlapInput.dispatchEvent(new Event('input'));
    (box.querySelector('[data-testid=chunk-rechunk]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(ctx.toasts.list.at(-1)?.text).toMatch(/not changed: Overlap must be between 0 and half the chunk size \(200 tokens\)/));
    expect(document.querySelector('[data-testid=confirm-dialog]')).toBeNull();
    overlapInput.value = '40';
    overlapInput.dispatchEvent(new Event('input'));
    (box.querySelector('[data-testid=chunk-rechunk]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(document.querySelector('[data-testid=confirm-dialog]')).not.toBeNull());
    (document.querySelector('[data-testid=confirm-cancel]') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 50));
    expect(await listChunks(db, doc.id)).toEqual(before);
    (box.querySelector('[data-testid=chunk-rechunk]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(document.querySelector('[data-testid=confirm-ok]')).not.toBeNull());
    (document.querySelector('[data-testid=confirm-ok]') as HTMLButtonElement).click();
    await vi.waitFor(async () => expect((await listChunks(db, doc.id)).map((c) => c.id)).not.toEqual(before.map((c) => c.id)));
    await vi.waitFor(() => expect(summary(box)).toMatch(/^4 chunks/));
    expect(box.scrollWidth).toBeLessThanOrEqual(390);
  });

  it('chunk view in Chinese: a refused overlap is said in Chinese, with nothing changed', async () => {
    const db = await freshDb('chunk-view-zh');
    const { doc } = await stored(db);
    const { box, ctx } = show(db, 'chunks', doc.id, 'zh');
    await vi.waitFor(() => expect(box.querySelectorAll('[data-testid=chunk-row]')).toHaveLength(4));
    const before = await listChunks(db, doc.id);
    const overlapInput = box.querySelector('[data-testid=chunk-overlap]') as HTMLInputElement;
    overlapInput.value = '300';
    overlapInput.dispatchEvent(new Event('input'));
    (box.querySelector('[data-testid=chunk-rechunk]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(ctx.toasts.list.at(-1)?.text).toBe('分块未作任何更改：重叠必须介于 0 和分块大小的一半（200 个词元）之间；当前为 300。'));
    expect(document.querySelector('[data-testid=confirm-dialog]')).toBeNull();
    expect(await listChunks(db, doc.id)).toEqual(before);
  });

  it('label tree: builds from headings, tags every chunk, renames and moves with buttons, applies an outline', async () => {
    const db = await freshDb('label-panel');
    const { doc, projectId } = await stored(db);
    const { box } = show(db, 'labels', projectId);
    await vi.waitFor(() => expect(button(box, 'Build from headings').disabled).toBe(false));
    button(box, 'Build from headings').click();
    await vi.waitFor(() => expect(box.querySelectorAll('[data-testid=label-node]')).toHaveLength(5));
    const titles = () => [...box.querySelectorAll('[data-testid=label-node]')].map((b) => b.textContent);
    expect(titles()).toEqual(['Guide', '适用范围', 'Dosage', 'Follow-up', 'Appendix']);
    expect((await listChunks(db, doc.id)).every((c) => c.label !== undefined)).toBe(true);
    expect(box.querySelector('ul[aria-label="Labels"]')).not.toBeNull();

    button(box, 'Dosage').click();
    flushSync();
    expect(button(box, 'Dosage').getAttribute('aria-pressed')).toBe('true');
    const input = box.querySelector('[data-testid=label-rename-input]') as HTMLInputElement;
    input.value = 'Doses';
    input.dispatchEvent(new Event('input'));
    button(box, 'Rename').click();
    await vi.waitFor(() => expect(titles()).toContain('Doses'));
    button(box, 'Move up').click();
    await vi.waitFor(() => expect(titles()).toEqual(['Guide', 'Doses', '适用范围', 'Follow-up', 'Appendix']));
    button(box, 'Move down').click();
    await vi.waitFor(() => expect(titles()).toEqual(['Guide', '适用范围', 'Doses', 'Follow-up', 'Appendix']));
    const parentOf = async (title: string) => {
      const t = (await db.projects.get(projectId))!.labels!;
      const p = t.nodes.find((n) => n.title === title)!.parent;
      return p && t.nodes.find((n) => n.id === p)!.title;
    };
    button(box, 'Indent').click();
    await vi.waitFor(async () => expect(await parentOf('Doses')).toBe('适用范围'));
    button(box, 'Outdent').click();
    await vi.waitFor(async () => expect(await parentOf('Doses')).toBe('Guide'));
    await vi.waitFor(() => expect(titles()).toEqual(['Guide', '适用范围', 'Doses', 'Follow-up', 'Appendix']));

    button(box, 'Edit as outline').click();
    flushSync();
    const area = box.querySelector('[data-testid=labels-outline]') as HTMLTextAreaElement;
    expect(area.value).toBe('- Guide\n  - 适用范围\n  - Doses\n  - Follow-up\n  - Appendix');
    area.value = '- Guide\n  - 适用范围\n  - Doses\n    - Follow-up\n  - Appendix\n  - Glossary';
    area.dispatchEvent(new Event('input'));
    button(box, 'Apply outline').click();
    await vi.waitFor(() => expect(titles()).toEqual(['Guide', '适用范围', 'Doses', 'Follow-up', 'Appendix', 'Glossary']));
    // Labels whose path changed ("Follow-up" moved under "Doses") get new ids: their chunks are untagged, the others keep theirs.
    const tree = (await db.projects.get(projectId))!.labels!;
    const ids = new Set(tree.nodes.map((n) => n.id));
    expect((await listChunks(db, doc.id)).filter((c) => c.label !== undefined).every((c) => ids.has(c.label!))).toBe(true);

    // A bad outline changes nothing and says what is wrong.
    area.value = 'not a list';
    area.dispatchEvent(new Event('input'));
    button(box, 'Apply outline').click();
    await vi.waitFor(() => expect(box.querySelector('[data-testid=labels-error]')?.textContent).toMatch(/not a list item/));
    expect((await db.projects.get(projectId))!.labels).toEqual(tree);
  });

  it('coverage: per label and per document, uncovered chunks and labels named, in Chinese too', async () => {
    const db = await freshDb('coverage-panel');
    const { doc, chunks, projectId } = await stored(db);
    const { tree, labels } = buildLabelTree([{ title: doc.title, chunks }]);
    await saveLabelTree(db, projectId, tree, new Map(chunks.map((c, i) => [c.id, labels[0]![i]!])));
    const base = { projectId, runId: 'r', seedId: null, parentId: null, operation: 'grounded', round: 0, persona: null, input: '', output: 'o', rejectReason: null, score: 4, duplicateOf: null, lineage: {}, createdAt: 1, updatedAt: 1 };
    const src = (i: number) => ({ documentId: doc.id, documentName: doc.name, chunkId: chunks[i]!.id, chunkIndex: i, pages: null, headingPath: chunks[i]!.headingPath, span: chunks[i]!.span, cited: [], label: labels[0]![i]! });
    const samples: Sample[] = [
      { ...base, id: 's1', instruction: 'q1', status: 'accepted', source: src(1) },
      { ...base, id: 's2', instruction: 'q2', status: 'accepted', source: src(1) },
      { ...base, id: 's3', instruction: 'q3', status: 'rejected', source: src(2) },
    ];
    await db.samples.bulkAdd(samples);
    const { box } = show(db, 'coverage', projectId);
    await vi.waitFor(() => expect(box.querySelector('[data-testid=coverage-total]')?.textContent?.trim()).toBe('1 of 4 chunks have an accepted sample; 2 accepted samples from documents.'));
    const rows = [...box.querySelectorAll('[data-testid=coverage-label-row]')];
    expect(rows.map((r) => r.querySelector('th')!.textContent!.trim())).toEqual(['Guide', '适用范围 Not covered', 'Dosage', 'Follow-up Not covered', 'Appendix Not covered']);
    expect(rows[2]!.querySelector('[role=img]')!.getAttribute('aria-label')).toBe('1 of 1 chunks covered');
    expect(box.querySelector('[data-testid=coverage-uncovered-labels]')!.textContent).toBe('3 labels have no accepted sample yet.');
    expect(box.querySelector('[data-testid=coverage-uncovered-chunks]')!.textContent).toBe('Chunks without an accepted sample: 1, 3, 4');
    expect(box.scrollWidth).toBeLessThanOrEqual(390);

    unmount(mounted!.app);
    mounted!.box.remove();
    const zh = show(db, 'coverage', projectId, 'zh');
    await vi.waitFor(() => expect(zh.box.querySelector('[data-testid=coverage-total]')?.textContent?.trim()).toBe('4 个分块中有 1 个已有通过的样本；来自文档的通过样本共 2 条。'));
  });

  it('a change of the label tree refreshes the coverage beside it (onchange → refresh)', async () => {
    const db = await freshDb('labels-coverage');
    const { projectId } = await stored(db);
    const { box } = show(db, 'both', projectId);
    await vi.waitFor(() => expect(box.querySelector('[data-testid=coverage-total]')).not.toBeNull());
    expect(box.querySelectorAll('[data-testid=coverage-label-row]')).toHaveLength(0);
    await vi.waitFor(() => expect(button(box, 'Build from headings').disabled).toBe(false));
    button(box, 'Build from headings').click();
    await vi.waitFor(() => expect(box.querySelectorAll('[data-testid=coverage-label-row]')).toHaveLength(5));
    button(box, 'Dosage').click();
    flushSync();
    button(box, 'Delete').click();
    await vi.waitFor(() => expect(document.querySelector('[data-testid=confirm-ok]')).not.toBeNull());
    (document.querySelector('[data-testid=confirm-ok]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(box.querySelectorAll('[data-testid=coverage-label-row]')).toHaveLength(4));
  });
});
