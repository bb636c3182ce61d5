import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkContamination, evalItemsFrom, type Finding } from '../../lib/decontam/decontam';
import { applyMapping } from '../../lib/io/shapes';
import { EXIT, JSON_OPTION, num, str, type Verb } from '../args';
import { cell, DataFileError, readRecordFile, table } from './recordFiles';
import { issueText } from './seedFiles';

/** The finding a record is reported with: an exact copy first, then the largest share, then the first eval item. */
function better(a: Finding, b: Finding): boolean {
  if (a.method !== b.method) return a.method === 'exact';
  return (a.share ?? 0) > (b.share ?? 0) || ((a.share ?? 0) === (b.share ?? 0) && a.evalIndex < b.evalIndex);
}

export const decontamVerb: Verb = {
  spec: {
    name: 'decontam',
    summary: 'find records of a data file that repeat a benchmark (eval set) item: exact and n-gram checks',
    usage: '--eval FILE --in FILE [--n N] [--char-n N] [--min-share S] [--with-output] [--json]',
    options: {
      eval: { type: 'string', value: 'FILE', help: 'the benchmark file: GSM8K, MMLU / C-Eval / CMMLU, HumanEval / MBPP, ARC, HellaSwag shapes or any text fields', required: true },
      in: { type: 'string', value: 'FILE', help: 'the samples or seeds to check: JSONL, JSON, CSV, TSV, text or Parquet (read as the app imports it)', required: true },
      n: { type: 'string', value: 'N', help: 'words per n-gram for Latin-script text (default 13, as in GPT-3\'s check)' },
      'char-n': { type: 'string', value: 'N', help: 'characters per n-gram for Chinese text (default 13)' },
      'min-share': { type: 'string', value: 'S', help: 'report an n-gram match only when it covers at least this share of the eval item\'s n-grams, 0 to 1 (default 0: any shared n-gram)' },
      'with-output': { type: 'boolean', help: 'check each record\'s output too (default: instruction and input)' },
      json: { ...JSON_OPTION, help: 'print one JSON object per contaminated record: {"record", "eval", "method", "evidence", "share"}' },
    },
    details: [
      '"record" is the record\'s 0-based position in --in, "eval" the eval item\'s in --eval.',
      'exact: equal after normalisation (NFKC, lower case, punctuation and spaces dropped).',
      'ngram: a shared word n-gram (Latin script) or character n-gram (Chinese; a text with both',
      'scripts gets both kinds); "evidence" is the shared n-gram, "share" the part of the eval',
      'item\'s n-grams the record contains. Eval items shorter than n are found by the exact check',
      'only. A record matching several items is reported once: an exact match first, then the',
      'largest share. Embedding similarity needs vectors: it runs in the app\'s Decontam step.',
      'A summary goes to stderr. The exit code is 0 whenever the check completed, with or without',
      'findings: count the --json lines to gate a script on them.',
    ].join('\n'),
  },
  async run(v) {
    const wordN = num(v, 'n', { min: 1, max: 1000, int: true });
    const charN = num(v, 'char-n', { min: 1, max: 1000, int: true });
    const minShare = num(v, 'min-share', { min: 0, max: 1 });
    const evalPath = str(v, 'eval')!;
    const inPath = str(v, 'in')!;
    const evalFile = await readRecordFile(evalPath, 'eval');
    const { shape, items } = evalItemsFrom(evalFile.rows.map((r) => r.record));
    const sha256 = createHash('sha256').update(readFileSync(evalPath)).digest('hex');
    const { rows, analysis } = await readRecordFile(inPath, 'in');
    const samples = rows.map(({ line, record }, i) => {
      const r = applyMapping(record, analysis.mapping, { file: inPath, line, format: analysis.format });
      if (!r.ok) throw new DataFileError(`${issueText({ file: inPath, line, code: r.code, detail: r.detail })}\nevery record of --in needs an instruction (or a conversation): fix it and run again`);
      const d = r.draft;
      return { id: String(i), text: [d.instruction, d.input, v['with-output'] ? d.output : ''].filter(Boolean).join('\n') };
    });
    const findings = await checkContamination(samples, [{ name: evalPath, sha256, count: items.length, shape, items }], {
      ...(wordN !== undefined ? { wordN } : {}),
      ...(charN !== undefined ? { charN } : {}),
      ...(minShare !== undefined ? { minShare } : {}),
    });
    const best = new Map<number, Finding>();
    for (const f of findings) {
      const r = Number(f.sampleId);
      const b = best.get(r);
      if (!b || better(f, b)) best.set(r, f);
    }
    const out: string[][] = [];
    for (const [r, f] of [...best].sort((a, b) => a[0] - b[0])) {
      const share = Math.round((f.share ?? 1) * 1000) / 1000;
      if (v.json) process.stdout.write(JSON.stringify({ record: r, eval: f.evalIndex, method: f.method, evidence: f.evidence, share }) + '\n');
      else out.push([String(r), String(rows[r]!.line), String(f.evalIndex), f.method, share.toFixed(3), cell(f.evidence)]);
    }
    if (!v.json && out.length) process.stdout.write(table(['record', 'line', 'eval', 'method', 'share', 'evidence'], out));
    const exact = [...best.values()].filter((f) => f.method === 'exact').length;
    process.stderr.write(`decontam: ${best.size} of ${rows.length} records contaminated (${exact} exact, ${best.size - exact} n-gram) against ${items.length} eval items (${shape}, sha256 ${sha256.slice(0, 12)}) of ${evalPath}\n`);
    return EXIT.done;
  },
};
