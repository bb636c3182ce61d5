import { describe, expect, it } from 'vitest';
import { decodeBlob, sniffEncoding, splitLines } from '../../src/lib/io/decode';
import { detectFormat } from '../../src/lib/io/detect';
import { guessTextMode, parseText } from '../../src/lib/io/formats/text';
import { chunked, collect, rows } from './helpers';

function utf16(text: string, le: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  let o = 0;
  const put = (c: number) => {
    out[o++] = le ? c & 0xff : c >> 8;
    out[o++] = le ? c >> 8 : c & 0xff;
  };
  if (bom) put(0xfeff);
  for (let i = 0; i < text.length; i++) put(text.charCodeAt(i));
  return out;
}

const text = async (bytes: Uint8Array) => {
  const { encoding } = sniffEncoding(bytes.subarray(0, 4096));
  return (await collect(decodeBlob(new Blob([bytes as BlobPart]), encoding))).join('');
};

describe('encodings', () => {
  const sample = '{"q": "你好, world — ü"}\n';
  it('reads UTF-8 with and without BOM', async () => {
    const plain = new TextEncoder().encode(sample);
    expect(await text(plain)).toBe(sample);
    expect(await text(new Uint8Array([0xef, 0xbb, 0xbf, ...plain]))).toBe(sample);
  });

  it('reads UTF-16 LE and BE, with a BOM or (for mostly-ASCII text) without', async () => {
    for (const le of [true, false]) {
      expect(await text(utf16(sample, le, true))).toBe(sample);
      expect(await text(utf16('{"question": "What is 2+2?"}\n', le, false))).toBe('{"question": "What is 2+2?"}\n');
    }
    expect(sniffEncoding(utf16('abc def', true, false)).encoding).toBe('utf-16le');
    expect(sniffEncoding(utf16('abc def', false, false)).encoding).toBe('utf-16be');
  });

  it('keeps multi-byte characters split across chunk boundaries', async () => {
    const bytes = new TextEncoder().encode('中文'.repeat(50_000));
    expect(await text(bytes)).toBe('中文'.repeat(50_000));
  });

  it('marks invalid UTF-8 with U+FFFD instead of failing the file, and spots binary files', async () => {
    expect(await text(new Uint8Array([0x61, 0xff, 0x62]))).toBe('a\uFFFDb');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
    expect(sniffEncoding(png).binary).toBe(true);
    expect(sniffEncoding(new TextEncoder().encode('plain text')).binary).toBe(false);
  });
});

describe('lines and plain text', () => {
  it('numbers lines across chunks, LF and CRLF alike', async () => {
    const lines = await collect(splitLines(chunked('a\r\nb\n\nc\r\n', [1])));
    expect(lines).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
      { line: 3, text: '' },
      { line: 4, text: 'c' },
    ]);
  });

  it('reads one item per line, or blank-line-separated blocks', async () => {
    expect(guessTextMode('one\ntwo\nthree')).toBe('lines');
    const blocks = 'Write a haiku.\nAbout rain.\n\nTranslate this.\n\n\nLast block\nline two\n';
    expect(guessTextMode(blocks)).toBe('blocks');
    expect(rows(await collect(parseText(splitLines(chunked(blocks)), 'blocks')))).toEqual([
      [1, { text: 'Write a haiku.\nAbout rain.' }],
      [4, { text: 'Translate this.' }],
      [7, { text: 'Last block\nline two' }],
    ]);
    expect(rows(await collect(parseText(splitLines(chunked('a\n\n b \n')), 'lines')))).toEqual([
      [1, { text: 'a' }],
      [3, { text: 'b' }],
    ]);
  });
});

describe('format detection', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const detect = (name: string, s: string) => detectFormat(name, enc(s), s);
  it('trusts content over the file name', () => {
    expect(detect('seeds.json', '{"a":1}\n{"a":2}\n')).toBe('jsonl');
    expect(detect('seeds.json', '[{"a":1}]')).toBe('json');
    expect(detect('seeds.json', '{\n  "a": 1\n}')).toBe('json');
    expect(detect('seeds.csv', '{"a":1}\n')).toBe('jsonl');
    expect(detect('seeds.csv', 'a,b\n1,2')).toBe('csv');
    expect(detect('seeds.tsv', 'a\tb\n1\t2')).toBe('tsv');
    expect(detect('notes', 'q\ta\nx\ty')).toBe('tsv');
    expect(detect('notes.txt', 'hello, world')).toBe('text');
    expect(detectFormat('data.bin', new Uint8Array([0x50, 0x41, 0x52, 0x31, 0]), '')).toBe('parquet');
  });
});
