import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DecontamReport, Sample } from '../../src/lib/db/types';
import { datasetCard, decontamLines } from '../../src/lib/io/export/card';
import { sampleLeftOut } from '../../src/lib/io/export/select';
import type { ExportSummary } from '../../src/lib/io/export/types';
import { DEFAULT_DECONTAM, PRESETS, validateRecipe } from '../../src/lib/pipeline/recipe';
import { decontamText, readEvalFile } from '../../src/lib/runner/decontamPhase';

const GSM = [
  { question: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?', answer: '72' },
  { question: 'Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?', answer: '10' },
];
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('recipe: the decontam section', () => {
  it('loads a recipe saved before the section existed with it off, and fills every default', () => {
    const v = validateRecipe({ version: 1, name: 'old', steps: [{ op: 'respond' }] });
    expect(v.ok && v.recipe.decontam).toEqual(DEFAULT_DECONTAM);
    expect(DEFAULT_DECONTAM).toEqual({ enabled: false, exact: true, ngram: { enabled: true, wordN: 13, charN: 13, minShare: 0 }, embedding: { enabled: false, threshold: 0.9, model: expect.any(String) }, includeOutputs: false });
  });

  it('refuses parameters out of range, naming the field', () => {
    const v = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'respond' }], decontam: { enabled: true, ngram: { wordN: 1 }, embedding: { threshold: 2 } } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems.map((p) => p.path).sort()).toEqual(['decontam.embedding.threshold', 'decontam.ngram.wordN']);
  });

  it('turns it on in the presets that reword seeds or question documents, not elsewhere', () => {
    const on = Object.entries(PRESETS)
      .filter(([, p]) => {
        const v = validateRecipe(p);
        return v.ok && v.recipe.decontam.enabled;
      })
      .map(([k]) => k)
      .sort();
    expect(on).toEqual(['docQA', 'docQAEvol', 'evol4']);
  });
});

describe('readEvalFile', () => {
  it('reads a GSM8K file: shape, one item per record (answers kept apart), SHA-256 of the bytes', async () => {
    const text = jsonl(GSM);
    const r = await readEvalFile(new File([text], 'gsm8k.jsonl'));
    expect(r).toMatchObject({ name: 'gsm8k.jsonl', shape: 'gsm8k', count: 2, bytes: Buffer.byteLength(text), sha256: sha(text) });
    expect(r.items).toEqual(GSM.map((g) => ({ text: g.question, answer: g.answer })));
  });

  it('reads a CSV of multiple-choice questions (C-Eval columns)', async () => {
    const text = 'id,question,A,B,C,D,answer\n0,下列哪个是质数？,4,6,7,9,C\n';
    const r = await readEvalFile(new File([text], 'ceval.csv'));
    expect(r.shape).toBe('multipleChoice');
    expect(r.items).toEqual([{ text: '下列哪个是质数？\n4\n6\n7\n9', answer: 'C' }]);
  });

  it('takes the text from the fields the user chose', async () => {
    const r = await readEvalFile(new File([jsonl([{ title: 'T', body: 'B', n: 3 }])], 'any.jsonl'), ['body', 'title']);
    expect(r).toMatchObject({ shape: 'text', fields: ['body', 'title'], items: [{ text: 'B\nT' }] });
  });

  it('names the file and line of a record it cannot read', async () => {
    const text = jsonl([GSM[0]]) + '{"question": "broken\n' + jsonl([GSM[1]]);
    await expect(readEvalFile(new File([text], 'bad.jsonl'))).rejects.toMatchObject({ name: 'EvalFileError', message: expect.stringContaining('bad.jsonl:2'), issues: [expect.objectContaining({ line: 2, code: 'jsonSyntax' })] });
  });

  it('says which record has no text in the chosen fields, and lists the fields to choose from', async () => {
    const text = jsonl([{ body: 'x' }, { other: 'y' }]);
    await expect(readEvalFile(new File([text], 'f.jsonl'), ['body'])).rejects.toMatchObject({ name: 'EvalFileError', message: expect.stringContaining('f.jsonl:2'), keys: ['body', 'other'] });
  });

  it('refuses an empty file', async () => {
    await expect(readEvalFile(new File([''], 'empty.jsonl'))).rejects.toMatchObject({ name: 'EvalFileError', message: expect.stringContaining('empty.jsonl') });
  });
});

