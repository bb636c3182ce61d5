import { readFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ImportSession } from '../../src/lib/io/importSession';
import { suggestMapping } from '../../src/lib/io/shapes';
import type { ReadProgress } from '../../src/lib/io/types';

const fixture = (name: string) => new File([readFileSync(new URL(`../fixtures/${name}`, import.meta.url))], name);

describe('ImportSession', () => {
  it('reads the 175 Self-Instruct tasks and the Chinese .json file holding JSON Lines', async () => {
    const s = new ImportSession();
    const [si, zh] = await s.analyse([fixture('self-instruct-seed-tasks.jsonl'), fixture('zh-alpaca.json')]);
    expect(si).toMatchObject({ format: 'jsonl', rowCount: 175, issueCount: 0, mapping: { shape: 'selfInstruct' } });
    expect(zh).toMatchObject({ format: 'jsonl', rowCount: 175, issueCount: 0, mapping: { shape: 'alpaca' } });
    const plan = s.plan([si!.mapping, zh!.mapping], new Set());
    expect(plan.total).toBe(350);
    expect(plan.duplicateInImport).toBe(0);
    const drafts = s.drafts(true);
    expect(drafts).toHaveLength(350);
    expect(drafts[3]).toMatchObject({ instruction: 'Write a short poem about photosynthesis.', source: { file: 'self-instruct-seed-tasks.jsonl', line: 4 } });
    expect(drafts[3]!.instances).toHaveLength(2);
    expect(drafts[175]!.instruction).toBe('解释光合作用的要点（第1题）。');
  });

  it('flags duplicates within the import and against existing hashes, and skips them on request', async () => {
    const s = new ImportSession();
    const csv = fixture('prompts.csv');
    const a = await s.analyse([csv, new File([await csv.arrayBuffer()], 'again.csv')]);
    const first = s.plan(a.map((x) => x.mapping), new Set());
    expect(first).toMatchObject({ total: 8, duplicateInImport: 4, duplicateExisting: 0 });
    const existing = new Set([first.preview[0]!.hash]);
    const second = s.plan(a.map((x) => x.mapping), existing);
    expect(second).toMatchObject({ total: 8, duplicateInImport: 3, duplicateExisting: 2 });
    expect(s.drafts(true)).toHaveLength(3);
    expect(s.drafts(false)).toHaveLength(8);
  });

  it('re-maps with a user-edited mapping and reports rows the mapping leaves empty', async () => {
    const s = new ImportSession();
    const [a] = await s.analyse([new File(['title,body\nT1,B1\nT2,\n'], 'x.csv')]);
    expect(a!.mapping.instruction).toBe('title');
    const m = suggestMapping('custom', a!.keys, a!.sample);
    m.instruction = 'body';
    const plan = s.plan([m], new Set());
    expect(plan.total).toBe(1);
    expect(plan.files[0]!.issues).toEqual([{ file: 'x.csv', line: 3, code: 'noInstruction', detail: 'body' }]);
  });

  it('reads Parquet, including nested chat columns, and rejects a file that is not Parquet', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'instruction', data: ['Add 2 and 3', '解释复利'], type: 'STRING' },
        { name: 'output', data: ['5', '利滚利'], type: 'STRING' },
        { name: 'id', data: [1n, 2n], type: 'INT64' },
      ],
    });
    const s = new ImportSession();
    const [pq, bad, named] = await s.analyse([
      new File([buf], 'seeds.parquet'),
      new File(['instruction,output\n'], 'fake.parquet'),
      new File([buf], 'misnamed.csv'),
    ]);
    expect(pq).toMatchObject({ format: 'parquet', rowCount: 2, issueCount: 0, mapping: { shape: 'alpaca' } });
    expect(pq!.sample[0]).toEqual({ instruction: 'Add 2 and 3', output: '5', id: 1 });
    expect(bad!.issues[0]).toMatchObject({ file: 'fake.parquet', line: 0, code: 'parquetInvalid' });
    expect(named!.format).toBe('parquet');
  });

  it('reads a Parquet file whose columns are not seeds, and says so row by row', async () => {
    const buf = parquetWriteBuffer({ columnData: [{ name: 'n', data: [1, 2, 3], type: 'INT32' }] });
    const s = new ImportSession();
    const [a] = await s.analyse([new File([buf], 'numbers.parquet')]);
    expect(a!.mapping.shape).toBe('custom');
    const plan = s.plan([{ ...a!.mapping, instruction: null }], new Set());
    expect(plan.total).toBe(0);
    expect(plan.files[0]!.issueCount).toBe(3);
  });

  it('reports empty and binary files as a whole, and reads UTF-16 files', async () => {
    const s = new ImportSession();
    const utf16 = new Uint8Array([0xff, 0xfe, ...[...'{"prompt":"p","response":"r"}\n'].flatMap((c) => [c.charCodeAt(0), 0])]);
    const [empty, bin, u16] = await s.analyse([
      new File([], 'empty.jsonl'),
      new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0x49, 0x48, 0, 0, 0, 0])], 'image.jsonl'),
      new File([utf16], 'wide.jsonl'),
    ]);
    expect(empty!.issues).toEqual([{ file: 'empty.jsonl', line: 0, code: 'emptyFile' }]);
    expect(bin!.issues).toEqual([{ file: 'image.jsonl', line: 0, code: 'binaryFile' }]);
    expect(u16).toMatchObject({ encoding: 'utf-16le', rowCount: 1, mapping: { shape: 'promptResponse' } });
  });

  it('reports progress that never goes backwards and ends at the total', async () => {
    const line = JSON.stringify({ instruction: 'x'.repeat(200), output: 'y' }) + '\n';
    const big = new File([line.repeat(20_000)], 'big.jsonl');
    const seen: ReadProgress[] = [];
    const s = new ImportSession();
    const [a] = await s.analyse([big], [], (p) => seen.push(p));
    expect(a!.rowCount).toBe(20_000);
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    expect(seen.at(-1)).toEqual({ phase: 'read', done: big.size, total: big.size });
  });
});
