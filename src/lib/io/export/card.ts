import type { Run, RunTaskLists, Sample } from '../../db/types';
import type { AcceptanceSummary, ExportedDocument, ExportSummary, SourceMode } from './types';
import { sourcePlace } from './records';
import { pairCardLines, type PairExportSummary } from './pairs';
import { en } from '../../i18n/en';
import { opLabel } from '../../i18n/labels';
import { splitLines } from './split';

/** The card is written in English whatever the UI language. */
const EN = { t: (k: keyof typeof en) => en[k] };

/**
 * The dataset card: a `README.md` with the Hugging Face YAML header, written from what the export
 * actually wrote (counts, languages, models seen in the items' calls) and from the recipes of the
 * runs its samples came from. Pure: the same inputs give the same text.
 */
export interface CardInput {
  projectName: string;
  summary: ExportSummary;
  /** The runs named in `summary.runIds` (others are ignored), with their committed tasks (runsRepo listRunsWithTasks). */
  runs: (Run & Pick<RunTaskLists, 'completed'>)[];
  /** The data file's name, for the card's `configs` entry. */
  dataFile: string;
  createdAt: number;
  /** The licence the user chose (one of `LICENSES`; `other` when none was chosen). */
  license?: string;
  /** The user's description of the dataset, written under the title as is. */
  description?: string;
  /** Preference pairs exported with the samples: the card gets a "Preference pairs" section (io/export/pairs.ts). */
  pairs?: PairExportSummary & { build?: { mode: 'bestWorst' | 'margin'; margin: number } };
}

/** Licence ids the card offers: Hugging Face's identifiers (SPDX ids, lower-case, plus model licences). */
export const LICENSES = ['apache-2.0', 'mit', 'cc-by-4.0', 'cc-by-sa-4.0', 'cc-by-nc-4.0', 'cc-by-nc-sa-4.0', 'cc0-1.0', 'odc-by', 'odbl', 'openrail', 'llama3.2', 'llama3.1', 'gemma', 'other'] as const;
export type License = (typeof LICENSES)[number];
export const DEFAULT_LICENSE: License = 'other';
export const isLicense = (x: unknown): x is License => (LICENSES as readonly unknown[]).includes(x);

/**
 * How many seeds a run used: the seeds of the tasks it finished (a recipe's seed limit and a
 * stopped run both use fewer than the run's snapshot of the project); Self-Instruct reads every
 * seed of the snapshot as an example. The run's `seedCount` is the snapshot, not the use
 * (issue 13: "175 seeds" on the card of a 10-seed run).
 */
export function seedsUsed(run: Pick<Run, 'recipe' | 'seedCount' | 'status'> & Pick<RunTaskLists, 'completed'>): { used: number; planned: number; snapshot: number; examples: boolean } {
  const { recipe } = run;
  const snapshot = run.seedCount;
  if (recipe.steps?.[0]?.op === 'selfInstruct') return { used: snapshot, planned: snapshot, snapshot, examples: true };
  const planned = Math.min(snapshot, recipe.maxSeeds ?? Infinity);
  const copies = Math.max(1, recipe.copiesPerSeed ?? 1);
  // A finished run used every planned seed; one stopped early, those of the tasks it finished.
  const used = run.status !== 'done' && Array.isArray(run.completed) ? Math.min(planned, new Set(run.completed.map((t) => Math.floor(t / copies))).size) : planned;
  return { used, planned, snapshot, examples: false };
}

/**
 * Who accepted a sample. `hand`: a person's first decision changed the pipeline's verdict
 * (`over`: the reject reason it had, from `lineage.human`; older rows that did not record it are
 * read from the judge's unreadable reply, else `rejected`). Otherwise the judge's verdict (a score),
 * or the recipe's checks when no judge looked at it.
 */
export type AcceptedHow = { by: 'judge' | 'recipe' | 'pending'; edited: boolean } | { by: 'hand'; over: string; edited: boolean };

export function acceptedHow(s: Pick<Sample, 'status' | 'score' | 'lineage'>): AcceptedHow {
  const human = Array.isArray(s.lineage.human) ? s.lineage.human : [];
  const edited = human.some((h) => h.kind === 'edit');
  if (s.status !== 'accepted') return { by: 'pending', edited };
  const first = human.find((h) => h.kind === 'accept' || h.kind === 'reject');
  if (first && first.from !== 'accepted') {
    const over = first.reason ?? (first.from === 'pending' ? 'pending' : s.lineage.notes?.judgeRaw !== undefined ? 'judgeFailed' : 'rejected');
    return { by: 'hand', over, edited };
  }
  return { by: s.lineage.verdict || s.score !== null ? 'judge' : 'recipe', edited };
}

