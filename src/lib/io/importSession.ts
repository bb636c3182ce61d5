import type { SeedDraft } from '../db/types';
import { decodeBlob, ENCODING_SAMPLE_BYTES, HEAD_BYTES, sniffEncoding, splitLines } from './decode';
import { detectFormat } from './detect';
import { detectDelimiter, parseDelimited } from './formats/csv';
import { parseJsonDocument } from './formats/json';
import { parseJsonl } from './formats/jsonl';
import { parseParquet } from './formats/parquet';
import { guessTextMode, parseText } from './formats/text';
import { applyMapping, detectMapping, keysOf, unwrapLone, type FieldMapping } from './shapes';
import type { Delimiter, EncodingId, FormatId, ImportIssue, ParseEvent, RawRecord, ReadChoice, ReadProgress } from './types';

/** Issues kept per file for display; past this they are only counted. */
export const MAX_ISSUES_KEPT = 10_000;
/** Rows shown as a preview and used to recognise the shape. */
const SAMPLE_ROWS = 200;
const PREVIEW_SEEDS = 50;

export interface FileAnalysis {
  index: number;
  file: string;
  size: number;
  format: FormatId;
  /** The encoding the file was read in: detected, or the user's choice. */
  encoding: EncodingId;
  /** The field delimiter of CSV and TSV (detected, or the user's choice); null for other formats. */
  delimiter: Delimiter | null;
  /** The field of a lone wrapper object whose records were read (`{"version": 1, "data": [...]}`). */
  unwrappedFrom: string | null;
  rowCount: number;
  issues: ImportIssue[];
  issueCount: number;
  keys: string[];
  sample: RawRecord[];
  mapping: FieldMapping;
}

export type Duplicate = 'import' | 'existing' | null;
export interface PlannedSeed extends SeedDraft {
  duplicate: Duplicate;
}

export interface FilePlan {
  file: string;
  rows: number;
  seeds: number;
  issues: ImportIssue[];
  issueCount: number;
}

export interface ImportPlan {
  files: FilePlan[];
  /** Seeds the mapping produced, duplicates included. */
  total: number;
  duplicateInImport: number;
  duplicateExisting: number;
  preview: PlannedSeed[];
}

interface LoadedFile {
  blob: Blob;
  name: string;
  analysis: FileAnalysis;
  rows: { line: number; record: RawRecord }[];
}

type Progress = (p: ReadProgress) => void;

/** Calls `fn` at most every `ms`, and always for the last value. */
function throttled(fn: Progress | undefined, ms = 100): Progress {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!fn || (now - last < ms && p.done < p.total)) return;
    last = now;
    fn(p);
  };
}

/**
 * One import, from dropped files to seed drafts ready to store. Pure: no DOM and no database, so
 * Node tests drive it directly; the import worker wraps it with the store (./importApi.ts).
 * Nothing is written anywhere until the caller stores `drafts()`.
 */
export class ImportSession {
  #files: LoadedFile[] = [];
  #planned: PlannedSeed[] = [];

  /**
   * Reads and parses files. `choices[i]` overrides what is detected of file i: its format, encoding
   * or delimiter (a bare format is short for `{ format }`).
   */
  async analyse(files: File[], choices: (Partial<ReadChoice> | FormatId | 'auto')[] = [], onProgress?: Progress): Promise<FileAnalysis[]> {
    const report = throttled(onProgress);
    const total = files.reduce((n, f) => n + f.size, 0);
    let before = 0;
    this.#files = [];
    this.#planned = [];
    for (const [index, file] of files.entries()) {
      const c = choices[index];
      const loaded = await readFile(file, index, typeof c === 'string' ? { format: c } : (c ?? {}), (read) =>
        report({ phase: 'read', done: before + read, total }),
      );
      before += file.size;
      this.#files.push(loaded);
    }
    report({ phase: 'read', done: total, total });
    return this.#files.map((f) => f.analysis);
  }

