import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { datasetCard, isLicense, LICENSES } from '../../lib/io/export/card';
import { exportDataset } from '../../lib/io/export/exportDataset';
import { allRows } from '../../lib/io/export/source';
import { datasetInfo, datasetName, datasetInfoText, type DatasetInfoEntry } from '../../lib/io/export/handoff';
import { MAX_VALIDATION, MIN_VALIDATION, SPLIT_BY, type SplitBy, type SplitPart } from '../../lib/io/export/split';
import { DEFAULT_FILTERS, type ExportFormat } from '../../lib/io/export/types';
import { EXIT, JSON_OPTION, num, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { FileSink } from '../fileSink';
import { isPairFormat, PAIR_FORMATS, type PairFormat } from '../../lib/io/export/pairs';
import { exportPairsVerb } from './exportPairs';
import { SqliteDatasetSource } from '../store/sources';
import { exportPrivacy, recipeRedacts } from '../../lib/privacy/exportPolicy';
import { readPrivacy } from '../../lib/privacy/settings';
import { openExisting, pickProject } from './data';

/** The command line's format names → the exporter's (the short names are the common spellings). */
export const FORMAT_NAMES: Record<string, ExportFormat> = {
  openai: 'openai-jsonl',
  alpaca: 'alpaca-json',
  sharegpt: 'sharegpt-json',
  csv: 'csv',
  parquet: 'parquet',
  'openai-jsonl': 'openai-jsonl',
  'alpaca-json': 'alpaca-json',
  'alpaca-jsonl': 'alpaca-jsonl',
  'sharegpt-json': 'sharegpt-json',
};

/** `data.jsonl` → `data.train.jsonl`: a side of a split, named beside the file asked for. */
export function sideFile(out: string, part: SplitPart): string {
  const m = /^(.*?)((?:\.[A-Za-z0-9]+)?)$/.exec(out)!;
  return `${m[1]}.${part}${m[2]}`;
}

/**
 * LLaMA-Factory's dataset_info.json beside the data, with this export's entries set: an existing
 * file (a LLaMA-Factory data folder lists many datasets) keeps its other entries.
 * @throws UsageError when the existing file is not a JSON object (nothing is written then)
 */
function readDatasetInfo(path: string): Record<string, DatasetInfoEntry> {
  if (!existsSync(path)) return {};
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (j && typeof j === 'object' && !Array.isArray(j)) return j as Record<string, DatasetInfoEntry>;
  } catch {
    /* said below */
  }
  throw new UsageError(`${path} exists and is not a JSON object: fix or move it, or pass --no-handoff`, 'export');
}

/** Whether a README.md may be replaced by the card: absent, or a card an export wrote before. */
function cardReplaceable(path: string): boolean {
  return !existsSync(path) || readFileSync(path, 'utf8').slice(0, 4000).includes('Seedforge');
}

