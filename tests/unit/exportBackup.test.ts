import { describe, expect, it } from 'vitest';
import { BACKUP_VERSION, BackupFormatError, BackupVersionError, blobLines, endLine, headerLine, readBackup, rowLine } from '../../src/lib/io/export/backup';
import type { Project, Sample, StoredChunk, StoredDocument } from '../../src/lib/db/types';

const project: Project = { id: 'p1', name: 'Cats', createdAt: 1, updatedAt: 2 };
const sample = (i: number, over: Partial<Sample> = {}): Sample => ({
  id: `r1:${i}`, projectId: 'p1', runId: 'r1', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null,
  instruction: `i${i}`, input: '', output: 'o', status: 'accepted', rejectReason: null, score: 4, duplicateOf: null,
  lineage: { calls: [{ op: 'judge', role: 'judge', engine: 'openai', model: 'm', template: 'judge', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: null, completionTokens: null, ms: 1, retries: 0 }] }, createdAt: i, updatedAt: i, ...over,
});
const endpoint = { id: 'ep1', name: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', policy: { concurrency: 4, timeoutMs: 60000, maxRetries: 4, baseDelayMs: 1000, maxDelayMs: 60000 }, prices: null };
const counts = { recipes: 0, endpoints: 1, runs: 0, runSeeds: 0, seeds: 0, samples: 2, documents: 0, chunks: 0, pairs: 0 };
const SHA = 'ab'.repeat(32);
const doc = (over: Partial<StoredDocument> = {}): StoredDocument => ({
  id: 'd1', projectId: 'p1', name: '指南.md', type: 'markdown', bytes: 40, sha256: SHA, pages: null, title: '指南', text: '# 指南\n\n第一条。第二条。',
  blocks: [{ kind: 'heading', level: 1, title: '指南', start: 0, end: 4 }, { kind: 'paragraph', start: 6, end: 14 }], outline: [{ title: '指南', level: 1, offset: 0 }],
  pageStarts: [], status: 'ready', error: null, createdAt: 3, updatedAt: 3, ...over,
});
const chunk = (i: number, over: Partial<StoredChunk> = {}): StoredChunk => ({
  id: `c${i}`, projectId: 'p1', documentId: 'd1', index: i, text: '第一条。第二条。', headingPath: ['指南'], pages: null, span: [6, 14], tokens: 8, ...over,
});

function good(): string[] {
  return [headerLine(project, 5), rowLine('endpoints', endpoint), rowLine('samples', sample(1)), rowLine('samples', sample(2)), endLine(counts)].join('').split('\n');
}

async function* from(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

async function problem(lines: string[]): Promise<BackupFormatError> {
  try {
    await readBackup(from(lines));
  } catch (e) {
    if (e instanceof BackupFormatError) return e;
    throw e;
  }
  throw new Error('the backup was accepted');
}

describe('backup file reader', () => {
  it('reads a valid backup', async () => {
    const b = await readBackup(from(good()));
    expect(b.version).toBe(BACKUP_VERSION);
    expect(b.project).toEqual(project);
    expect(b.samples).toEqual([sample(1), sample(2)]);
    expect(b.endpoints).toEqual([endpoint]);
  });

  it('writes rows through their layout: unknown fields, such as a key on an endpoint, never reach the file', () => {
    const line = rowLine('endpoints', { ...endpoint, key: 'sk-secret-123', apiKey: 'sk-secret-456' });
    expect(line).not.toContain('sk-secret');
    expect(JSON.parse(line).row).toEqual(endpoint);
  });

  it('names the line and field of a wrong value', async () => {
    const lines = good();
    lines[2] = rowLine('samples', { ...sample(1), score: 'high' }).trim();
    const e = await problem(lines);
    expect(e.problems[0]).toMatchObject({ line: 3, field: 'row(samples).score' });
    expect(e.message).toMatch(/^line 3, row\(samples\)\.score: /);
  });

  it('takes the first non-blank line as the header (a file may start with an empty line)', async () => {
    const b = await readBackup(from(['', '  ', ...good()]));
    expect(b.samples).toEqual([sample(1), sample(2)]);
    // A row where the header should be is refused with its line, not a crash.
    const e = await problem(['', ...good().slice(1)]);
    expect(e.problems[0]).toMatchObject({ line: 2, field: 'format' });
  });

  it('names a line that is not JSON', async () => {
    const lines = good();
    lines[3] = '{"table":"samples","row":{';
    expect((await problem(lines)).problems[0]).toMatchObject({ line: 4, field: '' });
  });

  it('refuses a file that is not a backup, an empty file, and a truncated one', async () => {
    expect((await problem(['{"instruction":"x"}'])).message).toMatch(/line 1, format: not a Seedforge backup/);
    expect((await problem([])).message).toMatch(/empty/);
    const lines = good();
    expect((await problem(lines.slice(0, 3))).message).toMatch(/truncated/);
  });

  it('refuses counts that do not match, duplicate ids and rows of another project', async () => {
    const lines = good();
    lines[4] = endLine({ ...counts, samples: 3 }).trim();
    expect((await problem(lines)).problems[0]).toMatchObject({ field: 'counts.samples' });
    const dup = good();
    dup[3] = dup[2]!;
    expect((await problem(dup)).problems.map((p) => p.message).join()).toMatch(/appears twice/);
    const other = good();
    other[2] = rowLine('samples', sample(1, { projectId: 'p2' })).trim();
    expect((await problem(other)).problems[0]).toMatchObject({ line: 3, field: 'row(samples).projectId' });
  });

  it('refuses an endpoint row carrying any field beyond its configuration', async () => {
    const lines = good();
    lines[1] = JSON.stringify({ table: 'endpoints', row: { ...endpoint, key: 'sk-x' } });
    expect((await problem(lines)).problems[0]).toMatchObject({ line: 2, field: 'row(endpoints)' });
  });

  it('refuses a newer version with a clear error', async () => {
    const lines = good();
    lines[0] = JSON.stringify({ ...JSON.parse(lines[0]!), version: BACKUP_VERSION + 1 });
    await expect(readBackup(from(lines))).rejects.toBeInstanceOf(BackupVersionError);
    await expect(readBackup(from(lines))).rejects.toThrow(new RegExp(`format version ${BACKUP_VERSION + 1}.*reads versions up to ${BACKUP_VERSION}`));
  });

  it('reads documents and chunks, with a chunk that is excluded and one that is labelled', async () => {
    const rows = [doc(), chunk(0, { excluded: 'duplicate' }), chunk(1, { label: 'n1' })];
    const lines = [headerLine(project, 5), rowLine('documents', rows[0]), rowLine('chunks', rows[1]), rowLine('chunks', rows[2]), endLine({ ...counts, endpoints: 0, samples: 0, documents: 1, chunks: 2 })].join('').split('\n');
    const b = await readBackup(from(lines));
    expect(b.documents).toEqual([doc()]);
    expect(b.chunks).toEqual([chunk(0, { excluded: 'duplicate' }), chunk(1, { label: 'n1' })]);
    // A chunk whose document is not in the file would be restored as an orphan: refused.
    const orphan = [...lines];
    orphan[3] = rowLine('chunks', chunk(1, { documentId: 'd9' })).trim();
    expect((await problem(orphan)).problems[0]).toMatchObject({ field: 'row(chunks).documentId' });
    const badSha = [...lines];
    badSha[1] = rowLine('documents', doc({ sha256: 'xyz' })).trim();
    expect((await problem(badSha)).problems[0]).toMatchObject({ line: 2, field: 'row(documents).sha256' });
  });

  it('carries the project’s label tree in the header, and refuses a malformed one', async () => {
    const labels = { nodes: [{ id: 'L1', title: '指南', parent: null }, { id: 'L2', title: '剂量', parent: 'L1' }], merged: { L3: 'L2' }, next: 4 };
    const lines = good();
    lines[0] = headerLine({ ...project, labels }, 5).trim();
    expect((await readBackup(from(lines))).project).toEqual({ ...project, labels });
    lines[0] = headerLine({ ...project, labels: { ...labels, next: 0 } }, 5).trim();
    expect((await problem(lines)).problems[0]).toMatchObject({ line: 1, field: 'project.labels.next' });
  });

  it('reads a version-1 file as written by the Seedforge before documents: no documents, no chunks', async () => {
    // Verbatim layout of a version-1 file: its closing counts name six tables only.
    const v1 = [
      JSON.stringify({ format: 'seedforge-backup', version: 1, createdAt: 5, project }),
      JSON.stringify({ table: 'samples', row: sample(1) }),
      JSON.stringify({ end: true, counts: { recipes: 0, endpoints: 0, runs: 0, runSeeds: 0, seeds: 0, samples: 1 } }),
      '',
    ];
    const b = await readBackup(from(v1));
    expect(b.version).toBe(1);
    expect(b.samples).toEqual([sample(1)]);
    expect(b.documents).toEqual([]);
    expect(b.chunks).toEqual([]);
    // Its closing line still has to match what the file holds.
    const short = [...v1];
    short[2] = JSON.stringify({ end: true, counts: { recipes: 0, endpoints: 0, runs: 0, runSeeds: 0, seeds: 0, samples: 2 } });
    expect((await problem(short)).problems[0]).toMatchObject({ field: 'counts.samples' });
  });

  it('reads a blob line by line across chunk boundaries, UTF-8 included', async () => {
    const text = good().join('\n').replace('"i1"', '"解释复利"');
    const bytes = new TextEncoder().encode(text);
    // Split in the middle of a multi-byte character.
    const cut = bytes.indexOf(0xe8) + 1;
    const blob = new Blob([bytes.slice(0, cut), bytes.slice(cut)]);
    const lines: string[] = [];
    for await (const l of blobLines(blob)) lines.push(l);
    expect(lines.join('\n') + '\n').toBe(text);
    const b = await readBackup(blobLines(blob));
    expect(b.samples[0]!.instruction).toBe('解释复利');
  });
});
