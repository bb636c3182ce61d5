import { parquetWriteBuffer } from 'hyparquet-writer';
import type { FormatId, IssueCode } from '../../src/lib/io/types';
import { mulberry32 } from '../../src/lib/random';

/**
 * A deterministic corpus of malformed and hostile import files, generated from a seed (never
 * committed): each file carries the faults planted in it, so a test can check both that nothing
 * crashes and that each planted fault is reported at its own line.
 */

export const CORPUS_KINDS = [
  'truncatedJson',
  'truncatedJsonl',
  'invalidUtf8',
  'nulBytes',
  'binary',
  'hugeLine',
  'deepJson',
  'csvQuoteStorm',
  'csvBrokenRow',
  'wrongExtension',
  'forcedFormat',
  'empty',
  'parquetWrongSchema',
  'parquetCorrupt',
  'randomBytes',
  'utf16Broken',
  'notObjects',
  'hostileJson',
] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

/** A fault the importer must report: this code (one of) at this line (0: the file as a whole). */
export interface Planted {
  line: number;
  codes: IssueCode[];
}

export interface CorpusFile {
  kind: CorpusKind;
  name: string;
  bytes: Uint8Array;
  /** The format to force, as a user's override would; 'auto' lets the importer decide. */
  format: FormatId | 'auto';
  planted: Planted[];
  /** At least one issue must be reported, wherever it is. */
  mustReport?: boolean;
  /** The largest line (or Parquet row) number an issue may name. */
  maxLine: number;
}

const enc = new TextEncoder();
const cat = (...parts: (Uint8Array | string)[]): Uint8Array => {
  const bufs = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};

function lineCount(bytes: Uint8Array): number {
  let n = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
  return n;
}

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const WORDS = ['explain', 'the', 'tide', '解释', '复利', 'write', 'a', 'poem', 'about', 'rust', 'café', 'naïve', '🙂', 'sum', 'of', 'primes'];
const words = (rng: Rng, n: number) => Array.from({ length: n }, () => pick(rng, WORDS)).join(' ');
const goodRecord = (rng: Rng, i: number) => ({ instruction: `${words(rng, int(rng, 2, 8))} #${i}`, output: words(rng, int(rng, 1, 10)) });
const goodLines = (rng: Rng, n: number, from = 0) => Array.from({ length: n }, (_, i) => JSON.stringify(goodRecord(rng, from + i)));

/** Byte sequences that no UTF-8 decoder accepts. */
const BAD_UTF8: number[][] = [[0xff], [0xfe, 0xfe], [0xc3, 0x28], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98]];

const MB = 1024 * 1024;

function finish(f: Omit<CorpusFile, 'maxLine'> & { maxLine?: number }): CorpusFile {
  return { ...f, maxLine: Math.max(f.maxLine ?? 0, lineCount(f.bytes)) };
}

function parquet(columns: { name: string; data: unknown[]; type?: string }[]): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: columns as never }));
}