/** Plain words for the verdicts a person can overrule (the code stays beside them for search). */
const VERDICTS: Record<string, string> = {
  judgeFailed: "a judge failure, whose reply had no readable score",
  lowScore: 'a low judge score',
  pending: 'no verdict yet',
  contextOverflow: "a prompt too long for the model's context",
  'selfInstruct:similar': 'too much similarity to an earlier instruction',
  'selfInstruct:noInstance': 'no generated input and output',
  'human:rejected': 'an earlier rejection by hand',
  rejected: 'a rejection whose reason was not recorded',
};

function verdictWords(code: string): string {
  const known = VERDICTS[code];
  if (known) return known;
  const [kind, detail] = code.split(':', 2);
  if (kind === 'filter') return `the ${detail} filter`;
  if (kind === 'error') return `an error, ${detail}`;
  if (kind === 'evol') return 'a failed evolution check';
  if (kind === 'dedup' || code === 'duplicate') return 'a duplicate check';
  return 'a rejection';
}

function acceptanceLines(a: AcceptanceSummary): string[] {
  const lines = [`- ${a.judge} accepted by the judge (a readable score at or above the recipe's threshold).`];
  if (a.recipe) lines.push(`- ${a.recipe} accepted by the recipe's checks alone (no judge step looked at them).`);
  for (const [code, n] of Object.entries(a.byHand).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))) {
    lines.push(`- ${n} accepted by hand over \`${code}\`: ${verdictWords(code)}.`);
  }
  if (a.pending) lines.push(`- ${a.pending} pending: neither the pipeline nor a person accepted them.`);
  if (a.edited) lines.push(`- ${a.edited} edited by hand after generation (the model's text is in the lineage).`);
  return lines;
}

/** A file name as Markdown text: characters that would format it are escaped, line breaks become spaces. */
function mdText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|#]/g, '\\$&');
}

const DOC_TYPES: Record<NonNullable<ExportedDocument['type']>, string> = { pdf: 'PDF', docx: 'DOCX', markdown: 'Markdown', html: 'HTML', text: 'plain text', epub: 'EPUB' };

/** Where the source text is, in words, for the card (null: not in the file). */
function sourceWords(format: ExportSummary['format'], mode: SourceMode | undefined): string | null {
  switch (sourcePlace(format, mode ?? 'none')) {
    case 'context':
      return format === 'csv' || format === 'parquet' ? 'the `context` column' : 'the `context` field';
    case 'system':
      return format === 'alpaca-json' || format === 'alpaca-jsonl' ? 'the `system` field' : format === 'csv' || format === 'parquet' ? 'the `system` column' : 'the system message';
    case 'input':
      return format === 'alpaca-json' || format === 'alpaca-jsonl' ? 'the `input` field (before the item\'s own input)' : format === 'csv' || format === 'parquet' ? 'the `input` column (before the item\'s own input)' : 'the user turn, after the question';
    default:
      return null;
  }
}

/**
 * The "Source documents" section: each document the exported items were made from (name, type,
 * pages, bytes, SHA-256 — never its text) with its item count, and the warning that the data may
 * reproduce copyrighted or confidential text.
 */
function documentLines(s: ExportSummary): string[] {
  const docs = s.documents ?? [];
  if (!docs.length) return [];
  const n = docs.reduce((a, d) => a + d.items, 0);
  const where = sourceWords(s.format, s.options.source);
  const lines = ['## Source documents', '', `${n} of the items were generated from ${docs.length === 1 ? 'this document' : `these ${docs.length} documents`} (questions asked about a passage, answers written from that passage only):`, ''];
  for (const d of docs) {
    const items = `${d.items} ${d.items === 1 ? 'item' : 'items'}`;
    if (d.sha256 === null) lines.push(`- ${mdText(d.name)}: deleted from the project before this export (type, pages, size and SHA-256 unknown); ${items}.`);
    else {
      const facts = [DOC_TYPES[d.type!] ?? d.type, d.pages ? `${d.pages} ${d.pages === 1 ? 'page' : 'pages'}` : null, `${d.bytes} bytes`].filter(Boolean).join(', ');
      lines.push(`- ${mdText(d.name)} (${facts}), SHA-256 \`${d.sha256}\`: ${items}.`);
    }
  }
  lines.push(
    '',
    `**Warning:** the source documents may be copyrighted or confidential, and this dataset may reproduce their text: questions and answers quote and paraphrase them${where ? `, and each of these items carries its source passage in ${where}` : ''}. Make sure you may share these documents' content before publishing this dataset.`,
    '',
  );
  if (s.sourceMissing) lines.push(`${s.sourceMissing} of these items have no source passage in the file: their document and the run that made them were deleted.`, '');
  return lines;
}

