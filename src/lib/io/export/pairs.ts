import type { ChatTurn, SampleStatus } from '../../db/types';
import type { PairSource, PreferencePair } from '../../preference/types';
import { ExportScanner, type ExportPrivacyOptions, type ExportPrivacySummary } from '../../privacy/exportScan';
import { userText } from './records';
import type { ByteSink } from './sink';
import { CHUNK_CHARS } from './encode';
import type { ExportProgress } from './types';

/**
 * Preference pairs as trainers read them (issue 16, item 1). Each layout is one function from a
 * pair to its record(s); the README's examples are checked against them (tests/unit/exportPairs.test.ts):
 * - `trl-jsonl`: TRL's standard preference type, `{prompt, chosen, rejected}` as strings;
 * - `trl-chat-jsonl`: TRL's conversational preference type, the prompt as messages and each side
 *   as one assistant message;
 * - `llamafactory-alpaca-json`: LLaMA-Factory's ranking dataset, Alpaca form
 *   `{instruction, input, chosen, rejected}` (`"ranking": true` in dataset_info.json);
 * - `llamafactory-sharegpt-json`: the ShareGPT form, `{conversations, chosen, rejected}` with
 *   `from`/`value` messages (`"ranking": true, "formatting": "sharegpt"`);
 * - `openai-dpo-jsonl`: OpenAI preference fine-tuning, `{input: {messages}, preferred_output,
 *   non_preferred_output}` (message arrays), and nothing else on the line;
 * - `kto-jsonl`: TRL's unpaired preference type, `{prompt, completion, label}`, one row per side;
 * - `pairs-parquet`: the TRL standard columns plus the pair's facts, for `datasets` / pandas.
 */
export const PAIR_FORMATS = ['trl-jsonl', 'trl-chat-jsonl', 'llamafactory-alpaca-json', 'llamafactory-sharegpt-json', 'openai-dpo-jsonl', 'kto-jsonl', 'pairs-parquet'] as const;
export type PairFormat = (typeof PAIR_FORMATS)[number];

export const isPairFormat = (x: unknown): x is PairFormat => (PAIR_FORMATS as readonly unknown[]).includes(x);

/** File name extension and media type of each pair format. */
export const PAIR_FORMAT_FILES: Record<PairFormat, { extension: string; mime: string }> = {
  'trl-jsonl': { extension: 'trl.jsonl', mime: 'application/jsonl' },
  'trl-chat-jsonl': { extension: 'trl-chat.jsonl', mime: 'application/jsonl' },
  'llamafactory-alpaca-json': { extension: 'llamafactory-alpaca.json', mime: 'application/json' },
  'llamafactory-sharegpt-json': { extension: 'llamafactory-sharegpt.json', mime: 'application/json' },
  'openai-dpo-jsonl': { extension: 'openai-dpo.jsonl', mime: 'application/jsonl' },
  'kto-jsonl': { extension: 'kto.jsonl', mime: 'application/jsonl' },
  'pairs-parquet': { extension: 'pairs.parquet', mime: 'application/vnd.apache.parquet' },
};

/** The pair's facts kept (when asked) as a `provenance` object, or as columns in Parquet. */
export interface PairProvenance {
  id: string;
  source: PairSource;
  chosenScore: number | null;
  rejectedScore: number | null;
  gap: number | null;
  reason: string;
}

const provenanceOf = (p: PreferencePair): PairProvenance => ({ id: p.id, source: p.source, chosenScore: p.chosen.score, rejectedScore: p.rejected.score, gap: p.gap, reason: p.reason });

/** The conversation before the answers: the system prompt, then the pair's turns or its one user turn. */
export function promptTurns(p: Pick<PreferencePair, 'prompt'>): ChatTurn[] {
  const { system, turns } = p.prompt;
  const out: ChatTurn[] = [];
  const sys = turns?.find((t) => t.role === 'system')?.content || system;
  if (sys) out.push({ role: 'system', content: sys });
  const rest = turns?.filter((t) => t.role !== 'system');
  if (rest?.length) out.push(...rest.map((t) => ({ role: t.role, content: t.content })));
  else out.push({ role: 'user', content: userText(p.prompt) });
  return out;
}

/**
 * The prompt as one string (the standard forms): the user's text; a conversation's earlier turns
 * cannot be said in a string, so the standard forms write its last user turn (use a chat form for
 * conversations).
 */