export const exportVerb: Verb = {
  spec: {
    name: 'export',
    summary: 'write the dataset in a fine-tuning format, with its dataset card (README.md) beside it',
    usage: '--store DIR --format (openai|alpaca|sharegpt|csv|parquet) --out FILE [options]',
    options: {
      store: STORE_OPTION,
      format: { type: 'string', value: 'FORMAT', help: `openai (JSONL), alpaca (JSON), sharegpt (JSON), csv, parquet; also alpaca-jsonl; preference pairs: ${PAIR_FORMATS.join(', ')}`, required: true },
      out: { type: 'string', value: 'FILE', help: 'the data file to write (replaced whole once complete)', required: true },
      card: { type: 'string', value: 'FILE', help: 'where the dataset card goes (default: README.md beside --out)' },
      'no-card': { type: 'boolean', help: 'write no dataset card' },
      project: { type: 'string', value: 'NAME', help: "the store's project (default: its only one)" },
      'include-pending': { type: 'boolean', help: 'also items neither accepted nor rejected (rejected ones never go out)' },
      'min-score': { type: 'string', value: 'N', help: 'leave out items the judge scored below N (1–5)' },
      'keep-duplicates': { type: 'boolean', help: 'keep items a dedup marked as near-duplicates' },
      'real-percent': { type: 'string', value: 'P', help: 'share of real seed data to mix in, 0–100 (default 0)' },
      provenance: { type: 'boolean', help: 'keep per-item provenance fields where the format allows' },
      license: { type: 'string', value: 'ID', help: `the card's licence: ${LICENSES.join(', ')}` },
      description: { type: 'string', value: 'TEXT', help: "the card's description" },
      split: { type: 'string', value: 'SHARE', help: `write a train and a validation file (FILE.train.EXT, FILE.validation.EXT), SHARE (${MIN_VALIDATION}–${MAX_VALIDATION}) of the items for validation (sample formats only)` },
      'split-by': { type: 'string', value: 'BY', help: `stratify the split by ${SPLIT_BY.join(' or ')} (default operation)` },
      'split-seed': { type: 'string', value: 'N', help: 'seed of the split (default 1)' },
      'no-handoff': { type: 'boolean', help: "write no LLaMA-Factory dataset_info.json beside the data" },
      'pair-mode': { type: 'string', value: 'MODE', help: 'preference pair layouts: bestWorst (default) or margin — how best-of-N and judge answers pair' },
      margin: { type: 'string', value: 'N', help: 'preference pair layouts, margin mode: the least judge-score gap of a pair (default 1)' },
      json: { ...JSON_OPTION, help: 'print the export summary as one JSON object' },
    },
    details: "Exit 4 when no item passes the filters (the file is then still written, empty). LLaMA-Factory's dataset_info.json is written beside the data with an entry per file (an existing one keeps its other entries); items with the same instruction are never on both sides of a split.",
  },
  async run(v) {
    const pairFormat = isPairFormat(str(v, 'format')) ? (str(v, 'format') as PairFormat) : null;
    const format = FORMAT_NAMES[str(v, 'format')!];
    const badFormat = () => new UsageError(`--format must be one of ${[...Object.keys(FORMAT_NAMES), ...PAIR_FORMATS].join(', ')} (got ${JSON.stringify(str(v, 'format'))})`, 'export');
    if (!format && !pairFormat) throw badFormat();
    const license = str(v, 'license');
    if (license !== undefined && !isLicense(license)) throw new UsageError(`--license must be one of ${LICENSES.join(', ')}`, 'export');
    const out = str(v, 'out')!;
    const cardPath = v['no-card'] ? null : (str(v, 'card') ?? join(dirname(out), 'README.md'));
    if (cardPath && !str(v, 'card') && !cardReplaceable(cardPath)) {
      throw new UsageError(`${cardPath} exists and is not a dataset card Seedforge wrote: name the card's file with --card, or pass --no-card`, 'export');
    }
    const infoPath = v['no-handoff'] ? null : join(dirname(out), 'dataset_info.json');
    if (pairFormat) {
      const splitFlag = (['split', 'split-by', 'split-seed'] as const).find((k) => v[k] !== undefined);
      if (splitFlag) throw new UsageError(`--${splitFlag} is for sample formats: a preference pair export writes one file (leave --${splitFlag} out, or export samples with --format openai|alpaca|sharegpt|csv|parquet)`, 'export');
      const handoff = infoPath ? { path: infoPath, info: readDatasetInfo(infoPath) } : null;
      const store = openExisting(str(v, 'store')!, 'export');
      try {
        const project = pickProject(store, str(v, 'project'), 'export');
        if (!project) throw new UsageError(`${store.path} holds no project: \`seedforge run\` or \`seedforge restore\` first`, 'export');
        return await exportPairsVerb(new SqliteDatasetSource(store), project, { format: pairFormat, out, cardPath, includePending: v['include-pending'] === true, provenance: v.provenance === true, mode: str(v, 'pair-mode'), margin: num(v, 'margin', { min: 0, max: 4 }), json: v.json === true, handoff });
      } finally {
        store.close();
      }
    }
    if (!format) throw badFormat();
    const share = num(v, 'split', { min: MIN_VALIDATION, max: MAX_VALIDATION });
    const by = (str(v, 'split-by') ?? 'operation') as SplitBy;
    if (!SPLIT_BY.includes(by)) throw new UsageError(`--split-by must be one of ${SPLIT_BY.join(', ')}`, 'export');
    const split = share === undefined ? null : { validation: share, by, seed: num(v, 'split-seed', { min: 0 }) ?? 1 };
    const info = infoPath ? readDatasetInfo(infoPath) : null;
    const store = openExisting(str(v, 'store')!, 'export');
    try {
      const project = pickProject(store, str(v, 'project'), 'export');
      if (!project) throw new UsageError(`${store.path} holds no project: \`seedforge run\` or \`seedforge restore\` first`, 'export');
      const source = new SqliteDatasetSource(store);
      const runs = await allRows(source, 'runs', project.id);
      // A run whose recipe redacts outputs redacts the file, as in the app (the store keeps no privacy lists: the detectors alone).
      const privacy = exportPrivacy(readPrivacy(undefined), { scan: false, redact: false, forced: recipeRedacts(runs) });
      const opts = {
        ...DEFAULT_FILTERS,
        acceptedOnly: v['include-pending'] !== true,
        minScore: num(v, 'min-score', { min: 1, max: 5 }) ?? null,
        skipDuplicates: v['keep-duplicates'] !== true,
        realPercent: num(v, 'real-percent', { min: 0, max: 100 }) ?? 0,
        format,
        provenance: v.provenance === true,
        ...(privacy ? { privacy } : {}),
      };
      const sides: { part?: SplitPart; file: string }[] = split ? (['train', 'validation'] as const).map((part) => ({ part, file: sideFile(out, part) })) : [{ file: out }];
      const written = [];
      for (const side of sides) {
        const sink = new FileSink(side.file);
        try {
          written.push({ ...side, summary: await exportDataset(source, project.id, side.part ? { ...opts, split: { ...split!, part: side.part } } : opts, sink) });
        } catch (e) {
          await sink.abort();
          throw e;
        }
      }
      const summary = written[0]!.summary;
      const items = written.reduce((n, w) => n + (w.summary.split ? w.summary.split.items[w.part!] : w.summary.plan.synthetic + w.summary.plan.real), 0);
      const stem = (out.split(/[\\/]/).pop() ?? '').replace(/\.[A-Za-z0-9.]+$/, '');
      const entries = datasetInfo(format, written.map((w) => ({ name: datasetName(stem, w.part), fileName: w.file.split(/[\\/]/).pop()!, system: w.summary.systemWritten })));
      if (infoPath && info && entries) writeFileSync(infoPath, datasetInfoText({ ...info, ...entries }));
      if (cardPath) {
        const card = datasetCard({ projectName: project.name, summary, runs, dataFile: written[0]!.file.split(/[\\/]/).pop()!, createdAt: Date.now(), license, description: str(v, 'description') });
        writeFileSync(cardPath, card);
      }
      const files = written.map((w) => w.file);
      const handoff = infoPath && entries ? infoPath : null;
      if (v.json) process.stdout.write(JSON.stringify({ type: 'summary', out, ...(split ? { files } : {}), card: cardPath, handoff, datasets: entries ? Object.keys(entries) : [], items, ...summary }) + '\n');
      else process.stdout.write(`wrote ${items} items (${summary.plan.synthetic} synthetic, ${summary.plan.real} real) to ${files.join(' and ')}${cardPath ? `, dataset card ${cardPath}` : ''}${handoff ? `, LLaMA-Factory entries ${Object.keys(entries!).join(', ')} in ${handoff}` : ''}\n`);
      return items > 0 ? EXIT.done : EXIT.nothing;
    } finally {
      store.close();
    }
  },
};
