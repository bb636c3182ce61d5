import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { ImportSession } from '../../src/lib/io/importSession';
import { datasetCard } from '../../src/lib/io/export/card';
import { planMix } from '../../src/lib/io/export/select';
import { DEFAULT_FILTERS } from '../../src/lib/io/export/types';
import { encodePairs, exportPairs, memoryPairReader, NoPairsToExportError, pairCardLines, pairsCard, PAIR_FORMAT_FILES, PAIR_FORMATS, type PairFormat } from '../../src/lib/io/export/pairs';
import { BlobSink } from '../../src/lib/io/export/sink';
import type { PreferencePair } from '../../src/lib/preference/types';
import { checkPairFile, type PairCheckFormat } from '../support/pairChecks';

/** The README's example pair (its "Preference pairs" export section). */
const EXAMPLE: PreferencePair = {
  id: 'bestOfN:run-1:t3>run-1:t3-2',
  projectId: 'p1',
  runId: 'run-1',
  sampleId: 'run-1:t3',
  source: 'bestOfN',
  prompt: { system: '', instruction: 'Name the largest planet in the solar system.', input: '' },
  chosen: { text: 'Jupiter: its diameter is about 11 times the Earth’s.', score: 5, sampleId: 'run-1:t3' },
  rejected: { text: 'Saturn.', score: 2, sampleId: 'run-1:t3-2' },
  gap: 3,
  reason: 'best of 4: score 5 against 2',
  status: 'accepted',
  createdAt: 1,
  updatedAt: 1,
};

async function* pagesOf(pairs: PreferencePair[], size = 1000): AsyncGenerator<PreferencePair[]> {
  for (let i = 0; i < pairs.length; i += size) yield pairs.slice(i, i + size);
}

async function bytesOf(format: PairFormat, pairs: PreferencePair[], provenance = false, pageSize?: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of encodePairs(format, pagesOf(pairs, pageSize), provenance)) chunks.push(c);
  return new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const TEXT_FORMATS = PAIR_FORMATS.filter((f): f is Exclude<PairFormat, 'pairs-parquet'> => f !== 'pairs-parquet');

/** The README's pair examples: `<!-- pair-example: <format> [provenance] -->` then a fenced block. */
function readmeExamples(): { format: PairFormat; provenance: boolean; body: string }[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/<!-- pair-example: ([\w-]+)( provenance)? -->\n```\w*\n([\s\S]*?)\n```/g)].map((m) => ({ format: m[1] as PairFormat, provenance: !!m[2], body: m[3]! }));
}

/**
 * Records in each documented shape, as the trainers' pages show them (our own words): the strict
 * checker must pass them, or it is checking something the trainers do not ask for.
 */
const DOCUMENTED: Record<PairCheckFormat, string> = {
  // TRL, dataset formats: preference, standard and conversational; unpaired preference (KTO).
  'trl-jsonl': '{"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}\n',
  'trl-chat-jsonl': '{"prompt": [{"role": "user", "content": "What color is the sky?"}], "chosen": [{"role": "assistant", "content": "It is blue."}], "rejected": [{"role": "assistant", "content": "It is green."}]}\n',
  'kto-jsonl': '{"prompt": "The sky is", "completion": " blue.", "label": true}\n{"prompt": "The sky is", "completion": " green.", "label": false}\n',
  // LLaMA-Factory data/README.md, preference datasets ("ranking": true), Alpaca and ShareGPT.
  'llamafactory-alpaca-json': '[{"instruction": "user instruction", "input": "user input", "chosen": "chosen answer", "rejected": "rejected answer"}]',
  'llamafactory-sharegpt-json': '[{"conversations": [{"from": "human", "value": "user instruction"}], "chosen": {"from": "gpt", "value": "chosen answer"}, "rejected": {"from": "gpt", "value": "rejected answer"}}]',
  // OpenAI, direct preference optimization: the data format.
  'openai-dpo-jsonl': '{"input": {"messages": [{"role": "user", "content": "How cold is it in Oslo today?"}], "tools": [], "parallel_tool_calls": true}, "preferred_output": [{"role": "assistant", "content": "About -3 °C this morning."}], "non_preferred_output": [{"role": "assistant", "content": "Cold."}]}\n',
};

