import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffEncoding } from '../../src/lib/io/decode';
import { detectDelimiter } from '../../src/lib/io/formats/csv';
import { ImportSession } from '../../src/lib/io/importSession';
import { unwrapLone, wrappedRecords } from '../../src/lib/io/shapes';
import { collect, rows } from './helpers';

// Fixtures made by scripts/make-fixtures.mjs (legacy code pages encoded by inverting TextDecoder).
const bytes = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const fixture = (name: string) => new File([bytes(name)], name);

async function readOne(file: File, choice = {}) {
  const s = new ImportSession();
  const [a] = await s.analyse([file], [choice]);
  const plan = s.plan([a!.mapping], new Set());
  return { a: a!, plan, drafts: s.drafts(false) };
}

describe('encoding detection (issue 18, item 8)', () => {
  it('recognises each fixture: GB18030, Big5, UTF-8 with BOM, Windows-1252, plain UTF-8', () => {
    expect(sniffEncoding(bytes('zh-gb18030.csv')).encoding).toBe('gb18030');
    expect(sniffEncoding(bytes('zh-big5.csv')).encoding).toBe('big5');
    expect(sniffEncoding(bytes('utf8-bom.csv')).encoding).toBe('utf-8');
    expect(sniffEncoding(bytes('eu-semicolon.csv')).encoding).toBe('windows-1252');
    expect(sniffEncoding(bytes('zh-alpaca.json')).encoding).toBe('utf-8');
    expect(sniffEncoding(bytes('prompts.csv')).encoding).toBe('utf-8');
  });

  it('keeps a UTF-8 file with a few bad bytes as UTF-8 (the bad rows are reported, not re-read as another code page)', () => {
    const good = new TextEncoder().encode('问题,答案\n'.repeat(20));
    const broken = Uint8Array.from([...good, 0xff, 0x0a, ...good]);
    expect(sniffEncoding(broken).encoding).toBe('utf-8');
  });

  it('does not mistake Latin text with accents for Chinese, nor cut characters at the sample end for errors', () => {
    // "naïve façade" in Windows-1252 decodes as valid GBK hanzi, scattered inside ASCII words.
    const latin = Uint8Array.from([...'na', 0xef, ...'ve fa', 0xe7, ...'ade\n'].map((x) => (typeof x === 'string' ? x.charCodeAt(0) : x)));
    expect(sniffEncoding(latin).encoding).toBe('windows-1252');
    const gb = bytes('zh-gb18030.csv');
    const cut = gb.subarray(0, gb.indexOf(0x0a, 200) + 2); // ends after the lead byte of a pair
    expect(sniffEncoding(cut).encoding).toBe('gb18030');
  });

  it('imports the GB18030 CSV with every row readable, and says which encoding it used', async () => {
    const { a, plan, drafts } = await readOne(fixture('zh-gb18030.csv'));
    expect(a).toMatchObject({ format: 'csv', encoding: 'gb18030', delimiter: ',', rowCount: 24, issueCount: 0, keys: ['id', '问题', '答案'] });
    expect(plan.total).toBe(24);
    expect(drafts[0]).toMatchObject({ instruction: '请简要解释光合作用是什么？', output: '光合作用的核心要点：第1条说明，供参考。' });
  });

  it('imports the Big5 CSV, and a user-chosen encoding overrides detection (the rows then fail, each reported)', async () => {
    const { a, drafts } = await readOne(fixture('zh-big5.csv'));
    expect(a).toMatchObject({ encoding: 'big5', rowCount: 20, issueCount: 0 });
    expect(drafts[1]).toMatchObject({ instruction: '請說明複利的重點。', output: '關於複利的參考答案，第2題。' });
    const forced = await readOne(fixture('zh-big5.csv'), { encoding: 'utf-8' });
    expect(forced.a.encoding).toBe('utf-8');
    expect(forced.a.rowCount).toBe(0);
    expect(forced.a.issues.filter((i) => i.code === 'invalidEncoding')).toHaveLength(20);
  });

  it('strips the BOM of a UTF-8 CSV from the first header name', async () => {
    const { a, drafts } = await readOne(fixture('utf8-bom.csv'));
    expect(a.keys).toEqual(['instruction', 'output']);
    expect(drafts.map((d) => d.instruction)).toEqual(['翻译“你好”', 'Say “hi” in German']);
  });
});

