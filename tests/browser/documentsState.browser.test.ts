import { describe, expect, it } from 'vitest';
import { createProject } from '../../src/lib/db/projectsRepo';
import { listChunks, listDocuments, mergeChunks, updateChunks } from '../../src/lib/db/documentsRepo';
import { AppDb } from '../../src/lib/db/db';
import type { DBCore } from 'dexie';
import { addInWorker } from '../../src/lib/documents/extract/client';
import { DOCUMENT_EXTENSIONS, DocumentsState, dropTargetOf, POOL_SIZE, routeFiles, type DocumentJob } from '../../src/lib/state/documents.svelte';
import { detectFormat, FORMAT_EXTENSIONS } from '../../src/lib/documents/extract/detect';
import { freshDb } from './freshDb';
import { mount, unmount } from 'svelte';
import type { AppContext } from '../../src/lib/state/context';
import { I18n } from '../../src/lib/i18n/i18n.svelte';
import { Toasts } from '../../src/lib/state/toasts.svelte';
import Harness from './DocumentsPanelsHarness.svelte';
import { fixtureFile } from './documentsWorker';
import nettleUrl from '../fixtures/documents/nettle.pdf?url';
import fontconfigUrl from '../fixtures/documents/fontconfig-user.pdf?url';
import scannedUrl from '../fixtures/documents/scanned.pdf?url';
import protectedUrl from '../fixtures/documents/protected.pdf?url';
import docxUrl from '../fixtures/documents/guide.docx?url';
import semverUrl from '../fixtures/documents/semver-README.md?url';

/**
 * The Documents screen's state with real workers and real IndexedDB: files read at most
 * POOL_SIZE at a time, each stored with its chunks in one write or not at all; a protected PDF
 * waits for its password; a cancelled file leaves nothing behind.
 */

const ACTIVE = new Set<DocumentJob['phase']>(['reading', 'chunking', 'saving']);

