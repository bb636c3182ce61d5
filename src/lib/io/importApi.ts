import { releaseProxy } from 'comlink';
import { lazyDb } from '../db/db';
import { addSeeds, seedHashes } from '../db/seedsRepo';
import { isQuotaError } from '../db/quota';
import { ImportSession, type FileAnalysis, type ImportPlan } from './importSession';
import type { FieldMapping } from './shapes';
import type { FormatId, ReadChoice, ReadProgress } from './types';

/**
 * What the import worker exposes: an ImportSession plus the two store calls it needs (existing
 * hashes, and the one-transaction write). Parsing, mapping and writing all happen off the main
 * thread, so a 200 MB file never freezes the page and the rows are never copied to it.
 */
export function createImportApi() {
  const session = new ImportSession();
  const store = lazyDb();
  return {
    /** Which database to use (tests use their own). */
    useDatabase(name: string): void {
      store(name);
    },
    async analyse(files: File[], choices: (Partial<ReadChoice> | FormatId | 'auto')[], onProgress?: (p: ReadProgress) => void): Promise<FileAnalysis[]> {
      try {
        return await session.analyse(files, choices, onProgress);
      } finally {
        release(onProgress);
      }
    },
    async plan(projectId: string, mappings: FieldMapping[], onProgress?: (p: ReadProgress) => void): Promise<ImportPlan> {
      const existing = await seedHashes(store(), projectId);
      return session.plan(mappings, existing, onProgress);
    },
    /** Stores the planned drafts in one transaction; returns how many were stored. */
    async commit(projectId: string, skipDuplicates: boolean, onProgress?: (p: ReadProgress) => void): Promise<number> {
      try {
        const drafts = session.drafts(skipDuplicates);
        // Nothing to store writes nothing (not even the project's updatedAt): a file that was all
        // errors leaves the database exactly as it was (the malformed-file corpus checks this).
        if (!drafts.length) {
          session.clear();
          return 0;
        }
        const stored = await addSeeds(store(), projectId, drafts, (done, total) => onProgress?.({ phase: 'write', done, total })).catch((e: unknown) => {
          // Chromium reports a full disk at commit as the transaction's AbortError with the quota
          // error inside; comlink keeps only the outer name, so name it here (the dialog says what to do).
          if (isQuotaError(e)) throw Object.assign(new Error(`this site's storage quota is used up; nothing was imported (${(e as Error).message})`), { name: 'QuotaExceededError' });
          throw e;
        });
        session.clear();
        return stored.length;
      } finally {
        release(onProgress);
      }
    },
    cancel(): void {
      session.clear();
    },
  };
}

/** Frees the message port of a callback that came through Comlink.proxy (a no-op for a plain function). */
function release(fn: unknown): void {
  const release = (fn as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy];
  if (typeof release === 'function') release.call(fn);
}

export type ImportApi = ReturnType<typeof createImportApi>;