  /**
   * Maps every row with the (possibly user-edited) mappings and flags exact duplicates, within
   * the import and against `existing` (the hashes of the project's stored seeds).
   */
  plan(mappings: FieldMapping[], existing: Set<string>, onProgress?: Progress): ImportPlan {
    const report = throttled(onProgress);
    const total = this.#files.reduce((n, f) => n + f.rows.length, 0);
    const seen = new Set<string>();
    const planned: PlannedSeed[] = [];
    const files: FilePlan[] = [];
    let done = 0;
    let dupImport = 0;
    let dupExisting = 0;
    this.#files.forEach((f, i) => {
      const mapping = mappings[i] ?? f.analysis.mapping;
      const issues: ImportIssue[] = [];
      let issueCount = 0;
      let seeds = 0;
      for (const { line, record } of f.rows) {
        const r = applyMapping(record, mapping, { file: f.name, line, format: f.analysis.format });
        done++;
        if (done % 2000 === 0) report({ phase: 'map', done, total });
        if (!r.ok) {
          issueCount++;
          if (issues.length < MAX_ISSUES_KEPT) issues.push({ file: f.name, line, code: r.code, detail: r.detail });
          continue;
        }
        seeds++;
        let duplicate: Duplicate = null;
        if (existing.has(r.draft.hash)) {
          duplicate = 'existing';
          dupExisting++;
        } else if (seen.has(r.draft.hash)) {
          duplicate = 'import';
          dupImport++;
        }
        seen.add(r.draft.hash);
        planned.push({ ...r.draft, duplicate });
      }
      files.push({ file: f.name, rows: f.rows.length, seeds, issues, issueCount });
    });
    report({ phase: 'map', done: total, total });
    this.#planned = planned;
    return {
      files,
      total: planned.length,
      duplicateInImport: dupImport,
      duplicateExisting: dupExisting,
      preview: planned.slice(0, PREVIEW_SEEDS),
    };
  }

  /** The drafts of the last plan, duplicates left out unless asked for. */
  drafts(skipDuplicates: boolean): SeedDraft[] {
    const out: SeedDraft[] = [];
    for (const { duplicate, ...draft } of this.#planned) if (!(skipDuplicates && duplicate)) out.push(draft);
    return out;
  }

  /**
   * The parsed records of file `index` of the last `analyse`, as read (before any mapping), with
   * their 1-based lines: eval sets keep their own fields (decontam's evalItemsFrom reads them).
   */
  records(index: number): readonly { line: number; record: RawRecord }[] {
    return this.#files[index]?.rows ?? [];
  }

  clear(): void {
    this.#files = [];
    this.#planned = [];
  }
}

/** A fresh analysis of file `index`: what is known before its bytes are read. */
function newAnalysis(file: File, index: number): FileAnalysis {
  return {
    index,
    file: file.name,
    size: file.size,
    format: 'text',
    encoding: 'utf-8',
    delimiter: null,
    unwrappedFrom: null,
    rowCount: 0,
    issues: [],
    issueCount: 0,
    keys: [],
    sample: [],
    mapping: detectMapping([]),
  };
}

/** Records an issue of `analysis`: counted always, kept up to MAX_ISSUES_KEPT; `also` sees each. */
function issueSink(analysis: FileAnalysis, also?: (i: ImportIssue) => void) {
  return (line: number, code: ImportIssue['code'], detail?: string) => {
    analysis.issueCount++;
    const i: ImportIssue = { file: analysis.file, line, code, detail };
    if (analysis.issues.length < MAX_ISSUES_KEPT) analysis.issues.push(i);
    also?.(i);
  };
}

/**
 * One file's records in file order, with their 1-based lines: detects (or takes from `choice`) its
 * encoding, format and delimiter into `analysis`, and says each problem through `issue`. A file
 * that cannot be read, or holds nothing, is one issue at line 0. Shared by `analyse` (which keeps
 * the records) and `streamDrafts` (which does not).
 */
