import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, ensureCli, jsonLines, tempDir } from './support';

/**
 * `seedforge decontam`: a GSM8K-shaped eval file and a C-Eval-shaped CSV one, samples in JSONL and
 * CSV with planted copies (exact, a 13-word stretch, a Chinese stretch inside English text, a
 * 12-word near miss); one JSON line per contaminated record; options and bad input.
 */

beforeAll(ensureCli, 180_000);
afterAll(cleanup);

const dir = tempDir('decontam');
const Q0 = 'A farmer has seventeen sheep and buys nine more at the market on a rainy Tuesday morning, how many sheep are there now?';
const Q1 = '某公司今年的营业收入比去年增长了百分之二十，去年的营业收入是五百万元，今年的营业收入是多少万元？';
const Q2 = 'What is the capital city of the country that hosted the first modern Olympic Games in the year 1896?';
const gsm = join(dir, 'gsm8k.jsonl');
writeFileSync(gsm, [Q0, Q1, Q2].map((question, i) => JSON.stringify({ question, answer: `#### ${i}` })).join('\n') + '\n');
const words = Q0.split(' ');
const samples = [
  { instruction: 'Write a haiku about the sea.', output: 'Waves.' },
  { instruction: `Solve: ${words.slice(0, 13).join(' ')} and some other animals.`, output: 'Many.' },
  { instruction: 'Please translate this question and answer it carefully, step by step, with all the working shown: ' + Q1, output: '600' },
  { instruction: Q2.toUpperCase().replace(/ /g, '  '), output: 'Athens' },
  { instruction: `${words.slice(0, 12).join(' ')} but then something different entirely`, output: 'x' },
];

describe('seedforge decontam', () => {
  it('prints one JSON line per contaminated record (JSONL samples)', async () => {
    const f = join(dir, 'samples.jsonl');
    writeFileSync(f, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
    const r = await cli(['decontam', '--eval', gsm, '--in', f, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => [l.record, l.eval, l.method])).toEqual([[1, 0, 'ngram'], [2, 1, 'ngram'], [3, 2, 'exact']]);
    expect(lines[0]!.evidence).toBe(words.slice(0, 13).join(' ').toLowerCase());
    expect(lines[1]!.evidence).toMatch(/^[\u4e00-\u9fff]{13}$/);
    expect(lines[1]!.share).toBeGreaterThan(0.9);
    expect(r.stderr).toMatch(/3 of 5 records contaminated \(1 exact, 2 n-gram\) against 3 eval items \(gsm8k, sha256 [0-9a-f]{12}\)/);
  });

  it('reads a CSV eval set (C-Eval shape) and CSV samples; --n and --min-share change what counts', async () => {
    const ceval = join(dir, 'ceval.csv');
    writeFileSync(ceval, `question,A,B,C,D,answer\n"${Q2}",Athens,Paris,London,Rome,A\n`);
    const f = join(dir, 'samples.csv');
    writeFileSync(f, 'instruction,output\n' + samples.map((s) => `"${s.instruction}","${s.output}"`).join('\n') + '\n');
    const def = await cli(['decontam', '--eval', ceval, '--in', f, '--json']);
    expect(def.code, def.stderr).toBe(0);
    // The item's text is the question and its options, so the shouted copy is an n-gram match, not exact.
    expect(jsonLines(def.stdout).map((l) => [l.record, l.eval, l.method])).toEqual([[3, 0, 'ngram']]);
    const gsmCsv = await cli(['decontam', '--eval', gsm, '--in', f, '--json', '--n', '12']);
    expect(jsonLines(gsmCsv.stdout).map((l) => l.record)).toEqual([1, 2, 3, 4]); // the 12-word near miss now counts
    const strict = await cli(['decontam', '--eval', gsm, '--in', f, '--json', '--min-share', '0.5']);
    expect(jsonLines(strict.stdout).map((l) => l.record)).toEqual([2, 3]);
  });

  it('prints a table without --json', async () => {
    const r = await cli(['decontam', '--eval', gsm, '--in', join(dir, 'samples.jsonl')]);
    const body = r.stdout.trim().split('\n');
    expect(body[0]).toMatch(/^record\s+line\s+eval\s+method\s+share\s+evidence$/);
    expect(body.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([['1', '2', '0', 'ngram'], ['2', '3', '1', 'ngram'], ['3', '4', '2', 'exact']]);
  });

  it('names the bad record and option; exits 1 or 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, JSON.stringify(samples[0]) + '\n' + JSON.stringify({ instruction: '', output: 'no question' }) + '\n');
    const r = await cli(['decontam', '--eval', gsm, '--in', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:`);
    const missing = await cli(['decontam', '--eval', join(dir, 'none.jsonl'), '--in', bad]);
    expect(missing.stderr).toContain('none.jsonl does not exist: check the path given to --eval');
    const usage = await cli(['decontam', '--eval', gsm, '--in', bad, '--min-share', '2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--min-share must be a number from 0 to 1');
    expect((await cli(['decontam', '--in', bad])).stderr).toContain('--eval FILE is required');
  });
});
