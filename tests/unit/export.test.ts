import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { ImportSession } from '../../src/lib/io/importSession';
import { acceptedHow, datasetCard, LICENSES, seedsUsed, sizeCategory } from '../../src/lib/io/export/card';
import { CHUNK_CHARS, encodeItems } from '../../src/lib/io/export/encode';
import { FORMAT_FILES } from '../../src/lib/io/export/records';
import { pickSeeds, planMix, realSlot, sampleItem, sampleLeftOut, seedItem } from '../../src/lib/io/export/select';
import { DEFAULT_FILTERS, EXPORT_FORMATS, type ExportFormat, type ExportItem, type ExportSummary } from '../../src/lib/io/export/types';
import type { RunWithTasks, Sample, Seed } from '../../src/lib/db/types';
import type { HumanAction } from '../../src/lib/db/samplesRepo';
import { emptyCounts, type CallRecord } from '../../src/lib/pipeline/types';
import { checkAlpacaJson, checkOpenAiJsonl } from '../e2e/exportChecks';

/** The README's example item (see its "Export formats" section). */
const EXAMPLE: ExportItem = {
  instruction: 'Summarise the passage in one sentence, naming both animals.',
  input: 'Cats sleep 13 to 16 hours a day, dogs about 12.',
  output: 'Cats sleep a little longer than dogs: 13–16 hours a day against about 12.',
  system: '',
  provenance: { id: 'run-1:t4-2', source: 'synthetic', operation: 'evol:concretize', round: 2, generator: 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC', responder: 'gpt-4o-mini', judge: 'gpt-4o-mini', score: 4 },
};

async function* pagesOf(items: ExportItem[], size = 1000): AsyncGenerator<ExportItem[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function bytesOf(format: ExportFormat, items: ExportItem[], provenance: boolean, pageSize?: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of encodeItems(format, pagesOf(items, pageSize), provenance)) chunks.push(c);
  return new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** The README's examples: `<!-- export-example: <format> [provenance] -->` then a fenced block. */
function readmeExamples(): { format: ExportFormat; provenance: boolean; body: string }[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const out: { format: ExportFormat; provenance: boolean; body: string }[] = [];
  for (const m of readme.matchAll(/<!-- export-example: ([\w-]+)( provenance)? -->\n```\w*\n([\s\S]*?)\n```/g)) {
    out.push({ format: m[1] as ExportFormat, provenance: !!m[2], body: m[3]! });
  }
  return out;
}

describe('export layouts against the README', () => {
  const examples = readmeExamples();

  it('documents every format with an example', () => {
    expect(new Set(examples.map((e) => e.format))).toEqual(new Set(EXPORT_FORMATS));
    expect(examples.length).toBeGreaterThanOrEqual(EXPORT_FORMATS.length + 2);
  });

  for (const ex of readmeExamples()) {
    it(`writes the README's ${ex.format}${ex.provenance ? ' (with provenance)' : ''} example exactly`, async () => {
      const bytes = await bytesOf(ex.format, [EXAMPLE], ex.provenance);
      if (ex.format === 'parquet') {
        const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer });
        expect(rows).toEqual([JSON.parse(ex.body)]);
        return;
      }
      // CSV lines end with CRLF in the file; the README shows them as lines.
      const want = ex.format === 'csv' ? ex.body.split('\n').join('\r\n') + '\r\n' : ex.body + '\n';
      expect(text(bytes)).toBe(want);
    });
  }

  it('the comparison fails when the item differs (the check above can fail)', async () => {
    const ex = examples.find((e) => e.format === 'alpaca-jsonl' && !e.provenance)!;
    const bytes = await bytesOf('alpaca-jsonl', [{ ...EXAMPLE, output: EXAMPLE.output + '!' }], false);
    expect(text(bytes)).not.toBe(ex.body + '\n');
  });
});