describe('the strict pair checkers', () => {
  for (const f of Object.keys(DOCUMENTED) as PairCheckFormat[]) {
    it(`pass ${f}'s documented example and fail a broken one`, () => {
      expect(checkPairFile(f, DOCUMENTED[f])).toEqual([]);
      const broken = DOCUMENTED[f].replace(/"(chosen|preferred_output|completion)"/, '"winner"');
      expect(checkPairFile(f, broken).length).toBeGreaterThan(0);
    });
  }

  it('refuse what the trainers refuse: extra keys in OpenAI lines, two outputs, a prompt ending with the assistant, a string label', () => {
    expect(checkPairFile('openai-dpo-jsonl', DOCUMENTED['openai-dpo-jsonl'].replace('{"input"', '{"id": "x", "input"'))).toContain('record 1: key "id" not allowed');
    expect(checkPairFile('openai-dpo-jsonl', DOCUMENTED['openai-dpo-jsonl'].replace('"preferred_output": [', '"preferred_output": [{"role": "assistant", "content": "x"}, ')).join()).toMatch(/exactly one/);
    expect(checkPairFile('trl-chat-jsonl', DOCUMENTED['trl-chat-jsonl'].replace('"role": "user"', '"role": "assistant"')).join()).toMatch(/end with the user/);
    expect(checkPairFile('kto-jsonl', DOCUMENTED['kto-jsonl'].replace('true', '"yes"')).join()).toMatch(/label/);
  });
});

describe('pair layouts against the README', () => {
  const examples = readmeExamples();

  it('documents every pair format with an example', () => {
    expect(new Set(examples.map((e) => e.format))).toEqual(new Set(PAIR_FORMATS));
  });

  for (const ex of examples) {
    it(`writes the README's ${ex.format}${ex.provenance ? ' (with provenance)' : ''} example exactly, and it passes the checker`, async () => {
      const bytes = await bytesOf(ex.format, [EXAMPLE], ex.provenance);
      if (ex.format === 'pairs-parquet') {
        expect(await parquetReadObjects({ file: bytes.buffer as ArrayBuffer })).toEqual([JSON.parse(ex.body)]);
        return;
      }
      expect(text(bytes)).toBe(ex.body + '\n');
      expect(checkPairFile(ex.format, text(bytes), ex.provenance)).toEqual([]);
    });
  }
});

