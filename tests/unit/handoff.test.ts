import { describe, expect, it } from 'vitest';
import { normalise } from '../../src/lib/decontam/decontam';
import type { Project, Sample, Seed } from '../../src/lib/db/types';
import { datasetCard } from '../../src/lib/io/export/card';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { BlobSink } from '../../src/lib/io/export/sink';
import { datasetInfo, datasetInfoEntry, datasetName } from '../../src/lib/io/export/handoff';
import { PAIR_FORMATS, pairRecords } from '../../src/lib/io/export/pairs';
import { recordText } from '../../src/lib/io/export/records';
import { splitItems, type SplitItem } from '../../src/lib/io/export/split';
import { DEFAULT_FILTERS, EXPORT_FORMATS, type ExportItem, type ExportOptions } from '../../src/lib/io/export/types';
import type { PreferencePair } from '../../src/lib/preference/types';
import { MemoryDatasetSource } from '../support/memoryDatasetSource';

/**
 * The dataset descriptions of LLaMA-Factory's data/README.md (hiyouga/LLaMA-Factory), as printed
 * there. Our entries must say the same, plus our optional `system` column where the file has one.
 */
const README = {
  alpacaSft: { file_name: 'data.json', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } },
  alpacaPreference: { file_name: 'data.json', ranking: true, columns: { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected' } },
  sharegptSft: { file_name: 'data.json', formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system', tools: 'tools' } },
  sharegptPreference: { file_name: 'data.json', formatting: 'sharegpt', ranking: true, columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected' } },
  openai: { file_name: 'data.json', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } },
  kto: { file_name: 'data.json', columns: { prompt: 'instruction', query: 'input', response: 'output', kto_tag: 'kto_tag' } },
};
/** The README's defaults for the sharegpt tags ("default: from / value / human / gpt / system"). */
const SHAREGPT_DEFAULT_TAGS = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system' };
const without = (o: Record<string, string>, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('LLaMA-Factory dataset_info.json entries', () => {
  it('match the README descriptions for each format (our files have no history or tools; a system column only where written)', () => {
    const e = (f: Parameters<typeof datasetInfoEntry>[0], system = true) => datasetInfoEntry(f, 'data.json', { system })!;
    for (const f of ['alpaca-json', 'alpaca-jsonl', 'csv', 'parquet'] as const) expect(e(f)).toEqual({ ...README.alpacaSft, columns: without(README.alpacaSft.columns, 'history') });
    // No record has a system key: the column is not named (LLaMA-Factory would fail on the missing column).
    for (const f of ['alpaca-json', 'alpaca-jsonl'] as const) expect(e(f, false).columns).toEqual(without(README.alpacaSft.columns, 'history', 'system'));
    expect(e('csv', false).columns.system).toBe('system');
    // The system prompt is the conversation's first turn, read by system_tag.
    expect(e('sharegpt-json')).toEqual({ ...README.sharegptSft, columns: without(README.sharegptSft.columns, 'tools', 'system'), tags: SHAREGPT_DEFAULT_TAGS });
    expect(e('openai-jsonl')).toEqual(README.openai);
    expect(e('llamafactory-alpaca-json')).toEqual({ ...README.alpacaPreference, columns: { ...README.alpacaPreference.columns, system: 'system' } });
    expect(e('llamafactory-sharegpt-json')).toEqual({ ...README.sharegptPreference, columns: { ...README.sharegptPreference.columns, system: 'system' }, tags: SHAREGPT_DEFAULT_TAGS });
    // TRL's KTO lines read as the README's KTO dataset: prompt, response and the boolean kto_tag under their own names.
    expect(Object.keys(e('kto-jsonl').columns).sort()).toEqual(Object.keys(without(README.kto.columns, 'query')).sort());
    expect(e('kto-jsonl')).toEqual({ file_name: 'data.json', columns: { prompt: 'prompt', response: 'completion', kto_tag: 'label' } });
  });

  it('every column an entry names is a key of the records we write (samples and pairs)', () => {
    const item: ExportItem = { instruction: 'Name a colour.', input: 'One word.', output: 'Blue.', system: 'Be brief.', provenance: { id: 'x', source: 'synthetic', operation: 'respond', round: 0, generator: null, responder: null, judge: null, score: null } };
    for (const f of EXPORT_FORMATS) {
      const entry = datasetInfoEntry(f, 'f', { system: true })!;
      if (f === 'csv' || f === 'parquet') continue; // their columns are tableColumns: instruction, input, output, system
      const record = JSON.parse(recordText(f, item, false)) as Record<string, unknown>;
      for (const [role, col] of Object.entries(entry.columns)) expect(record, `${f} ${role}`).toHaveProperty(col);
      if (entry.tags) {
        const msgs = record[entry.columns.messages!] as Record<string, string>[];
        expect(msgs.map((m) => m[entry.tags!.role_tag!])).toEqual([entry.tags.system_tag, entry.tags.user_tag, entry.tags.assistant_tag]);
        expect(msgs.every((m) => typeof m[entry.tags!.content_tag!] === 'string')).toBe(true);
      }
    }
    const pair = { id: 'p', source: 'bestOfN', prompt: { instruction: 'Name a colour.', input: '', system: 'Be brief.' }, chosen: { text: 'Blue.', score: 5 }, rejected: { text: 'Dunno.', score: 2 }, gap: 3, reason: 'r' } as unknown as PreferencePair;
    for (const f of PAIR_FORMATS) {
      const entry = datasetInfoEntry(f, 'f', { system: true });
      if (!entry || f === 'pairs-parquet') continue;
      for (const r of pairRecords(f, pair)) for (const col of Object.values(entry.columns)) if (col !== 'input') expect(r, `${f} ${col}`).toHaveProperty(col);
      if (entry.formatting === 'sharegpt') expect((pairRecords(f, pair)[0]!.chosen as Record<string, string>)[entry.tags!.role_tag!]).toBe(entry.tags!.assistant_tag);
    }
  });

  it('one entry per file, named for dataset: and eval_dataset:; none for formats LLaMA-Factory cannot read', () => {
    const name = 'Customer FAQ 客服';
    const files = (['train', 'validation'] as const).map((p) => ({ name: datasetName(name, p), fileName: `x.${p}.jsonl` }));
    expect(Object.keys(datasetInfo('openai-jsonl', files)!)).toEqual(['Customer_FAQ_客服_train', 'Customer_FAQ_客服_validation']);
    expect(datasetInfo('openai-jsonl', files)!.Customer_FAQ_客服_validation!.file_name).toBe('x.validation.jsonl');
    expect(datasetInfo('trl-chat-jsonl', files)).toBeNull();
    expect(datasetInfo('openai-dpo-jsonl', files)).toBeNull();
  });
});

/** Items with repeated instructions (as Evol and Best-of-N make them), over three operations. */
function items(n: number, seed = 7): SplitItem[] {
  const ops = ['respond', 'evol:deepen', 'bestOfN'];
  const out: SplitItem[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const q = x % Math.floor(n / 3); // about three items per instruction
    // Case, punctuation and spacing differ between copies: they are still one instruction.
    const instruction = i % 2 ? `Explain topic ${q}.` : `  explain TOPIC ${q}!`;
    out.push({ id: `s${i}`, instruction, stratum: ops[q % 3]! });
  }
  return out;
}

describe('train/validation split', () => {
  const o = { validation: 0.2, seed: 3, by: 'operation' as const };
  it('no instruction is in both sides (after normalisation)', () => {
    const its = items(600);
    const part = splitItems(its, o);
    const sides = new Map<string, Set<string>>();
    for (const it of its) (sides.get(normalise(it.instruction)) ?? sides.set(normalise(it.instruction), new Set()).get(normalise(it.instruction))!).add(part.get(it.id)!);
    expect([...sides.values()].filter((s) => s.size > 1)).toEqual([]);
    expect(part.size).toBe(600);
  });

  it('sizes: each stratum gives about the share to validation (within one group of its target)', () => {
    const its = items(900);
    const part = splitItems(its, o);
    const total = [...part.values()].filter((p) => p === 'validation').length;
    expect(Math.abs(total - 0.2 * 900)).toBeLessThanOrEqual(3 * 8);
    for (const op of ['respond', 'evol:deepen', 'bestOfN']) {
      const inOp = its.filter((i) => i.stratum === op);
      const val = inOp.filter((i) => part.get(i.id) === 'validation').length;
      const biggest = Math.max(...[...new Set(inOp.map((i) => normalise(i.instruction)))].map((k) => inOp.filter((i) => normalise(i.instruction) === k).length));
      expect(Math.abs(val - 0.2 * inOp.length), op).toBeLessThanOrEqual(biggest);
      expect(val, op).toBeGreaterThan(0);
    }
  });

  it('deterministic: the same items and seed give the same split in any order; another seed another split', () => {
    const its = items(300);
    const a = splitItems(its, o);
    const b = splitItems([...its].reverse(), o);
    expect([...its].map((i) => b.get(i.id))).toEqual([...its].map((i) => a.get(i.id)));
    const c = splitItems(its, { ...o, seed: 4 });
    expect([...its].map((i) => c.get(i.id))).not.toEqual([...its].map((i) => a.get(i.id)));
  });

  it('a share outside (0, 1) is refused by name; a one-instruction stratum stays in train', () => {
    expect(() => splitItems(items(30), { ...o, validation: 1 })).toThrowError(expect.objectContaining({ name: 'SplitOptionsError' }));
    const one = splitItems([{ id: 'a', instruction: 'Same.', stratum: 'x' }, { id: 'b', instruction: 'same', stratum: 'x' }], o);
    expect([...one.values()]).toEqual(['train', 'train']);
  });
});

describe('export with a split', () => {
  const P = 'p1';
  const project: Project = { id: P, name: 'Split', createdAt: 1, updatedAt: 1 };
  // 40 samples over 20 instructions (two answers each, written with different case and spacing),
  // two operations; 10 seeds, 5 of which ask a sample's instruction (a respond recipe keeps it).
  const samples: Sample[] = Array.from({ length: 40 }, (_, i) => ({
    id: `r1:${String(i).padStart(2, '0')}`, projectId: P, runId: 'r1', seedId: null, parentId: null, operation: i % 4 < 2 ? 'respond' : 'evol:deepen', round: 0, persona: null,
    instruction: i % 2 ? `Explain idea ${i >> 1}.` : `explain  IDEA ${i >> 1}`, input: '', output: `Answer ${i}: a long enough answer.`, status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, lineage: {}, createdAt: i, updatedAt: i,
  }));
  const seeds: Seed[] = Array.from({ length: 10 }, (_, i) => ({ id: `seed${i}`, projectId: P, order: i, instruction: i < 5 ? `Explain idea ${i}!` : `Seed question ${i}?`, input: '', output: `Seed answer ${i}.`, system: i === 0 ? 'Be brief.' : '', tags: [], createdAt: i, updatedAt: i }) as unknown as Seed);
  const src = new MemoryDatasetSource();
  src.put('projects', [project]);
  src.put('samples', samples);
  src.put('seeds', seeds as never);

  async function write(over: Partial<ExportOptions>) {
    const sink = new BlobSink('application/jsonl');
    const summary = await exportDataset(src, P, { ...DEFAULT_FILTERS, realPercent: 20, format: 'alpaca-jsonl', provenance: true, ...over }, sink);
    return { summary, rows: (await sink.blob().text()).trim().split('\n').map((l) => JSON.parse(l) as { instruction: string; system?: string; provenance: { id: string } }) };
  }

  it('the two sides together are the unsplit export; no instruction (normalised) in both; the card and the handoff say so', async () => {
    const split = { validation: 0.25, seed: 9, by: 'operation' as const };
    const whole = await write({});
    const train = await write({ split: { ...split, part: 'train' } });
    const val = await write({ split: { ...split, part: 'validation' } });
    const ids = (r: typeof whole.rows) => r.map((x) => x.provenance.id);
    expect([...ids(train.rows), ...ids(val.rows)].sort()).toEqual(ids(whole.rows).sort());
    expect(whole.rows.length).toBe(50);
    const keys = (r: typeof whole.rows) => new Set(r.map((x) => normalise(x.instruction)));
    expect([...keys(train.rows)].filter((k) => keys(val.rows).has(k))).toEqual([]);
    expect(train.summary.split).toEqual({ ...split, part: 'train', items: { train: train.rows.length, validation: val.rows.length } });
    expect(val.rows.length).toBeGreaterThan(5);
    expect(val.rows.length).toBeLessThan(20);
    const card = datasetCard({ projectName: project.name, summary: val.summary, runs: [], dataFile: 'd', createdAt: 0 });
    expect(card).toContain(`This file is the **validation** side of a train/validation split: ${train.rows.length} train and ${val.rows.length} validation items (validation share asked: 25 %), seed 9, stratified by operation`);
    // The handoff names the system column only for the side whose records have one.
    const withSystem = [train, val].find((x) => x.rows.some((r) => r.system))!;
    const without = [train, val].find((x) => x !== withSystem)!;
    expect(withSystem.summary.systemWritten).toBe(true);
    expect(without.summary.systemWritten).toBeUndefined();
    const info = datasetInfo('alpaca-jsonl', [
      { name: datasetName('Split', 'train'), fileName: 'split.train.jsonl', system: train.summary.systemWritten },
      { name: datasetName('Split', 'validation'), fileName: 'split.validation.jsonl', system: val.summary.systemWritten },
    ])!;
    expect(Object.values(info).map((e) => 'system' in e.columns)).toEqual([!!train.summary.systemWritten, !!val.summary.systemWritten]);
  });
});
