import { existsSync, openAsBlob, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SeedDraft } from '../../lib/db/types';
import { en } from '../../lib/i18n/en';
import { MAX_ISSUES_KEPT, streamDrafts } from '../../lib/io/importSession';
import { SeedStaging, STAGE_CHUNK } from '../store/seedStaging';
import type { ImportIssue } from '../../lib/io/types';

/**
 * Seed files read by the app's own importer (src/lib/io/importSession.ts: JSONL, JSON, CSV, TSV,
 * text, Parquet; the same shape detection and mapping) over Node's file-backed Blobs, so a file
 * is streamed, not read whole into a string, and its drafts are staged in SQLite, not held. The
 * importer's issues are said in the app's English words, with the file and line.
 */

/**
 * One full garbage collection: `run` calls it after the import, before the run. V8 sets the heap size at which it next collects the old generation from what was
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

/**
 * Reads seed files into a staging file (../store/seedStaging.ts), STAGE_CHUNK drafts at a time:
 * the importer's records stream through and are never all held (a 100k-seed file used to be
 * parsed whole, then drafted whole, then stored in one transaction). Exact duplicates within the
 * files are left out. Any record the importer cannot use is an error naming its file and line,
 * unless `skipBad` (then such records are left out and listed in `skipped`); every problem of
 * the files is counted before the error is thrown, as when they were read whole, and the staging
 * file is removed: nothing reaches a store. The caller closes the staging it gets.
 * @throws SeedFileError
 */
export async function stageSeedFiles(paths: string[], skipBad: boolean): Promise<{ staging: SeedStaging; skipped: ImportIssue[] }> {
  const files: File[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new SeedFileError(`seed file ${p} does not exist: check the path given to --seeds`);
    if (!statSync(p).isFile()) throw new SeedFileError(`${p} is not a file: give --seeds a JSONL, JSON, CSV, TSV, text or Parquet file`);
    // A File over the file-backed Blob: the importer reads it in slices, as it reads a dropped file.
    files.push(new File([await openAsBlob(p)], p));
  }
  const issues: ImportIssue[] = [];
  let issueCount = 0;
  const staging = new SeedStaging();
  try {
    let chunk: SeedDraft[] = [];
    for await (const draft of streamDrafts(files, (i) => {
      issueCount++;
      if (issues.length < MAX_ISSUES_KEPT) issues.push(i);
    })) {
      // Once a record is bad (and not to be skipped) the import will fail: the rest is read only to count its problems.
      if (issueCount > 0 && !skipBad) continue;
      chunk.push(draft);
      if (chunk.length === STAGE_CHUNK) {
        staging.add(chunk);
        chunk = [];
      }
    }
    staging.add(chunk);
    // A whole file that could not be read is never skipped: --skip-bad is for bad records.
    const fileLevel = issues.filter((i) => i.line === 0);
    if (fileLevel.length || (issueCount > 0 && !skipBad)) {
      const shown = (fileLevel.length ? fileLevel : issues).slice(0, LISTED).map(issueText);
      const more = issueCount - shown.length;
      const advice = fileLevel.length ? 'fix the file (or leave it out) and run again' : 'fix these records and run again, or pass --skip-bad to leave them out';
      throw new SeedFileError(`the seed files have ${issueCount} problem${issueCount === 1 ? '' : 's'}:\n  ${shown.join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}\n${advice}`, issues);
    }
    if (staging.count === 0) throw new SeedFileError(`the seed files hold no usable seed: ${paths.join(', ')}`);
    return { staging, skipped: issues };
  } catch (e) {
    staging.close();
    throw e;
  }
}