function promptText(p: PreferencePair): string {
  const users = p.prompt.turns?.filter((t) => t.role === 'user');
  return users?.length ? users[users.length - 1]!.content : userText(p.prompt);
}

const assistant = (content: string) => ({ role: 'assistant', content });
const SHAREGPT_FROM: Record<ChatTurn['role'], string> = { system: 'system', user: 'human', assistant: 'gpt' };

/**
 * The record(s) one pair becomes in `format` (two for KTO, one otherwise). `provenance` adds a
 * `provenance` object where the layout allows extra keys (never in OpenAI's).
 */
export function pairRecords(format: Exclude<PairFormat, 'pairs-parquet'>, p: PreferencePair, provenance = false): Record<string, unknown>[] {
  const extra = provenance && format !== 'openai-dpo-jsonl' ? { provenance: provenanceOf(p) } : {};
  switch (format) {
    case 'trl-jsonl':
      return [{ prompt: promptText(p), chosen: p.chosen.text, rejected: p.rejected.text, ...extra }];
    case 'trl-chat-jsonl':
      return [{ prompt: promptTurns(p), chosen: [assistant(p.chosen.text)], rejected: [assistant(p.rejected.text)], ...extra }];
    case 'llamafactory-alpaca-json': {
      const r: Record<string, unknown> = { instruction: p.prompt.turns?.length ? promptText(p) : p.prompt.instruction, input: p.prompt.turns?.length ? '' : p.prompt.input, chosen: p.chosen.text, rejected: p.rejected.text };
      if (p.prompt.system) r.system = p.prompt.system;
      return [{ ...r, ...extra }];
    }
    case 'llamafactory-sharegpt-json': {
      const turns = promptTurns(p);
      const system = turns[0]?.role === 'system' ? turns.shift()!.content : '';
      const r: Record<string, unknown> = { conversations: turns.map((t) => ({ from: SHAREGPT_FROM[t.role], value: t.content })), chosen: { from: 'gpt', value: p.chosen.text }, rejected: { from: 'gpt', value: p.rejected.text } };
      if (system) r.system = system;
      return [{ ...r, ...extra }];
    }
    case 'openai-dpo-jsonl':
      return [{ input: { messages: promptTurns(p) }, preferred_output: [assistant(p.chosen.text)], non_preferred_output: [assistant(p.rejected.text)] }];
    case 'kto-jsonl': {
      const prompt = promptText(p);
      return [
        { prompt, completion: p.chosen.text, label: true, ...extra },
        { prompt, completion: p.rejected.text, label: false, ...extra },
      ];
    }
  }
}

/** What a text export wrote: `rows` in the file; KTO's rows merged or left out (0 in the paired layouts). */
export interface PairTally {
  rows: number;
  /** KTO rows that repeat an earlier (prompt, completion, label): written once. */
  repeated: number;
  /** KTO (prompt, completion)s labelled both true and false (one pair's chosen, another's rejected): left out. */
  contradicted: number;
}

/**
 * The records of a page stream in `format`. KTO's rows are read whole first: margin mode and
 * best-of-N with k ≥ 2 put one answer in several pairs, so a row repeats, and one answer can be
 * chosen in one pair and rejected in another — a trainer would read both labels for one
 * completion. Each (prompt, completion) is written once, with its first row's provenance, and
 * one that got both labels not at all.
 */
async function* pairRecordStream(format: Exclude<PairFormat, 'pairs-parquet'>, pages: AsyncIterable<PreferencePair[]>, provenance: boolean, tally: PairTally): AsyncGenerator<Record<string, unknown>> {
  if (format !== 'kto-jsonl') {
    for await (const page of pages) for (const p of page) yield* pairRecords(format, p, provenance);
    return;
  }
  const rows = new Map<string, { row: Record<string, unknown>; labels: Set<unknown> }>();
  for await (const page of pages) {
    for (const p of page) {
      for (const r of pairRecords(format, p, provenance)) {
        const key = JSON.stringify([r.prompt, r.completion]);
        const seen = rows.get(key);
        if (!seen) rows.set(key, { row: r, labels: new Set([r.label]) });
        else if (seen.labels.has(r.label)) tally.repeated++;
        else seen.labels.add(r.label);
      }
    }
  }
  for (const { row, labels } of rows.values()) {
    if (labels.size > 1) tally.contradicted++;
    else yield row;
  }
}