/** Waits for `done()`, checking `invariant()` on every turn (no timing is assumed: it only looks). */
async function until(done: () => boolean, invariant: () => void = () => {}): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    invariant();
    if (done()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setUp(label: string) {
  const db = await freshDb(label);
  const project = await createProject(db, 'Docs');
  const state = new DocumentsState(db);
  await state.load(project.id);
  return { db, project, state };
}

describe('routing a drop', () => {
  const f = (name: string) => new File(['x'], name);
  it('sends documents to Documents, seed files to Seeds, and plain text by the screen', () => {
    const files = ['a.pdf', 'b.DOCX', 'c.md', 'd.markdown', 'e.html', 'f.htm', 'g.jsonl', 'h.csv', 'i.json', 'j.parquet', 'k.txt', 'l', 'm.EPUB'].map(f);
    const names = (r: { documents: File[]; seeds: File[] }) => [r.documents.map((x) => x.name), r.seeds.map((x) => x.name)];
    expect(names(routeFiles(files, false))).toEqual([['a.pdf', 'b.DOCX', 'c.md', 'd.markdown', 'e.html', 'f.htm', 'm.EPUB'], ['g.jsonl', 'h.csv', 'i.json', 'j.parquet', 'k.txt', 'l']]);
    expect(names(routeFiles(files, true))).toEqual([['a.pdf', 'b.DOCX', 'c.md', 'd.markdown', 'e.html', 'f.htm', 'k.txt', 'm.EPUB'], ['g.jsonl', 'h.csv', 'i.json', 'j.parquet', 'l']]);
  });

  it('routes to Documents, and offers in the picker, every name the extractor reads by (.xhtml, .mdown, .mkd went to the seed importer)', () => {
    const text = new TextEncoder().encode('# Title\n\nSome words.\n');
    const read = ['a.xhtml', 'b.mdown', 'c.MKD', 'd.md', 'e.htm', 'f.pdf', 'g.docx', 'h.epub'];
    for (const name of read) expect(detectFormat(text, name), name).not.toBe('text');
    expect(routeFiles(read.map(f), false).documents.map((x) => x.name)).toEqual(read);
    for (const format of Object.keys(FORMAT_EXTENSIONS) as (keyof typeof FORMAT_EXTENSIONS)[])
      for (const e of FORMAT_EXTENSIONS[format]) {
        expect(DOCUMENT_EXTENSIONS, e).toContain(e);
        expect(routeFiles([f(`x.${e}`)], true).documents, e).toHaveLength(1);
        // Plain text alone stays ambiguous: seeds unless the Documents screen is open.
        expect(routeFiles([f(`x.${e}`)], false).documents, e).toHaveLength(format === 'text' ? 0 : 1);
      }
    expect(dropTargetOf(['application/xhtml+xml'], false)).toBe('documents');
  });

  it('tells where a drag goes from its MIME types, and says both when it cannot tell', () => {
    expect(dropTargetOf(['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'], false)).toBe('documents');
    expect(dropTargetOf(['application/epub+zip'], false)).toBe('documents');
    expect(dropTargetOf(['text/csv', 'application/json'], true)).toBe('seeds');
    expect(dropTargetOf(['text/plain'], false)).toBe('seeds');
    expect(dropTargetOf(['text/plain'], true)).toBe('documents');
    expect(dropTargetOf(['application/pdf', 'text/csv'], false)).toBe('both');
    expect(dropTargetOf([''], false)).toBe('both');
    expect(dropTargetOf([], false)).toBe('both');
  });
});

describe('DocumentsState (real workers, real IndexedDB)', () => {
  it('reads files at most two at a time, stores each with its chunks, and stores nothing for a scan', async () => {
    const { db, project, state } = await setUp('docs-state-pool');
    const files = await Promise.all([
      fixtureFile(semverUrl, 'semver-README.md'),
      fixtureFile(docxUrl, 'guide.docx'),
      fixtureFile(fontconfigUrl, 'fontconfig-user.pdf'),
      fixtureFile(scannedUrl, 'scanned.pdf'),
    ]);
    state.add(files);
    expect(state.jobs.map((j) => j.name)).toEqual(files.map((f) => f.name));
    let most = 0;
    const last = new Map<number, { unit: string; done: number; total: number }>();
    await until(
      () => state.jobs.every((j) => j.phase === 'failed'),
      () => {
        const active = state.jobs.filter((j) => ACTIVE.has(j.phase)).length;
        most = Math.max(most, active);
        expect(active).toBeLessThanOrEqual(POOL_SIZE);
        for (const j of state.jobs) {
          if (!j.progress) continue;
          const p = { ...j.progress };
          expect(p.done).toBeLessThanOrEqual(p.total);
          // Within a unit (bytes, then pages) progress never goes back.
          const before = last.get(j.id);
          if (before?.unit === p.unit) expect(p.done).toBeGreaterThanOrEqual(before.done);
          last.set(j.id, p);
        }
      },
    );
    expect(most).toBeGreaterThan(0);
    // Only the scan is left, with its error and the pages that had no text.
    expect(state.jobs.map((j) => [j.name, j.error?.name, j.error?.pages])).toEqual([['scanned.pdf', 'NoTextLayerError', [1, 2]]]);
    await until(() => state.list.length === 3);
    const stored = await listDocuments(db, project.id);
    expect(stored.map((d) => d.name).sort()).toEqual(['fontconfig-user.pdf', 'guide.docx', 'semver-README.md']);
    expect(state.list.map((d) => d.name).sort()).toEqual(stored.map((d) => d.name).sort());
    for (const d of state.list) {
      const chunks = await listChunks(db, d.id);
      expect(d.chunks).toBe(chunks.length);
      expect(d.chunks).toBeGreaterThan(0);
      expect(d.excluded).toBe(chunks.filter((c) => c.excluded).length);
      // The list carries no text: the chunk view reads it from IndexedDB.
      expect('text' in d).toBe(false);
    }
    expect(state.list.find((d) => d.name === 'fontconfig-user.pdf')!.pages).toBe(15);
    expect((await db.documentFiles.toArray()).length).toBe(3);

    // Dismissing the failure forgets it; nothing was ever written for it.
    state.cancel(state.jobs[0]!.id);
    expect(state.jobs).toEqual([]);
    expect(await db.documents.count()).toBe(3);
  });

  it('has the worker store the file and return only a summary; the same file again is refused by name, with nothing written', async () => {
    const { db, project, state } = await setUp('docs-state-worker-store');
    const phases: string[] = [];
    const added = await addInWorker(await fixtureFile(semverUrl, 'semver-README.md'), project.id, db.name, {
      onProgress: (p) => void (phases.at(-1) !== p.unit && phases.push(p.unit)),
    });
    expect(phases.slice(-2)).toEqual(['chunking', 'saving']);
    const [doc] = await listDocuments(db, project.id);
    const chunks = await listChunks(db, doc!.id);
    // Only the summary crossed back: no text, blocks or chunk rows.
    expect(added).toEqual({ id: doc!.id, name: 'semver-README.md', pages: null, chunks: chunks.length, excluded: chunks.filter((c) => c.excluded).length, status: 'ready', warning: null });
    expect(chunks.length).toBeGreaterThan(0);
    expect(await db.documentFiles.get(doc!.id)).toBeDefined();

    // Through the state, under another name: refused as DocumentExistsError naming the stored one.
    await state.reload();
    const before = { documents: await db.documents.count(), chunks: await db.chunks.count(), files: await db.documentFiles.count() };
    state.add([await fixtureFile(semverUrl, 'copy.md')]);
    await until(() => state.jobs[0]?.phase === 'failed');
    expect(state.jobs[0]!.error).toMatchObject({ name: 'DocumentExistsError', existing: 'semver-README.md', message: expect.stringContaining('“copy.md” is already in this project as “semver-README.md”') });
    expect({ documents: await db.documents.count(), chunks: await db.chunks.count(), files: await db.documentFiles.count() }).toEqual(before);

    // A project deleted meanwhile: NotFoundError, nothing stored.
    const err = await addInWorker(await fixtureFile(docxUrl, 'guide.docx'), 'no-such-project', db.name).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotFoundError' });
    expect(await db.documents.count()).toBe(before.documents);
  });

  it('refreshes the list without reading any document text or chunk row, and still counts edits', async () => {
    const { db, project, state } = await setUp('docs-state-light');
    state.add([await fixtureFile(semverUrl, 'semver-README.md'), await fixtureFile(docxUrl, 'guide.docx')]);
    await until(() => state.list.length === 2 && state.jobs.length === 0);
    // A second connection to the same store, whose every value read is counted (Dexie middleware).
    const reads: string[] = [];
    const spied = new AppDb(db.name);
    spied.use({
      stack: 'dbcore',
      name: 'value-reads',
      create: (down: DBCore): DBCore => ({
        ...down,
        table(name) {
          const t = down.table(name);
          return {
            ...t,
            get: (req) => (reads.push(`${name}.get`), t.get(req)),
            getMany: (req) => (req.keys.length && reads.push(`${name}.getMany`), t.getMany(req)),
            query: (req) => (req.values && reads.push(`${name}.query`), t.query(req)),
            openCursor: (req) => (req.values && reads.push(`${name}.cursor`), t.openCursor(req)),
          };
        },
      }),
    });
    const light = new DocumentsState(spied);
    await light.load(project.id);
    // The two files are read side by side: either may be stored (and listed) first.
    const named = (list: typeof light.list, name: string) => list.find((d) => d.name === name)!;
    expect(light.list.map((d) => d.name).sort()).toEqual(['guide.docx', 'semver-README.md']);
    // The first load reads the document rows once (the spy sees it); later refreshes read none, and no chunk row ever.
    expect(reads).toEqual(['documents.getMany']);
    const semver = named(light.list, 'semver-README.md');
    const chunks = await listChunks(db, semver.id);
    await updateChunks(db, [chunks[0]!.id, chunks[1]!.id], { excluded: 'user' });
    await mergeChunks(db, chunks[2]!.id, chunks[3]!.id);
    const excludedBefore = chunks.filter((c) => c.excluded).length;
    reads.length = 0;
    await light.reload();
    expect(reads).toEqual([]);
    const after = await listChunks(db, semver.id);
    const edited = named(light.list, 'semver-README.md');
    expect(edited).toMatchObject({ chunks: after.length, excluded: after.filter((c) => c.excluded).length });
    expect(edited.chunks).toBe(semver.chunks - 1);
    expect(edited.excluded).toBeGreaterThanOrEqual(Math.max(2, excludedBefore));
    expect(named(light.list, 'guide.docx')).toEqual(named(state.list, 'guide.docx'));
    spied.close();
  });

  it('a failed read of the list is kept as the state’s error (thrown by load, never by refresh or a stored file), and cleared by one that works', async () => {
    const { db, project, state } = await setUp('docs-state-read-fails');
    db.close();
    await expect(state.load(project.id)).rejects.toMatchObject({ name: 'DatabaseClosedError' });
    expect(state.error?.name).toBe('DatabaseClosedError');
    // A file stored by its worker (which opens the database itself), then the list read again on
    // this side: the read fails, the error is shown, and no promise is left rejected unhandled.
    state.add([await fixtureFile(semverUrl, 'semver-README.md')]);
    await until(() => state.jobs.length === 0);
    await expect(state.refresh()).resolves.toBeUndefined();
    expect(state.error?.name).toBe('DatabaseClosedError');
    expect(state.list).toEqual([]);
    await db.open();
    await state.refresh();
    expect(state.error).toBeNull();
    expect(state.list.map((d) => d.name)).toEqual(['semver-README.md']);
  });

  it('the Documents screen shows a failed read in the UI language with Try again, which clears it once the read works', async () => {
    const { db, project, state } = await setUp('docs-state-screen-error');
    db.close();
    const box = document.createElement('div');
    document.body.append(box);
    const ctx = { db, i18n: new I18n('zh'), toasts: new Toasts(), documents: state, projects: { current: project } } as unknown as AppContext;
    const app = mount(Harness, { target: box, props: { ctx, view: 'screen', id: project.id } });
    try {
      await until(() => box.querySelector('[data-testid=documents-load-error]') !== null);
      const alert = box.querySelector('[data-testid=documents-load-error]')!;
      expect(alert.getAttribute('role')).toBe('alert');
      expect(alert.getAttribute('data-error')).toBe('DatabaseClosedError');
      expect(alert.textContent).toContain('无法读取此项目的文档');
      await db.open();
      (box.querySelector('[data-testid=documents-load-retry]') as HTMLButtonElement).click();
      await until(() => box.querySelector('[data-testid=documents-load-error]') === null);
      expect(state.error).toBeNull();
    } finally {
      unmount(app);
      box.remove();
    }
  });

  it('asks for the password of a protected PDF, again after a wrong one, and stores it with the right one', async () => {
    const { db, state } = await setUp('docs-state-password');
    state.add([await fixtureFile(protectedUrl, 'protected.pdf')]);
    await until(() => state.askingPassword !== undefined);
    expect(state.askingPassword!.wrongPassword).toBe(false);
    state.unlock(state.askingPassword!.id, 'wrong');
    await until(() => state.askingPassword?.wrongPassword === true);
    expect(await db.documents.count()).toBe(0);
    state.unlock(state.askingPassword!.id, 'seedforge');
    await until(() => state.jobs.length === 0 && state.list.length === 1);
    expect(state.list[0]!.name).toBe('protected.pdf');
    expect(await db.chunks.count()).toBe(state.list[0]!.chunks);
  });

  it('stops a file being read and drops one waiting: nothing stored for either', async () => {
    const { db, state } = await setUp('docs-state-cancel');
    const nettle = await fixtureFile(nettleUrl, 'nettle.pdf');
    // Three copies under other names: two are read, the third waits its turn.
    state.add([nettle, new File([nettle], 'b.pdf'), new File([nettle], 'c.pdf')]);
    const [a, b, c] = state.jobs.map((j) => j.id);
    expect(state.jobs.find((j) => j.id === c)!.phase).toBe('queued');
    state.cancel(c!);
    state.cancel(a!);
    state.cancel(b!);
    await until(() => state.jobs.length === 0);
    expect(await db.documents.count()).toBe(0);
    expect(await db.chunks.count()).toBe(0);
    expect(state.list).toEqual([]);
  });

  it('deletes a document with its chunks, and undo brings all of it back', async () => {
    const { db, state } = await setUp('docs-state-delete');
    state.add([await fixtureFile(docxUrl, 'guide.docx')]);
    await until(() => state.list.length === 1);
    const chunks = await db.chunks.count();
    const undo = await state.remove(state.list[0]!.id);
    expect(state.list).toEqual([]);
    expect(await db.chunks.count()).toBe(0);
    await undo();
    expect(state.list.map((d) => d.name)).toEqual(['guide.docx']);
    expect(await db.chunks.count()).toBe(chunks);
  });
});
