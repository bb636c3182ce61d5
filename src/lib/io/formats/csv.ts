import type { ParseEvent } from '../types';

/**
 * RFC 4180 CSV (and TSV with a tab delimiter), streamed: quoted fields may hold delimiters,
 * doubled quotes and line breaks. The first row is the header. A row is reported at the line it
 * starts on.
 */
export async function* parseDelimited(chunks: AsyncIterable<string>, delimiter: ',' | '\t'): AsyncGenerator<ParseEvent> {
  const D = delimiter.charCodeAt(0);
  let line = 1;
  let rowLine = 1;
  let fields: string[] = [];
  let cur = '';
  let inQuotes = false;
  let quotePending = false; // saw a quote inside a quoted field: either "" or the closing quote
  let fieldStarted = false;
  let header: string[] | null = null;

  function* endRow(): Generator<ParseEvent> {
    fields.push(cur);
    cur = '';
    fieldStarted = false;
    const row = fields;
    fields = [];
    const at = rowLine;
    rowLine = line;
    if (row.length === 1 && row[0] === '') return; // blank line
    if (!header) {
      header = uniqueHeader(row);
      return;
    }
    if (row.length !== header.length) {
      yield { kind: 'issue', line: at, code: 'csvFieldCount', detail: `${header.length}/${row.length}` };
      return;
    }
    if (row.some((f) => f.includes('\uFFFD'))) {
      yield { kind: 'issue', line: at, code: 'invalidEncoding' };
      return;
    }
    if (row.some((f) => f.includes('\u0000'))) {
      yield { kind: 'issue', line: at, code: 'nulByte' };
      return;
    }
    const record: Record<string, string> = {};
    header.forEach((h, k) => (record[h] = row[k] ?? ''));
    yield { kind: 'row', line: at, record };
  }

  for await (const chunk of chunks) {
    let seg = 0; // start of the not-yet-copied run of plain characters in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (c === 34) {
            seg = i; // the second quote of "" is kept as a literal quote
            continue;
          }
          inQuotes = false; // the pending quote closed the field; c is handled below
          seg = i;
        } else if (c === 34) {
          cur += chunk.slice(seg, i);
          quotePending = true;
          seg = i + 1;
          continue;
        } else {
          if (c === 10) line++;
          continue;
        }
      }
      if (c === D) {
        cur += chunk.slice(seg, i);
        fields.push(cur);
        cur = '';
        fieldStarted = false;
        seg = i + 1;
      } else if (c === 10) {
        let end = i;
        if (end > seg && chunk.charCodeAt(end - 1) === 13) end--;
        cur += chunk.slice(seg, end);
        if (end === seg && cur.endsWith('\r')) cur = cur.slice(0, -1);
        line++;
        yield* endRow();
        seg = i + 1;
      } else if (c === 34 && !fieldStarted && cur === '' && seg === i) {
        inQuotes = true;
        fieldStarted = true;
        seg = i + 1;
      } else {
        fieldStarted = true;
      }
    }
    cur += chunk.slice(seg);
  }
  if (inQuotes && !quotePending) {
    yield { kind: 'issue', line: rowLine, code: 'csvUnterminatedQuote' };
    return;
  }
  if (cur.endsWith('\r')) cur = cur.slice(0, -1);
  if (cur !== '' || fields.length) yield* endRow();
  if (!header) yield { kind: 'issue', line: 0, code: 'csvNoHeader' };
}

function uniqueHeader(row: string[]): string[] {
  const seen = new Map<string, number>();
  return row.map((raw, k) => {
    const base = raw.trim() || `column_${k + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}
