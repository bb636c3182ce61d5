import type { ChatTurn } from '../../db/types';
import type { ExportFormat, ExportItem, Provenance } from './types';

/**
 * One item in each format's layout. These functions are the layouts: the README's examples are
 * checked against them (tests/unit/export.test.ts), so the docs and the files cannot drift.
 */

/** File name extension and media type of each format. */
export const FORMAT_FILES: Record<ExportFormat, { extension: string; mime: string }> = {
  'alpaca-json': { extension: 'alpaca.json', mime: 'application/json' },
  'alpaca-jsonl': { extension: 'alpaca.jsonl', mime: 'application/jsonl' },
  'sharegpt-json': { extension: 'sharegpt.json', mime: 'application/json' },
  'openai-jsonl': { extension: 'openai.jsonl', mime: 'application/jsonl' },
  csv: { extension: 'csv', mime: 'text/csv' },
  parquet: { extension: 'parquet', mime: 'application/vnd.apache.parquet' },
};

/** The provenance fields in the order every format writes them. */
export const PROVENANCE_FIELDS = ['id', 'source', 'operation', 'round', 'generator', 'responder', 'judge', 'score'] as const satisfies readonly (keyof Provenance)[];

function provenanceObject(p: Provenance): Provenance {
  // A fixed key order, whatever order the item was built in.
  return Object.fromEntries(PROVENANCE_FIELDS.map((k) => [k, p[k]])) as unknown as Provenance;
}

/** The user's turn of a single exchange: the instruction, then the input after a blank line. */
export function userText(item: Pick<ExportItem, 'instruction' | 'input'>): string {
  return item.input ? `${item.instruction}\n\n${item.input}` : item.instruction;
}

/**
 * The conversation the chat formats write: the system prompt when there is one, then either the
 * seed's whole conversation (when it alternates user/assistant and ends with the assistant, as
 * fine-tuning needs) or the one exchange instruction(+input) → output.
 */
export function chatTurns(item: ExportItem): ChatTurn[] {
  const out: ChatTurn[] = [];
  const fromTurns = item.turns?.filter((t) => t.role !== 'system');
  const system = item.turns?.find((t) => t.role === 'system')?.content || item.system;
  if (system) out.push({ role: 'system', content: system });
  if (fromTurns && alternates(fromTurns)) out.push(...fromTurns.map((t) => ({ role: t.role, content: t.content })));
  else out.push({ role: 'user', content: userText(item) }, { role: 'assistant', content: item.output });
  return out;
}

function alternates(turns: ChatTurn[]): boolean {
  return turns.length >= 2 && turns.length % 2 === 0 && turns.every((t, i) => t.role === (i % 2 === 0 ? 'user' : 'assistant') && t.content.length > 0);
}

/** Alpaca: `{instruction, input, output}`, `system` only when the item has one, then `provenance`. */
export function alpacaRecord(item: ExportItem, provenance: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = { instruction: item.instruction, input: item.input, output: item.output };
  if (item.system) r.system = item.system;
  if (provenance) r.provenance = provenanceObject(item.provenance);
  return r;
}

const SHAREGPT_FROM: Record<ChatTurn['role'], string> = { system: 'system', user: 'human', assistant: 'gpt' };

/** ShareGPT: `{conversations: [{from: system|human|gpt, value}]}`, then `provenance`. */
export function sharegptRecord(item: ExportItem, provenance: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = { conversations: chatTurns(item).map((t) => ({ from: SHAREGPT_FROM[t.role], value: t.content })) };
  if (provenance) r.provenance = provenanceObject(item.provenance);
  return r;
}

/** OpenAI fine-tuning chat format: `{messages: [{role, content}]}` and nothing else. */
export function openaiRecord(item: ExportItem): Record<string, unknown> {
  return { messages: chatTurns(item).map((t) => ({ role: t.role, content: t.content })) };
}

/** The CSV / Parquet columns: the text columns, then the provenance columns when kept. */
export function tableColumns(provenance: boolean): string[] {
  return ['instruction', 'input', 'output', 'system', ...(provenance ? PROVENANCE_FIELDS : [])];
}

/** One row of the CSV / Parquet table, as values in `tableColumns` order. */
export function tableRow(item: ExportItem, provenance: boolean): (string | number | null)[] {
  const row: (string | number | null)[] = [item.instruction, item.input, item.output, item.system];
  if (provenance) for (const k of PROVENANCE_FIELDS) row.push(item.provenance[k]);
  return row;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: (string | number | null)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** The text of one record in a line-per-record or array format (without separators). */
export function recordText(format: Exclude<ExportFormat, 'csv' | 'parquet'>, item: ExportItem, provenance: boolean): string {
  switch (format) {
    case 'alpaca-json':
    case 'alpaca-jsonl':
      return JSON.stringify(alpacaRecord(item, provenance));
    case 'sharegpt-json':
      return JSON.stringify(sharegptRecord(item, provenance));
    case 'openai-jsonl':
      return JSON.stringify(openaiRecord(item));
  }
}
