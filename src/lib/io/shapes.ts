import type { ChatRole, ChatTurn, SeedDraft } from '../db/types';
import { seedHash } from '../text/normalize';
import { isPlainObject } from './formats/json';
import type { IssueCode, ParseEvent, RawRecord } from './types';

/**
 * The shapes of instruction data in the wild, recognised from field names, and the mapping from a
 * record's fields to a seed. The mapping is shown to the user, who can change it before import.
 */
export type ShapeId = 'alpaca' | 'promptResponse' | 'qa' | 'openai' | 'sharegpt' | 'selfInstruct' | 'text' | 'custom';
export const SHAPES: ShapeId[] = ['alpaca', 'promptResponse', 'qa', 'openai', 'sharegpt', 'selfInstruct', 'text', 'custom'];

export interface FieldMapping {
  shape: ShapeId;
  /** Source field of each seed field (null: none). Chat shapes use `conversation`, Self-Instruct `instances`. */
  instruction: string | null;
  input: string | null;
  output: string | null;
  system: string | null;
  conversation: string | null;
  instances: string | null;
  tags: string | null;
}

export const MAPPED_FIELDS = ['instruction', 'input', 'output', 'system', 'conversation', 'instances', 'tags'] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

/** Which fields a shape uses, in the order the mapping editor shows them. */
export function fieldsOf(shape: ShapeId): MappedField[] {
  switch (shape) {
    case 'openai':
    case 'sharegpt':
      return ['conversation', 'tags'];
    case 'selfInstruct':
      return ['instruction', 'instances', 'tags'];
    default:
      return ['instruction', 'input', 'output', 'system', 'tags'];
  }
}

const ALIASES: Record<MappedField, string[]> = {
  instruction: ['instruction', 'prompt', 'question', 'query', 'text', 'input_text', '问题', '指令'],
  input: ['input', 'context', 'source', '输入'],
  output: ['output', 'response', 'answer', 'completion', 'chosen', 'target', '回答', '答案', '输出'],
  system: ['system', 'system_prompt'],
  conversation: ['messages', 'conversations', 'conversation', 'dialog', 'turns'],
  instances: ['instances'],
  tags: ['tags', 'tag', 'labels'],
};

function findKey(keys: string[], names: string[]): string | null {
  for (const n of names) {
    const k = keys.find((x) => x.toLowerCase() === n.toLowerCase());
    if (k) return k;
  }
  return null;
}

const has = (keys: string[], ...names: string[]) => names.every((n) => findKey(keys, [n]) !== null);

/** Which shape a single record has, by its field names. */
function shapeOfKeys(keys: string[], record: RawRecord): ShapeId {
  const get = (n: string) => {
    const k = findKey(keys, [n]);
    return k === null ? undefined : record[k];
  };
  if (has(keys, 'instruction') && Array.isArray(get('instances'))) return 'selfInstruct';
  if (Array.isArray(get('messages'))) return 'openai';
  if (Array.isArray(get('conversations')) || Array.isArray(get('conversation'))) return 'sharegpt';
  if (has(keys, 'instruction')) return 'alpaca';
  if (has(keys, 'prompt') && (has(keys, 'response') || has(keys, 'completion') || has(keys, 'chosen'))) return 'promptResponse';
  if (has(keys, 'question') && has(keys, 'answer')) return 'qa';
  if (keys.length === 1 && has(keys, 'text')) return 'text';
  return 'custom';
}

/**
 * The records inside a wrapper object such as `{"version": "2.1", "data": [{…}, {…}]}`: its one
 * field that holds a non-empty array of objects. An object that is itself a seed is no wrapper,
 * though it may hold one such array (Self-Instruct `instances`, OpenAI `messages`).
 */
export function wrappedRecords(record: RawRecord): { field: string; records: RawRecord[] } | null {
  const keys = Object.keys(record);
  if (shapeOfKeys(keys, record) !== 'custom' || findKey(keys, ALIASES.instruction) !== null) return null;
  const arrays = keys.filter((k) => {
    const v = record[k];
    return Array.isArray(v) && v.length > 0 && v.every(isPlainObject);
  });
  if (arrays.length !== 1) return null;
  return { field: arrays[0]!, records: record[arrays[0]!] as RawRecord[] };
}

/**
 * A parser's events, except that a file whose only content is one wrapper object yields the
 * records inside it (each at the wrapper's line) and names the field through `onUnwrapped`.
 * A one-line `{"version": 1, "data": [...]}` was read as one seed whose instruction was "1".
 */
export async function* unwrapLone(events: AsyncIterable<ParseEvent>, onUnwrapped: (field: string) => void): AsyncGenerator<ParseEvent> {
  let first: ParseEvent | null = null;
  let seen = 0;
  for await (const ev of events) {
    if (++seen === 1) {
      first = ev;
      continue;
    }
    if (first) yield first;
    first = null;
    yield ev;
  }
  if (!first) return;
  const inner = first.kind === 'row' && seen === 1 ? wrappedRecords(first.record) : null;
  if (!inner) {
    yield first;
    return;
  }
  onUnwrapped(inner.field);
  for (const record of inner.records) yield { kind: 'row', line: first.line, record };
}

