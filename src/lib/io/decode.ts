import type { EncodingId } from './types';

/**
 * Reading bytes as text. Files come as UTF-8 (with or without BOM), UTF-16 (with a BOM, or
 * without one when the text is mostly ASCII), or in the legacy code page of the Excel that saved
 * them: GB18030/GBK in mainland China, Big5 in Taiwan and Hong Kong, Windows-1252 in Western
 * Europe. They are decoded as a stream so that a 200 MB file never has to be one string.
 */

export interface Sniffed {
  encoding: EncodingId;
  /** True when the head has NUL bytes that no text encoding explains: the file is not text. */
  binary: boolean;
}

/** Bytes read to recognise the format and whether the file is text at all. */
export const HEAD_BYTES = 4096;
/**
 * Bytes read to recognise the encoding: more than the format needs, because an Excel CSV can
 * start with a few kilobytes of ASCII (ids, numbers, an English header) before its first Chinese cell.
 */
export const ENCODING_SAMPLE_BYTES = 65536;

/** Recognises the encoding of a file from its first bytes (up to ENCODING_SAMPLE_BYTES). */
export function sniffEncoding(sample: Uint8Array): Sniffed {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', binary: false };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', binary: false };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', binary: false };
  // UTF-16 without BOM: ASCII characters leave a zero byte on one side of each pair.
  const head = sample.subarray(0, HEAD_BYTES);
  const n = head.length - (head.length % 2);
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zeroEven++;
    if (head[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (pairs >= 2) {
    if (zeroOdd > pairs * 0.3 && zeroEven < pairs * 0.05) return { encoding: 'utf-16le', binary: false };
    if (zeroEven > pairs * 0.3 && zeroOdd < pairs * 0.05) return { encoding: 'utf-16be', binary: false };
  }
  // Text files have no NUL at all; a few in the head mean an image, a zip, a database...
  const binary = zeroEven + zeroOdd > 0 && zeroEven + zeroOdd >= Math.max(4, n / 200);
  return { encoding: binary ? 'utf-8' : eightBitEncoding(sample), binary };
}

/**
 * UTF-8 unless the bytes say otherwise. A file that is mostly valid UTF-8 stays UTF-8 (its few
 * bad bytes are reported on their lines); otherwise each legacy CJK code page decodes the sample
 * and is scored by its decoding errors and how much of its text is plausible Chinese; when
 * neither is, Windows-1252 is taken if its reading is plausibly Western European (it decodes any
 * byte, so it needs that evidence), and UTF-8 otherwise (bad bytes are then reported per row).
 */
function eightBitEncoding(sample: Uint8Array): EncodingId {
  if (!sample.some((b) => b >= 0x80)) return 'utf-8';
  // `stream` keeps a character cut at the end of the sample from counting as an error.
  const utf8 = new TextDecoder('utf-8').decode(sample, { stream: true });
  const u = countChars(utf8);
  if (u.bad === 0 || u.nonAscii - u.bad >= 4 * u.bad) return 'utf-8';
  let best: EncodingId | null = null;
  let bestScore = MIN_CJK_SCORE;
  for (const label of ['gb18030', 'big5'] as const) {
    const score = cjkScore(new TextDecoder(label).decode(sample, { stream: true })) - (label === 'gb18030' ? gbkExtensionShare(sample) : 0);
    // Strictly better only: GB18030 comes first and wins a tie (simplified Chinese is the more common).
    if (score > bestScore) [best, bestScore] = [label, score];
  }
  return best ?? (looksWestern(new TextDecoder('windows-1252').decode(sample)) ? 'windows-1252' : 'utf-8');
}

/** Accented letters, €, typographic quotes and dashes, °, «», ·: what Western European text has. */
const WESTERN = /[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u20ac\u2018\u2019\u201c\u201d\u2013\u2014\u00b0\u00ab\u00bb\u00b7]/u;

/**
 * Western European text has accents in several places: at least two separate runs of non-ASCII
 * characters, four in five of them wholly Western European. One run proves nothing: it is as
 * likely a few corrupt bytes in a UTF-8 file, which must stay UTF-8 and be reported on its line.
 */
function looksWestern(text: string): boolean {
  let runs = 0;
  let western = 0;
  let inRun = false;
  let runWestern = true;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      if (inRun && runWestern) western++;
      inRun = false;
      continue;
    }
    if (!inRun) {
      runs++;
      inRun = true;
      runWestern = true;
    }
    if (!WESTERN.test(ch) || ch === '\u00d7' || ch === '\u00f7') runWestern = false;
  }
  if (inRun && runWestern) western++;
  return runs >= 2 && western >= 0.8 * runs;
}

