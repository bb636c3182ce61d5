import type { PairFormat } from './pairs';
import type { SplitPart } from './split';
import type { ExportFormat } from './types';

/**
 * The trainer handoff (issue 16 item 6): LLaMA-Factory's `dataset_info.json` entry for an exported
 * file, so that `dataset: <name>` in a training config reads it as written. Each entry follows the
 * dataset descriptions of LLaMA-Factory's data/README.md (hiyouga/LLaMA-Factory), and
 * tests/unit/handoff.test.ts holds those examples:
 * - Alpaca (alpaca-json, alpaca-jsonl, and the CSV / Parquet tables, whose columns are Alpaca's):
 *   `columns` prompt/query/response/system → instruction/input/output/system;
 * - ShareGPT (sharegpt-json): `formatting: "sharegpt"`, `columns.messages: "conversations"` and the
 *   `from`/`value` tags (human, gpt, and `system` for the system turn we write first);
 * - OpenAI (openai-jsonl): the README's "OpenAI Format", sharegpt formatting with role/content tags;
 * - preference pairs (./pairs.ts): `ranking: true` with chosen/rejected columns — LLaMA-Factory's
 *   Alpaca and ShareGPT ranking files, and TRL's standard `{prompt, chosen, rejected}` lines and
 *   Parquet table (string columns, read as Alpaca ranking with `prompt` as the prompt column);
 *   TRL's unpaired `{prompt, completion, label}` as a KTO dataset (`kto_tag`).
 * TRL's conversational lines and OpenAI's preference lines hold each side as a list of messages,
 * which LLaMA-Factory does not read: they get no entry (null), and the export says so.
 */
export interface DatasetInfoEntry {
  file_name: string;
  formatting?: 'alpaca' | 'sharegpt';
  ranking?: true;
  columns: Record<string, string>;
  tags?: Record<string, string>;
}

const ALPACA = { prompt: 'instruction', query: 'input', response: 'output' };
const SHAREGPT_TAGS = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system' };
const OPENAI_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' };

/**
 * The entry for one file of `format`, or null where LLaMA-Factory cannot read the format.
 * `system`: some record of the file has a `system` key. LLaMA-Factory reads a named column from
 * every record (`example[system]`): named while no record has it, the column does not exist and
 * loading fails with a KeyError, so it is named only when written (always in CSV and Parquet, whose
 * tables have it). ShareGPT files carry the system prompt as their first turn, read by `system_tag`.
 */
export function datasetInfoEntry(format: ExportFormat | PairFormat, fileName: string, o: { system?: boolean } = {}): DatasetInfoEntry | null {
  const system: Record<string, string> = o.system ? { system: 'system' } : {};
  switch (format) {
    case 'alpaca-json':
    case 'alpaca-jsonl':
      return { file_name: fileName, columns: { ...ALPACA, ...system } };
    case 'csv':
    case 'parquet':
      return { file_name: fileName, columns: { ...ALPACA, system: 'system' } };
    case 'sharegpt-json':
      return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'conversations' }, tags: { ...SHAREGPT_TAGS } };
    case 'openai-jsonl':
      return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { ...OPENAI_TAGS } };
    case 'llamafactory-alpaca-json':
      return { file_name: fileName, ranking: true, columns: { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected', ...system } };
    case 'llamafactory-sharegpt-json':
      return { file_name: fileName, formatting: 'sharegpt', ranking: true, columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected', ...system }, tags: { ...SHAREGPT_TAGS } };
    case 'trl-jsonl':
    case 'pairs-parquet':
      return { file_name: fileName, ranking: true, columns: { prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' } };
    case 'kto-jsonl':
      return { file_name: fileName, columns: { prompt: 'prompt', response: 'completion', kto_tag: 'label' } };
    case 'trl-chat-jsonl':
    case 'openai-dpo-jsonl':
      return null;
  }
}

/** The dataset's name in dataset_info.json: the file stem's letters, digits and underscores. */
export function datasetName(stem: string, part?: SplitPart): string {
  const base = stem.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '') || 'dataset';
  return part ? `${base}_${part}` : base;
}

/**
 * The `dataset_info.json` written beside the data: one entry per file (with a split, `<name>_train`
 * and `<name>_validation`, for `dataset:` and `eval_dataset:`), or null for a format LLaMA-Factory
 * cannot read.
 */
export function datasetInfo(format: ExportFormat | PairFormat, files: { name: string; fileName: string; system?: boolean }[]): Record<string, DatasetInfoEntry> | null {
  const out: Record<string, DatasetInfoEntry> = {};
  for (const f of files) {
    const e = datasetInfoEntry(format, f.fileName, { system: f.system });
    if (!e) return null;
    out[f.name] = e;
  }
  return out;
}

/** dataset_info.json's text: two-space indented, as LLaMA-Factory's own file is. */
export function datasetInfoText(info: Record<string, DatasetInfoEntry>): string {
  return JSON.stringify(info, null, 2) + '\n';
}

/** One written file as the handoff names it. */
export interface HandoffFile {
  part?: SplitPart;
  fileName: string;
  /** The export summary's `systemWritten`. */
  system?: boolean;
}

/** A file's name: `<stem>.<extension>`, or `<stem>.<part>.<extension>` for a side of a split. */
export function handoffFileName(stem: string, extension: string, part?: SplitPart): string {
  return part ? `${stem}.${part}.${extension}` : `${stem}.${extension}`;
}

/** dataset_info.json's text for the files of one export (null: LLaMA-Factory cannot read the format). */
export function handoffText(format: ExportFormat | PairFormat, stem: string, files: readonly HandoffFile[]): string | null {
  const info = datasetInfo(format, files.map((f) => ({ name: datasetName(stem, f.part), fileName: f.fileName, system: f.system })));
  return info ? datasetInfoText(info) : null;
}
