import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { datasetCard } from '../../src/lib/io/export/card';
import { encodeItems } from '../../src/lib/io/export/encode';
import { FORMAT_FILES, placeSource, tableColumns } from '../../src/lib/io/export/records';
import { balanceEligible, planMix, sampleItem, type BalanceFacts } from '../../src/lib/io/export/select';
import { DEFAULT_FILTERS, EXPORT_FORMATS, SOURCE_MODES, type ExportFormat, type ExportItem, type ExportSummary, type RecordLayout, type SourceMode } from '../../src/lib/io/export/types';
import { ImportSession } from '../../src/lib/io/importSession';
import type { Sample } from '../../src/lib/db/types';
import { addLabel, emptyLabelTree, mergeLabels } from '../../src/lib/documents/labelTree';
import { citedSegments } from '../../src/ui/review/citedSegments';
import { checkAlpacaJson, checkOpenAiJsonl } from '../e2e/exportChecks';

const CHUNK = 'Nettle is a cryptographic library. It is designed to fit easily in many contexts.';

/** A document-made item: a question about a chunk of guide.pdf, pages 3–4. */
const DOC: ExportItem = {
  instruction: 'What is Nettle designed for?',
  input: '',
  output: 'It is designed to fit easily in many contexts.',
  system: '',
  provenance: { id: 'run-d:t0-0', source: 'synthetic', operation: 'groundedAnswer', round: 0, generator: 'gen', responder: 'resp', judge: 'judge', score: 5 },
  source: { documentId: 'doc-1', document: 'guide.pdf', pages: [3, 4], headingPath: ['Introduction', 'Design'], chunkId: 'chunk-7', text: CHUNK },
};

/** A seed-made item in the same export. */
const PLAIN: ExportItem = {
  instruction: 'Translate to French.',
  input: 'Good morning',
  output: 'Bonjour',
  system: '',
  provenance: { id: 'run-s:t1-0', source: 'synthetic', operation: 'respond', round: 0, generator: null, responder: 'resp', judge: null, score: 4 },
};

const layout = (source: SourceMode, provenance = false, documents = true): RecordLayout => ({ provenance, source, documents });

async function bytesOf(format: ExportFormat, items: ExportItem[], l: RecordLayout | boolean): Promise<Uint8Array> {
  async function* pages() {
    yield items;
  }
  const chunks: Uint8Array[] = [];
  for await (const c of encodeItems(format, pages(), l)) chunks.push(c);
  return new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const lines = (b: Uint8Array) => text(b).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const array = (b: Uint8Array) => JSON.parse(text(b)) as Record<string, unknown>[];
const parquet = async (b: Uint8Array) => parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer });

/** RFC 4180 rows (the test items hold no line break inside a cell). */
function csvRows(b: Uint8Array): string[][] {
  return text(b)
    .split('\r\n')
    .filter(Boolean)
    .map((line) => {
      const cells: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
          else if (c === '"') quoted = false;
          else cell += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') cells.push(cell), (cell = '');
        else cell += c;
      }
      cells.push(cell);
      return cells;
    });
}

