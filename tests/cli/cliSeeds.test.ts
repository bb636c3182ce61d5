import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { stageSeedFiles } from '../../src/cli/verbs/seedFiles';
import { cleanup, tempDir } from './support';

/**
 * The command line reads seed files with the app's importer over Node's file-backed Blobs
 * (fs.openAsBlob): every format the app imports, the same shapes, and the importer's issues with
 * file and line.
 */

afterAll(cleanup);

/** The staged drafts of `paths` (the staging file removed after), as `run` would store them. */
async function readSeedFiles(paths: string[], skipBad: boolean) {
  const { staging, skipped } = await stageSeedFiles(paths, skipBad);
  try {
    return { drafts: [...staging.drafts()], duplicates: staging.duplicates, skipped };
  } finally {
    staging.close();
  }
}

describe('seed files on the command line', () => {
  const dir = tempDir('seeds');
  const rows = [
    { instruction: 'Add 2 and 3', output: '5' },
    { instruction: '解释复利', output: '利滚利' },
    { instruction: 'Name a colour', output: 'Blue' },
  ];
  const files: Record<string, string | Uint8Array> = {
    'seeds.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
    'seeds.json': JSON.stringify(rows),
    'seeds.csv': 'instruction,output\n' + rows.map((r) => `"${r.instruction}","${r.output}"`).join('\n') + '\n',
    'seeds.tsv': 'instruction\toutput\n' + rows.map((r) => `${r.instruction}\t${r.output}`).join('\n') + '\n',
    'sharegpt.json': JSON.stringify(rows.map((r) => ({ conversations: [{ from: 'human', value: r.instruction }, { from: 'gpt', value: r.output }] }))),
    'seeds.parquet': new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'instruction', data: rows.map((r) => r.instruction), type: 'STRING' },
          { name: 'output', data: rows.map((r) => r.output), type: 'STRING' },
        ],
      }),
    ),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);

  it.each(Object.keys(files))('reads %s as the app does', async (name) => {
    const r = await readSeedFiles([join(dir, name)], false);
    expect(r.drafts.map((d) => [d.instruction, d.output])).toEqual(rows.map((x) => [x.instruction, x.output]));
    expect(r.skipped).toEqual([]);
  });

  it('reads a plain text file, one instruction a line', async () => {
    writeFileSync(join(dir, 'prompts.txt'), 'Write a haiku about rain\nList three prime numbers\n');
    const r = await readSeedFiles([join(dir, 'prompts.txt')], false);
    expect(r.drafts.map((d) => d.instruction)).toEqual(['Write a haiku about rain', 'List three prime numbers']);
  });

  it('several files at once, exact duplicates across them left out', async () => {
    const r = await readSeedFiles([join(dir, 'seeds.jsonl'), join(dir, 'seeds.csv')], false);
    expect(r.drafts).toHaveLength(3);
    expect(r.duplicates).toBe(3);
  });

  it('names the file of a missing, empty or binary seed file; --skip-bad never skips a whole file', async () => {
    await expect(readSeedFiles([join(dir, 'nope.jsonl')], false)).rejects.toMatchObject({ name: 'SeedFileError', message: expect.stringMatching(/nope\.jsonl does not exist/) });
    writeFileSync(join(dir, 'empty.jsonl'), '');
    await expect(readSeedFiles([join(dir, 'empty.jsonl')], true)).rejects.toMatchObject({ name: 'SeedFileError', message: expect.stringMatching(/empty\.jsonl: the file is empty/) });
    writeFileSync(join(dir, 'blob.jsonl'), new Uint8Array([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
    await expect(readSeedFiles([join(dir, 'blob.jsonl')], true)).rejects.toMatchObject({ name: 'SeedFileError', message: expect.stringMatching(/blob\.jsonl: this is not a text file/) });
  });

  it('names each broken row with its line (CSV), and counts what it does not list', async () => {
    const lines = ['instruction,output', ...Array.from({ length: 50 }, (_, i) => (i % 2 ? `"q${i}",a` : `,a${i}`))];
    writeFileSync(join(dir, 'holes.csv'), lines.join('\n') + '\n');
    const err = await readSeedFiles([join(dir, 'holes.csv')], false).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'SeedFileError' });
    expect((err as Error).message).toContain(`${join(dir, 'holes.csv')}:2: no instruction`);
    expect((err as Error).message).toContain(`${join(dir, 'holes.csv')}:40: no instruction`);
    expect((err as Error).message).toMatch(/the seed files have 25 problems:[\s\S]*\n {2}… and 5 more\n.*--skip-bad/);
    const skipped = await readSeedFiles([join(dir, 'holes.csv')], true);
    expect(skipped.drafts).toHaveLength(25);
    expect(skipped.skipped).toHaveLength(25);
  });
});