async function* recordsOf(
  file: File,
  choice: Partial<ReadChoice>,
  analysis: FileAnalysis,
  issue: ReturnType<typeof issueSink>,
  onBytes: (n: number) => void,
): AsyncGenerator<{ line: number; record: RawRecord }> {
  if (file.size === 0) {
    issue(0, 'emptyFile');
    return;
  }
  let records = 0;
  try {
    const sample = new Uint8Array(await file.slice(0, ENCODING_SAMPLE_BYTES).arrayBuffer());
    const head = sample.subarray(0, HEAD_BYTES);
    const sniff = sniffEncoding(sample);
    const encoding = choice.encoding && choice.encoding !== 'auto' ? choice.encoding : sniff.encoding;
    analysis.encoding = encoding;
    // `stream`: a character cut at the end of the sample is not a decoding error.
    const headText = new TextDecoder(encoding).decode(head, { stream: true });
    const format = choice.format && choice.format !== 'auto' ? choice.format : detectFormat(file.name, head, headText);
    analysis.format = format;
    if (sniff.binary && format !== 'parquet') {
      issue(0, 'binaryFile');
      return;
    }
    if (format === 'csv' || format === 'tsv') {
      const preferred = format === 'tsv' ? '\t' : ',';
      const whole = file.size <= sample.length;
      analysis.delimiter =
        choice.delimiter && choice.delimiter !== 'auto'
          ? choice.delimiter
          : detectDelimiter(new TextDecoder(encoding).decode(sample, { stream: !whole }), preferred, whole);
    }
    let parsed = events(file, format, encoding, analysis.delimiter ?? ',', headText, onBytes);
    if (format === 'json' || format === 'jsonl') parsed = unwrapLone(parsed, (field) => (analysis.unwrappedFrom = field));
    for await (const ev of parsed) {
      if (ev.kind === 'issue') issue(ev.line, ev.code, ev.detail);
      else {
        records++;
        yield { line: ev.line, record: ev.record };
      }
    }
  } catch (e) {
    issue(0, 'readFailed', (e as Error).message);
  }
  // A file that holds nothing (blank lines, a BOM, `[]`, a header row alone) must not pass
  // silently as zero seeds: say so, as for a file of zero bytes.
  if (records === 0 && analysis.issueCount === 0) issue(0, 'emptyFile');
}

async function readFile(file: File, index: number, choice: Partial<ReadChoice>, onBytes: (n: number) => void): Promise<LoadedFile> {
  const analysis = newAnalysis(file, index);
  const rows: LoadedFile['rows'] = [];
  for await (const r of recordsOf(file, choice, analysis, issueSink(analysis), onBytes)) rows.push(r);
  analysis.rowCount = rows.length;
  analysis.sample = rows.slice(0, SAMPLE_ROWS).map((r) => r.record);
  analysis.keys = keysOf(analysis.sample);
  analysis.mapping = detectMapping(analysis.sample);
  return { blob: file, name: file.name, analysis, rows };
}

/**
 * The seed drafts of `files`, read and mapped exactly as `analyse` then `plan` with the detected
 * mappings would (the mapping is recognised from a file's first SAMPLE_ROWS records), but yielded
 * one by one and never held: the command line stores 100k seeds in chunks through it, in flat
 * memory. Every problem goes to `onIssue` with its file and line, records that do not map
 * included; duplicates are not flagged (the caller keeps the hashes it has seen).
 */
export async function* streamDrafts(files: File[], onIssue: (i: ImportIssue) => void): AsyncGenerator<SeedDraft> {
  for (const [index, file] of files.entries()) {
    const analysis = newAnalysis(file, index);
    const issue = issueSink(analysis, onIssue);
    const head: { line: number; record: RawRecord }[] = [];
    let mapping: FieldMapping | null = null;
    function* mapped(rows: { line: number; record: RawRecord }[]): Generator<SeedDraft> {
      for (const { line, record } of rows) {
        const r = applyMapping(record, mapping!, { file: file.name, line, format: analysis.format });
        if (r.ok) yield r.draft;
        else issue(line, r.code, r.detail);
      }
    }
    for await (const row of recordsOf(file, {}, analysis, issue, () => {})) {
      if (mapping) {
        yield* mapped([row]);
        continue;
      }
      head.push(row);
      if (head.length === SAMPLE_ROWS) {
        mapping = detectMapping(head.map((h) => h.record));
        yield* mapped(head.splice(0));
      }
    }
    if (!mapping) {
      mapping = detectMapping(head.map((h) => h.record));
      yield* mapped(head);
    }
  }
}

function events(file: File, format: FormatId, encoding: EncodingId, delimiter: Delimiter, headText: string, onBytes: (n: number) => void): AsyncIterable<ParseEvent> {
  const chunks = () => decodeBlob(file, encoding, onBytes);
  switch (format) {
    case 'parquet':
      return parseParquet(file, (done, total) => onBytes(Math.round((file.size * done) / Math.max(1, total))));
    case 'jsonl':
      return parseJsonl(splitLines(chunks()));
    case 'json':
      return parseJsonDocument(chunks());
    case 'csv':
    case 'tsv':
      return parseDelimited(chunks(), delimiter);
    case 'text':
      return parseText(splitLines(chunks()), guessTextMode(headText));
  }
}