/** Below this a CJK reading is implausible (Latin text with accents decodes as scattered hanzi). */
const MIN_CJK_SCORE = 0.5;

function countChars(text: string): { nonAscii: number; bad: number } {
  let nonAscii = 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    nonAscii++;
    if (c === 0xfffd) bad++;
  }
  return { nonAscii, bad };
}

const isCommonCjk = (c: number) => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef);

/**
 * How plausible a decoding is as Chinese text, at most 1: the share of its non-ASCII characters
 * that are common hanzi or CJK punctuation standing next to another such character (Chinese
 * comes in runs; Latin accents read as hanzi stand alone inside ASCII words), less four times the
 * share of bytes it could not decode. Big5 read as GB18030 gives kana, Cyrillic and private-use
 * characters that break the runs; GB2312 text read as Big5 gives rarer hanzi that do not.
 */
export function cjkScore(text: string): number {
  let nonAscii = 0;
  let inRuns = 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    nonAscii++;
    if (c === 0xfffd) bad++;
    else if (isCommonCjk(c) && (isCommonCjk(text.charCodeAt(i - 1)) || isCommonCjk(text.charCodeAt(i + 1)))) inRuns++;
  }
  return nonAscii ? (inRuns - 4 * bad) / nonAscii : 0;
}

/**
 * The share of double-byte characters, read as GBK, that lie outside GB2312 (a byte below 0xA1).
 * Simplified Chinese text almost never needs them; Big5 text, whose trail bytes start at 0x40,
 * reads as them four times in ten. This is what tells the two apart when both decode cleanly.
 */
export function gbkExtensionShare(bytes: Uint8Array): number {
  let pairs = 0;
  let ext = 0;
  for (let i = 0; i < bytes.length - 1; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const t = bytes[i + 1]!;
    if (t >= 0x30 && t <= 0x39) {
      i += 4; // a GB18030 four-byte sequence
      continue;
    }
    pairs++;
    if (b < 0xa1 || t < 0xa1) ext++;
    i += 2;
  }
  return pairs ? ext / pairs : 0;
}

/**
 * Decodes a blob chunk by chunk. Invalid bytes become U+FFFD, which the line readers report as an
 * `invalidEncoding` issue on the line they are on (a fatal decoder would lose the whole file).
 */
export async function* decodeBlob(
  blob: Blob,
  encoding: EncodingId,
  onBytes?: (read: number) => void,
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  const reader = blob.stream().getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      const text = decoder.decode(value, { stream: true });
      if (text) yield text;
      onBytes?.(read);
    }
    const tail = decoder.decode();
    if (tail) yield tail;
  } finally {
    reader.releaseLock();
  }
}

export interface Line {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** Splits decoded chunks into lines (LF or CRLF), keeping line numbers. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<Line> {
  let carry = '';
  let line = 1;
  for await (const chunk of chunks) {
    const buf = carry + chunk;
    let start = 0;
    let nl = buf.indexOf('\n', start);
    while (nl !== -1) {
      const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line: line++, text: buf.slice(start, end) };
      start = nl + 1;
      nl = buf.indexOf('\n', start);
    }
    carry = buf.slice(start);
  }
  if (carry.length) yield { line, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry };
}

/** The issue, if any, that a line's characters alone give (bad bytes, raw NUL). */
export function lineCharIssue(text: string): 'invalidEncoding' | 'nulByte' | null {
  if (text.includes('\uFFFD')) return 'invalidEncoding';
  if (text.includes('\u0000')) return 'nulByte';
  return null;
}
