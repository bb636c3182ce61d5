import type { Run } from '../../db/types';
import type { ExportSummary } from './types';

/**
 * The dataset card: a `README.md` with the Hugging Face YAML header, written from what the export
 * actually wrote (counts, languages, models seen in the items' calls) and from the recipes of the
 * runs its samples came from. Pure: the same inputs give the same text.
 */
export interface CardInput {
  projectName: string;
  summary: ExportSummary;
  /** The runs named in `summary.runIds` (others are ignored). */
  runs: Run[];
  /** The data file's name, for the card's `configs` entry. */
  dataFile: string;
  createdAt: number;
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
  const lines: string[] = [
    '---',
    'license: other',
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
    '## Size and composition',
    '',
    `- ${n} items: ${s.plan.synthetic} synthetic, ${s.plan.real} real (from the seed library).`,
    `- Real share: ${pct(s.plan.share)} (asked: ${o.realPercent} %; share = real / (real + synthetic)).${s.plan.short ? ` Not enough usable seeds: ${s.plan.seedsAvailable} available, ${s.plan.realWanted} needed.` : ''}`,
    `- Real items were picked with mulberry32 seed ${o.selectionSeed} and spread evenly through the file.`,
    '',
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
    ...Object.entries(s.leftOut)
      .sort()
      .map(([k, v]) => `- Left out (${k}): ${v}`),
    '',
    '## Methods and parameters',
    '',
  ];
  if (!runs.length) lines.push('No run produced items in this export (real data only).', '');
  for (const r of runs) {
    const recipe = r.recipe as { name?: string; seed?: number; language?: string; steps?: Record<string, unknown>[] };
    const dedup = (recipe.steps ?? []).find((st) => st.op === 'dedup');
    lines.push(`### Run “${r.name}”`, '');
    lines.push(`- Recipe: ${recipe.name ?? '–'}; seed ${recipe.seed ?? '–'}; prompt language ${recipe.language ?? '–'}; ${r.seedCount} seeds.`);
    lines.push(`- Steps: ${(recipe.steps ?? []).map(params).join(' → ') || '–'}`);
    if (dedup) lines.push(`- Dedup threshold: cosine ≥ ${String(dedup.threshold)} (${String(dedup.model)}).`);
    lines.push(`- Models by role: ${Object.entries(r.models).map(([role, m]) => `${role}: ${m || '–'}`).join('; ')}`);
    lines.push('');
  }
  const perOp = Object.entries(s.operations).sort((a, b) => b[1] - a[1]);
  if (perOp.length) lines.push('Synthetic items per operation: ' + perOp.map(([op, k]) => `\`${op}\` ${k}`).join(', ') + '.', '');
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
    '',
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
