import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer } from 'hyparquet';
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