/** Items that stress the layouts: Chinese, quotes, commas, line breaks, tabs, a system prompt, empty input, a multi-turn seed. */
function tricky(): ExportItem[] {
  const prov = (i: number, source: 'synthetic' | 'seed' = 'synthetic') => ({ id: `r:${i}`, source, operation: source === 'seed' ? 'seed' : 'respond', round: i % 3, generator: i % 2 ? 'gen-a' : null, responder: 'resp, b', judge: i % 4 ? 'judge "c"' : null, score: i % 4 ? 3 + (i % 3) * 0.5 : null });
  const items: ExportItem[] = [
    { instruction: '解释复利，并举一个例子。', input: '', output: '复利就是"利滚利"：利息也会产生利息。\n例如 100 元，年利率 10%，两年后是 121 元。', system: '', provenance: prov(1) },
    { instruction: 'Quote this: "hello, world"', input: 'a,b,"c"\nd\te', output: 'He said "hello, world",\r\nthen left.', system: '', provenance: prov(2) },
    { instruction: 'Translate to French.', input: 'Good morning', output: 'Bonjour', system: 'You are a translator.', provenance: prov(3, 'seed') },
    {
      instruction: 'Hi',
      input: '',
      output: 'Hello! How can I help?',
      system: 'Be brief.',
      turns: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! How can I help?' },
        { role: 'user', content: 'Name a prime.' },
        { role: 'assistant', content: '7' },
      ],
      provenance: prov(4, 'seed'),
    },
  ];
  for (let i = 5; i < 40; i++) items.push({ instruction: `Task ${i}: list ${i} fruits.`, input: i % 2 ? `limit ${i}` : '', output: `Apple, pear… (${i})`, system: '', provenance: prov(i) });
  return items;
}

async function importBack(name: string, bytes: Uint8Array) {
  const s = new ImportSession();
  const [a] = await s.analyse([new File([bytes as Uint8Array<ArrayBuffer>], name)]);
  expect(a!.issueCount, JSON.stringify(a!.issues.slice(0, 3))).toBe(0);
  s.plan([a!.mapping], new Set());
  return { analysis: a!, drafts: s.drafts(false) };
}

describe('round trip: export, then import with the importer', () => {
  for (const format of EXPORT_FORMATS) {
    for (const provenance of [false, true]) {
      it(`${format}${provenance ? ' with provenance' : ''} imports back as the same items`, async () => {
        const items = tricky();
        const bytes = await bytesOf(format, items, provenance, 7); // small pages: several row groups / chunks
        const { drafts } = await importBack(`data.${FORMAT_FILES[format].extension}`, bytes);
        expect(drafts).toHaveLength(items.length);
        const chat = format === 'sharegpt-json' || format === 'openai-jsonl';
        drafts.forEach((d, i) => {
          const it = items[i]!;
          if (chat) {
            // Chat layouts join instruction and input in the user turn (documented).
            expect([d.instruction, d.input, d.output, d.system]).toEqual([it.input ? `${it.instruction}\n\n${it.input}` : it.instruction, '', it.output, it.system]);
            if (it.turns) expect(d.turns).toEqual(it.turns);
          } else {
            // The importer reads CRLF inside a CSV field as it is; every layout keeps the text.
            expect([d.instruction, d.input, d.output, d.system]).toEqual([it.instruction, it.input, it.output, it.system]);
          }
        });
      });
    }
  }

  it('keeps provenance as extra fields that read back (JSONL object, CSV and Parquet columns)', async () => {
    const items = tricky();
    for (const format of ['alpaca-jsonl', 'csv', 'parquet'] as const) {
      const s = new ImportSession();
      const [a] = await s.analyse([new File([(await bytesOf(format, items, true)) as Uint8Array<ArrayBuffer>], `p.${FORMAT_FILES[format].extension}`)]);
      const row = a!.sample[1]!;
      const p = format === 'alpaca-jsonl' ? (row.provenance as Record<string, unknown>) : row;
      const want = items[1]!.provenance;
      // CSV reads every field as text, and an empty field for null.
      if (format === 'csv') expect([p.id, p.source, p.operation, p.round, p.generator, p.responder, p.judge, p.score]).toEqual([want.id, want.source, want.operation, String(want.round), '', want.responder, want.judge, String(want.score)]);
      else expect([p.id, p.source, p.operation, p.round, p.generator, p.responder, p.judge, p.score]).toEqual([want.id, want.source, want.operation, want.round, want.generator, want.responder, want.judge, want.score]);
    }
  });

  it('an empty export is still a valid file of its format', async () => {
    expect(text(await bytesOf('alpaca-json', [], false))).toBe('[]\n');
    expect(text(await bytesOf('openai-jsonl', [], false))).toBe('');
    expect(text(await bytesOf('csv', [], true)).split('\r\n')[0]).toBe('instruction,input,output,system,id,source,operation,round,generator,responder,judge,score');
    const pq = await bytesOf('parquet', [], false);
    expect(await parquetReadObjects({ file: pq.buffer as ArrayBuffer })).toEqual([]);
  });
});

