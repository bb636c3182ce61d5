import type { FormatId } from './types';

const BY_EXTENSION: Record<string, FormatId> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  txt: 'text',
  text: 'text',
  md: 'text',
  parquet: 'parquet',
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * The format of a file, from its content first and its name second: a `.json` file that holds
 * JSON Lines is read as JSON Lines, a `.csv` that holds JSON as JSON, and a Parquet file is known
 * by its magic bytes whatever its name.
 */
export function detectFormat(name: string, head: Uint8Array, headText: string): FormatId {
  const magic = head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
  if (magic) return 'parquet';
  const ext = BY_EXTENSION[extensionOf(name)];
  if (ext === 'parquet') return 'parquet'; // no magic: the Parquet reader says why it is not one
  const trimmed = headText.replace(/^\uFEFF/, '').trimStart();
  const first = trimmed[0];
  if (first === '{' || first === '[') {
    if (first === '[') return 'json';
    // One complete object on the first line: JSON Lines (also when the file is called .json).
    const firstLine = trimmed.split('\n', 1)[0]!.trim();
    return firstLine.endsWith('}') ? 'jsonl' : 'json';
  }
  if (ext && ext !== 'json' && ext !== 'jsonl') return ext;
  if (ext === 'json' || ext === 'jsonl') return ext; // not JSON inside: its parser reports each line
  const firstLine = trimmed.split('\n', 1)[0] ?? '';
  return firstLine.includes('\t') ? 'tsv' : 'text';
}
