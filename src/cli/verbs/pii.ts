import { existsSync, readFileSync } from 'node:fs';
import { detectPii, PII_TYPES, type PiiType } from '../../lib/privacy/pii';
import { EXIT, JSON_OPTION, list, str, UsageError, type Verb } from '../args';
import { cell, DataFileError, readRecordFile, stringFields, table } from './recordFiles';

/** A list file: one name or term a line; blank lines and lines starting with # are skipped. */
function readList(path: string, option: string): string[] {
  if (!existsSync(path)) throw new DataFileError(`${path} does not exist: check the path given to --${option}`);
  return readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export const piiVerb: Verb = {
  spec: {
    name: 'pii',
    summary: 'find personal data (PII / PHI, English and Chinese) in a data file; nothing is changed',
    usage: '--in FILE [--names FILE] [--terms FILE] [--types LIST] [--json]',
    options: {
      in: { type: 'string', value: 'FILE', help: 'the file to scan: JSONL, JSON, CSV, TSV, text or Parquet (read as the app imports it)', required: true },
      names: { type: 'string', value: 'FILE', help: 'person names to find verbatim, one a line (case-insensitive for Latin letters)' },
      terms: { type: 'string', value: 'FILE', help: 'other sensitive terms (hospitals, clients, projects), one a line' },
      types: { type: 'string', value: 'LIST', help: `only these types, comma-separated: ${PII_TYPES.join(', ')}` },
      json: { ...JSON_OPTION, help: 'print one JSON object per finding: {"record", "field", "type", "start", "end"}' },
    },
    details: [
      'Every string value of every record is scanned, nested ones too; "field" is its path in the',
      'record (instruction, conversations[1].value), "record" the record\'s 0-based position in the',
      'file, and start/end are offsets in JavaScript string units (UTF-16) into that value: the',
      'finding is value.slice(start, end). Rules only, no model: checksums (resident ID MOD 11-2,',
      'Luhn, IBAN mod 97), patterns and cue words (患者, 姓名, Patient, Mr, DOB, 病历号, MRN …).',
      'The table shows the text found; --json leaves it out (so the output holds no personal data).',
      'A summary goes to stderr. The exit code is 0 whenever the scan completed, with or without',
      'findings: count the --json lines to gate a script on them.',
    ].join('\n'),
  },
  async run(v) {
    const types = list(v, 'types');
    const bad = types.filter((t) => !(PII_TYPES as readonly string[]).includes(t));
    if (bad.length) throw new UsageError(`--types: unknown type ${bad.map((t) => JSON.stringify(t)).join(', ')}; the types are ${PII_TYPES.join(', ')}`, 'pii');
    const path = str(v, 'in')!;
    const names = str(v, 'names');
    const terms = str(v, 'terms');
    const opts = {
      ...(names ? { names: readList(names, 'names') } : {}),
      ...(terms ? { terms: readList(terms, 'terms') } : {}),
      ...(types.length ? { types: types as PiiType[] } : {}),
    };
    const { rows } = await readRecordFile(path, 'in');
    const out: string[][] = [];
    let count = 0;
    const hit = new Set<number>();
    for (let r = 0; r < rows.length; r++) {
      for (const [field, value] of stringFields(rows[r]!.record)) {
        for (const f of detectPii(value, opts)) {
          count++;
          hit.add(r);
          if (v.json) process.stdout.write(JSON.stringify({ record: r, field, type: f.type, start: f.start, end: f.end }) + '\n');
          else out.push([String(r), String(rows[r]!.line), field, f.type, `${f.start}-${f.end}`, f.confidence.toFixed(2), cell(f.text, 40)]);
        }
      }
    }
    if (!v.json && out.length) process.stdout.write(table(['record', 'line', 'field', 'type', 'span', 'conf', 'text'], out));
    process.stderr.write(`pii: ${count} finding${count === 1 ? '' : 's'} in ${hit.size} of ${rows.length} records of ${path}\n`);
    return EXIT.done;
  },
};
