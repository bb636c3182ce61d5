import { describe, expect, it } from 'vitest';
import type { Project, Sample } from '../../src/lib/db/types';
import { datasetCard } from '../../src/lib/io/export/card';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { sampleItem } from '../../src/lib/io/export/select';
import { BlobSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS, type ExportFormat, type ExportOptions } from '../../src/lib/io/export/types';
import { answerReasoning, placeReasoning, splitReply, withThink } from '../../src/lib/pipeline/reasoning';
import type { CallRecord } from '../../src/lib/pipeline/types';
import { MemoryDatasetSource } from '../support/memoryDatasetSource';

/** A run as the card reads it (the run row's shape is changing under issue 18's runTasks work). */
type CardRun = Parameters<typeof datasetCard>[0]['runs'][number];

// Replies shaped as the models write them (whitespace and all).
/** DeepSeek-R1 (and its distills) behind a server that does not split: the template opened `<think>`, the reply closes it. */
const R1_DISTILL = 'Okay, the user asks for 17 × 3. 17 × 3 = 51.\n</think>\n\n17 × 3 = **51**.';
/** DeepSeek-R1 served with the whole block in the content. */
const R1_FULL = '<think>\nFirst, 12 apples minus 5 eaten leaves 7.\nThen half of 7 is 3.5, so…\n</think>\n\nYou have **7** apples left.';
/** Qwen3 thinking, then the answer. */
const QWEN3 = '<think>\n好的，用户问的是“光合作用”的定义。我需要简洁地解释。\n</think>\n\n光合作用是植物利用光能把二氧化碳和水转化为葡萄糖并释放氧气的过程。';
/** Qwen3 with thinking switched off (`enable_thinking: false`): an empty block. */
const QWEN3_OFF = '<think>\n\n</think>\n\nParis is the capital of France.';
/** Cut by max_tokens mid-thought. */
const UNCLOSED = '<think>\nLet me list the primes below 30: 2, 3, 5, 7, 11, 13';

describe('the reasoning splitter on real-looking replies', () => {
  it('separates the thinking from the answer for DeepSeek-R1 (template-opened and full block) and Qwen3', () => {
    expect(splitReply(R1_DISTILL, 'DeepSeek-R1-Distill-Qwen-7B')).toEqual({ answer: '17 × 3 = **51**.', reasoning: 'Okay, the user asks for 17 × 3. 17 × 3 = 51.' });
    expect(splitReply(R1_FULL, 'deepseek-r1')).toEqual({ answer: 'You have **7** apples left.', reasoning: 'First, 12 apples minus 5 eaten leaves 7.\nThen half of 7 is 3.5, so…' });
    expect(splitReply(QWEN3, 'Qwen3-8B')).toEqual({ answer: '光合作用是植物利用光能把二氧化碳和水转化为葡萄糖并释放氧气的过程。', reasoning: '好的，用户问的是“光合作用”的定义。我需要简洁地解释。' });
  });

  it('an empty block is no reasoning; an unclosed one is all reasoning and no answer', () => {
    expect(splitReply(QWEN3_OFF, 'Qwen3-0.6B')).toEqual({ answer: 'Paris is the capital of France.', reasoning: '' });
    expect(splitReply(UNCLOSED, 'Qwen3-0.6B')).toEqual({ answer: '', reasoning: 'Let me list the primes below 30: 2, 3, 5, 7, 11, 13' });
  });

  it('leaves tags that are the answer\'s own text alone (a model that does not open the block itself)', () => {
    const html = 'Close the block with </think> after the opening <think> tag.';
    expect(splitReply(html, 'gpt-4o-mini')).toEqual({ answer: html, reasoning: '' });
    expect(splitReply('No thinking here.', 'TinyLlama')).toEqual({ answer: 'No thinking here.', reasoning: '' });
  });
});

const rec = (over: Partial<CallRecord>): CallRecord => ({ op: 'respond', role: 'responder', engine: 'openai', model: 'deepseek-r1', template: 'respond.answer', templateVersion: 1, templateHash: '0', raw: '', promptTokens: 1, completionTokens: 1, ms: 1, retries: 0, ...over });

describe('the reasoning behind a sample\'s answer', () => {
  it('is the one of the call that wrote the output as it stands, never a judge\'s', () => {
    const calls = [
      rec({ op: 'bestOfN', raw: 'Answer A', reasoning: 'thought A' }),
      rec({ op: 'bestOfN', raw: 'Answer B', reasoning: 'thought B' }),
      rec({ op: 'judge', role: 'judge', raw: 'Answer B', reasoning: 'judge thought' }),
    ];
    expect(answerReasoning(calls, 'Answer B')).toBe('thought B');
    expect(answerReasoning(calls, ' Answer A\n')).toBe('thought A');
    expect(answerReasoning(calls, 'Edited by hand')).toBe(''); // reasoning for other text would mislabel it
    expect(answerReasoning([rec({ raw: 'x' })], 'x')).toBe('');
  });

  it('is written before the answer, beside it, or not at all', () => {
    const item = { output: 'Paris.', reasoning: 'The capital of France is Paris.' };
    expect(placeReasoning(item, 'think')).toEqual({ output: '<think>\nThe capital of France is Paris.\n</think>\n\nParis.' });
    expect(placeReasoning(item, 'field')).toEqual(item);
    expect(placeReasoning({ output: 'Paris.' }, 'field')).toEqual({ output: 'Paris.', reasoning: '' });
    expect(placeReasoning(item, 'drop')).toEqual({ output: 'Paris.' });
    expect(withThink('Paris.', '')).toBe('Paris.');
    // What the think layout writes splits back into the same two parts.
    expect(splitReply(placeReasoning(item, 'think').output)).toEqual({ answer: item.output, reasoning: item.reasoning });
  });
});

