import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import type { ParseEvent, RawRecord } from '../types';

/** A blob read in slices, as hyparquet wants it: only the footer and the needed pages are read. */
export function blobBuffer(blob: Blob): AsyncBuffer {
  return { byteLength: blob.size, slice: (start, end) => blob.slice(start, end).arrayBuffer() };
}

const ROWS_PER_READ = 5000;

/** Parquet rows (the row number is the "line"), read a slice of rows at a time. */
export async function* parseParquet(blob: Blob, onRows?: (done: number, total: number) => void): AsyncGenerator<ParseEvent> {
  const file = blobBuffer(blob);
  let total: number;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
    total = Number(metadata.num_rows);
  } catch (e) {
    yield { kind: 'issue', line: 0, code: 'parquetInvalid', detail: (e as Error).message };
    return;
  }
  const bad = await checkPages(blob, metadata).catch((e: Error) => ({ row: 0, why: e.message }));
  if (bad) {
    yield { kind: 'issue', line: bad.row, code: 'parquetInvalid', detail: bad.why };
    return;
  }
  for (let start = 0; start < total; start += ROWS_PER_READ) {
    const end = Math.min(total, start + ROWS_PER_READ);
    let rows: RawRecord[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end });
    } catch (e) {
      yield { kind: 'issue', line: start + 1, code: 'parquetInvalid', detail: (e as Error).message };
      return;
    }
    for (let k = 0; k < rows.length; k++) yield { kind: 'row', line: start + k + 1, record: plain(rows[k]) as RawRecord };
    onRows?.(end, total);
  }
}

/** No page of a real file comes near this; a damaged header claiming more must not allocate it. */
const MAX_PAGE_BYTES = 1 << 30;

/**
 * Walks the page headers of every column chunk before any row is read, and says where the first
 * impossible one is (the first row of its row group, and why). hyparquet trusts page headers: in
 * the malformed-file corpus a Parquet file with a few flipped bytes lost a page's size, its reader's
 * offset became NaN, and it re-read byte 0 forever — the import worker hung with no error. A lying
 * size would also make it allocate gigabytes. Reads each chunk once more, one chunk at a time.
 */
async function checkPages(blob: Blob, metadata: FileMetaData): Promise<{ row: number; why: string } | null> {
  let firstRow = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const row = firstRow + 1;
    firstRow += Number(group.num_rows);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const name = meta?.path_in_schema.join('.') ?? '?';
      const where = `column “${name}”, row group ${g + 1}`;
      if (!meta) return { row, why: `${where}: no column metadata` };
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > blob.size) {
        return { row, why: `${where}: its pages lie outside the file` };
      }
      const bytes = await blob.slice(start, end).arrayBuffer();
      const reader = { view: new DataView(bytes), offset: 0 };
      // The same end condition as hyparquet's page loop.
      while (reader.offset < bytes.byteLength - 1) {
        let h: ReturnType<typeof parquetHeader>;
        try {
          h = parquetHeader(reader);
        } catch (e) {
          return { row, why: `${where}: unreadable page header (${(e as Error).message})` };
        }
        const size = h.compressed_page_size;
        const problem = pageProblem(h, bytes.byteLength - reader.offset);
        if (problem) return { row, why: `${where}: ${problem}` };
        reader.offset += size;
      }
    }
  }
  return null;
}

const count = (x: unknown, max = Number.MAX_SAFE_INTEGER): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= max;

/** What is impossible in a page header (sizes, counts, a missing sub-header), or null. */
function pageProblem(h: ReturnType<typeof parquetHeader>, left: number): string | null {
  if (!count(h.compressed_page_size, left)) return `a page size (${String(h.compressed_page_size)}) that does not fit the column`;
  if (!count(h.uncompressed_page_size, MAX_PAGE_BYTES)) return `an impossible page size (${String(h.uncompressed_page_size)})`;
  if (h.type === 'DATA_PAGE') {
    const d = h.data_page_header;
    if (!d || !count(d.num_values) || !d.encoding) return 'a data page without its counts or encoding';
  } else if (h.type === 'DATA_PAGE_V2') {
    const d = h.data_page_header_v2;
    if (!d || !count(d.num_values) || !count(d.num_rows) || !count(d.num_nulls) || !d.encoding) return 'a data page without its counts or encoding';
    if (!count(d.definition_levels_byte_length) || !count(d.repetition_levels_byte_length) || d.definition_levels_byte_length + d.repetition_levels_byte_length > h.compressed_page_size) {
      return 'a data page whose level lengths do not fit it';
    }
  } else if (h.type === 'DICTIONARY_PAGE') {
    if (!h.dictionary_page_header || !count(h.dictionary_page_header.num_values)) return 'a dictionary page without its count';
  } else if (h.type !== 'INDEX_PAGE') return `an unknown page type (${String(h.type)})`;
  return null;
}

/** Parquet values as plain JSON-like data: bigints as numbers (or strings when too big), bytes as text. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: RawRecord = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}