describe('streaming', () => {
  it('hands a large export on in chunks of about 1 MB, never as one piece', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => ({ ...EXAMPLE, output: `${i} ` + 'x'.repeat(1000) }));
    for (const format of ['alpaca-jsonl', 'parquet'] as const) {
      const sizes: number[] = [];
      for await (const c of encodeItems(format, pagesOf(big), false)) sizes.push(c.byteLength);
      expect(sizes.length, format).toBeGreaterThan(1);
      if (format !== 'parquet') expect(Math.max(...sizes)).toBeLessThan(CHUNK_CHARS + 4096);
    }
  });
});

describe('the OpenAI and Alpaca validators', () => {
  it('accept what the exporter writes', async () => {
    expect(checkOpenAiJsonl(text(await bytesOf('openai-jsonl', tricky(), true)))).toEqual([]);
    expect(checkAlpacaJson(text(await bytesOf('alpaca-json', tricky(), false)))).toEqual([]);
  });

  it('refuse broken files', () => {
    expect(checkOpenAiJsonl('{"messages":[{"role":"assistant","content":"x"},{"role":"user","content":"y"}]}\n')).not.toEqual([]);
    expect(checkOpenAiJsonl('{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"}],"provenance":{}}\n')).not.toEqual([]);
    expect(checkOpenAiJsonl('{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":["y"]}]}\n')).not.toEqual([]);
    expect(checkOpenAiJsonl('{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"},{"role":"user","content":"z"}]}\n')).not.toEqual([]);
    expect(checkOpenAiJsonl('{"messages":[{"role":"system","content":"s"},{"role":"user","content":"x"},{"role":"assistant","content":"y"}]}\n')).toEqual([]);
    expect(checkAlpacaJson('[{"instruction":"a","input":"","output":"b","provenance":{}}]')).not.toEqual([]);
    expect(checkAlpacaJson('[{"instruction":"a","output":"b"}]')).not.toEqual([]);
    expect(checkAlpacaJson('{"instruction":"a","input":"","output":"b"}')).not.toEqual([]);
  });
});

