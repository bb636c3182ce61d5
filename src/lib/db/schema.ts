import type Dexie from 'dexie';
import type { Transaction } from 'dexie';
import { toTaskRows, withoutTaskLists } from './runTasks';
import type { Run, RunTaskLists } from './types';

/**
 * The store's versions, oldest first. Append-only: a released version is never edited, a change
 * is a new entry. An entry that changes stored data carries `upgrade`, and a test opens the
 * previous version with data, upgrades and reads it back (tests/browser/migrations.browser.test.ts).
 */
export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<void>;
}

export const schemaVersions: SchemaVersion[] = [
  {
    version: 1,
    stores: {
      projects: 'id, name, createdAt',
      seeds: 'id, projectId, [projectId+hash]',
      samples: 'id, projectId, runId, seedId, parentId, [projectId+status]',
      runs: 'id, projectId, [projectId+createdAt]',
      embeddings: '[model+hash], model',
      settings: 'key',
    },
  },
  {
    // v2: the Seeds screen lists seeds in import order and filters by tag. Version 1 stored
    // neither an order nor tags, so the upgrade numbers each project's seeds by creation time
    // (ties by id) and gives every seed an empty tag list.
    version: 2,
    stores: {
      seeds: 'id, projectId, [projectId+hash], [projectId+order], *tags',
    },
    async upgrade(tx) {
      const seeds = tx.table('seeds');
      const all: { id: string; projectId: string; createdAt?: number }[] = await seeds.toArray();
      all.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.id < b.id ? -1 : 1));
      const next = new Map<string, number>();
      const orderOf = new Map<string, number>();
      for (const s of all) {
        const n = next.get(s.projectId) ?? 0;
        orderOf.set(s.id, n);
        next.set(s.projectId, n + 1);
      }
      await seeds.toCollection().modify((s: { id: string; order?: number; tags?: string[] }) => {
        if (typeof s.order !== 'number') s.order = orderOf.get(s.id) ?? 0;
        if (!Array.isArray(s.tags)) s.tags = [];
      });
    },
  },
  {
    // v3: remote endpoints and their keys. Keys sit in their own table so that nothing that
    // reads or exports endpoints can carry one by accident.
    version: 3,
    stores: {
      endpoints: 'id, name',
      secrets: 'id',
    },
  },
  {
    // v4: saved recipes, and each run's seed snapshot in its own row (a run row is rewritten on
    // every committed task; carrying 100k seeds in it made each commit copy megabytes).
    version: 4,
    stores: {
      recipes: 'id, name, updatedAt',
      runSeeds: 'runId',
    },
  },
  {
    // v5: the Review screen reads a project's samples page by page in id order (100k rows with
    // their lineage are too much for one read); no stored data changes.
    version: 5,
    stores: {
      samples: 'id, projectId, runId, seedId, parentId, [projectId+status], [projectId+id]',
    },
  },
  {
    // v6: the Documents library. A document row holds the extracted text, blocks, outline and
    // page starts; its chunks are rows of their own (a chunk is excluded or relabelled alone, and
    // the chunk view reads one document's chunks in order). The Documents screen lists a
    // project's documents in the order they were added; a file added twice is found by its
    // SHA-256; the coverage view counts a project's chunks per label. The original file sits in
    // documentFiles (read only for re-extraction). New tables only: no stored data changes.
    version: 6,
    stores: {
      documents: 'id, projectId, [projectId+createdAt], [projectId+sha256]',
      chunks: 'id, projectId, documentId, [documentId+index], [projectId+label]',
      documentFiles: 'documentId, projectId',
    },
  },
  {
    // v7: the Documents list counts each document's excluded chunks on an index ([documentId+excluded]:
    // a chunk without `excluded` is not in it) instead of reading every chunk row; with the
    // chunk count on the documentId index, a refresh reads no chunk and no document text. IndexedDB
    // builds the index from the rows already stored: no stored data changes.
    version: 7,
    stores: {
      chunks: 'id, projectId, documentId, [documentId+index], [projectId+label], [documentId+excluded]',
    },
  },
  {
    // v8: eval sets (benchmark files a project's data is checked against for contamination). Each
    // is stored once per project: the same file twice is found by its SHA-256. The marks a check
    // leaves live on the sample rows (`contamination`, read with the sample; no index). New table
    // only: no stored data changes.
    version: 8,
    stores: {
      evalSets: 'id, projectId, [projectId+sha256]',
    },
  },
  {
    // v9: a run's committed tasks are rows of their own (`runTasks`, keyed by run and task) instead
    // of an ever-growing `completed` list and Self-Instruct pool in the run row, which every commit
    // copied and rewrote; and preference pairs (`pairs`: chosen/rejected answers to one prompt,
    // built from what runs store, accepted or rejected like samples).
    // The upgrade moves each run's `completed` and `pool` into runTasks rows (runTasks.ts
    // toTaskRows) and drops them from the run row; counts stay in the run row. One run at a time:
    // a version-8 run row of 100k tasks is a megabyte, and all of them at once could be gigabytes.
    version: 9,
    stores: {
      runTasks: '[runId+task], runId',
      pairs: 'id, projectId, runId, sampleId, [projectId+status], [projectId+id]',
    },
    async upgrade(tx) {
      const runs = tx.table('runs');
      const runTasks = tx.table('runTasks');
      for (const id of (await runs.toCollection().primaryKeys()) as string[]) {
        const run = (await runs.get(id)) as (Run & Partial<RunTaskLists>) | undefined;
        if (!run) continue;
        await runTasks.bulkPut(toTaskRows(id, { completed: run.completed ?? [], pool: run.pool ?? [] }));
        await runs.put(withoutTaskLists(run));
      }
    },
  },
];

/** Declares the first `upTo` versions (all by default) on a Dexie instance. */
export function declareSchema(db: Dexie, upTo = schemaVersions.length): void {
  for (const v of schemaVersions.slice(0, upTo)) {
    const declared = db.version(v.version).stores(v.stores);
    if (v.upgrade) declared.upgrade(v.upgrade);
  }
}
