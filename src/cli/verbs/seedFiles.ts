import { existsSync, openAsBlob, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SeedDraft } from '../../lib/db/types';
import { en } from '../../lib/i18n/en';
import { ImportSession } from '../../lib/io/importSession';
import type { ImportIssue } from '../../lib/io/types';

/**
 * Seed files read by the app's own importer (src/lib/io/importSession.ts: JSONL, JSON, CSV, TSV,
 * text, Parquet; the same shape detection and mapping) over Node's file-backed Blobs, so a file
 * is streamed, not read whole into a string. The importer's issues are said in the app's English
 * words, with the file and line.
 */

/**
 * One full garbage collection: `run` calls it after reading the seeds, after storing them and
 * before the run. V8 sets the heap size at which it next collects the old generation from what was
 * live at the last collection: left to itself, the last one fell inside the import (at 100k seeds,
 * ~100 MB of parsed records still live), and the run's short-lived garbage then grew the process
 * to 390–530 MiB before the next, with the same ~23 MB live as a 10k run. Collected here, the run
 * starts from its own live size; what is left is the import's own peak. A few tens of ms each.
 */
export function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** How many issues a message lists before it only counts the rest. */
const LISTED = 20;

/** A seed file is missing, unreadable, or has records the importer could not use. Nothing was stored. */
export class SeedFileError extends Error {
  override name = 'SeedFileError' as const;
  constructor(
    message: string,
    readonly issues: ImportIssue[] = [],
  ) {
    super(message);
  }
}

/** One importer issue as a line: "seeds.jsonl:3: invalid JSON (Unexpected token …)". */
export function issueText(i: ImportIssue): string {
  const words = (en as Record<string, string>)[`issue.${i.code}`] ?? i.code;
  const text = words.replace('{detail}', i.detail ?? '').replace(/\s*\(\)/, '').trim();
  return `${i.file}${i.line > 0 ? `:${i.line}` : ''}: ${text}`;
}

export interface SeedRead {
  /** Unique drafts in file order (exact duplicates, by the importer's hash, left out). */
  drafts: SeedDraft[];
  /** Issues skipped with --skip-bad (empty otherwise: any issue is an error). */
  skipped: ImportIssue[];
  duplicates: number;
}

/**
 * Reads seed files. Any record the importer cannot use is an error naming its file and line,
 * unless `skipBad` (then such records are left out and listed in `skipped`).
 * @throws SeedFileError
 */
export async function readSeedFiles(paths: string[], skipBad: boolean): Promise<SeedRead> {
  const files: File[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new SeedFileError(`seed file ${p} does not exist: check the path given to --seeds`);
    if (!statSync(p).isFile()) throw new SeedFileError(`${p} is not a file: give --seeds a JSONL, JSON, CSV, TSV, text or Parquet file`);
    // A File over the file-backed Blob: the importer reads it in slices, as it reads a dropped file.
    files.push(new File([await openAsBlob(p)], p));
  }
  const session = new ImportSession();
  const analyses = await session.analyse(files);
  const plan = session.plan(
    analyses.map((a) => a.mapping),
    new Set(),
  );
  const issues = [...analyses.flatMap((a) => a.issues), ...plan.files.flatMap((f) => f.issues)];
  const issueCount = analyses.reduce((n, a) => n + a.issueCount, 0) + plan.files.reduce((n, f) => n + f.issueCount, 0);
  // A whole file that could not be read is never skipped: --skip-bad is for bad records.
  const fileLevel = issues.filter((i) => i.line === 0);
  if (fileLevel.length || (issueCount > 0 && !skipBad)) {
    const shown = (fileLevel.length ? fileLevel : issues).slice(0, LISTED).map(issueText);
    const more = issueCount - shown.length;
    const advice = fileLevel.length ? 'fix the file (or leave it out) and run again' : 'fix these records and run again, or pass --skip-bad to leave them out';
    throw new SeedFileError(`the seed files have ${issueCount} problem${issueCount === 1 ? '' : 's'}:\n  ${shown.join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}\n${advice}`, issues);
  }
  const drafts = session.drafts(true);
  // The parsed rows and the plan are copies of the drafts' records: dropped now, not held with them.
  session.clear();
  if (drafts.length === 0) throw new SeedFileError(`the seed files hold no usable seed: ${paths.join(', ')}`);
  return { drafts, skipped: issues, duplicates: plan.duplicateInImport };
}