/**
 * The "Benchmark decontamination" section: each eval set the project's data was checked against
 * (name, SHA-256, size), the methods with their thresholds, and what was found and left out.
 */
export function decontamLines(s: ExportSummary): string[] {
  const d = s.decontam;
  if (!d) return [];
  const r = d.report;
  const m = r.methods;
  const methods = [
    m.exact ? 'exact match after normalisation (NFKC, case, punctuation and spaces ignored)' : null,
    m.ngram.enabled ? `n-gram overlap (word ${m.ngram.wordN}-grams, character ${m.ngram.charN}-grams for Chinese; an eval item counts as found when ${m.ngram.minShare > 0 ? `at least ${pct(m.ngram.minShare)} of its n-grams are` : 'any one of its n-grams is'} in the item)` : null,
    m.embedding.enabled ? `embedding similarity (cosine ≥ ${m.embedding.threshold} with \`${m.embedding.model}\`)` : null,
  ].filter(Boolean);
  const lines = ['## Benchmark decontamination', '', `The project's data was checked on ${new Date(r.at).toISOString().slice(0, 10)} against ${r.sets.length === 1 ? 'this eval set' : `these ${r.sets.length} eval sets`}:`, ''];
  for (const e of r.sets) lines.push(`- ${mdText(e.name)} (${e.count} ${e.count === 1 ? 'item' : 'items'}, ${e.bytes} bytes), SHA-256 \`${e.sha256}\``);
  lines.push('', `- Methods: ${methods.join('; ') || 'none'}.`, `- Compared: instruction and input${m.includeOutputs ? ' and the answer' : ''} of ${r.checked.samples} samples, ${r.checked.seeds} seeds and ${r.checked.chunks} document chunks.`);
  for (const why of r.skipped ?? []) lines.push(`- Not run: ${why}.`);
  lines.push(`- Found: ${r.found.samples} samples, ${r.found.seeds} seeds and ${r.found.chunks} document chunks repeat an eval item.`);
  lines.push(d.kept ? `- **${d.kept} contaminated samples are in this file** (the export was asked to keep them); ${d.excluded} were left out.` : `- Left out of this file: ${d.excluded} contaminated samples.`);
  lines.push('');
  return lines;
}

/**
 * What the file does with the models' reasoning traces (pipeline/reasoning.ts ReasoningMode), said
 * also when they were dropped, so that a reader knows whether the answers carry thinking.
 */
export function reasoningLine(s: ExportSummary): string {
  const r = s.reasoning;
  if (!r) return 'Reasoning traces: dropped (answers only).';
  if (r.mode === 'think') return `Reasoning traces: written before the answer inside \`<think>…</think>\` (DeepSeek-R1 / LLaMA-Factory style); ${r.items} ${r.items === 1 ? 'item carries' : 'items carry'} one.`;
  if (s.format === 'openai-jsonl') return 'Reasoning traces: dropped (OpenAI JSONL lines carry `messages` only, so a `reasoning` field cannot be written).';
  return `Reasoning traces: a \`reasoning\` ${s.format === 'csv' || s.format === 'parquet' ? 'column' : 'field'} beside the answer ('' where none); ${r.items} ${r.items === 1 ? 'item carries' : 'items carry'} one.`;
}

/** Counts per type in words: `phone 2, email 1`; `none` when empty. */
function typeCounts(c: Partial<Record<string, number>>): string {
  const e = Object.entries(c).filter(([, n]) => n);
  return e.length ? e.map(([t, n]) => `${t} ${n}`).join(', ') : 'none';
}

/**
 * The "Personal data" section: whether the written items were scanned, how (the rule-based
 * detectors, the sizes of the user's lists — never their entries), what was found and what remains
 * in the file. Said also when no scan was made, so a reader never assumes one.
 */