describe('what goes in', () => {
  const sample = (over: Partial<Sample>): Sample => ({
    id: 'r:1', projectId: 'p', runId: 'r', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null,
    instruction: 'i', input: '', output: 'o', status: 'accepted', rejectReason: null, score: 4, duplicateOf: null, lineage: {}, createdAt: 0, updatedAt: 0, ...over,
  });

  it('filters by status, score, duplicate mark and answer', () => {
    const f = { ...DEFAULT_FILTERS, minScore: 4 };
    expect(sampleLeftOut(sample({}), f)).toBeNull();
    expect(sampleLeftOut(sample({ status: 'pending' }), f)).toBe('status');
    expect(sampleLeftOut(sample({ status: 'pending' }), { ...f, acceptedOnly: false })).toBeNull();
    expect(sampleLeftOut(sample({ status: 'rejected' }), { ...f, acceptedOnly: false })).toBe('status');
    expect(sampleLeftOut(sample({ score: 3.5 }), f)).toBe('score');
    expect(sampleLeftOut(sample({ score: null }), f)).toBe('score');
    expect(sampleLeftOut(sample({ score: null }), { ...f, minScore: null })).toBeNull();
    expect(sampleLeftOut(sample({ duplicateOf: 'r:0' }), f)).toBe('duplicate');
    expect(sampleLeftOut(sample({ duplicateOf: 'r:0' }), { ...f, skipDuplicates: false })).toBeNull();
    expect(sampleLeftOut(sample({ output: '  ' }), f)).toBe('noOutput');
  });

  it('reads provenance from the lineage: models per role, operation, round, score', () => {
    const calls: CallRecord[] = [
      { op: 'evol:deepen', role: 'generator', engine: 'webllm', model: 'Qwen', template: 't', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0 },
      { op: 'respond', role: 'responder', engine: 'openai', model: 'gpt-4o-mini', template: 't', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0 },
      { op: 'judge', role: 'judge', engine: 'openai', model: 'gpt-4o', template: 't', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0 },
      { op: 'judge', role: 'judge', engine: 'openai', model: 'gpt-4o', template: 't', templateVersion: 1, templateHash: 'h', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 1 },
    ];
    const item = sampleItem(sample({ operation: 'evol:deepen', round: 3, score: 4.5, lineage: { calls } }));
    expect(item.provenance).toEqual({ id: 'r:1', source: 'synthetic', operation: 'evol:deepen', round: 3, generator: 'Qwen', responder: 'gpt-4o-mini', judge: 'gpt-4o', score: 4.5 });
    const seed = { id: 's1', projectId: 'p', order: 0, instruction: 'a', input: '', output: 'b', system: 'sys', tags: [], hash: 'h', source: { file: 'f', line: 1, format: 'jsonl' }, createdAt: 0, updatedAt: 0 } satisfies Seed;
    expect(seedItem(seed)).toMatchObject({ system: 'sys', provenance: { id: 's1', source: 'seed', operation: 'seed', round: 0, generator: null, judge: null, score: null } });
  });

  it('mixes real data by the documented rule: share = real / (real + synthetic)', () => {
    // 80 synthetic, 20 %: 20 seeds → 20 / 100.
    expect(planMix(80, 100, 20)).toEqual({ synthetic: 80, seedsAvailable: 100, realWanted: 20, real: 20, share: 0.2, short: false });
    // Not enough seeds: all 5 are used and the share reached is 5 / 85.
    expect(planMix(80, 5, 20)).toEqual({ synthetic: 80, seedsAvailable: 5, realWanted: 20, real: 5, share: 5 / 85, short: true });
    expect(planMix(80, 5, 0)).toMatchObject({ real: 0, share: 0, short: false });
    expect(planMix(80, 7, 100)).toMatchObject({ synthetic: 0, real: 7, share: 1, short: false });
    expect(planMix(0, 7, 20)).toMatchObject({ synthetic: 0, real: 0 });
    // Property: for every S and p, the share reached is the nearest whole-item share to p (or all seeds when short).
    for (let S = 1; S < 300; S += 7) {
      for (let p = 0; p < 100; p += 3) {
        const m = planMix(S, 1e9, p);
        expect(Math.abs(m.real / (m.real + S) - p / 100)).toBeLessThanOrEqual(1 / (m.real + S) + 1e-12);
        const short = planMix(S, 3, p);
        expect(short.real).toBe(Math.min(3, m.realWanted));
        expect(short.short).toBe(m.realWanted > 3);
      }
    }
  });

  it('picks seeds deterministically with the seeded PRNG, without repeats, in import order', () => {
    const a = pickSeeds(100, 20, 7);
    expect(a).toEqual(pickSeeds(100, 20, 7));
    expect(new Set(a).size).toBe(20);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a.every((i) => i >= 0 && i < 100)).toBe(true);
    expect(pickSeeds(100, 20, 8)).not.toEqual(a);
    expect(pickSeeds(5, 20, 1)).toEqual([0, 1, 2, 3, 4]);
    // Over many seeds every position is picked about equally often (unbiased shuffle).
    const hits = new Array(10).fill(0);
    for (let s = 0; s < 2000; s++) for (const i of pickSeeds(10, 3, s)) hits[i]++;
    for (const h of hits) expect(h).toBeGreaterThan(600 - 120), expect(h).toBeLessThan(600 + 120);
  });

  it('spreads real items evenly among synthetic ones', () => {
    const slots = Array.from({ length: 10 }, (_, j) => realSlot(j, 10, 40));
    expect(slots).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(Array.from({ length: 3 }, (_, j) => realSlot(j, 3, 0))).toEqual([0, 0, 0]);
  });
});