const generators: Record<CorpusKind, (rng: Rng, i: number, huge: boolean) => CorpusFile> = {
  truncatedJson(rng, i) {
    const n = int(rng, 1, 30);
    const text = JSON.stringify(Array.from({ length: n }, (_, k) => goodRecord(rng, k)), null, pick(rng, [0, 2, '\t']));
    const cut = int(rng, 1, text.length - 1);
    const bytes = enc.encode(text).slice(0, enc.encode(text.slice(0, cut)).length);
    return finish({ kind: 'truncatedJson', name: `truncated-${i}.json`, bytes, format: 'auto', planted: [], mustReport: true });
  },

  truncatedJsonl(rng, i) {
    const n = int(rng, 1, 40);
    const last = JSON.stringify(goodRecord(rng, n));
    const cut = last.slice(0, int(rng, 1, last.length - 1));
    const text = [...goodLines(rng, n), cut].join('\n');
    // The cut line is the last: a prefix of an object is never valid JSON.
    return finish({ kind: 'truncatedJsonl', name: `truncated-${i}.jsonl`, bytes: enc.encode(text), format: 'auto', planted: [{ line: n + 1, codes: ['jsonSyntax', 'jsonUnterminated'] }] });
  },

  invalidUtf8(rng, i) {
    const n = int(rng, 2, 40);
    const at = int(rng, 1, n - 1); // 0-based line index; never the first line (the head decides the encoding)
    const bad = new Uint8Array(pick(rng, BAD_UTF8));
    const form = pick(rng, ['jsonl', 'csv', 'text'] as const);
    let before: string;
    let after: string;
    let line: number;
    if (form === 'jsonl') {
      const lines = goodLines(rng, n);
      before = lines.slice(0, at).join('\n') + '\n{"instruction": "broken ';
      after = ` here", "output": "x"}\n` + lines.slice(at + 1).join('\n');
      line = at + 1;
    } else if (form === 'csv') {
      const rows = Array.from({ length: n }, (_, k) => `q${k} ${words(rng, 3)},a${k}`);
      before = 'instruction,output\n' + rows.slice(0, at).join('\n') + '\nbroken ';
      after = ' here,x\n' + rows.slice(at + 1).join('\n');
      line = at + 2;
    } else {
      const rows = Array.from({ length: n }, (_, k) => `line ${k} ${words(rng, 4)}`);
      before = rows.slice(0, at).join('\n') + '\nbroken ';
      after = ' here\n' + rows.slice(at + 1).join('\n');
      line = at + 1;
    }
    return finish({ kind: 'invalidUtf8', name: `bad-utf8-${i}.${form === 'text' ? 'txt' : form}`, bytes: cat(before, bad, after), format: 'auto', planted: [{ line, codes: ['invalidEncoding'] }] });
  },

  nulBytes(rng, i) {
    const n = int(rng, 2, 40);
    const at = int(rng, 1, n - 1);
    const form = pick(rng, ['jsonl', 'csv', 'text'] as const);
    const nul = '\u0000'.repeat(int(rng, 1, 3)); // fewer than 4: still text, not a binary file
    let text: string;
    let line: number;
    if (form === 'jsonl') {
      const lines = goodLines(rng, n);
      lines[at] = `{"instruction": "a${nul}b", "output": "x"}`;
      text = lines.join('\n');
      line = at + 1;
    } else if (form === 'csv') {
      const rows = Array.from({ length: n }, (_, k) => `q${k},a${k}`);
      rows[at] = `q${nul}x,a`;
      text = 'instruction,output\n' + rows.join('\n');
      line = at + 2;
    } else {
      const rows = Array.from({ length: n }, (_, k) => `line ${k} ${words(rng, 4)}`);
      rows[at] = `nul ${nul} here`;
      text = rows.join('\n');
      line = at + 1;
    }
    return finish({ kind: 'nulBytes', name: `nul-${i}.${form === 'text' ? 'txt' : form}`, bytes: enc.encode(text), format: 'auto', planted: [{ line, codes: ['nulByte'] }] });
  },

  binary(rng, i) {
    // Many NULs early: an image, a zip, a database dump — whatever its name says.
    const bytes = new Uint8Array(int(rng, 64, 8192));
    for (let k = 0; k < bytes.length; k++) bytes[k] = rng() < 0.3 ? 0 : int(rng, 1, 255);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0], 0);
    return finish({ kind: 'binary', name: `image-${i}.${pick(rng, ['jsonl', 'csv', 'txt', 'json', 'tsv'])}`, bytes, format: 'auto', planted: [{ line: 0, codes: ['binaryFile'] }] });
  },

  hugeLine(rng, i, huge) {
    const size = huge ? 10 * MB : int(rng, 64 * 1024, 512 * 1024);
    const variant = i % 5;
    if (variant === 0) {
      // One line of 10 MB that is a valid record: it imports (nothing here says it must not).
      const text = `${JSON.stringify(goodRecord(rng, 0))}\n{"instruction": "long", "output": "${'x'.repeat(size)}"}\n${JSON.stringify(goodRecord(rng, 2))}`;
      return finish({ kind: 'hugeLine', name: `huge-valid-${i}.jsonl`, bytes: enc.encode(text), format: 'auto', planted: [] });
    }
    if (variant === 1) {
      // A 10 MB line that never closes its string, then a good line.
      const text = `${JSON.stringify(goodRecord(rng, 0))}\n{"instruction": "${'y'.repeat(size)}\n${JSON.stringify(goodRecord(rng, 2))}`;
      return finish({ kind: 'hugeLine', name: `huge-open-${i}.jsonl`, bytes: enc.encode(text), format: 'auto', planted: [{ line: 2, codes: ['jsonSyntax'] }] });
    }
    if (variant === 2) {
      // A CSV whose quoted field opens on row 2 and runs for 10 MB to the end of the file.
      const text = `instruction,output\nok,fine\n"${'z'.repeat(size)}`;
      return finish({ kind: 'hugeLine', name: `huge-quote-${i}.csv`, bytes: enc.encode(text), format: 'auto', planted: [{ line: 3, codes: ['csvUnterminatedQuote'] }] });
    }
    if (variant === 3) {
      // 10 MB of opening brackets on one line.
      const text = `${JSON.stringify(goodRecord(rng, 0))}\n{"a":${'['.repeat(size)}`;
      return finish({ kind: 'hugeLine', name: `huge-brackets-${i}.jsonl`, bytes: enc.encode(text), format: 'auto', planted: [{ line: 2, codes: ['jsonSyntax', 'tooDeep'] }] });
    }
    // Plain text without a newline: 10 MB of words, with invalid bytes at the end.
    const text = words(rng, 40).repeat(Math.ceil(size / 200)).slice(0, size);
    return finish({ kind: 'hugeLine', name: `huge-${i}.txt`, bytes: cat(text, new Uint8Array([0xff, 0xfe, 0x41])), format: 'auto', planted: [{ line: 1, codes: ['invalidEncoding'] }] });
  },

  deepJson(rng, i) {
    const depth = pick(rng, [65, 100, 1000, 10_000, 100_000, 1_000_000]);
    const form = pick(rng, ['jsonl', 'json'] as const);
    const open = rng() < 0.5 ? '[' : '{"k":';
    const close = open === '[' ? ']' : '}';
    const deep = `{"instruction": "deep", "nest": ${open.repeat(depth)}1${close.repeat(depth)}}`;
    if (form === 'jsonl') {
      const lines = goodLines(rng, int(rng, 1, 10));
      const at = lines.length;
      lines.push(deep, ...goodLines(rng, 2, 100));
      return finish({ kind: 'deepJson', name: `deep-${i}.jsonl`, bytes: enc.encode(lines.join('\n')), format: 'auto', planted: [{ line: at + 1, codes: ['tooDeep', 'jsonSyntax'] }] });
    }
    const text = `[\n${JSON.stringify(goodRecord(rng, 0))},\n${deep},\n${JSON.stringify(goodRecord(rng, 1))}\n]`;
    return finish({ kind: 'deepJson', name: `deep-${i}.json`, bytes: enc.encode(text), format: 'auto', planted: [{ line: 3, codes: ['tooDeep', 'jsonSyntax'] }] });
  },

  csvQuoteStorm(rng, i) {
    const delimiter = rng() < 0.7 ? ',' : '\t';
    const alphabet = ['"', '"', '""', '"""', delimiter, '\n', '\r\n', 'a', 'b', ' ', '语', "'", '\\"'];
    let body = '';
    const n = int(rng, 10, 2000);
    for (let k = 0; k < n; k++) body += pick(rng, alphabet);
    const text = `instruction${delimiter}output\n${body}`;
    return finish({ kind: 'csvQuoteStorm', name: `storm-${i}.${delimiter === ',' ? 'csv' : 'tsv'}`, bytes: enc.encode(text), format: 'auto', planted: [] });
  },

  csvBrokenRow(rng, i) {
    const n = int(rng, 2, 50);
    const at = int(rng, 0, n - 1);
    const rows = Array.from({ length: n }, (_, k) => `"q${k}, ${words(rng, 3)}","a ""${k}"""`);
    const last = at === n - 1 && rng() < 0.5;
    rows[at] = last ? `"never closed, ${words(rng, 5)}` : pick(rng, ['only one field', 'one,two,three', 'a,b,c,d,e']);
    const text = 'instruction,output\n' + rows.join('\n');
    const planted: Planted[] = [{ line: at + 2, codes: last ? ['csvUnterminatedQuote'] : ['csvFieldCount'] }];
    return finish({ kind: 'csvBrokenRow', name: `broken-row-${i}.csv`, bytes: enc.encode(text), format: 'auto', planted });
  },

  wrongExtension(rng, i) {
    const variant = i % 6;
    if (variant === 0) {
      const text = 'instruction,output\n' + Array.from({ length: int(rng, 1, 20) }, (_, k) => `q${k},a${k}`).join('\n');
      return finish({ kind: 'wrongExtension', name: `csv-named-${i}.json`, bytes: enc.encode(text), format: 'auto', planted: [] });
    }
    if (variant === 1) {
      return finish({ kind: 'wrongExtension', name: `jsonl-named-${i}.csv`, bytes: enc.encode(goodLines(rng, int(rng, 1, 20)).join('\n')), format: 'auto', planted: [] });
    }
    if (variant === 2) {
      const bytes = parquet([{ name: 'instruction', data: ['a', 'b'], type: 'STRING' }]);
      return finish({ kind: 'wrongExtension', name: `parquet-named-${i}.${pick(rng, ['txt', 'jsonl', 'csv'])}`, bytes, format: 'auto', planted: [] });
    }
    if (variant === 3) {
      return finish({ kind: 'wrongExtension', name: `text-named-${i}.parquet`, bytes: enc.encode(words(rng, 30)), format: 'auto', planted: [{ line: 0, codes: ['parquetInvalid'] }] });
    }
    if (variant === 4) {
      return finish({ kind: 'wrongExtension', name: `no-extension-${i}`, bytes: enc.encode(goodLines(rng, int(rng, 1, 5)).join('\n')), format: 'auto', planted: [] });
    }
    return finish({ kind: 'wrongExtension', name: `tsv-named-${i}.jsonl`, bytes: enc.encode('instruction\toutput\nq\ta\n'), format: 'auto', planted: [] });
  },

  forcedFormat(rng, i) {
    // The user overrides the detected format with a wrong one.
    const sources: [string, Uint8Array][] = [
      ['jsonl', enc.encode(goodLines(rng, int(rng, 1, 10)).join('\n'))],
      ['csv', enc.encode('instruction,output\n"a,b",c\n')],
      ['parquet', parquet([{ name: 'instruction', data: ['x', 'y', 'z'], type: 'STRING' }])],
      ['txt', enc.encode(words(rng, 50))],
    ];
    const [ext, bytes] = pick(rng, sources);
    const format = pick(rng, ['jsonl', 'json', 'csv', 'tsv', 'text', 'parquet'] as const);
    return finish({ kind: 'forcedFormat', name: `forced-${format}-${i}.${ext}`, bytes, format, planted: [] });
  },

  empty(rng, i) {
    const contents: Uint8Array[] = [new Uint8Array(0), enc.encode('\n\n\n'), enc.encode('   \t  '), new Uint8Array([0xef, 0xbb, 0xbf]), new Uint8Array([0xff, 0xfe]), enc.encode('\r\n\r\n'), enc.encode('[]'), enc.encode('{}'), enc.encode('instruction,output\n')];
    const k = i % contents.length;
    const ext = pick(rng, ['jsonl', 'json', 'csv', 'txt', 'tsv', 'parquet']);
    // Zero bytes is always `emptyFile`; the rest must say something (which issue depends on the
    // format the name picks), except a header row alone in a .txt, which is one line of text.
    const planted: Planted[] = k === 0 ? [{ line: 0, codes: ['emptyFile'] }] : [];
    return finish({ kind: 'empty', name: `empty-${i}.${ext}`, bytes: contents[k]!, format: 'auto', planted, mustReport: !(k === 8 && ext === 'txt') });
  },

  parquetWrongSchema(rng, i) {
    const n = int(rng, 1, 40);
    const variants: { name: string; data: unknown[]; type?: string }[][] = [
      [
        { name: 'a', data: Array.from({ length: n }, (_, k) => k), type: 'INT32' },
        { name: 'b', data: Array.from({ length: n }, () => rng()), type: 'DOUBLE' },
      ],
      [{ name: 'instruction', data: Array.from({ length: n }, (_, k) => k), type: 'INT32' }],
      [{ name: 'instruction', data: Array.from({ length: n }, () => null), type: 'STRING' }],
      [{ name: 'flag', data: Array.from({ length: n }, () => rng() < 0.5), type: 'BOOLEAN' }],
      [
        { name: 'messages', data: Array.from({ length: n }, (_, k) => `not a list ${k}`), type: 'STRING' },
        { name: 'id', data: Array.from({ length: n }, (_, k) => BigInt(k) * 10n ** 17n), type: 'INT64' },
      ],
      [{ name: 'conversations', data: Array.from({ length: n }, () => (rng() < 0.5 ? '' : words(rng, 2))), type: 'STRING' }],
    ];
    const bytes = parquet(variants[i % variants.length]!);
    return finish({ kind: 'parquetWrongSchema', name: `wrong-schema-${i}.parquet`, bytes, format: 'auto', planted: [], maxLine: n });
  },

  parquetCorrupt(rng, i) {
    const n = int(rng, 5, 200);
    const good = parquet([
      { name: 'instruction', data: Array.from({ length: n }, (_, k) => `q${k} ${words(rng, 3)}`), type: 'STRING' },
      { name: 'output', data: Array.from({ length: n }, (_, k) => `a${k}`), type: 'STRING' },
    ]);
    const variant = i % 5;
    let bytes: Uint8Array;
    let planted: Planted[] = [];
    if (variant === 0) {
      bytes = good.slice(0, int(rng, 4, good.length - 1)); // truncated: the footer is gone
      planted = [{ line: 0, codes: ['parquetInvalid'] }];
    } else if (variant === 1) {
      bytes = good.slice();
      for (let k = 0; k < 8; k++) bytes[int(rng, 4, bytes.length - 9)] = int(rng, 0, 255); // flipped bytes
    } else if (variant === 2) {
      bytes = good.slice();
      const view = new DataView(bytes.buffer);
      view.setUint32(bytes.length - 8, pick(rng, [0xffffffff, 0x7fffffff, bytes.length, bytes.length - 7]), true); // a lying footer length
      planted = [{ line: 0, codes: ['parquetInvalid'] }];
    } else if (variant === 3) {
      const junk = new Uint8Array(int(rng, 0, 300)).map(() => int(rng, 0, 255));
      bytes = cat('PAR1', junk, new Uint8Array([junk.length & 0xff, 0, 0, 0]), 'PAR1');
      planted = [{ line: 0, codes: ['parquetInvalid'] }];
    } else {
      // The footer's metadata itself damaged.
      bytes = good.slice();
      const footer = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
      for (let k = 0; k < 6; k++) bytes[bytes.length - 8 - int(rng, 1, Math.max(1, footer))] = int(rng, 0, 255);
    }
    return finish({ kind: 'parquetCorrupt', name: `corrupt-${i}.parquet`, bytes, format: 'auto', planted, maxLine: n });
  },

  randomBytes(rng, i) {
    const bytes = new Uint8Array(int(rng, 1, 4096)).map(() => int(rng, 0, 255));
    return finish({ kind: 'randomBytes', name: `random-${i}.${pick(rng, ['jsonl', 'json', 'csv', 'tsv', 'txt', 'parquet', 'bin'])}`, bytes, format: 'auto', planted: [] });
  },

  utf16Broken(rng, i) {
    const text = goodLines(rng, int(rng, 2, 10)).join('\n');
    const le = rng() < 0.5;
    const body = new Uint8Array(text.length * 2);
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      body[2 * k + (le ? 0 : 1)] = c & 0xff;
      body[2 * k + (le ? 1 : 0)] = c >> 8;
    }
    const variant = i % 3;
    const bom = le ? [0xff, 0xfe] : [0xfe, 0xff];
    let bytes: Uint8Array;
    if (variant === 0) bytes = cat(new Uint8Array(bom), body, new Uint8Array([0x41])); // odd length
    else if (variant === 1) bytes = cat(new Uint8Array(bom), body, new Uint8Array(le ? [0x00, 0xd8, 0x41, 0x00] : [0xd8, 0x00, 0x00, 0x41])); // lone surrogate at the end
    else bytes = body.slice(0, body.length - 1); // no BOM, cut in the middle of a character
    return finish({ kind: 'utf16Broken', name: `utf16-${i}.jsonl`, bytes, format: 'auto', planted: [], mustReport: true });
  },

  notObjects(rng, i) {
    const values = ['1', '"a string"', 'null', 'true', '[1, 2]', '[]', '-0', '1e999', '"\\ud800"'];
    const n = int(rng, 1, 20);
    const lines = goodLines(rng, n);
    const at = int(rng, 1, n); // after the first line, which makes the file JSON Lines
    const v = pick(rng, values);
    lines.splice(at, 0, v);
    return finish({ kind: 'notObjects', name: `not-objects-${i}.jsonl`, bytes: enc.encode(lines.join('\n')), format: 'auto', planted: [{ line: at + 1, codes: ['notAnObject'] }] });
  },

  hostileJson(rng, i) {
    const many: Record<string, number> = {};
    for (let k = 0; k < 20_000; k++) many[`k${k}`] = k;
    const hostile = [
      '{"__proto__": {"polluted": "yes"}, "instruction": "proto"}',
      '{"constructor": {"prototype": {"polluted": "yes"}}, "instruction": "ctor"}',
      '{"instruction": "<img src=x onerror=alert(1)><script>alert(2)</script>", "output": "{{7*7}} ${7*7}"}',
      '{"instruction": "\\ud800\\udfff\\udc00 lone surrogates", "output": "\\u0000 escaped nul"}',
      `{"instruction": "${'k'.repeat(100_000)}", "${'key'.repeat(10_000)}": 1}`,
      '{"instruction": "a", "instruction": "b", "output": 1e400}',
      JSON.stringify({ instruction: 'many keys', ...many }),
      '{"messages": [{"role": "user"}, {"role": 5, "content": {"x": 1}}]}',
      '{"conversations": "not a list"}',
      '{"instruction": "x", "instances": [null, 1, {"input": {}}]}',
      '{"instruction": ""}',
      '{"instruction": {"nested": "object"}, "output": [1, 2]}',
    ];
    const lines = goodLines(rng, int(rng, 1, 5));
    lines.push(pick(rng, hostile), pick(rng, hostile));
    return finish({ kind: 'hostileJson', name: `hostile-${i}.${pick(rng, ['jsonl', 'json'])}`, bytes: enc.encode(lines.join('\n')), format: 'auto', planted: [] });
  },
};

/**
 * `count` files, cycling through every kind; `hugeFiles` of the hugeLine files are 10 MB single
 * lines (the rest are smaller). Same seed, same files.
 */
export function* malformedCorpus(seed: number, count: number, hugeFiles = 5): Generator<CorpusFile> {
  const rng = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const kind = CORPUS_KINDS[i % CORPUS_KINDS.length]!;
    // The index within the kind picks the variant and numbers the name.
    const k = Math.floor(i / CORPUS_KINDS.length);
    yield generators[kind](rng, k, kind === 'hugeLine' && k < hugeFiles);
  }
}