describe('delimiter detection (issue 18, item 9)', () => {
  it('finds , ; tab and | from the first rows, respecting quotes', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n', ',', true)).toBe(',');
    expect(detectDelimiter('a;b\n"x; y";3,5\n"p";q\n', ',', true)).toBe(';');
    expect(detectDelimiter('a\tb\nx, y\tz\n', ',', true)).toBe('\t');
    expect(detectDelimiter('a|b|c\n1|2|3\n', ',', true)).toBe('|');
    // Quoted line breaks and delimiters do not count; `""` is a literal quote.
    expect(detectDelimiter('q;a\n"two\nlines, here";"say ""hi"", ok"\n', ',', true)).toBe(';');
    // Nothing splits the header: the format's own delimiter.
    expect(detectDelimiter('text only\nmore\n', '\t', true)).toBe('\t');
    // A tie goes to the preferred one; a cut last row is not counted.
    expect(detectDelimiter('a,b;c\n1,2;3\n', ';', true)).toBe(';');
    expect(detectDelimiter('a;b\n1;2\n3;4\n5', ';', false)).toBe(';');
  });

  it('reads the European-locale CSV (; and Windows-1252) into its three columns, and a chosen delimiter overrides', async () => {
    const { a, drafts } = await readOne(fixture('eu-semicolon.csv'));
    expect(a).toMatchObject({ format: 'csv', encoding: 'windows-1252', delimiter: ';', keys: ['frage', 'antwort', 'preis'], rowCount: 3, issueCount: 0 });
    expect(a.sample[0]).toEqual({ frage: 'Was kostet ein Café au lait in Zürich?', antwort: 'Etwa 5,50 Franken.', preis: '5,50' });
    expect(a.sample[2]).toEqual({ frage: 'Nenne zwei Städte; getrennt durch Semikolon', antwort: 'Köln; Bonn', preis: '0' });
    expect(drafts.map((d) => d.instruction)).toEqual(a.sample.map((r) => r.frage));
    const forced = await readOne(fixture('eu-semicolon.csv'), { delimiter: ',' });
    expect(forced.a.delimiter).toBe(',');
    expect(forced.a.keys).toEqual(['frage;antwort;preis']);
  });
});

describe('wrapped JSON (issue 18, item 10)', () => {
  for (const name of ['wrapped.jsonl', 'wrapped.json']) {
    it(`unwraps {"version", "data": [...]} in ${name} and says from which field`, async () => {
      const { a, drafts } = await readOne(fixture(name));
      expect(a).toMatchObject({ unwrappedFrom: 'data', rowCount: 3, issueCount: 0, mapping: { shape: 'alpaca' } });
      expect(drafts.map((d) => d.instruction)).toEqual(['Name a primary colour.', 'Name a prime number.', 'Translate "cat" into French.']);
    });
  }

  it('leaves a lone seed that holds records of its own, and an ambiguous wrapper, as they are', async () => {
    const selfInstruct = { instruction: 'Add.', instances: [{ input: '1 2', output: '3' }] };
    expect(wrappedRecords(selfInstruct)).toBeNull();
    expect(wrappedRecords({ messages: [{ role: 'user', content: 'hi' }] })).toBeNull();
    expect(wrappedRecords({ train: [{ q: 1 }], test: [{ q: 2 }] })).toBeNull();
    expect(wrappedRecords({ data: [] })).toBeNull();
    const { a, drafts } = await readOne(new File([JSON.stringify(selfInstruct) + '\n'], 'one.jsonl'));
    expect(a.unwrappedFrom).toBeNull();
    expect(drafts).toMatchObject([{ instruction: 'Add.', input: '1 2', output: '3' }]);
  });

  it('unwraps only a file whose one value is the wrapper', async () => {
    const w = { kind: 'row' as const, line: 1, record: { v: 1, data: [{ q: 'x' }] } };
    const pass = async (evs: (typeof w)[]) => rows(await collect(unwrapLone((async function* () { yield* evs; })(), () => {})));
    expect(await pass([w])).toEqual([[1, { q: 'x' }]]);
    expect(await pass([w, { ...w, line: 2 }])).toEqual([
      [1, w.record],
      [2, w.record],
    ]);
  });
});