describe('dataset card', () => {
  const summary: ExportSummary = {
    format: 'alpaca-jsonl',
    options: { ...DEFAULT_FILTERS, realPercent: 20, minScore: 4, format: 'alpaca-jsonl', provenance: true },
    plan: planMix(80, 10, 20),
    languages: { en: 60, zh: 30 },
    operations: { 'evol:deepen': 50, respond: 30 },
    runIds: ['run-a'],
    models: [
      { role: 'generator', model: 'Qwen2.5-1.5B', engine: 'webllm' },
      { role: 'judge', model: 'gpt-4o-mini', engine: 'openai' },
    ],
    leftOut: { score: 12, duplicate: 3 },
    dedupChecks: [{ threshold: 0.9, model: 'bge-small-zh-v1.5', againstSeeds: true }],
    bytes: 1234,
  };
  const run = {
    id: 'run-a', projectId: 'p', name: 'Evol run', status: 'done', roles: {}, models: { generator: 'webllm:Qwen2.5-1.5B', responder: 'webllm:Qwen2.5-1.5B', judge: 'remote:ep1' },
    recipe: { version: 1, name: 'Evol 4', seed: 42, language: 'auto', steps: [{ op: 'evolve', rounds: 4 }, { op: 'judge', minScore: 4, retries: 2 }, { op: 'dedup', threshold: 0.85, model: 'all-MiniLM-L6-v2', againstSeeds: true }] },
    seedCount: 10, concurrency: 1, completed: [], pool: [], counts: emptyCounts(0), error: null, createdAt: 0, updatedAt: 0,
  } satisfies RunWithTasks;
  const card = datasetCard({ projectName: 'Cats: a dataset', summary, runs: [run], dataFile: 'cats.alpaca.jsonl', createdAt: Date.UTC(2025, 0, 2) });

  it('has a Hugging Face YAML header with size, languages and task category', () => {
    const m = /^---\n([\s\S]*?)\n---\n/.exec(card);
    expect(m).not.toBeNull();
    const yaml = m![1]!;
    expect(yaml).toContain('language:\n- en\n- zh');
    expect(yaml).toContain('size_categories:\n- n<1K');
    expect(yaml).toContain('task_categories:\n- text-generation');
    expect(yaml).toContain('pretty_name: "Cats: a dataset"');
    expect(yaml).toContain('path: "cats.alpaca.jsonl"');
  });

  it('states the share, methods and parameters, models, filters, dedup threshold and the terms notice', () => {
    expect(card).toContain('90 items: 80 synthetic, 10 real');
    expect(card).toContain('Real share: 11.1 % (asked: 20 %');
    expect(card).toContain('Not enough usable seeds: 10 available, 20 needed.');
    expect(card).toContain('`evolve` (rounds=4) → `judge` (minScore=4, retries=2) → `dedup` (threshold=0.85');
    expect(card).toContain('seed 42');
    // Operations in words, the id beside them (issue 13, item 5).
    expect(card).toContain('Synthetic items per operation: Evolved: deepened (`evol:deepen`) 50, Answered by the responder (`respond`) 30.');
    expect(card).toContain('Dedup threshold: cosine ≥ 0.85 (all-MiniLM-L6-v2)');
    // The Dedup panel's threshold, recorded on the samples it looked at.
    expect(card).toContain('Semantic dedup run on these samples: cosine ≥ 0.9 with `bge-small-zh-v1.5`, also against the seeds; every pair compared.');
    // An approximate dedup says so, with its planned recall.
    const approx = datasetCard({ projectName: 'x', summary: { ...summary, dedupChecks: [{ threshold: 0.85, model: 'all-MiniLM-L6-v2', againstSeeds: false, method: 'approximate', recall: 0.99 }] }, runs: [], dataFile: 'x', createdAt: 0 });
    expect(approx).toContain('cosine ≥ 0.85 with `all-MiniLM-L6-v2`; approximate pair search (LSH buckets, planned pair recall 0.99 at the threshold: a few near-duplicates may remain).');
    // The Dedup step's cheap passes come first.
    const passes = datasetCard({ projectName: 'x', summary: { ...summary, dedupChecks: [{ threshold: 0.85, model: 'all-MiniLM-L6-v2', againstSeeds: true, lexical: 0.8 }] }, runs: [], dataFile: 'x', createdAt: 0 });
    expect(passes).toContain('Semantic dedup run on these samples: exact copies and near-copies (character 3-gram Jaccard ≥ 0.8) removed first, then cosine ≥ 0.85 with `all-MiniLM-L6-v2`, also against the seeds; every pair compared.');
    expect(datasetCard({ projectName: 'x', summary: { ...summary, dedupChecks: [] }, runs: [], dataFile: 'x', createdAt: 0 })).toContain('Semantic dedup: not run on the exported samples.');
    expect(card).toContain('- judge: `gpt-4o-mini` (openai)');
    expect(card).toContain('judge score ≥ 4');
    expect(card).toContain('Left out (score): 12');
    expect(card).toMatch(/forbid using their output to develop models that compete/);
    expect(card).toContain('output of remote APIs: `gpt-4o-mini`');
  });

  it('lists only the languages found and buckets the size', () => {
    const en = datasetCard({ projectName: 'x', summary: { ...summary, languages: { en: 5, zh: 0 } }, runs: [], dataFile: 'x', createdAt: 0 });
    expect(en).toContain('language:\n- en\nsize_categories');
    expect([sizeCategory(999), sizeCategory(1000), sizeCategory(250_000)]).toEqual(['n<1K', '1K<n<10K', '100K<n<1M']);
  });
});

