import type { EncodingId } from './types';

/**
 * Reading bytes as text. Files come as UTF-8 (with or without BOM) or UTF-16 (with a BOM, or
 * without one when the text is mostly ASCII); they are decoded as a stream so that a 200 MB file
 * never has to be one string.
 */

export interface Sniffed {
  encoding: EncodingId;
  /** True when the head has NUL bytes that no text encoding explains: the file is not text. */
  binary: boolean;
}

export function sniffEncoding(head: Uint8Array): Sniffed {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', binary: false };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', binary: false };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', binary: false };
  // UTF-16 without BOM: ASCII characters leave a zero byte on one side of each pair.
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
  return { encoding: 'utf-8', binary: zeroEven + zeroOdd > 0 && zeroEven + zeroOdd >= Math.max(4, n / 200) };
}

export const HEAD_BYTES = 4096;

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
