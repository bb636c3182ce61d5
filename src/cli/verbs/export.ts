import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { datasetCard, isLicense, LICENSES } from '../../lib/io/export/card';
import { exportDataset } from '../../lib/io/export/exportDataset';
import { allRows } from '../../lib/io/export/source';
import { DEFAULT_FILTERS, type ExportFormat } from '../../lib/io/export/types';
import { EXIT, JSON_OPTION, num, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { FileSink } from '../fileSink';
import { SqliteDatasetSource } from '../store/sources';
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
      format: { type: 'string', value: 'FORMAT', help: 'openai (JSONL), alpaca (JSON), sharegpt (JSON), csv, parquet; also alpaca-jsonl', required: true },
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
      json: { ...JSON_OPTION, help: 'print the export summary as one JSON object' },
    },
    details: 'Exit 4 when no item passes the filters (the file is then still written, empty).',
  },
  async run(v) {
    const format = FORMAT_NAMES[str(v, 'format')!];
    if (!format) throw new UsageError(`--format must be one of ${Object.keys(FORMAT_NAMES).join(', ')} (got ${JSON.stringify(str(v, 'format'))})`, 'export');
    const license = str(v, 'license');
    if (license !== undefined && !isLicense(license)) throw new UsageError(`--license must be one of ${LICENSES.join(', ')}`, 'export');
    const out = str(v, 'out')!;
    const cardPath = v['no-card'] ? null : (str(v, 'card') ?? join(dirname(out), 'README.md'));
    if (cardPath && !str(v, 'card') && !cardReplaceable(cardPath)) {
      throw new UsageError(`${cardPath} exists and is not a dataset card Seedforge wrote: name the card's file with --card, or pass --no-card`, 'export');
    }
    const store = openExisting(str(v, 'store')!, 'export');
    try {
      const project = pickProject(store, str(v, 'project'), 'export');
      if (!project) throw new UsageError(`${store.path} holds no project: \`seedforge run\` or \`seedforge restore\` first`, 'export');
      const source = new SqliteDatasetSource(store);
      const opts = {
        ...DEFAULT_FILTERS,
        acceptedOnly: v['include-pending'] !== true,
        minScore: num(v, 'min-score', { min: 1, max: 5 }) ?? null,
        skipDuplicates: v['keep-duplicates'] !== true,
        realPercent: num(v, 'real-percent', { min: 0, max: 100 }) ?? 0,
        format,
        provenance: v.provenance === true,
      };
      const sink = new FileSink(out);
      let summary;
      try {
        summary = await exportDataset(source, project.id, opts, sink);
      } catch (e) {
        await sink.abort();
        throw e;
      }
      const items = summary.plan.synthetic + summary.plan.real;
      if (cardPath) {
        const card = datasetCard({ projectName: project.name, summary, runs: await allRows(source, 'runs', project.id), dataFile: out.split(/[\\/]/).pop()!, createdAt: Date.now(), license, description: str(v, 'description') });
        writeFileSync(cardPath, card);
      }
      if (v.json) process.stdout.write(JSON.stringify({ type: 'summary', out, card: cardPath, items, ...summary }) + '\n');
      else process.stdout.write(`wrote ${items} items (${summary.plan.synthetic} synthetic, ${summary.plan.real} real) to ${out}${cardPath ? `, dataset card ${cardPath}` : ''}\n`);
      return items > 0 ? EXIT.done : EXIT.nothing;
    } finally {
      store.close();
    }
  },
};