describe('dataset card truthfulness (issue 13, item 9)', () => {
  const summary: ExportSummary = {
    format: 'alpaca-jsonl',
    options: { ...DEFAULT_FILTERS, format: 'alpaca-jsonl', provenance: false },
    plan: planMix(15, 0, 0),
    languages: { en: 15, zh: 0 },
    operations: { respond: 15 },
    runIds: ['run-b'],
    models: [],
    leftOut: {},
    acceptance: { judge: 9, recipe: 0, byHand: { judgeFailed: 3, lowScore: 2, 'filter:tooShort': 1 }, pending: 0, edited: 1 },
    bytes: 1,
  };
  const run = {
    id: 'run-b', projectId: 'p', name: 'First try', status: 'done', roles: {}, models: {},
    recipe: { version: 1, name: 'Small models', seed: 1, language: 'auto', copiesPerSeed: 1, maxSeeds: 10, steps: [{ op: 'respond' }, { op: 'judge', minScore: 3, retries: 2 }] },
    seedCount: 175, concurrency: 1, completed: [...Array(10).keys()], pool: [], counts: emptyCounts(0), error: null, createdAt: 0, updatedAt: 0,
  } satisfies RunWithTasks;
  const card = (over: Partial<Parameters<typeof datasetCard>[0]> = {}) => datasetCard({ projectName: 'p', summary, runs: [run], dataFile: 'p.jsonl', createdAt: 0, ...over });

  it('counts the seeds a run used, not the project’s', () => {
    expect(card()).toContain('10 seeds used (seed limit 10; the project had 175).');
    expect(card()).not.toContain('175 seeds');
    // A run stopped after 4 of its 10 tasks used 4 seeds; copies per seed count one seed once.
    expect(seedsUsed({ ...run, status: 'paused', completed: [0, 1, 2, 3] })).toEqual({ used: 4, planned: 10, snapshot: 175, examples: false });
    expect(seedsUsed({ ...run, status: 'paused', recipe: { ...run.recipe, copiesPerSeed: 3 }, completed: [0, 1, 2, 3, 4] })).toMatchObject({ used: 2 });
    expect(card({ runs: [{ ...run, status: 'paused', completed: [0, 1, 2, 3] }] })).toContain('4 seeds used of the 10 planned (the run stopped before the end) (seed limit 10; the project had 175).');
    // Without a limit every seed of the snapshot; Self-Instruct reads them all as examples.
    expect(card({ runs: [{ ...run, recipe: { ...run.recipe, maxSeeds: undefined }, seedCount: 12 }] })).toContain('; 12 seeds used.');
    expect(card({ runs: [{ ...run, recipe: { ...run.recipe, steps: [{ op: 'selfInstruct', count: 50 }] } }] })).toContain('175 seeds as examples.');
  });

  it('says how many items the judge accepted and how many a person accepted, over which verdicts', () => {
    const c = card();
    expect(c).toContain('## How the synthetic items were accepted');
    expect(c).toContain('- 9 accepted by the judge');
    expect(c).toContain('- 3 accepted by hand over `judgeFailed`: a judge failure, whose reply had no readable score.');
    expect(c).toContain('- 2 accepted by hand over `lowScore`: a low judge score.');
    expect(c).toContain('- 1 accepted by hand over `filter:tooShort`: the tooShort filter.');
    expect(c).toContain('- 1 edited by hand after generation');
    expect(c).not.toContain('accepted by the recipe');
    // Older summaries without the tally keep the card as it was.
    expect(card({ summary: { ...summary, acceptance: undefined } })).not.toContain('How the synthetic items were accepted');
  });

  it('classifies a sample by its lineage: judge, recipe, or a person over the pipeline’s verdict', () => {
    const base = { status: 'accepted' as const, score: null, lineage: {} };
    expect(acceptedHow({ ...base, score: 4 })).toEqual({ by: 'judge', edited: false });
    expect(acceptedHow(base)).toEqual({ by: 'recipe', edited: false });
    expect(acceptedHow({ ...base, status: 'pending' })).toEqual({ by: 'pending', edited: false });
    const hand = (human: HumanAction[], notes = {}) => acceptedHow({ ...base, lineage: { human, notes } });
    expect(hand([{ kind: 'accept', at: 1, from: 'rejected', reason: 'lowScore' }])).toEqual({ by: 'hand', over: 'lowScore', edited: false });
    // Rows from before the reason was recorded: an unreadable judge reply says judgeFailed.
    expect(hand([{ kind: 'accept', at: 1, from: 'rejected' }], { judgeRaw: 'I think it is good' })).toMatchObject({ over: 'judgeFailed' });
    expect(hand([{ kind: 'accept', at: 1, from: 'rejected' }])).toMatchObject({ over: 'rejected' });
    // What counts is the pipeline's verdict (the first decision's "from"), not the last click.
    expect(hand([{ kind: 'reject', at: 1, from: 'rejected', reason: 'judgeFailed' }, { kind: 'accept', at: 2, from: 'rejected', reason: 'human:rejected' }])).toMatchObject({ over: 'judgeFailed' });
    expect(hand([{ kind: 'reject', at: 1, from: 'accepted' }, { kind: 'accept', at: 2, from: 'rejected', reason: 'human:rejected' }])).toEqual({ by: 'recipe', edited: false });
    expect(hand([{ kind: 'edit', at: 1, before: { instruction: '', input: '', output: '' } }])).toEqual({ by: 'recipe', edited: true });
  });

  it('writes the chosen licence into the header and the description under the title', () => {
    expect(card()).toMatch(/^---\nlicense: other\n/);
    for (const l of LICENSES) expect(card({ license: l })).toMatch(new RegExp(`^---\\nlicense: ${l.replace('.', '\\.')}\\n`));
    // Anything else (an old or tampered value) falls back to `other`, never into the YAML as is.
    expect(card({ license: 'mit\nevil: yes' })).toMatch(/^---\nlicense: other\n/);
    const c = card({ description: '  Short answers to everyday questions, for a 1B model.\n\nMade from 10 seeds.  ' });
    expect(c).toContain('# p\n\nInstruction-tuning data made with Seedforge');
    expect(c).toContain('## Description\n\nShort answers to everyday questions, for a 1B model.\n\nMade from 10 seeds.\n\n## Size and composition');
    expect(card({ description: '   ' })).not.toContain('## Description');
  });
});