/** All field names seen in the sample, in first-seen order. */
export function keysOf(records: RawRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** The shape most of the sample has, and the mapping that shape suggests. */
export function detectMapping(records: RawRecord[]): FieldMapping {
  const votes = new Map<ShapeId, number>();
  for (const r of records) {
    const s = shapeOfKeys(Object.keys(r), r);
    votes.set(s, (votes.get(s) ?? 0) + 1);
  }
  let shape: ShapeId = 'custom';
  let best = 0;
  for (const [s, n] of votes) if (n > best) [shape, best] = [s, n];
  return suggestMapping(shape, keysOf(records), records);
}

/** The default mapping of a shape over the given field names (used when the user switches shape). */
export function suggestMapping(shape: ShapeId, keys: string[], sample: RawRecord[] = []): FieldMapping {
  const m: FieldMapping = { shape, instruction: null, input: null, output: null, system: null, conversation: null, instances: null, tags: null };
  const k = (names: string[]) => findKey(keys, names);
  m.tags = k(ALIASES.tags);
  switch (shape) {
    case 'openai':
      m.conversation = k(['messages', ...ALIASES.conversation]);
      break;
    case 'sharegpt':
      m.conversation = k(['conversations', ...ALIASES.conversation]);
      break;
    case 'selfInstruct':
      m.instruction = k(['instruction']);
      m.instances = k(ALIASES.instances);
      break;
    case 'promptResponse':
      m.instruction = k(['prompt']);
      m.output = k(['response', 'completion', 'chosen']);
      m.system = k(ALIASES.system);
      break;
    case 'qa':
      m.instruction = k(['question']);
      m.output = k(['answer']);
      m.input = k(['context']);
      break;
    case 'text':
      m.instruction = k(['text']);
      break;
    default:
      m.instruction = k(ALIASES.instruction);
      m.input = k(ALIASES.input.filter((x) => x !== m.instruction));
      m.output = k(ALIASES.output);
      m.system = k(ALIASES.system);
      if (!m.instruction) {
        // Unknown fields: take the first one that holds text.
        const first = sample[0];
        m.instruction = keys.find((key) => first && typeof first[key] === 'string') ?? keys[0] ?? null;
      }
  }
  return m;
}

export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const ROLE: Record<string, ChatRole> = {
  system: 'system',
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  gpt: 'assistant',
  bot: 'assistant',
  model: 'assistant',
  chatgpt: 'assistant',
};

/** OpenAI `{role, content}` (content a string or text parts) and ShareGPT `{from, value}` turns. */
function toTurns(v: unknown): ChatTurn[] | null {
  if (!Array.isArray(v)) return null;
  const turns: ChatTurn[] = [];
  for (const t of v) {
    if (!isPlainObject(t)) return null;
    const role = ROLE[String(t.role ?? t.from ?? '').toLowerCase()];
    if (!role) return null;
    const raw = t.content ?? t.value;
    const content = Array.isArray(raw)
      ? raw.map((p) => (isPlainObject(p) ? asText(p.text ?? '') : asText(p))).join('')
      : asText(raw);
    turns.push({ role, content });
  }
  return turns;
}

export type MapResult = { ok: true; draft: SeedDraft } | { ok: false; code: IssueCode; detail?: string };

/** Maps one record to a seed draft, or says why it cannot be one. */
export function applyMapping(record: RawRecord, m: FieldMapping, source: SeedDraft['source']): MapResult {
  const get = (key: string | null) => (key === null ? undefined : record[key]);
  let instruction = '';
  let input = '';
  let output = '';
  let system = asText(get(m.system)).trim();
  let turns: ChatTurn[] | undefined;
  let instances: { input: string; output: string }[] | undefined;

  if (m.shape === 'openai' || m.shape === 'sharegpt') {
    const all = toTurns(get(m.conversation));
    if (!all) return { ok: false, code: 'badConversation', detail: m.conversation ?? '' };
    const sys = all.find((t) => t.role === 'system');
    if (sys) system = sys.content.trim();
    const u = all.findIndex((t) => t.role === 'user');
    if (u < 0) return { ok: false, code: 'badConversation', detail: m.conversation ?? '' };
    instruction = all[u]!.content;
    const a = all.slice(u + 1).find((t) => t.role === 'assistant');
    output = a?.content ?? '';
    if (all.filter((t) => t.role !== 'system').length > 2) turns = all;
  } else if (m.shape === 'selfInstruct') {
    instruction = asText(get(m.instruction));
    const raw = get(m.instances);
    if (raw !== undefined && !Array.isArray(raw)) return { ok: false, code: 'badInstances', detail: m.instances ?? '' };
    const list = (raw ?? []).map((x) => (isPlainObject(x) ? { input: asText(x.input).trim(), output: asText(x.output).trim() } : null));
    if (list.some((x) => x === null)) return { ok: false, code: 'badInstances', detail: m.instances ?? '' };
    const good = list as { input: string; output: string }[];
    input = good[0]?.input ?? '';
    output = good[0]?.output ?? '';
    if (good.length > 1) instances = good;
  } else {
    instruction = asText(get(m.instruction));
    input = asText(get(m.input));
    output = asText(get(m.output));
  }
  instruction = instruction.trim();
  input = input.trim();
  output = output.trim();
  if (!instruction) return { ok: false, code: 'noInstruction', detail: m.shape === 'openai' || m.shape === 'sharegpt' ? m.conversation ?? '' : m.instruction ?? '' };

  const rawTags = get(m.tags);
  const tags = Array.isArray(rawTags)
    ? rawTags.map(asText)
    : typeof rawTags === 'string'
      ? rawTags.split(/[,;，；]/)
      : [];
  const draft: SeedDraft = {
    instruction,
    input,
    output,
    system,
    tags: [...new Set(tags.map((t) => t.trim()).filter(Boolean))],
    hash: seedHash({ instruction, input, output }),
    source,
  };
  if (turns) draft.turns = turns;
  if (instances) draft.instances = instances;
  return { ok: true, draft };
}
