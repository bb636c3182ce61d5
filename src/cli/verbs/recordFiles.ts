import { existsSync, openAsBlob, statSync } from 'node:fs';
import { ImportSession, type FileAnalysis } from '../../lib/io/importSession';
import type { RawRecord } from '../../lib/io/types';
import { issueText } from './seedFiles';

/**
 * One data file read record by record with the app's importer (every format it reads: JSONL,
 * JSON, CSV, TSV, text, Parquet), for the verbs that scan a file rather than store it (pii,
 * decontam). Unlike seed files the records are kept as read, before any mapping, so a finding's
 * field and offsets point into the file's own values.
 */

/** How many issues a message lists before it only counts the rest. */
const LISTED = 20;

/** A data file is missing, unreadable, or has lines the importer could not parse. Nothing was scanned. */
export class DataFileError extends Error {
  override name = 'DataFileError' as const;
}

export interface RecordFile {
  /** The parsed records in file order; `record` indices in the verbs' output are positions here. */
  rows: readonly { line: number; record: RawRecord }[];
  analysis: FileAnalysis;
}

/**
 * Reads `path` (given to `--<option>`) through the importer.
 * @throws DataFileError naming the file (and each bad line) and what to do.
 */
export async function readRecordFile(path: string, option: string): Promise<RecordFile> {
  if (!existsSync(path)) throw new DataFileError(`${path} does not exist: check the path given to --${option}`);
  if (!statSync(path).isFile()) throw new DataFileError(`${path} is not a file: give --${option} a JSONL, JSON, CSV, TSV, text or Parquet file`);
  const session = new ImportSession();
  const [analysis] = await session.analyse([new File([await openAsBlob(path)], path)]);
  if (analysis!.issueCount > 0) {
    const shown = analysis!.issues.slice(0, LISTED).map(issueText);
    const more = analysis!.issueCount - shown.length;
    throw new DataFileError(`${path} has ${analysis!.issueCount} problem${analysis!.issueCount === 1 ? '' : 's'}:\n  ${shown.join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}\nfix the file and run again (record numbers would not match the file's records otherwise)`);
  }
  return { rows: session.records(0), analysis: analysis! };
}

/**
 * Every string (or number) value of a record with its path: `instruction`,
 * `conversations[1].value`, `meta.author`. Offsets into these values are offsets into the file's.
 */
export function* stringFields(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (typeof value === 'number' || typeof value === 'bigint') yield [path, String(value)];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringFields(value[i], `${path}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringFields(v, path ? `${path}.${k}` : k);
}

/** Rows as left-aligned columns under a header (the readable output of pii and decontam). */
export function table(header: string[], rows: string[][]): string {
  // A loop, not Math.max(...rows): a spread of 100k+ findings overflows the call stack.
  const width = header.map((h, c) => rows.reduce((w, r) => Math.max(w, (r[c] ?? '').length), h.length));
  const line = (r: string[]) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(width[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A value shown in a table cell: one line, at most `max` characters. */
export function cell(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