/** The Parquet columns: TRL's three, the prompt's parts, then the pair's facts. */
export const PAIR_COLUMNS = ['prompt', 'chosen', 'rejected', 'system', 'instruction', 'input', 'id', 'source', 'chosen_score', 'rejected_score', 'gap', 'reason'] as const;

export function pairRow(p: PreferencePair): (string | number | null)[] {
  return [promptText(p), p.chosen.text, p.rejected.text, p.prompt.system, p.prompt.instruction, p.prompt.input, p.id, p.source, p.chosen.score, p.rejected.score, p.gap, p.reason];
}

/**
 * Streams pages of pairs as the bytes of one file in `format`: text in chunks of about CHUNK_CHARS,
 * Parquet one row group per page. `tally` is filled as it writes (KTO's merged rows: pairRecordStream).
 * @throws whatever the pair source throws (the caller aborts the sink).
 */
export async function* encodePairs(format: PairFormat, pages: AsyncIterable<PreferencePair[]>, provenance = false, tally: PairTally = { rows: 0, repeated: 0, contradicted: 0 }): AsyncGenerator<Uint8Array> {
  if (format === 'pairs-parquet') {
    yield* encodePairsParquet(pages, tally);
    return;
  }
  const enc = new TextEncoder();
  const array = format === 'llamafactory-alpaca-json' || format === 'llamafactory-sharegpt-json';
  let buf = array ? '[' : '';
  let first = true;
  for await (const r of pairRecordStream(format, pages, provenance, tally)) {
    // One record per line inside the array, as the sample formats write it.
    buf += array ? (first ? '\n' : ',\n') + JSON.stringify(r) : JSON.stringify(r) + '\n';
    first = false;
    tally.rows++;
    if (buf.length >= CHUNK_CHARS) {
      yield enc.encode(buf);
      buf = '';
    }
  }
  if (array) buf += first ? ']\n' : '\n]\n';
  if (buf) yield enc.encode(buf);
}

async function* encodePairsParquet(pages: AsyncIterable<PreferencePair[]>, tally: PairTally): AsyncGenerator<Uint8Array> {
  // One buffer, one row group: pairs are far fewer than samples (the sample exporter streams row
  // groups through a writer of its own in encode.ts). Loaded on first use, like that one.
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const rows: (string | number | null)[][] = [];
  for await (const page of pages) for (const p of page) rows.push(pairRow(p));
  tally.rows = rows.length;
  const numeric = new Set(['chosen_score', 'rejected_score', 'gap']);
  const buffer = parquetWriteBuffer({
    columnData: PAIR_COLUMNS.map((name, c) => ({ name, data: rows.map((r) => r[c] ?? null), type: numeric.has(name) ? ('DOUBLE' as const) : ('STRING' as const), nullable: numeric.has(name) })),
  });
  yield new Uint8Array(buffer);
}

/** Where an export reads pairs: the app's IndexedDB (pairsRepo) or pairs built in memory (the command line). */
export interface PairReader {
  /** Ids of the project's pairs with these statuses, each status in id order. */
  pairIdsByStatus(projectId: string, statuses: readonly SampleStatus[]): Promise<string[]>;
  /** Pairs by id, a page at a time, in the ids' order (missing ones skipped). */
  pairPages(ids: readonly string[]): AsyncIterable<PreferencePair[]>;
}

/** A PairReader over pairs in memory (pairs the command line built from its store). */
export function memoryPairReader(pairs: readonly PreferencePair[], pageSize = 1000): PairReader {
  const byId = new Map(pairs.map((p) => [p.id, p]));
  return {
    async pairIdsByStatus(projectId, statuses) {
      return statuses.flatMap((s) => pairs.filter((p) => p.projectId === projectId && p.status === s).map((p) => p.id).sort());
    },
    async *pairPages(ids) {
      for (let i = 0; i < ids.length; i += pageSize) yield ids.slice(i, i + pageSize).flatMap((id) => byId.get(id) ?? []);
    },
  };
}

export interface PairExportOptions {
  format: PairFormat;
  /** Only accepted pairs (the default); otherwise pending ones too. Rejected pairs never go out. */
  acceptedOnly: boolean;
  /** Keep each pair's facts (id, source, scores, gap, reason) where the layout allows. */
  provenance: boolean;
  /** Only pairs from these sources; absent: all. */
  sources?: readonly PairSource[];
  /** Scan every written pair for personal data, and redact it in the file when asked. */
  privacy?: ExportPrivacyOptions;
}

