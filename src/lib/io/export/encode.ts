import type { SchemaElement } from 'hyparquet';
import { csvLine, recordText, tableColumns, tableRow } from './records';
import type { ExportFormat, ExportItem, RecordLayout } from './types';

/**
 * Streams items into a file's bytes, page by page: a large export is never one string. Text
 * formats are cut into chunks of about CHUNK_BYTES; Parquet writes one row group per page and
 * hands each group's bytes on as soon as it is written.
 */

/** Text is handed on in chunks of about this many UTF-16 code units (≈1 MB of ASCII). */
export const CHUNK_CHARS = 1 << 20;

/**
 * Encodes pages of items as the bytes of one file in `format`.
 * `layout`: what records carry besides the text (a boolean: provenance or not, no document source).
 * @throws whatever the item source throws (a failed read ends the file; the caller aborts the sink).
 */
export function encodeItems(format: ExportFormat, pages: AsyncIterable<ExportItem[]>, layout: RecordLayout | boolean): AsyncGenerator<Uint8Array> {
  return format === 'parquet' ? encodeParquet(pages, layout) : encodeText(format, pages, layout);
}

async function* encodeText(format: Exclude<ExportFormat, 'parquet'>, pages: AsyncIterable<ExportItem[]>, layout: RecordLayout | boolean): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  const array = format === 'alpaca-json' || format === 'sharegpt-json';
  let buf = format === 'csv' ? csvLine(tableColumns(layout)) : array ? '[' : '';
  let first = true;
  for await (const page of pages) {
    for (const item of page) {
      if (format === 'csv') buf += csvLine(tableRow(item, layout));
      else if (array) {
        // One record per line inside the array: readable, and diffable line by line.
        buf += (first ? '\n' : ',\n') + recordText(format, item, layout);
      } else buf += recordText(format, item, layout) + '\n';
      first = false;
      if (buf.length >= CHUNK_CHARS) {
        yield enc.encode(buf);
        buf = '';
      }
    }
  }
  if (array) buf += first ? ']\n' : '\n]\n';
  if (buf) yield enc.encode(buf);
}

/** The Parquet schema of the table layout: text columns required, layout and document columns optional. */
export function parquetSchema(layout: RecordLayout | boolean): SchemaElement[] {
  const cols = tableColumns(layout);
  return [
    { name: 'root', num_children: cols.length },
    ...cols.map((name): SchemaElement => {
      if (name === 'round') return { name, type: 'INT32', repetition_type: 'REQUIRED' };
      if (name === 'score') return { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
      const required = ['instruction', 'input', 'output', 'system', 'context', 'id', 'source', 'operation'].includes(name);
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: required ? 'REQUIRED' : 'OPTIONAL' };
    }),
  ];
}

async function* encodeParquet(pages: AsyncIterable<ExportItem[]>, layout: RecordLayout | boolean): AsyncGenerator<Uint8Array> {
  // Loaded on first use: the page bundle does not carry the Parquet writer for users who never export Parquet.
  const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
  /** A ByteWriter whose bytes are taken out after every row group instead of growing one buffer. */
  class ChunkWriter extends ByteWriter {
    chunks: Uint8Array[] = [];
    flush(): void {
      if (this.index === 0) return;
      this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
      // `offset` keeps counting the whole file: the footer's row-group offsets stay right.
      this.index = 0;
    }
    override finish(): void {
      this.flush();
    }
    take(): Uint8Array[] {
      const out = this.chunks;
      this.chunks = [];
      return out;
    }
  }
  const writer = new ChunkWriter();
  const cols = tableColumns(layout);
  const pq = new ParquetWriter({ writer, schema: parquetSchema(layout), createdBy: 'seedforge' });
  for await (const page of pages) {
    if (!page.length) continue;
    const rows = page.map((item) => tableRow(item, layout));
    await pq.write({ columnData: cols.map((name, c) => ({ name, data: rows.map((r) => r[c] ?? null) })), rowGroupSize: page.length });
    yield* writer.take();
  }
  await pq.finish();
  yield* writer.take();
}