export function privacyLines(s: ExportSummary): string[] {
  const p = s.privacy;
  if (!p) return ['## Personal data', '', 'This export was not scanned for personal data (PII/PHI).', ''];
  const lists = `user lists: ${p.names} ${p.names === 1 ? 'name' : 'names'}, ${p.terms} ${p.terms === 1 ? 'term' : 'terms'}${p.ignored ? `; ${p.ignored} values ruled not personal by the user` : ''}`;
  return [
    '## Personal data',
    '',
    `- Scanned: all ${p.items} written items, by Seedforge's rule-based detectors in English and Chinese (e-mail, phone numbers, mainland resident IDs with their check digit, passports, Luhn card numbers, IBAN, US SSN, IP addresses, credential URLs and API keys, dates of birth, medical record numbers, names after cue words; ${lists}). No NER model was used.`,
    `- Found before export: ${typeCounts(p.found)} in ${p.itemsWithFindings} items.`,
    p.redacted ? `- Redacted in this file: ${p.mode === 'mask' ? 'masked (at most the last four characters of a number kept)' : 'typed placeholders such as `[PHONE_1]`, numbered per item'}.` : '- Not redacted: the findings are in this file as written.',
    `- Remaining in this file: ${typeCounts(p.remaining)}. Rule-based detection misses what it has no rule for (names without a cue word, addresses): review before sharing.`,
    '',
  ];
}

/** Hugging Face's size buckets. */
export function sizeCategory(n: number): string {
  if (n < 1_000) return 'n<1K';
  if (n < 10_000) return '1K<n<10K';
  if (n < 100_000) return '10K<n<100K';
  if (n < 1_000_000) return '100K<n<1M';
  if (n < 10_000_000) return '1M<n<10M';
  return '10M<n<100M';
}

/** The `data_files` loader name of each format, for the YAML `configs`. */
const HF_FORMAT: Record<ExportSummary['format'], string> = {
  'alpaca-json': 'json',
  'alpaca-jsonl': 'json',
  'sharegpt-json': 'json',
  'openai-jsonl': 'json',
  csv: 'csv',
  parquet: 'parquet',
};

