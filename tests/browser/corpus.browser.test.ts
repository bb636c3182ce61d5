import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type AppDb } from '../../src/lib/db/db';
import { createProject } from '../../src/lib/db/projectsRepo';
import type { ImportApi } from '../../src/lib/io/importApi';
import type { ImportIssue, IssueCode } from '../../src/lib/io/types';
import { CORPUS_KINDS, malformedCorpus, type CorpusFile, type CorpusKind } from '../support/corpus';

/**
 * Issue 7: a corpus of generated malformed files through the real import worker, against a real
 * IndexedDB that already holds seeds. Nothing may throw, every issue names its file and a line in
 * it (0: the file as a whole, only for whole-file problems), every planted fault is reported at its
 * own line, and nothing stored changes.
 */

const FILES = 1_008; // 56 of each of the 18 kinds
const SEED = 0x5eedf00d;
const PER_FILE_MS = 30_000;
const FILE_LEVEL: IssueCode[] = ['emptyFile', 'binaryFile', 'csvNoHeader', 'readFailed', 'parquetInvalid'];
const CODES: IssueCode[] = [
  ...FILE_LEVEL,
  'invalidEncoding',
  'nulByte',
  'jsonSyntax',
  'jsonUnterminated',
  'notAnObject',
  'tooDeep',
  'csvUnterminatedQuote',
  'csvFieldCount',
  'noInstruction',
  'badConversation',
  'badInstances',
];

let worker: Worker;
let api: Comlink.Remote<ImportApi>;
let db: AppDb;
const uncaught: string[] = [];
const onWorkerError = (e: ErrorEvent) => uncaught.push(`worker: ${e.message}`);
const onRejection = (e: PromiseRejectionEvent) => uncaught.push(`page: ${String(e.reason)}`);
const onError = (e: ErrorEvent) => uncaught.push(`page: ${e.message}`);

/** Every table's rows, as JSON per table (a difference then names its table). */
async function snapshot(d: AppDb): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of d.tables) out[t.name] = (await t.toArray()).map((r) => JSON.stringify(r)).sort();
  return out;
}

function newWorker(): void {
  worker?.terminate();
  worker = new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module' });
  worker.addEventListener('error', onWorkerError);
  api = Comlink.wrap<ImportApi>(worker);
}

beforeAll(async () => {
  db = openDb(`corpus-${crypto.randomUUID()}`);
  await db.open();
  newWorker();
  await api.useDatabase(db.name);
  self.addEventListener('unhandledrejection', onRejection);
  self.addEventListener('error', onError);
});
afterAll(async () => {
  self.removeEventListener('unhandledrejection', onRejection);
  self.removeEventListener('error', onError);
  worker.terminate();
  db.close();
  await Dexie.delete(db.name);
});

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} took over ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Every way an issue list can be wrong for this file; empty when it is right. */
function problems(f: CorpusFile, issues: ImportIssue[]): string[] {
  const out: string[] = [];
  for (const x of issues) {
    if (x.file !== f.name) out.push(`issue names file ${JSON.stringify(x.file)}`);
    if (!Number.isInteger(x.line) || x.line < 0 || x.line > f.maxLine) out.push(`issue ${x.code} at line ${x.line} (the file has ${f.maxLine})`);
    if (x.line === 0 && !FILE_LEVEL.includes(x.code)) out.push(`issue ${x.code} names no line`);
    if (!CODES.includes(x.code)) out.push(`unknown issue code ${x.code}`);
  }
  if (f.mustReport && !issues.length) out.push('no issue reported');
  for (const p of f.planted) {
    if (!issues.some((x) => x.line === p.line && p.codes.includes(x.code))) {
      out.push(`planted ${p.codes.join('|')} at line ${p.line} not reported; got ${issues.slice(0, 5).map((x) => `${x.code}@${x.line}`).join(', ') || 'no issues'}`);
    }
  }
  return out;
}

describe('malformed-file corpus through the real import worker (real IndexedDB)', () => {
  it(`${FILES} generated files: no uncaught error, every issue names file and line, nothing stored changes`, async () => {
    // Seeds already stored in two projects; the corpus is planned against the first.
    const p = await createProject(db, 'Kept');
    const other = await createProject(db, 'Other');
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ instruction: `Stored seed ${i}`, output: `answer ${i}` })).join('\n');
    for (const project of [p, other]) {
      const [a] = await api.analyse([new File([lines], 'stored.jsonl')], ['auto']);
      await api.plan(project.id, [a!.mapping]);
      expect(await api.commit(project.id, true)).toBe(50);
    }
    const before = await snapshot(db);

    const tried: Record<string, number> = {};
    const withIssue: Record<string, number> = {};
    const byCode: Record<string, number> = {};
    const failures: string[] = [];
    let rows = 0;
    let plannedSeeds = 0;
    let bytes = 0;
    let slowest = { ms: 0, name: '' };
    const t0 = performance.now();
    for (const f of malformedCorpus(SEED, FILES)) {
      tried[f.kind] = (tried[f.kind] ?? 0) + 1;
      bytes += f.bytes.length;
      const file = new File([f.bytes as BlobPart], f.name);
      const started = performance.now();
      try {
        const [a] = await within(api.analyse([file], [f.format]), PER_FILE_MS, `analysing ${f.name}`);
        const plan = await within(api.plan(p.id, [a!.mapping]), PER_FILE_MS, `planning ${f.name}`);
        // A file with nothing to store goes through the write path too: it must store nothing.
        if (plan.total === 0) expect(await api.commit(p.id, true)).toBe(0);
        else await api.cancel();
        const issues = [...a!.issues, ...plan.files[0]!.issues];
        rows += a!.rowCount;
        plannedSeeds += plan.total;
        if (a!.issueCount + plan.files[0]!.issueCount > 0) withIssue[f.kind] = (withIssue[f.kind] ?? 0) + 1;
        for (const x of issues) byCode[x.code] = (byCode[x.code] ?? 0) + 1;
        for (const why of problems(f, issues)) failures.push(`${f.kind} ${f.name}: ${why}`);
      } catch (e) {
        failures.push(`${f.kind} ${f.name}: threw ${(e as Error).name}: ${(e as Error).message}`);
        // A stuck or broken worker would fail every later file: start a fresh one.
        newWorker();
        await api.useDatabase(db.name);
      }
      const ms = performance.now() - started;
      if (ms > slowest.ms) slowest = { ms, name: f.name };
    }
    const seconds = (performance.now() - t0) / 1000;

    const total = Object.values(tried).reduce((n, x) => n + x, 0);
    console.log(
      [
        `corpus: ${total} files (${(bytes / 1048576).toFixed(1)} MB) in ${seconds.toFixed(1)} s; slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms`,
        `files per kind (with at least one issue): ${CORPUS_KINDS.map((k: CorpusKind) => `${k} ${tried[k] ?? 0} (${withIssue[k] ?? 0})`).join(', ')}`,
        `issues by code: ${Object.entries(byCode).sort((x, y) => y[1] - x[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`,
        `rows read ${rows}, seeds planned ${plannedSeeds}; failures ${failures.length}; uncaught ${uncaught.length}`,
      ].join('\n'),
    );

    expect(total).toBeGreaterThanOrEqual(1000);
    expect(failures.slice(0, 30)).toEqual([]);
    expect(uncaught).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
    // Hostile keys stay data: nothing reached a prototype.
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  }, 300_000);
});
