import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/lib/io/decode';
import { parseJsonDocument } from '../../src/lib/io/formats/json';
import { parseJsonl } from '../../src/lib/io/formats/jsonl';
import { unwrapLone } from '../../src/lib/io/shapes';
import { chunked, collect, issues, rows } from './helpers';

const doc = (text: string, sizes?: number[]) => collect(parseJsonDocument(chunked(text, sizes)));
const jsonl = (text: string, sizes?: number[]) => collect(parseJsonl(splitLines(chunked(text, sizes))));

describe('JSON documents', () => {
  it('splits a top-level array into rows with the line each element starts on', async () => {
    const text = '[\n  {"a": 1},\n  {"a": "x]}\\"y", "b": [1, {"c": 2}]},\n  {\n    "a": 3\n  }\n]\n';
    const evs = await doc(text);
    expect(rows(evs)).toEqual([
      [2, { a: 1 }],
      [3, { a: 'x]}"y', b: [1, { c: 2 }] }],
      [4, { a: 3 }],
    ]);
    expect(issues(evs)).toEqual([]);
    for (const sizes of [[1], [3], [7, 2]]) expect(await doc(text, sizes)).toEqual(evs);
  });

  it('reports non-object elements and bad elements, and keeps the good ones', async () => {
    const evs = await doc('[{"a":1}, 42, "s", {"a": tru}, {"a":2}]');
    expect(rows(evs).map((r) => r![1])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issues(evs)).toEqual([
      [1, 'notAnObject'],
      [1, 'notAnObject'],
      [1, 'jsonSyntax'],
    ]);
  });

  it('reports a truncated document at the line of the element that never closes', async () => {
    const evs = await doc('[\n{"a": 1},\n{"a": 2,\n "b": "cut');
    expect(rows(evs)).toEqual([[2, { a: 1 }]]);
    expect(issues(evs)).toEqual([[3, 'jsonUnterminated']]);
    expect(issues(await doc('[{"a":1}'))).toEqual([[1, 'jsonUnterminated']]);
  });

  it('reads pretty-printed objects one after another, and unwraps {"data": [...]}', async () => {
    expect(rows(await doc('{\n "a": 1\n}\n{\n "a": 2\n}'))).toEqual([
      [1, { a: 1 }],
      [4, { a: 2 }],
    ]);
    const unwrapped = (text: string) => collect(unwrapLone(parseJsonDocument(chunked(text)), () => {}));
    expect(rows(await unwrapped('{"version": 1, "data": [{"q": "x"}, {"q": "y"}]}')).map((r) => r![1])).toEqual([{ q: 'x' }, { q: 'y' }]);
    expect(rows(await unwrapped('{"q": "only"}'))).toEqual([[1, { q: 'only' }]]);
  });

  it('survives deeply nested JSON with an error instead of a crash', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const evs = await doc(`[{"ok": 1}, {"deep": ${deep}}]`);
    expect(rows(evs).length).toBe(1);
    expect(issues(evs)).toEqual([[1, 'tooDeep']]);
  });

  it('cuts a value at a raw line break inside a string so the rest still imports', async () => {
    const evs = await doc('{"a": "broken\n{"a": 2}\n');
    expect(issues(evs)[0]).toEqual([1, 'jsonSyntax']);
    expect(rows(evs)).toEqual([[2, { a: 2 }]]);
  });
});

describe('JSON Lines', () => {
  it('reads one object per line, skips blank lines, reports each bad line alone', async () => {
    const text = '{"a":1}\r\n\n{"a":\n[1]\n{"a":"\uFFFD"}\n{"a":4}';
    const evs = await jsonl(text);
    expect(rows(evs)).toEqual([
      [1, { a: 1 }],
      [6, { a: 4 }],
    ]);
    expect(issues(evs)).toEqual([
      [3, 'jsonSyntax'],
      [4, 'notAnObject'],
      [5, 'invalidEncoding'],
    ]);
    expect(await jsonl(text, [1])).toEqual(evs);
  });
});
