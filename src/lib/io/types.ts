/** Shared types of the importers. Plain data: these cross the worker boundary. */

export const FORMATS = ['jsonl', 'json', 'csv', 'tsv', 'text', 'parquet'] as const;
export type FormatId = (typeof FORMATS)[number];
export type EncodingId = 'utf-8' | 'utf-16le' | 'utf-16be';

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
