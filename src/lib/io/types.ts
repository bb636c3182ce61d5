/** Shared types of the importers. Plain data: these cross the worker boundary. */

export const FORMATS = ['jsonl', 'json', 'csv', 'tsv', 'text', 'parquet'] as const;
export type FormatId = (typeof FORMATS)[number];
/**
 * Text encodings a file can be read in (WHATWG TextDecoder labels). Detection picks among the
 * first six (./decode.ts); Shift_JIS and EUC-KR are offered only as the user's choice.
 */
export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'gb18030', 'big5', 'windows-1252', 'shift_jis', 'euc-kr'] as const;
export type EncodingId = (typeof ENCODINGS)[number];

/** Field delimiters of CSV-like files: comma, semicolon (European-locale Excel), tab, pipe. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** How to read one file: each part is detected unless the user chose it. */
export interface ReadChoice {
  format: FormatId | 'auto';
  encoding: EncodingId | 'auto';
  /** Used by CSV and TSV only. */
  delimiter: Delimiter | 'auto';
}

export type RawRecord = Record<string, unknown>;

/** Why a line, a row or a whole file could not be used. Each code has a message in both catalogues. */
export type IssueCode =
  | 'emptyFile'
  | 'binaryFile'
  | 'invalidEncoding'
  | 'nulByte'
  | 'jsonSyntax'
  | 'jsonUnterminated'
  | 'notAnObject'
  | 'tooDeep'
  | 'csvUnterminatedQuote'
  | 'csvFieldCount'
  | 'csvNoHeader'
  | 'parquetInvalid'
  | 'readFailed'
  | 'noInstruction'
  | 'badConversation'
  | 'badInstances';

/** One problem. `line` is 1-based (the row number for Parquet); 0 means the file as a whole. */
export interface ImportIssue {
  file: string;
  line: number;
  code: IssueCode;
  /** Extra words for the user: the parser's own message, the field name, the count. */
  detail?: string;
}

export type ParseEvent =
  | { kind: 'row'; line: number; record: RawRecord }
  | { kind: 'issue'; line: number; code: IssueCode; detail?: string };

/** Progress of reading a file: bytes read of the file's size. */
export interface ReadProgress {
  phase: 'read' | 'map' | 'write';
  done: number;
  total: number;
}