describe('decontamText', () => {
  it('is instruction and input, and the answer only when asked', () => {
    const s = { instruction: 'I', input: '', output: 'O' };
    expect(decontamText(s, false)).toBe('I');
    expect(decontamText(s, true)).toBe('I\nO');
  });
});

describe('export: contaminated samples', () => {
  const mark = { evalSet: 'gsm8k.jsonl', evalSetId: 'e1', evalIndex: 0, method: 'ngram' as const, evidence: 'sold clips to 48 of her friends', share: 0.4, matches: 1 };
  const s: Pick<Sample, 'status' | 'score' | 'duplicateOf' | 'output' | 'contamination'> = { status: 'accepted', score: 5, duplicateOf: null, output: 'x', contamination: mark };
  const f = { acceptedOnly: true, minScore: null, skipDuplicates: true };
  it('are left out by default, kept when asked for', () => {
    expect(sampleLeftOut(s, f)).toBe('contaminated');
    expect(sampleLeftOut(s, { ...f, includeContaminated: true })).toBeNull();
    expect(sampleLeftOut({ ...s, contamination: null }, f)).toBeNull();
  });
});

describe('dataset card: benchmark decontamination', () => {
  const report: DecontamReport = {
    at: Date.UTC(2026, 11, 6),
    sets: [{ id: 'e1', name: 'gsm8k_test.jsonl', sha256: 'ab'.repeat(32), count: 1319, bytes: 749_000 }],
    methods: { exact: true, ngram: { enabled: true, wordN: 13, charN: 13, minShare: 0.2 }, embedding: { enabled: true, threshold: 0.92, model: 'bge-small' }, includeOutputs: false },
    checked: { samples: 120, seeds: 10, chunks: 0 },
    found: { samples: 3, seeds: 1, chunks: 0 },
    skipped: ['embedding: no embedding model can run here'],
  };
  const summary = (kept: number, excluded: number): ExportSummary => ({
    format: 'alpaca-jsonl',
    options: { format: 'alpaca-jsonl', provenance: false, acceptedOnly: true, minScore: null, skipDuplicates: true, realPercent: 0, selectionSeed: 1 },
    plan: { synthetic: 117, seedsAvailable: 0, realWanted: 0, real: 0, share: 0, short: false },
    languages: { en: 117, zh: 0 },
    operations: {},
    runIds: [],
    models: [],
    leftOut: excluded ? { contaminated: excluded } : {},
    decontam: { report, excluded, kept },
    bytes: 1,
  });

  it('lists each eval set with its SHA-256 and size, the methods with their thresholds, and what was found and left out', () => {
    expect(decontamLines(summary(0, 3))).toEqual([
      '## Benchmark decontamination',
      '',
      "The project's data was checked on 2026-12-06 against this eval set:",
      '',
      `- gsm8k\\_test.jsonl (1319 items, 749000 bytes), SHA-256 \`${'ab'.repeat(32)}\``,
      '',
      '- Methods: exact match after normalisation (NFKC, case, punctuation and spaces ignored); n-gram overlap (word 13-grams, character 13-grams for Chinese; an eval item counts as found when at least 20.0 % of its n-grams are in the item); embedding similarity (cosine ≥ 0.92 with `bge-small`).',
      '- Compared: instruction and input of 120 samples, 10 seeds and 0 document chunks.',
      '- Not run: embedding: no embedding model can run here.',
      '- Found: 3 samples, 1 seeds and 0 document chunks repeat an eval item.',
      '- Left out of this file: 3 contaminated samples.',
      '',
    ]);
  });

  it('says in bold when contaminated samples were kept, and the card carries the section', () => {
    const card = datasetCard({ projectName: 'P', summary: summary(2, 0), runs: [], dataFile: 'd.jsonl', createdAt: 0 });
    expect(card).toContain('## Benchmark decontamination');
    expect(card).toContain('- **2 contaminated samples are in this file** (the export was asked to keep them); 0 were left out.');
  });

  it('has no section when the project was never checked', () => {
    expect(decontamLines({ ...summary(0, 0), decontam: undefined })).toEqual([]);
  });
});