/** What a pair export wrote, for the screen and the dataset card. */
export interface PairExportSummary {
  format: PairFormat;
  options: PairExportOptions;
  /** Pairs written, and the file's rows (KTO: one per side, less `kto`'s). */
  pairs: number;
  rows: number;
  /** KTO only: rows written once for several pairs, and completions left out for carrying both labels. */
  kto?: { repeated: number; contradicted: number };
  bySource: Partial<Record<PairSource, number>>;
  /** Score gaps of the written pairs that have one. */
  gaps: { count: number; min: number; max: number; mean: number } | null;
  /** Pairs left out: `status` (not accepted, or rejected), `source` (a source not asked for). */
  leftOut: Record<string, number>;
  privacy?: ExportPrivacySummary;
  bytes: number;
  /** Some pair has a system prompt (the LLaMA-Factory layouts then write a `system` key; the handoff names that column only then). */
  systemWritten: boolean;
}

/** No pair passes the export's filters. */
export class NoPairsToExportError extends Error {
  override name = 'NoPairsToExportError';
  constructor() {
    super('no preference pair to export: build pairs in Review → Pairs (or `seedforge export` builds them from the runs), and accept some, or include pending pairs');
  }
}

/** The pair as written when a privacy pass is on: prompt and both sides scanned as one item (one placeholder numbering). */
function scanned(scanner: ExportScanner, p: PreferencePair): PreferencePair {
  const turns = p.prompt.turns ?? [];
  // The rejected side rides as the item's last turn, the conversation's turns before it.
  const item = scanner.item({
    instruction: p.prompt.instruction,
    input: p.prompt.input,
    system: p.prompt.system,
    output: p.chosen.text,
    turns: [...turns, { role: 'assistant', content: p.rejected.text }],
    provenance: { id: p.id, source: 'synthetic', operation: p.source, round: 0, generator: null, responder: null, judge: null, score: p.chosen.score },
  });
  const out = item.turns!;
  return {
    ...p,
    prompt: { ...p.prompt, instruction: item.instruction, input: item.input, system: item.system, ...(p.prompt.turns ? { turns: out.slice(0, -1) } : {}) },
    chosen: { ...p.chosen, text: item.output },
    rejected: { ...p.rejected, text: out[out.length - 1]!.content },
  };
}

/**
 * Exports a project's preference pairs into a sink, streaming page by page. On any failure the
 * sink is aborted and the error rethrown.
 * @throws NoPairsToExportError, the reader's and the sink's errors.
 */
export async function exportPairs(reader: PairReader, projectId: string, opts: PairExportOptions, sink: ByteSink, onProgress?: (p: ExportProgress) => void): Promise<PairExportSummary> {
  try {
    const statuses: SampleStatus[] = opts.acceptedOnly ? ['accepted'] : ['accepted', 'pending'];
    const all = await reader.pairIdsByStatus(projectId, ['accepted', 'pending', 'rejected']);
    const ids = await reader.pairIdsByStatus(projectId, statuses);
    const leftOut: Record<string, number> = {};
    if (all.length > ids.length) leftOut.status = all.length - ids.length;
    const bySource: Partial<Record<PairSource, number>> = {};
    const gaps: number[] = [];
    const scanner = opts.privacy ? new ExportScanner(opts.privacy) : null;
    const wanted = opts.sources ? new Set(opts.sources) : null;
    let pairs = 0;
    let systemWritten = false;
    async function* pages(): AsyncGenerator<PreferencePair[]> {
      let done = 0;
      for await (const page of reader.pairPages(ids)) {
        const out: PreferencePair[] = [];
        for (const p of page) {
          if (wanted && !wanted.has(p.source)) {
            leftOut.source = (leftOut.source ?? 0) + 1;
            continue;
          }
          bySource[p.source] = (bySource[p.source] ?? 0) + 1;
          if (p.gap !== null) gaps.push(p.gap);
          systemWritten ||= !!p.prompt.system || !!p.prompt.turns?.some((t) => t.role === 'system' && t.content);
          out.push(scanner ? scanned(scanner, p) : p);
        }
        pairs += out.length;
        done += page.length;
        if (out.length) yield out;
        onProgress?.({ type: 'write', done, total: ids.length });
      }
      if (!pairs) throw new NoPairsToExportError();
    }
    let bytes = 0;
    const tally: PairTally = { rows: 0, repeated: 0, contradicted: 0 };
    for await (const chunk of encodePairs(opts.format, pages(), opts.provenance, tally)) {
      await sink.write(chunk);
      bytes += chunk.byteLength;
    }
    await sink.close();
    onProgress?.({ type: 'done', bytes });
    return {
      format: opts.format,
      // The user's names and terms are personal data themselves: the summary keeps only the choice.
      options: opts.privacy ? { ...opts, privacy: { ...opts.privacy, names: [], terms: [], ignored: [] } } : { ...opts },
      pairs,
      rows: tally.rows,
      ...(opts.format === 'kto-jsonl' ? { kto: { repeated: tally.repeated, contradicted: tally.contradicted } } : {}),
      bySource,
      gaps: gaps.length ? { count: gaps.length, min: gaps.reduce((m, g) => Math.min(m, g), Infinity), max: gaps.reduce((m, g) => Math.max(m, g), -Infinity), mean: Math.round((gaps.reduce((a, g) => a + g, 0) / gaps.length) * 100) / 100 } : null,
      leftOut,
      ...(scanner ? { privacy: scanner.summary() } : {}),
      bytes,
      systemWritten,
    };
  } catch (e) {
    await sink.abort().catch(() => {});
    throw e;
  }
}