describe('export with reasoning', () => {
  const P = 'p1';
  const project: Project = { id: P, name: 'Reasoning', createdAt: 1, updatedAt: 1 };
  const run = {
    id: 'r1', projectId: P, name: 'R1', status: 'done', recipe: { version: 1, name: 'R1', seed: 1, language: 'auto', steps: [{ op: 'respond' }] },
    roles: { generator: null, responder: { kind: 'remote', endpointId: 'ep1' }, judge: null }, models: { responder: 'remote:ep1' }, seedCount: 2,
    concurrency: 1, completed: [0, 1], pool: [], counts: {}, error: null, createdAt: 1, updatedAt: 1,
  } as unknown as CardRun;
  const sample = (i: number, output: string, calls: CallRecord[]): Sample => ({
    id: `r1:${i}`, projectId: P, runId: 'r1', seedId: null, parentId: null, operation: 'respond', round: 0, persona: null, instruction: `Question ${i}?`, input: '',
    output, status: 'accepted', rejectReason: null, score: null, duplicateOf: null, lineage: { calls }, createdAt: i, updatedAt: i,
  });
  const src = new MemoryDatasetSource();
  src.put('projects', [project]);
  src.put('runs', [run as never]);
  src.put('samples', [sample(0, '51.', [rec({ raw: '51.', reasoning: '17 × 3 = 51, call me at 13800138000' })]), sample(1, 'Paris.', [rec({ raw: 'Paris.' })])]);

  async function write(format: ExportFormat, over: Partial<ExportOptions>) {
    const sink = new BlobSink('application/octet-stream');
    const summary = await exportDataset(src, P, { ...DEFAULT_FILTERS, format, provenance: false, ...over }, sink);
    const text = await sink.blob().text();
    return { summary, text, card: datasetCard({ projectName: project.name, summary, runs: [run], dataFile: 'd', createdAt: 0 }) };
  }

  it('takes the trace from the lineage into the item', () => {
    expect(sampleItem(sample(0, '51.', [rec({ raw: '51.', reasoning: 'because' })])).reasoning).toBe('because');
  });

  it('drops it by default and the card says so', async () => {
    const { text, card, summary } = await write('alpaca-jsonl', {});
    expect(text).not.toMatch(/17 × 3|reasoning|<think>/);
    expect(summary.reasoning).toBeUndefined();
    expect(card).toContain('Reasoning traces: dropped (answers only).');
  });

  it('writes <think>…</think> before the answer (Alpaca, OpenAI) and the card says how many', async () => {
    const a = await write('alpaca-jsonl', { reasoning: 'think' });
    const lines = a.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.output)).toEqual(['<think>\n17 × 3 = 51, call me at 13800138000\n</think>\n\n51.', 'Paris.']);
    expect(lines[0]).not.toHaveProperty('reasoning');
    expect(a.summary.reasoning).toEqual({ mode: 'think', items: 1 });
    expect(a.card).toContain('inside `<think>…</think>` (DeepSeek-R1 / LLaMA-Factory style); 1 item carries one.');
    const o = await write('openai-jsonl', { reasoning: 'think' });
    expect(JSON.parse(o.text.split('\n')[0]!).messages.at(-1).content).toMatch(/^<think>\n17 × 3/);
  });

  it('writes a reasoning field on every record (\'\' where none) and a column in CSV; OpenAI JSONL cannot carry it', async () => {
    const a = await write('alpaca-jsonl', { reasoning: 'field' });
    const lines = a.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.output, l.reasoning])).toEqual([['51.', '17 × 3 = 51, call me at 13800138000'], ['Paris.', '']]);
    expect(a.card).toContain('a `reasoning` field beside the answer');
    const csv = await write('csv', { reasoning: 'field' });
    expect(csv.text.split('\r\n')[0]).toBe('instruction,input,output,system,reasoning');
    expect(csv.card).toContain('a `reasoning` column');
    const o = await write('openai-jsonl', { reasoning: 'field' });
    expect(o.text).not.toContain('17 × 3');
    expect(o.card).toContain('OpenAI JSONL lines carry `messages` only, so a `reasoning` field cannot be written');
  });

  it('redacts personal data inside a written reasoning field', async () => {
    const privacy: ExportOptions['privacy'] = { redact: true, mode: 'placeholder', names: [], terms: [], ignored: [] };
    const a = await write('alpaca-jsonl', { reasoning: 'field', privacy });
    expect(a.text).not.toContain('13800138000');
    expect(a.summary.privacy!.itemsWithFindings).toBe(1);
  });
});
