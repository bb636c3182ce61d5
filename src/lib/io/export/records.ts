import type { ChatTurn } from '../../db/types';
import type { DocumentProvenance, ExportFormat, ExportItem, Provenance, RecordLayout, SourceMode } from './types';

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

/** The document fields, after the provenance fields, when the export has document-made items. */
export const DOCUMENT_FIELDS = ['document', 'pages', 'headingPath', 'chunkId'] as const satisfies readonly (keyof DocumentProvenance)[];

/** A boolean is the layout of an export without documents: provenance or not, no source. */
export function layoutOf(l: RecordLayout | boolean): RecordLayout {
  return typeof l === 'boolean' ? { provenance: l, source: 'none', documents: false } : l;
}

function documentProvenance(item: ExportItem): DocumentProvenance {
  const s = item.source;
  return s ? { document: s.document, pages: s.pages, headingPath: s.headingPath, chunkId: s.chunkId } : { document: null, pages: null, headingPath: null, chunkId: null };
}

function provenanceObject(item: ExportItem, l: RecordLayout): Record<string, unknown> {
  // A fixed key order, whatever order the item was built in.
  const p = item.provenance;
  const out: Record<string, unknown> = Object.fromEntries(PROVENANCE_FIELDS.map((k) => [k, p[k]]));
  if (l.documents) Object.assign(out, documentProvenance(item));
  return out;
}

/**
 * Where the source goes in `format`: OpenAI JSONL lines may carry `messages` only, so a `context`
 * there becomes the system message.
 */
export function sourcePlace(format: ExportFormat, mode: SourceMode): SourceMode {
  return format === 'openai-jsonl' && mode === 'context' ? 'system' : mode;
}

const join = (a: string, b: string) => (a && b ? `${a}\n\n${b}` : a || b);

/**
 * The item with its grounding text moved where `mode` puts it: `system`: the system prompt (after
 * the item's own, if any); `input`: the input (before the item's own, if any). `context` and
 * `none` leave the item as it is (the context is a field of its own). Items without a source, or
 * whose text is gone, are unchanged.
 */
export function placeSource(item: ExportItem, mode: SourceMode): ExportItem {
  const text = item.source?.text;
  if (!text) return item;
  if (mode === 'system') {
    const out = { ...item, system: join(item.system, text) };
    // A conversation's own system turn is what the chat formats write: the source joins it there.
    if (item.turns?.some((t) => t.role === 'system')) out.turns = item.turns.map((t) => (t.role === 'system' ? { ...t, content: join(t.content, text) } : t));
    return out;
  }
  if (mode === 'input') return { ...item, input: join(text, item.input) };
  return item;
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

/**
 * Alpaca: `{instruction, input, output}`, `system` only when the item has one, `context` (the
 * grounding text, '' for items without one) in the `context` layout, then `provenance`.
 */
export function alpacaRecord(item: ExportItem, layout: RecordLayout | boolean): Record<string, unknown> {
  const l = layoutOf(layout);
  const it = placeSource(item, l.source);
  const r: Record<string, unknown> = { instruction: it.instruction, input: it.input, output: it.output };
  if (it.system) r.system = it.system;
  if (l.source === 'context') r.context = item.source?.text ?? '';
  if (l.reasoning) r.reasoning = item.reasoning ?? '';
  if (l.provenance) r.provenance = provenanceObject(item, l);
  return r;
}

const SHAREGPT_FROM: Record<ChatTurn['role'], string> = { system: 'system', user: 'human', assistant: 'gpt' };

/** ShareGPT: `{conversations: [{from: system|human|gpt, value}]}`, `context` in the `context` layout, then `provenance`. */
export function sharegptRecord(item: ExportItem, layout: RecordLayout | boolean): Record<string, unknown> {
  const l = layoutOf(layout);
  const r: Record<string, unknown> = { conversations: chatTurns(placeSource(item, l.source)).map((t) => ({ from: SHAREGPT_FROM[t.role], value: t.content })) };
  if (l.source === 'context') r.context = item.source?.text ?? '';
  if (l.reasoning) r.reasoning = item.reasoning ?? '';
  if (l.provenance) r.provenance = provenanceObject(item, l);
  return r;
}

/** OpenAI fine-tuning chat format: `{messages: [{role, content}]}` and nothing else (a `context` source becomes the system message). */
export function openaiRecord(item: ExportItem, source: SourceMode = 'none'): Record<string, unknown> {
  return { messages: chatTurns(placeSource(item, sourcePlace('openai-jsonl', source))).map((t) => ({ role: t.role, content: t.content })) };
}

/**
 * The CSV / Parquet columns: the text columns, `context` in the `context` layout, then the
 * provenance columns when kept (with the document columns when the export has document-made items).
 */
export function tableColumns(layout: RecordLayout | boolean): string[] {
  const l = layoutOf(layout);
  return ['instruction', 'input', 'output', 'system', ...(l.source === 'context' ? ['context'] : []), ...(l.reasoning ? ['reasoning'] : []), ...(l.provenance ? PROVENANCE_FIELDS : []), ...(l.provenance && l.documents ? DOCUMENT_FIELDS : [])];
}

/** Pages as a table cell: `12` or `12-13`. */
export function pagesCell(p: DocumentProvenance['pages']): string | null {
  return p ? (p[0] === p[1] ? String(p[0]) : `${p[0]}-${p[1]}`) : null;
}

/** One row of the CSV / Parquet table, as values in `tableColumns` order (a heading path as a JSON array). */
export function tableRow(item: ExportItem, layout: RecordLayout | boolean): (string | number | null)[] {
  const l = layoutOf(layout);
  const it = placeSource(item, l.source);
  const row: (string | number | null)[] = [it.instruction, it.input, it.output, it.system];
  if (l.source === 'context') row.push(item.source?.text ?? '');
  if (l.reasoning) row.push(item.reasoning ?? '');
  if (l.provenance) for (const k of PROVENANCE_FIELDS) row.push(item.provenance[k]);
  if (l.provenance && l.documents) {
    const d = documentProvenance(item);
    row.push(d.document, pagesCell(d.pages), d.headingPath && JSON.stringify(d.headingPath), d.chunkId);
  }
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
export function recordText(format: Exclude<ExportFormat, 'csv' | 'parquet'>, item: ExportItem, layout: RecordLayout | boolean): string {
  switch (format) {
    case 'alpaca-json':
    case 'alpaca-jsonl':
      return JSON.stringify(alpacaRecord(item, layout));
    case 'sharegpt-json':
      return JSON.stringify(sharegptRecord(item, layout));
    case 'openai-jsonl':
      return JSON.stringify(openaiRecord(item, layoutOf(layout).source));
  }
}
