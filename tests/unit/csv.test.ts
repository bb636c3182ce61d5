import { describe, expect, it } from 'vitest';
import { parseDelimited } from '../../src/lib/io/formats/csv';
import { chunked, collect, issues, rows } from './helpers';

const parse = (text: string, sizes?: number[], d: ',' | '\t' = ',') => collect(parseDelimited(chunked(text, sizes), d));

describe('CSV (RFC 4180)', () => {
  it('reads quoted delimiters, doubled quotes, line breaks in fields and CRLF', async () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\r\nline",plain\r\n';
    const evs = await parse(text);
    expect(rows(evs)).toEqual([
      [2, { a: 'x, y', b: 'say "hi"' }],
      [3, { a: 'multi\r\nline', b: 'plain' }],
    ]);
    expect(issues(evs)).toEqual([]);
  });

  it('gives the same rows whatever the chunk boundaries', async () => {
    const text = 'q,a,t\n"He said ""no""",ok,"x\ny"\n,,\nlast,"",z\n"",,"a""b"';
    const whole = await parse(text);
    for (const sizes of [[1], [2], [3, 1], [5, 7, 2], [13]]) expect(await parse(text, sizes)).toEqual(whole);
    expect(rows(whole)).toEqual([
      [2, { q: 'He said "no"', a: 'ok', t: 'x\ny' }],
      [4, { q: '', a: '', t: '' }],
      [5, { q: 'last', a: '', t: 'z' }],
      [6, { q: '', a: '', t: 'a"b' }],
    ]);
  });

  it('reports a row with the wrong number of fields at the line it starts on, and keeps going', async () => {
    const evs = await parse('a,b\n1,2\n1,2,3\n"x\ny",2\n4\n5,6\n');
    expect(issues(evs)).toEqual([
      [3, 'csvFieldCount'],
      [6, 'csvFieldCount'],
    ]);
    expect(rows(evs).map((r) => r![0])).toEqual([2, 4, 7]);
  });

  it('reports an unterminated quote at the line where the field opened', async () => {
    const evs = await parse('a,b\n1,2\n"open,3\n4,5\n');
    expect(issues(evs)).toEqual([[3, 'csvUnterminatedQuote']]);
    expect(rows(evs)).toHaveLength(1);
  });

  it('reads TSV, skips blank lines, names empty and repeated headers', async () => {
    const evs = await parse('x\t\tx\n1\t2\t3\n\n4\t5\t6', undefined, '\t');
    expect(rows(evs)).toEqual([
      [2, { x: '1', column_2: '2', x_2: '3' }],
      [4, { x: '4', column_2: '5', x_2: '6' }],
    ]);
  });

  it('says when there is no header at all', async () => {
    expect(issues(await parse('\n\n'))).toEqual([[0, 'csvNoHeader']]);
  });
});
