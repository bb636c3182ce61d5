import type { ParseEvent, RawRecord } from '../types';

export function isPlainObject(v: unknown): v is RawRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one JSON value's text into a row, or says why it cannot be one. */
export function recordOrIssue(text: string, line: number): ParseEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // RangeError for absurdly deep nesting lands here too.
    return { kind: 'issue', line, code: 'jsonSyntax', detail: (e as Error).message };
  }
  if (!isPlainObject(value)) {
    return { kind: 'issue', line, code: 'notAnObject', detail: Array.isArray(value) ? 'array' : typeof value };
  }
  if (nestedDeeperThan(value, MAX_DEPTH)) return { kind: 'issue', line, code: 'tooDeep', detail: String(MAX_DEPTH) };
  return { kind: 'row', line, record: value };
}

/**
 * Records nested deeper than this are refused. V8's JSON.parse accepts any depth, but
 * JSON.stringify, structured clone (postMessage, IndexedDB) and the UI recurse, and a record of
 * 100k nested arrays overflows their stacks later, far from the line that caused it.
 */
export const MAX_DEPTH = 64;

/** Iterative, so that it cannot overflow the stack itself. */
export function nestedDeeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) return true;
    if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
  }
  return false;
}

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const DELIM = (c: number) => WS(c) || c === 44 || c === 93 || c === 125 || c === 91 || c === 123;

/**
 * A streaming splitter for JSON documents: a top-level array (each element becomes a row) or a
 * sequence of top-level values (pretty-printed objects one after another). Each value's text is
 * cut out by tracking brackets and strings, then parsed alone, so one bad element is reported with
 * the line it starts on and the others still import. A lone wrapper object (`{"data": [...]}`)
 * is unwrapped by the session (unwrapLone in ../shapes.ts), for JSON Lines files too.
 */
export async function* parseJsonDocument(chunks: AsyncIterable<string>): AsyncGenerator<ParseEvent> {
  let line = 1;
  let started = false;
  let arrayMode = false;
  let arrayClosed = false;
  let inValue = false;
  let primitive = false;
  let depth = 0;
  let inStr = false;
  let esc = false;
  let valLine = 0;
  let parts: string[] = [];
  let trailingReported = false;

  for await (const chunk of chunks) {
    let seg = inValue ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inValue) {
        let ended = -1; // index just past the value's last char
        if (inStr) {
          if (c === 10) {
            // A raw newline cannot be inside a JSON string: the value is broken here. Cut it so
            // that the rest of the file is not swallowed into one endless string.
            parts.push(chunk.slice(seg, i));
            const text = parts.join('');
            parts = [];
            inValue = false;
            inStr = false;
            yield { kind: 'issue', line: valLine, code: 'jsonSyntax', detail: text.slice(0, 80) };
            line++;
            continue;
          }
          if (esc) esc = false;
          else if (c === 92) esc = true;
          else if (c === 34) {
            inStr = false;
            if (primitive) ended = i + 1;
          }
          if (ended < 0) continue;
        } else if (primitive) {
          if (DELIM(c)) ended = i;
          else continue;
        } else if (c === 34) {
          inStr = true;
          continue;
        } else if (c === 123 || c === 91) {
          depth++;
          continue;
        } else if (c === 125 || c === 93) {
          depth--;
          if (depth === 0) ended = i + 1;
          else continue;
        } else {
          if (c === 10) line++;
          continue;
        }
        parts.push(chunk.slice(seg, ended));
        const text = parts.join('');
        parts = [];
        inValue = false;
        yield recordOrIssue(text, valLine);
        if (ended === i + 1) continue;
        // A primitive ended at a delimiter: the delimiter itself is handled below.
      }
      if (c === 10) {
        line++;
        continue;
      }
      if (WS(c)) continue;
      if (!started) {
        started = true;
        if (c === 91) {
          arrayMode = true;
          continue;
        }
      }
      if (arrayMode) {
        if (arrayClosed) {
          if (!trailingReported) yield { kind: 'issue', line, code: 'jsonSyntax', detail: 'content after the closing ]' };
          trailingReported = true;
          continue;
        }
        if (c === 44) continue;
        if (c === 93) {
          arrayClosed = true;
          continue;
        }
      }
      inValue = true;
      valLine = line;
      seg = i;
      parts = [];
      esc = false;
      if (c === 123 || c === 91) {
        primitive = false;
        depth = 1;
      } else {
        primitive = true;
        inStr = c === 34;
      }
    }
    if (inValue) parts.push(chunk.slice(seg));
  }
  if (inValue) {
    if (primitive && !inStr) yield recordOrIssue(parts.join(''), valLine);
    else yield { kind: 'issue', line: valLine, code: 'jsonUnterminated' };
  } else if (arrayMode && !arrayClosed) {
    yield { kind: 'issue', line, code: 'jsonUnterminated', detail: 'missing ]' };
  }
}