describe('export records with and without the source, in every format', () => {
  it("leaves every format as it was when the source is not asked for and there are no document fields (the README's layouts)", async () => {
    for (const format of EXPORT_FORMATS) {
      for (const provenance of [false, true]) {
        const withSource = await bytesOf(format, [DOC, PLAIN], layout('none', provenance, false));
        const without = await bytesOf(format, [{ ...DOC, source: undefined }, PLAIN], provenance);
        expect(withSource, `${format} ${provenance}`).toEqual(without);
      }
    }
  });

  it('context: a `context` field in Alpaca and ShareGPT records (empty for items without a source), the system message in OpenAI JSONL, a column in CSV and Parquet', async () => {
    const [a, b] = lines(await bytesOf('alpaca-jsonl', [DOC, PLAIN], layout('context')));
    expect(a).toEqual({ instruction: DOC.instruction, input: '', output: DOC.output, context: CHUNK });
    expect(b).toEqual({ instruction: PLAIN.instruction, input: 'Good morning', output: 'Bonjour', context: '' });
    expect(Object.keys(a!)).toEqual(['instruction', 'input', 'output', 'context']);
    expect(array(await bytesOf('alpaca-json', [DOC], layout('context')))[0]).toEqual(a);

    const [sg, sgPlain] = array(await bytesOf('sharegpt-json', [DOC, PLAIN], layout('context')));
    expect(sg).toEqual({ conversations: [{ from: 'human', value: DOC.instruction }, { from: 'gpt', value: DOC.output }], context: CHUNK });
    expect(sgPlain!.context).toBe('');

    const oa = await bytesOf('openai-jsonl', [DOC, PLAIN], layout('context'));
    expect(checkOpenAiJsonl(text(oa))).toEqual([]);
    const [o1, o2] = lines(oa);
    expect(o1).toEqual({ messages: [{ role: 'system', content: CHUNK }, { role: 'user', content: DOC.instruction }, { role: 'assistant', content: DOC.output }] });
    expect(o2).toEqual({ messages: [{ role: 'user', content: 'Translate to French.\n\nGood morning' }, { role: 'assistant', content: 'Bonjour' }] });

    const csv = csvRows(await bytesOf('csv', [DOC, PLAIN], layout('context')));
    expect(csv[0]).toEqual(['instruction', 'input', 'output', 'system', 'context']);
    expect(csv[1]).toEqual([DOC.instruction, '', DOC.output, '', CHUNK]);
    expect(csv[2]![4]).toBe('');

    const pq = await parquet(await bytesOf('parquet', [DOC, PLAIN], layout('context')));
    expect(pq).toEqual([
      { instruction: DOC.instruction, input: '', output: DOC.output, system: '', context: CHUNK },
      { instruction: PLAIN.instruction, input: 'Good morning', output: 'Bonjour', system: '', context: '' },
    ]);
  });

  it('system: the system prompt of every format (after an own system prompt, joined by a blank line)', async () => {
    expect(lines(await bytesOf('alpaca-jsonl', [DOC, { ...DOC, system: 'Be brief.' }, PLAIN], layout('system')))).toEqual([
      { instruction: DOC.instruction, input: '', output: DOC.output, system: CHUNK },
      { instruction: DOC.instruction, input: '', output: DOC.output, system: `Be brief.\n\n${CHUNK}` },
      { instruction: PLAIN.instruction, input: 'Good morning', output: 'Bonjour' },
    ]);
    expect(array(await bytesOf('sharegpt-json', [DOC], layout('system')))[0]!.conversations).toEqual([
      { from: 'system', value: CHUNK },
      { from: 'human', value: DOC.instruction },
      { from: 'gpt', value: DOC.output },
    ]);
    expect(lines(await bytesOf('openai-jsonl', [DOC], layout('system')))[0]!.messages).toEqual([
      { role: 'system', content: CHUNK },
      { role: 'user', content: DOC.instruction },
      { role: 'assistant', content: DOC.output },
    ]);
    expect(csvRows(await bytesOf('csv', [DOC], layout('system')))[1]).toEqual([DOC.instruction, '', DOC.output, CHUNK]);
    expect((await parquet(await bytesOf('parquet', [DOC], layout('system'))))[0]).toMatchObject({ system: CHUNK });
    // A multi-turn item's own system turn takes the source (that turn is what the chat formats write).
    const turns = placeSource({ ...DOC, system: 'S', turns: [{ role: 'system', content: 'S' }, { role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] }, 'system').turns!;
    expect(turns[0]).toEqual({ role: 'system', content: `S\n\n${CHUNK}` });
  });

  it('input: Alpaca `input` is the chunk (RAG-style SFT), the chat formats ask the question then give the text', async () => {
    expect(lines(await bytesOf('alpaca-jsonl', [DOC, { ...DOC, input: 'own input' }], layout('input')))).toEqual([
      { instruction: DOC.instruction, input: CHUNK, output: DOC.output },
      { instruction: DOC.instruction, input: `${CHUNK}\n\nown input`, output: DOC.output },
    ]);
    expect(array(await bytesOf('sharegpt-json', [DOC], layout('input')))[0]!.conversations).toEqual([
      { from: 'human', value: `${DOC.instruction}\n\n${CHUNK}` },
      { from: 'gpt', value: DOC.output },
    ]);
    expect(lines(await bytesOf('openai-jsonl', [DOC], layout('input')))[0]!.messages).toEqual([
      { role: 'user', content: `${DOC.instruction}\n\n${CHUNK}` },
      { role: 'assistant', content: DOC.output },
    ]);
    expect(csvRows(await bytesOf('csv', [DOC], layout('input')))[1]).toEqual([DOC.instruction, CHUNK, DOC.output, '']);
    expect((await parquet(await bytesOf('parquet', [DOC], layout('input'))))[0]).toMatchObject({ input: CHUNK });
  });

  it('an item whose source text is gone is written without it (nothing is invented)', async () => {
    const gone = { ...DOC, source: { ...DOC.source!, text: '' } };
    for (const mode of ['system', 'input'] as const) expect(lines(await bytesOf('alpaca-jsonl', [gone], layout(mode)))[0]).toEqual({ instruction: DOC.instruction, input: '', output: DOC.output });
    expect(lines(await bytesOf('alpaca-jsonl', [gone], layout('context')))[0]!.context).toBe('');
  });

  it('with provenance, every record of an export with document-made items carries document, pages, heading path and chunk id (null on the others)', async () => {
    const [a, b] = lines(await bytesOf('alpaca-jsonl', [DOC, PLAIN], layout('none', true)));
    expect(a!.provenance).toEqual({ ...DOC.provenance, document: 'guide.pdf', pages: [3, 4], headingPath: ['Introduction', 'Design'], chunkId: 'chunk-7' });
    expect(b!.provenance).toEqual({ ...PLAIN.provenance, document: null, pages: null, headingPath: null, chunkId: null });
    expect(Object.keys(a!.provenance as object)).toEqual(Object.keys(b!.provenance as object));
    expect(array(await bytesOf('sharegpt-json', [DOC], layout('context', true)))[0]!.provenance).toMatchObject({ document: 'guide.pdf', chunkId: 'chunk-7' });
    // OpenAI lines stay `messages` only.
    expect(checkOpenAiJsonl(text(await bytesOf('openai-jsonl', [DOC, PLAIN], layout('context', true))))).toEqual([]);

    const csv = csvRows(await bytesOf('csv', [DOC, PLAIN, { ...DOC, source: { ...DOC.source!, pages: [7, 7] } }], layout('context', true)));
    expect(csv[0]).toEqual(tableColumns(layout('context', true)));
    expect(csv[0]).toEqual(['instruction', 'input', 'output', 'system', 'context', 'id', 'source', 'operation', 'round', 'generator', 'responder', 'judge', 'score', 'document', 'pages', 'headingPath', 'chunkId']);
    expect(csv[1]!.slice(13)).toEqual(['guide.pdf', '3-4', '["Introduction","Design"]', 'chunk-7']);
    expect(csv[2]!.slice(13)).toEqual(['', '', '', '']);
    expect(csv[3]![14]).toBe('7');

    const pq = await parquet(await bytesOf('parquet', [DOC, PLAIN], layout('none', true)));
    expect(pq[0]).toMatchObject({ document: 'guide.pdf', pages: '3-4', headingPath: '["Introduction","Design"]', chunkId: 'chunk-7' });
    expect(pq[1]).toMatchObject({ document: null, pages: null, headingPath: null, chunkId: null });
  });

  it('every format with every source place still passes the format checks and imports back with the importer', async () => {
    for (const format of EXPORT_FORMATS) {
      for (const mode of SOURCE_MODES) {
        const bytes = await bytesOf(format, [DOC, PLAIN], layout(mode, true));
        if (format === 'openai-jsonl') expect(checkOpenAiJsonl(text(bytes))).toEqual([]);
        // The Alpaca check takes the three Alpaca keys and `system` only.
        if (format === 'alpaca-json' && mode !== 'context') expect(checkAlpacaJson(text(await bytesOf(format, [DOC, PLAIN], layout(mode, false))))).toEqual([]);
        const s = new ImportSession();
        const [a] = await s.analyse([new File([bytes as Uint8Array<ArrayBuffer>], `x.${FORMAT_FILES[format].extension}`)]);
        expect(a!.issueCount, `${format} ${mode}`).toBe(0);
        s.plan([a!.mapping], new Set());
        const drafts = s.drafts(false);
        expect(drafts, `${format} ${mode}`).toHaveLength(2);
        // The answer is always the model's answer, whatever the place of the source.
        expect(drafts[0]!.output).toBe(DOC.output);
        if (mode === 'input' && (format === 'alpaca-jsonl' || format === 'csv' || format === 'parquet')) expect(drafts[0]!.input).toBe(CHUNK);
      }
    }
  });

  it('a stored sample with a source becomes an item with that source and the text it was given', () => {
    const s: Sample = {
      id: 'r:1', projectId: 'p', runId: 'r', seedId: null, parentId: null, operation: 'groundedAnswer', round: 0, persona: null, instruction: 'q', input: '', output: 'a',
      status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, lineage: {}, createdAt: 0, updatedAt: 0,
      source: { documentId: 'd', documentName: 'g.pdf', chunkId: 'c', chunkIndex: 2, pages: [1, 2], headingPath: ['H'], span: [10, 20], cited: [[12, 15]], label: 'L1', questionType: 'factual' },
    };
    expect(sampleItem(s, 'chunk text').source).toEqual({ documentId: 'd', document: 'g.pdf', pages: [1, 2], headingPath: ['H'], chunkId: 'c', text: 'chunk text' });
    expect(sampleItem({ ...s, source: undefined }).source).toBeUndefined();
  });
});

describe('balance per label', () => {
  const f = (id: string, label: string | undefined, score: number | null, createdAt = 0): BalanceFacts => ({ id, score, createdAt, ...(label === undefined ? {} : { label }) });
  const items = [f('a1', 'A', 3), f('b1', 'B', 5), f('a2', 'A', 5), f('a3', 'A', null), f('c1', 'C', 4), f('a4', 'A', 4), f('b2', 'B', 2), f('s1', undefined, 4)];

  it('keeps at most k per label, the best-scored first, in the input order; unlabelled samples are one group', () => {
    expect(balanceEligible(items, 2).map((x) => x.id)).toEqual(['b1', 'a2', 'c1', 'a4', 'b2', 's1']);
    expect(balanceEligible(items, 1).map((x) => x.id)).toEqual(['b1', 'a2', 'c1', 's1']);
    expect(balanceEligible(items, 0)).toEqual([]);
    expect(balanceEligible(items, 100)).toEqual(items);
  });

  it("'min' takes the smallest label's count from every label", () => {
    const picked = balanceEligible(items, 'min');
    const per = new Map<string, number>();
    for (const x of picked) per.set(x.label ?? '', (per.get(x.label ?? '') ?? 0) + 1);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    expect(per.size).toBe(4);
  });

  it('is deterministic: ties go to the earlier sample, then the smaller id, whatever the input order', () => {
    const tied = [f('x2', 'A', 4, 5), f('x1', 'A', 4, 5), f('x0', 'A', 4, 9)];
    expect(balanceEligible(tied, 1).map((x) => x.id)).toEqual(['x1']);
    expect(balanceEligible([...tied].reverse(), 1).map((x) => x.id)).toEqual(['x1']);
    // A cap that is not a whole number is read as its floor.
    expect(balanceEligible(items, 1.7)).toEqual(balanceEligible(items, 1));
  });

  it('counts a label merged into another as that one when the tree is given', () => {
    let tree = emptyLabelTree();
    const a = addLabel(tree, 'Install', null);
    const b = addLabel(a.tree, 'Setup', null);
    tree = mergeLabels(b.tree, b.id, a.id);
    const rows = [f('1', a.id, 5), f('2', b.id, 4)];
    expect(balanceEligible(rows, 1).map((x) => x.id)).toEqual(['1', '2']);
    expect(balanceEligible(rows, 1, tree).map((x) => x.id)).toEqual(['1']);
  });
});

describe('the drawer marks cited spans in the grounding text', () => {
  const t = 'Alpha beta gamma. Delta epsilon.';
  it('cuts the text into plain and cited pieces that join back to the text', () => {
    // The text starts at offset 100 of its document.
    const segs = citedSegments(t, 100, [[106, 110], [118, 123]]);
    expect(segs).toEqual([
      { text: 'Alpha ', cited: false },
      { text: 'beta', cited: true },
      { text: ' gamma. ', cited: false },
      { text: 'Delta', cited: true },
      { text: ' epsilon.', cited: false },
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(t);
  });

  it('clips spans to the text, merges overlapping ones, drops empty ones', () => {
    expect(citedSegments(t, 100, [[90, 105], [103, 111], [200, 210], [120, 120]])).toEqual([
      { text: 'Alpha beta ', cited: true },
      { text: 'gamma. Delta epsilon.', cited: false },
    ]);
    expect(citedSegments(t, 0, [])).toEqual([{ text: t, cited: false }]);
    expect(citedSegments('', 0, [[0, 3]])).toEqual([{ text: '', cited: false }]);
    for (let s = 0; s < t.length; s += 3) for (let e = s; e < t.length + 4; e += 5) expect(citedSegments(t, 0, [[s, e], [e - 2, e + 4]]).map((x) => x.text).join('')).toBe(t);
  });
});

describe('the dataset card lists the source documents', () => {
  const SHA = 'a'.repeat(64);
  const summary: ExportSummary = {
    format: 'alpaca-jsonl',
    options: { ...DEFAULT_FILTERS, format: 'alpaca-jsonl', provenance: true, source: 'context', balance: 3 },
    plan: planMix(12, 0, 0),
    languages: { en: 12, zh: 0 },
    operations: { groundedAnswer: 12 },
    runIds: [],
    models: [],
    leftOut: { balance: 4 },
    documents: [
      { id: 'd1', name: 'nettle.pdf', type: 'pdf', pages: 111, sha256: SHA, bytes: 123456, items: 9 },
      { id: 'd2', name: 'notes_[draft].md', type: null, pages: null, sha256: null, bytes: null, items: 3 },
    ],
    bytes: 1,
  };
  const card = datasetCard({ projectName: 'Docs', summary, runs: [], dataFile: 'docs.alpaca.jsonl', createdAt: 0 });

  it('names each document with its type, pages, size, SHA-256 and item count, and warns about copyright and confidentiality', () => {
    expect(card).toContain('## Source documents');
    expect(card).toContain('12 of the items were generated from these 2 documents');
    expect(card).toContain(`- nettle.pdf (PDF, 111 pages, 123456 bytes), SHA-256 \`${SHA}\`: 9 items.`);
    // Markdown in a file name is escaped; a deleted document says what is unknown.
    expect(card).toContain('- notes\\_\\[draft\\].md: deleted from the project before this export (type, pages, size and SHA-256 unknown); 3 items.');
    expect(card).toMatch(/\*\*Warning:\*\* the source documents may be copyrighted or confidential, and this dataset may reproduce their text/);
    expect(card).toContain('carries its source passage in the `context` field');
    expect(card).toContain('Balanced per label: at most 3 samples per label');
    expect(card).toContain('Left out (balance): 4');
    expect(card).toContain('`document` (file name), `pages`, `headingPath` and `chunkId`');
  });

  it('has no such section, warning or field note when no exported item came from a document', () => {
    const plain = datasetCard({ projectName: 'x', summary: { ...summary, documents: undefined, options: { ...summary.options, source: 'none', balance: null } }, runs: [], dataFile: 'x', createdAt: 0 });
    expect(plain).not.toContain('Source documents');
    expect(plain).not.toContain('copyrighted');
    expect(plain).not.toContain('Balanced per label');
    expect(plain).not.toContain('chunkId');
  });

  it('says where the source is in each layout', () => {
    const where = (format: ExportFormat, source: SourceMode) => datasetCard({ projectName: 'x', summary: { ...summary, format, options: { ...summary.options, format, source } }, runs: [], dataFile: 'x', createdAt: 0 });
    expect(where('openai-jsonl', 'context')).toContain('in the system message');
    expect(where('csv', 'context')).toContain('in the `context` column');
    expect(where('alpaca-jsonl', 'input')).toContain("in the `input` field (before the item's own input)");
    expect(where('sharegpt-json', 'input')).toContain('in the user turn, after the question');
    expect(where('alpaca-jsonl', 'none')).not.toContain('source passage in');
  });
});