const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML scalar
const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)} %`);

function params(step: Record<string, unknown>): string {
  const { op, ...rest } = step;
  const parts = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `\`${String(op)}\`${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export function datasetCard(c: CardInput): string {
  const s = c.summary;
  const n = s.plan.synthetic + s.plan.real;
  const langs = (['en', 'zh'] as const).filter((l) => s.languages[l] > 0);
  const runs = c.runs.filter((r) => s.runIds.includes(r.id)).sort((a, b) => a.createdAt - b.createdAt);
  const remote = s.models.filter((m) => m.engine === 'openai' || m.engine === 'anthropic');
  const o = s.options;
  const license = isLicense(c.license) ? c.license : DEFAULT_LICENSE;
  const description = c.description?.trim() ?? '';
  const lines: string[] = [
    '---',
    `license: ${license}`,
    'language:',
    ...langs.map((l) => `- ${l}`),
    'size_categories:',
    `- ${sizeCategory(n)}`,
    'task_categories:',
    '- text-generation',
    'tags:',
    '- synthetic',
    '- instruction-tuning',
    '- seedforge',
    `pretty_name: ${yamlString(c.projectName)}`,
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    `    path: ${yamlString(c.dataFile)}`,
    '---',
    '',
    `# ${c.projectName}`,
    '',
    `Instruction-tuning data made with Seedforge on ${new Date(c.createdAt).toISOString().slice(0, 10)}, in the \`${s.format}\` layout (\`${c.dataFile}\`; loader \`${HF_FORMAT[s.format]}\`).`,
    '',
    ...(description ? ['## Description', '', description, ''] : []),
    '## Size and composition',
    '',
    `- ${n} items: ${s.plan.synthetic} synthetic, ${s.plan.real} real (from the seed library).`,
    `- Real share: ${pct(s.plan.share)} (asked: ${o.realPercent} %; share = real / (real + synthetic)).${s.plan.short ? ` Not enough usable seeds: ${s.plan.seedsAvailable} available, ${s.plan.realWanted} needed.` : ''}`,
    `- Real items were picked with mulberry32 seed ${o.selectionSeed} and spread evenly through the file.`,
    '',
    ...(s.acceptance && s.plan.synthetic ? ['## How the synthetic items were accepted', '', ...acceptanceLines(s.acceptance), ''] : []),
    '## Languages',
    '',
    ...(['en', 'zh'] as const).map((l) => `- ${l === 'en' ? 'English (en)' : 'Chinese (zh)'}: ${s.languages[l]} items`),
    '',
    'Detected per item from its text (CJK characters against Latin letters).',
    '',
    '## Filters',
    '',
    `- Status: ${o.acceptedOnly ? 'accepted samples only' : 'accepted and pending samples'}; rejected samples are never exported.`,
    `- Score threshold: ${o.minScore === null ? 'none' : `judge score ≥ ${o.minScore} (unscored samples left out)`}.`,
    `- Near-duplicates: ${o.skipDuplicates ? 'left out (samples marked `duplicateOf`)' : 'kept'}.`,
    ...(s.dedupChecks?.length
      ? s.dedupChecks.map(
          (d) =>
            `- Semantic dedup run on these samples: ${d.lexical === undefined ? '' : `exact copies${d.lexical > 0 ? ` and near-copies (character 3-gram Jaccard ≥ ${d.lexical})` : ''} removed first, then `}cosine ≥ ${d.threshold} with \`${d.model}\`${d.againstSeeds ? ', also against the seeds' : ''}${d.method === 'approximate' ? `; approximate pair search (LSH buckets, planned pair recall ${d.recall} at the threshold: a few near-duplicates may remain)` : '; every pair compared'}.`,
        )
      : ['- Semantic dedup: not run on the exported samples.']),
    ...(o.balance === undefined || o.balance === null ? [] : [`- Balanced per label: at most ${o.balance === 'min' ? "as many samples per label as the smallest label has" : `${o.balance} samples per label`}, the best-scored first (samples without a label are one group).`]),
    ...Object.entries(s.leftOut)
      .sort()
      .map(([k, v]) => `- Left out (${k}): ${v}`),
    '',
    '## Methods and parameters',
    '',
  ];
  if (!runs.length) lines.push('No run produced items in this export (real data only).', '');
  for (const r of runs) {
    const recipe = r.recipe;
    const dedup = (recipe.steps ?? []).find((st) => st.op === 'dedup');
    lines.push(`### Run “${r.name}”`, '');
    const u = seedsUsed(r);
    const seedWords = u.examples
      ? `${u.used} seeds as examples`
      : `${u.used} seeds used${u.used < u.planned ? ` of the ${u.planned} planned (the run stopped before the end)` : ''}${u.planned < u.snapshot ? ` (seed limit ${u.planned}; the project had ${u.snapshot})` : ''}`;
    lines.push(`- Recipe: ${recipe.name ?? '–'}; seed ${recipe.seed ?? '–'}; prompt language ${recipe.language ?? '–'}; ${seedWords}.`);
    lines.push(`- Steps: ${(recipe.steps ?? []).map(params).join(' → ') || '–'}`);
    if (dedup) lines.push(`- Dedup threshold: cosine ≥ ${String(dedup.threshold)} (${String(dedup.model)}).`);
    lines.push(`- Models by role: ${Object.entries(r.models).map(([role, m]) => `${role}: ${m || '–'}`).join('; ')}`);
    lines.push('');
  }
  const perOp = Object.entries(s.operations).sort((a, b) => b[1] - a[1]);
  // The operation in words (labels.ts, English like the card), its id beside it for search.
  if (perOp.length) lines.push('Synthetic items per operation: ' + perOp.map(([op, k]) => `${opLabel(EN, op)} (\`${op}\`) ${k}`).join(', ') + '.', '');
  lines.push(...documentLines(s));
  lines.push(...decontamLines(s));
  lines.push(...privacyLines(s));
  if (c.pairs) lines.push(...pairCardLines(c.pairs, c.pairs.build));
  lines.push('## Models', '');
  if (!s.models.length) lines.push('No model call is recorded for the exported items.');
  for (const m of s.models) lines.push(`- ${m.role}: \`${m.model}\` (${m.engine})`);
  lines.push(
    '',
    '## Fields',
    '',
    o.provenance
      ? s.format === 'openai-jsonl'
        ? 'OpenAI JSONL lines carry `messages` only: provenance is not kept in this layout.'
        : 'Each item keeps its provenance (id, source, operation, round, generator, responder, judge, score): a `provenance` object in JSON layouts, columns in CSV and Parquet.'
      : 'Provenance fields were stripped.',
    ...(o.provenance && s.format !== 'openai-jsonl' && s.documents?.length ? ['', 'Items made from documents also carry `document` (file name), `pages`, `headingPath` and `chunkId` (null on the other items).'] : []),
    ...(sourceWords(s.format, o.source) && s.documents?.length ? ['', `The source passage each document-made item was grounded on is in ${sourceWords(s.format, o.source)}.`] : []),
    '',
    reasoningLine(s),
    '',
    ...splitLines(s),
    '## Terms of use',
    '',
    'Items were generated by the models listed above. The terms of some commercial APIs (for example OpenAI, Anthropic and Google) forbid using their output to develop models that compete with theirs: check the terms of every API listed here before training on this data.' +
      (remote.length ? ` This export contains output of remote APIs: ${[...new Set(remote.map((m) => m.model))].map((m) => `\`${m}\``).join(', ')}.` : ''),
    '',
    'The real items come from the project\'s seed library: their licence is that of their source.',
    '',
  );
  return lines.join('\n');
}