/** Pairs that stress the layouts: Chinese, quotes, line breaks, a system prompt, an input, a conversation, no scores. */
function tricky(): PreferencePair[] {
  const base = (i: number, over: Partial<PreferencePair>): PreferencePair => ({ ...EXAMPLE, id: `judge:r:${i}>r:${i}b`, sampleId: `r:${i}`, source: 'judge', ...over });
  const out: PreferencePair[] = [
    base(1, { prompt: { system: '', instruction: '解释复利。', input: '' }, chosen: { text: '复利就是"利滚利"。\n例如 100 元。', score: 4.5, sampleId: 'r:1' }, rejected: { text: '不知道', score: 1, sampleId: 'r:1b' }, gap: 3.5 }),
    base(2, { source: 'edit', prompt: { system: 'You are a translator.', instruction: 'Translate to French.', input: 'Good morning, "friend"' }, chosen: { text: 'Bonjour, « ami »', score: null, sampleId: 'r:2' }, rejected: { text: 'Bon matin', score: 3, sampleId: 'r:2' }, gap: null }),
    base(3, {
      source: 'turn',
      prompt: { system: 'Be brief.', instruction: 'Name a prime.', input: '', turns: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Name a prime.' }] },
      chosen: { text: '7', score: 5, sampleId: 'r:3' },
      rejected: { text: '9', score: 1, sampleId: 'r:3b' },
      gap: 4,
    }),
  ];
  for (let i = 4; i < 30; i++) out.push(base(i, { prompt: { system: '', instruction: `Task ${i}: list fruits.`, input: i % 2 ? `limit ${i}` : '' }, chosen: { text: `Apple, pear (${i})`, score: 4, sampleId: `r:${i}` }, rejected: { text: `Rock (${i})`, score: 2, sampleId: `r:${i}b` }, gap: 2 }));
  return out;
}

async function importBack(name: string, bytes: Uint8Array) {
  const s = new ImportSession();
  const [a] = await s.analyse([new File([bytes as Uint8Array<ArrayBuffer>], name)]);
  s.plan([a!.mapping], new Set());
  return { analysis: a!, drafts: s.drafts(false) };
}

describe('every pair layout on tricky pairs', () => {
  for (const format of TEXT_FORMATS) {
    for (const provenance of [false, true]) {
      it(`${format}${provenance ? ' with provenance' : ''} passes its strict checker, in chunks and pages`, async () => {
        const pairs = tricky();
        const t = text(await bytesOf(format, pairs, provenance, 7));
        expect(checkPairFile(format, t, provenance)).toEqual([]);
        const n = format.endsWith('-json') ? JSON.parse(t).length : t.split('\n').length - 1;
        expect(n).toBe(format === 'kto-jsonl' ? pairs.length * 2 : pairs.length);
      });
    }
  }

  it('writes the conversation before the answers in the chat layouts, its last user turn in the string ones', async () => {
    const conv = tricky()[2]!;
    const [chat] = text(await bytesOf('trl-chat-jsonl', [conv])).split('\n').map((l) => JSON.parse(l || 'null'));
    expect(chat.prompt).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Name a prime.' }]);
    const [sg] = JSON.parse(text(await bytesOf('llamafactory-sharegpt-json', [conv])));
    expect(sg).toEqual({ conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello!' }, { from: 'human', value: 'Name a prime.' }], chosen: { from: 'gpt', value: '7' }, rejected: { from: 'gpt', value: '9' }, system: 'Be brief.' });
    expect(JSON.parse(text(await bytesOf('trl-jsonl', [conv])))).toEqual({ prompt: 'Name a prime.', chosen: '7', rejected: '9' });
    // A single-turn prompt with an input: the instruction, a blank line, the input (as the sample formats write the user turn).
    const withInput = tricky()[1]!;
    expect(JSON.parse(text(await bytesOf('openai-dpo-jsonl', [withInput]))).input.messages).toEqual([{ role: 'system', content: 'You are a translator.' }, { role: 'user', content: 'Translate to French.\n\nGood morning, "friend"' }]);
    expect(JSON.parse(text(await bytesOf('llamafactory-alpaca-json', [withInput])))[0]).toEqual({ instruction: 'Translate to French.', input: 'Good morning, "friend"', chosen: 'Bonjour, « ami »', rejected: 'Bon matin', system: 'You are a translator.' });
  });

  it('writes KTO as two rows per pair, the chosen side labelled true', async () => {
    const rows = text(await bytesOf('kto-jsonl', [EXAMPLE])).trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { prompt: EXAMPLE.prompt.instruction, completion: EXAMPLE.chosen.text, label: true },
      { prompt: EXAMPLE.prompt.instruction, completion: EXAMPLE.rejected.text, label: false },
    ]);
  });

  it('writes Parquet with one row per pair and numbers as numbers (null where unscored)', async () => {
    const pairs = tricky();
    const rows = await parquetReadObjects({ file: (await bytesOf('pairs-parquet', pairs, false, 7)).buffer as ArrayBuffer });
    expect(rows).toHaveLength(pairs.length);
    expect(rows[1]).toMatchObject({ chosen: 'Bonjour, « ami »', chosen_score: null, rejected_score: 3, gap: null, source: 'edit', system: 'You are a translator.' });
    expect(rows[0]).toMatchObject({ prompt: '解释复利。', gap: 3.5 });
  });
});

describe('round trip through the importer', () => {
  // The importer reads a prompt/chosen (or prompt/completion) row as an instruction and its
  // answer, and LLaMA-Factory's Alpaca form by its instruction/input and `chosen`: the chosen side
  // comes back as the item. The chat-shaped pair layouts (TRL conversational, ShareGPT ranking,
  // OpenAI DPO) keep the answers outside the conversation, a shape the importer does not read as
  // seeds: they are checked by the strict checkers above only.
  for (const format of ['trl-jsonl', 'llamafactory-alpaca-json', 'pairs-parquet'] as const) {
    it(`${format} imports back with the chosen answers`, async () => {
      const pairs = tricky().filter((p) => !p.prompt.turns);
      const { analysis, drafts } = await importBack(`pairs.${PAIR_FORMAT_FILES[format].extension}`, await bytesOf(format, pairs));
      expect(analysis.issueCount).toBe(0);
      expect(drafts.map((d) => d.output)).toEqual(pairs.map((p) => p.chosen.text));
      const prompt = (p: PreferencePair) => (p.prompt.input ? `${p.prompt.instruction}\n\n${p.prompt.input}` : p.prompt.instruction);
      // Alpaca and Parquet carry the instruction and input apart (Parquet's `prompt` column joins them; the importer prefers `instruction`).
      if (format !== 'trl-jsonl') expect(drafts.map((d) => [d.instruction, d.input, d.system])).toEqual(pairs.map((p) => [p.prompt.instruction, p.prompt.input, p.prompt.system]));
      else expect(drafts.map((d) => d.instruction)).toEqual(pairs.map(prompt));
    });
  }

  it('kto-jsonl imports back as both sides, in order', async () => {
    const pairs = tricky().filter((p) => !p.prompt.turns);
    const { drafts } = await importBack('pairs.kto.jsonl', await bytesOf('kto-jsonl', pairs));
    expect(drafts.map((d) => d.output)).toEqual(pairs.flatMap((p) => [p.chosen.text, p.rejected.text]));
  });
});

describe('exportPairs', () => {
  const pairs = (): PreferencePair[] => tricky().map((p, i) => ({ ...p, status: i % 5 === 4 ? 'rejected' : i % 5 === 3 ? 'pending' : 'accepted' }));

  it('writes accepted pairs only by default, counts per source and gap, and what it left out', async () => {
    const all = pairs();
    const sink = new BlobSink('application/jsonl');
    const s = await exportPairs(memoryPairReader(all, 4), 'p1', { format: 'trl-jsonl', acceptedOnly: true, provenance: true }, sink);
    const accepted = all.filter((p) => p.status === 'accepted').sort((a, b) => (a.id < b.id ? -1 : 1));
    const lines = (await sink.blob().text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.provenance.id)).toEqual(accepted.map((p) => p.id));
    expect(s).toMatchObject({ pairs: accepted.length, rows: accepted.length, leftOut: { status: all.length - accepted.length } });
    expect(Object.values(s.bySource).reduce((a, b) => a + b, 0)).toBe(accepted.length);
    expect(s.gaps!.count).toBe(accepted.filter((p) => p.gap !== null).length);
    expect(s.gaps!.min).toBe(Math.min(...accepted.flatMap((p) => (p.gap === null ? [] : [p.gap]))));
    expect(s.bytes).toBe((await sink.blob().arrayBuffer()).byteLength);
    const card = pairCardLines(s, { mode: 'margin', margin: 1 }).join('\n');
    expect(card).toContain(`- ${accepted.length} pairs in \`trl-jsonl\``);
    expect(card).toContain('differ by at least 1');
    expect(card).toContain(`- Left out (status): ${all.length - accepted.length}`);
  });

  it('adds pending pairs when asked, never rejected ones, and keeps only the sources asked for', async () => {
    const all = pairs();
    const s = await exportPairs(memoryPairReader(all), 'p1', { format: 'kto-jsonl', acceptedOnly: false, provenance: false, sources: ['judge'] }, new BlobSink('x'));
    const want = all.filter((p) => p.status !== 'rejected' && p.source === 'judge').length;
    expect(s).toMatchObject({ pairs: want, rows: want * 2 });
    expect(s.leftOut.source).toBe(all.filter((p) => p.status !== 'rejected' && p.source !== 'judge').length);
  });

  it('writes each KTO (prompt, completion) once, leaves out one labelled both ways, and says so', async () => {
    // Margin mode over one prompt's answers A 5, B 4, C 2: A>B, A>C, B>C — A chosen twice, C rejected twice, B on both sides.
    const [a, b, c] = [{ text: 'A: Jupiter.', score: 5 }, { text: 'B: Saturn, no, Jupiter.', score: 4 }, { text: 'C: Mars.', score: 2 }].map((x, i) => ({ ...x, sampleId: `s${i}` }));
    const pair = (id: string, chosen: typeof a, rejected: typeof a, over: Partial<PreferencePair> = {}): PreferencePair => ({ ...EXAMPLE, id, chosen: chosen!, rejected: rejected!, gap: chosen!.score - rejected!.score, ...over });
    const other = { ...EXAMPLE.prompt, instruction: 'Name a gas giant.' };
    const all = [pair('m1', a, b), pair('m2', a, c), pair('m3', b, c), pair('m4', b, c, { prompt: other })];
    const sink = new BlobSink('application/jsonl');
    const s = await exportPairs(memoryPairReader(all, 1), 'p1', { format: 'kto-jsonl', acceptedOnly: true, provenance: true }, sink);
    const t = await sink.blob().text();
    expect(checkPairFile('kto-jsonl', t, true)).toEqual([]);
    const q = EXAMPLE.prompt.instruction;
    expect(t.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.prompt, r.completion, r.label, r.provenance.id])).toEqual([
      [q, a!.text, true, 'm1'],
      [q, c!.text, false, 'm2'],
      // The same answer to another prompt is another row.
      [other.instruction, b!.text, true, 'm4'],
      [other.instruction, c!.text, false, 'm4'],
    ]);
    expect(s).toMatchObject({ pairs: 4, rows: 4, kto: { repeated: 2, contradicted: 1 } });
    expect(pairCardLines(s)[2]).toBe('- 4 pairs in `kto-jsonl` (4 rows: each side its own row, labelled; 2 repeated rows written once; 1 completions labelled both true and false for one prompt left out); accepted pairs only; rejected pairs are never exported.');
    // The paired layouts keep every pair.
    expect(await exportPairs(memoryPairReader(all), 'p1', { format: 'trl-jsonl', acceptedOnly: true, provenance: false }, new BlobSink('x'))).toMatchObject({ pairs: 4, rows: 4 });
  });

  it('fails with NoPairsToExportError and aborts the sink when nothing passes', async () => {
    let aborted = false;
    const sink = { write: async () => {}, close: async () => {}, abort: async () => void (aborted = true) };
    await expect(exportPairs(memoryPairReader(pairs().map((p) => ({ ...p, status: 'rejected' as const }))), 'p1', { format: 'trl-jsonl', acceptedOnly: true, provenance: false }, sink)).rejects.toThrow(NoPairsToExportError);
    expect(aborted).toBe(true);
  });

  it('redacts personal data in the prompt and both sides with one numbering, and says so', async () => {
    const p: PreferencePair = { ...EXAMPLE, prompt: { ...EXAMPLE.prompt, instruction: 'Write to alice@example.com about the order.' }, chosen: { ...EXAMPLE.chosen, text: 'Dear alice@example.com, call 13812345678.' }, rejected: { ...EXAMPLE.rejected, text: 'Mail bob@example.org.' } };
    const sink = new BlobSink('x');
    const s = await exportPairs(memoryPairReader([p]), 'p1', { format: 'trl-jsonl', acceptedOnly: true, provenance: false, privacy: { names: ['Zed'], terms: [], ignored: [], redact: true, mode: 'placeholder' } }, sink);
    const out = JSON.parse(await sink.blob().text());
    expect(JSON.stringify(out)).not.toMatch(/alice@|bob@|13812345678/);
    expect(out.prompt).toContain('[EMAIL_1]');
    expect(out.chosen).toContain('[EMAIL_1]');
    expect(out.rejected).toContain('[EMAIL_2]');
    expect(s.privacy).toMatchObject({ items: 1, redacted: true, found: { email: 3, phone: 1 } });
    expect(s.options.privacy!.names).toEqual([]);
  });

  it('says the pairs in the pair card, and in the dataset card when pairs go out with the samples', async () => {
    const s = await exportPairs(memoryPairReader(pairs()), 'p1', { format: 'llamafactory-alpaca-json', acceptedOnly: true, provenance: false }, new BlobSink('x'));
    const own = pairsCard({ projectName: 'Planets', summary: s, dataFile: 'planets.llamafactory-alpaca.json', createdAt: Date.UTC(2026, 0, 2), build: { mode: 'bestWorst', margin: 1 } });
    expect(own).toContain('Preference pairs made with Seedforge on 2026-01-02, in the `llamafactory-alpaca-json` layout');
    expect(own).toContain('the best against the worst');
    const summary = { format: 'alpaca-jsonl' as const, options: { ...DEFAULT_FILTERS, format: 'alpaca-jsonl' as const, provenance: false }, plan: planMix(3, 0, 0), languages: { en: 3, zh: 0 }, operations: {}, runIds: [], models: [], leftOut: {}, bytes: 1 };
    const card = datasetCard({ projectName: 'Planets', summary, runs: [], dataFile: 'd.jsonl', createdAt: 0, pairs: { ...s, build: { mode: 'margin', margin: 1.5 } } });
    expect(card).toContain(`## Preference pairs\n\n- ${s.pairs} pairs in \`llamafactory-alpaca-json\``);
    expect(card).toContain('differ by at least 1.5');
    expect(datasetCard({ projectName: 'Planets', summary, runs: [], dataFile: 'd.jsonl', createdAt: 0 })).not.toContain('Preference pairs');
  });
});