/** The pair sources in words, for the card. */
const SOURCE_WORDS: Record<PairSource, string> = {
  bestOfN: 'best-of-N answers to one instruction',
  critique: 'a critique revision against the first response',
  edit: 'a human edit against the model’s text',
  judge: 'an accepted against a judge-rejected answer',
  turn: 'the last turn of a conversation',
};

/** KTO's merged and dropped rows in words, for the card; empty when there were none. */
function ktoWords(k: PairExportSummary['kto']): string {
  const out = [];
  if (k?.repeated) out.push(`${k.repeated} repeated rows written once`);
  if (k?.contradicted) out.push(`${k.contradicted} completions labelled both true and false for one prompt left out`);
  return out.length ? `; ${out.join('; ')}` : '';
}

/**
 * The dataset card's "Preference pairs" section: how many pairs of each source the file holds,
 * the score gaps, and the rule that made them (`build`: the builder's mode and margin).
 */
export function pairCardLines(s: PairExportSummary, build?: { mode: 'bestWorst' | 'margin'; margin: number }): string[] {
  const lines = ['## Preference pairs', '', `- ${s.pairs} pairs in \`${s.format}\`${s.format === 'kto-jsonl' ? ` (${s.rows} rows: each side its own row, labelled${ktoWords(s.kto)})` : ''}; ${s.options.acceptedOnly ? 'accepted pairs only' : 'accepted and pending pairs'}; rejected pairs are never exported.`];
  for (const [src, n] of Object.entries(s.bySource).sort((a, b) => b[1] - a[1])) lines.push(`- ${src}: ${n} (${SOURCE_WORDS[src as PairSource]})`);
  if (build) lines.push(`- Best-of-N and judge answers paired ${build.mode === 'margin' ? `every two whose judge scores differ by at least ${build.margin}` : 'the best against the worst'}; equal scores never pair, and no answer is paired with itself.`);
  lines.push(s.gaps ? `- Score gap (chosen − rejected, judge scores 1–5): ${s.gaps.count} pairs scored on both sides, min ${s.gaps.min}, mean ${s.gaps.mean}, max ${s.gaps.max}.` : '- Score gap: no pair is scored on both sides.');
  for (const [k, v] of Object.entries(s.leftOut).sort()) lines.push(`- Left out (${k}): ${v}`);
  lines.push('');
  return lines;
}

/**
 * The card of a pair export (a `README.md` beside the pair file): what the file is, then the
 * "Preference pairs" section. The app and the command line write the same text.
 */
export function pairsCard(c: { projectName: string; summary: PairExportSummary; dataFile: string; createdAt: number; build?: { mode: 'bestWorst' | 'margin'; margin: number } }): string {
  return [`# ${c.projectName}: preference pairs`, '', `Preference pairs made with Seedforge on ${new Date(c.createdAt).toISOString().slice(0, 10)}, in the \`${c.summary.format}\` layout (\`${c.dataFile}\`).`, '', ...pairCardLines(c.summary, c.build)].join('\n');
}
