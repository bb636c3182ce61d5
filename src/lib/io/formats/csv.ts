import { DELIMITERS, type Delimiter, type ParseEvent } from '../types';

/** Rows looked at to recognise the delimiter. */
const DELIMITER_ROWS = 20;

/**
 * The delimiter of a CSV-like file, from its first rows (quoted fields respected): the one that
 * splits the header into at least two fields and gives the most rows that same number of fields.
 * European-locale Excel writes `;` (its comma is the decimal mark), and a `;` file read with `,`
 * became one column silently. `preferred` (the format's own delimiter) wins a tie, and is the
 * answer when no delimiter splits the header. `complete` says the text is the whole file (else
 * its last, possibly cut, row is left out).
 */
export function detectDelimiter(head: string, preferred: Delimiter, complete: boolean): Delimiter {
  let best = preferred;
  let bestScore = 0;
  for (const d of [preferred, ...DELIMITERS.filter((x) => x !== preferred)]) {
    const counts = fieldCounts(head, d, complete);
    const header = counts[0] ?? 1;
    if (header < 2) continue;
    // Rows that agree with the header; a tie goes to the delimiter that splits more finely.
    const score = counts.filter((n) => n === header).length + header / 1000;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

/** Fields per row of the first DELIMITER_ROWS non-blank rows, a quote-aware split. */
function fieldCounts(text: string, d: Delimiter, complete: boolean): number[] {
  const counts: number[] = [];
  let fields = 1;
  let chars = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length && counts.length < DELIMITER_ROWS; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes; // "" inside quotes toggles twice: no change
    if (inQuotes || c === '"') {
      chars++;
      continue;
    }
    if (c === d) fields++;
    else if (c === '\n') {
      if (chars > 0 || fields > 1) counts.push(fields);
      fields = 1;
      chars = 0;
    } else if (c !== '\r') chars++;
  }
  if (complete && counts.length < DELIMITER_ROWS && (chars > 0 || fields > 1)) counts.push(fields);
  return counts;
}

/**
 * RFC 4180 CSV (and TSV with a tab delimiter, or `;` and `|`), streamed: quoted fields may hold delimiters,
 * doubled quotes and line breaks. The first row is the header. A row is reported at the line it
 * starts on.
 */
export async function* parseDelimited(chunks: AsyncIterable<string>, delimiter: Delimiter): AsyncGenerator<ParseEvent> {
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
