import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, ensureCli, jsonLines, tempDir } from './support';

/**
 * `seedforge pii`: planted findings in JSONL, CSV and Parquet files; each JSON line's offsets
 * slice the planted value out of the file's own field; bad input is named and exits 1.
 */

beforeAll(ensureCli, 180_000);
afterAll(cleanup);

const dir = tempDir('pii');
const ID = '11010519491231002X'; // a valid resident ID (checksum tests use it)
const rows = [
  { instruction: 'Call me at 138 1234 5678 about the order', output: 'Sure.' },
  { instruction: '患者刘建国，身份证号' + ID + '，请复诊。', output: '好的' },
  { instruction: 'Charge card 4012 8888 8888 1881 for the order', output: 'Card noted.' },
  { instruction: 'Summarise the meeting notes from Friday', output: 'Nothing personal here.' },
  { instruction: 'Write to Zhang Wei at anna.k@hospital.example.org', output: 'Done.' },
];
/** Each planted finding: record, field, type, the text its offsets must slice out. */
const planted = [
  [0, 'instruction', 'phone', '138 1234 5678'],
  [1, 'instruction', 'name', '刘建国'],
  [1, 'instruction', 'cnId', ID],
  [2, 'instruction', 'bankCard', '4012 8888 8888 1881'],
  [4, 'instruction', 'email', 'anna.k@hospital.example.org'],
] as const;

function check(out: string) {
  const lines = jsonLines(out);
  for (const l of lines) expect(Object.keys(l)).toEqual(['record', 'field', 'type', 'start', 'end']);
  const got = lines.map((l) => [l.record, l.field, l.type, rows[l.record as number]![l.field as 'instruction'].slice(l.start as number, l.end as number)]);
  expect(got).toEqual(planted.map((p) => [...p]));
}

describe('seedforge pii', () => {
  it('prints one JSON line per finding with offsets into the field (JSONL)', async () => {
    const f = join(dir, 'rows.jsonl');
    writeFileSync(f, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await cli(['pii', '--in', f, '--json']);
    expect(r.code).toBe(0);
    check(r.stdout);
    expect(r.stderr).toContain('5 findings in 4 of 5 records');
  });

  it('reads CSV and Parquet the same way', async () => {
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'instruction,output\n' + rows.map((r) => `"${r.instruction}","${r.output}"`).join('\n') + '\n');
    const pq = join(dir, 'rows.parquet');
    writeFileSync(pq, new Uint8Array(parquetWriteBuffer({ columnData: ['instruction', 'output'].map((name) => ({ name, data: rows.map((r) => r[name as 'output']), type: 'STRING' as const })) })));
    for (const f of [csv, pq]) {
      const r = await cli(['pii', '--in', f, '--json']);
      expect(r.code, r.stderr).toBe(0);
      check(r.stdout);
    }
  });

  it('finds names from --names, keeps to --types, and prints a table without --json', async () => {
    const f = join(dir, 'rows.jsonl');
    const names = join(dir, 'names.txt');
    writeFileSync(names, '# clients\nZhang Wei\n');
    const r = await cli(['pii', '--in', f, '--names', names, '--types', 'name,email']);
    expect(r.code).toBe(0);
    const body = r.stdout.trim().split('\n');
    expect(body[0]).toMatch(/^record\s+line\s+field\s+type\s+span\s+conf\s+text$/);
    expect(body.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 4).concat(l.split(/\s{2,}/).at(-1)!))).toEqual([
      ['1', '2', 'instruction', 'name', '刘建国'],
      ['4', '5', 'instruction', 'name', 'Zhang Wei'],
      ['4', '5', 'instruction', 'email', 'anna.k@hospital.example.org'],
    ]);
  });

  it('scans nested fields by path (ShareGPT conversations)', async () => {
    const f = join(dir, 'chat.jsonl');
    writeFileSync(f, JSON.stringify({ conversations: [{ from: 'human', value: 'hello' }, { from: 'gpt', value: 'Mail me: jo@example.com' }] }) + '\n');
    const r = await cli(['pii', '--in', f, '--json']);
    expect(jsonLines(r.stdout)).toEqual([{ record: 0, field: 'conversations[1].value', type: 'email', start: 9, end: 23 }]);
  });

  it('names the bad line, the missing file and the unknown type; exits 1 or 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, JSON.stringify(rows[0]) + '\n{"instruction": oops}\n');
    const r = await cli(['pii', '--in', bad, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:`);
    expect(r.stdout).toBe('');
    const missing = await cli(['pii', '--in', join(dir, 'none.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DataFileError: .*none\.jsonl does not exist: check the path given to --in/);
    const noNames = await cli(['pii', '--in', bad, '--names', join(dir, 'none.txt')]);
    expect(noNames.stderr).toContain('none.txt does not exist');
    const usage = await cli(['pii', '--in', bad, '--types', 'phone,shoe']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown type "shoe"');
    expect(readFileSync(bad, 'utf8')).toContain('oops'); // nothing is changed
  });
});
