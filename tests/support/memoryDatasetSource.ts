import type { EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import type { SavedRecipe } from '../../src/lib/db/recipesRepo';
import type { DedupCheck, DuplicateMark } from '../../src/lib/db/samplesRepo';
import type { Project, Sample } from '../../src/lib/db/types';
import { duplicateMarked, KeyExistsError, PAGE_SIZE, type BackupSource, type DedupStore, type ProjectRows, type ProjectTable, type RestoreRows, type RestoreTable, type RestoreTarget, type RestoreWriter } from '../../src/lib/io/export/source';

type Tables = { [T in RestoreTable]: Map<string, RestoreRows[T]> };

const keyOf = (table: RestoreTable, row: unknown): string => (table === 'runSeeds' ? (row as { runId: string }).runId : (row as { id: string }).id);
/** IndexedDB's key order for strings: by UTF-16 code unit. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The store interfaces of src/lib/io/export/source.ts in memory, for Node tests of the shared
 * export, backup, restore and dedup code (the IndexedDB one is tested in the browser; the SQLite
 * one in tests/cli). Rows are copied in and out, as a real store would; a transaction that throws
 * leaves the tables as they were; `running` holds projects a run has locked. No embedder: a dedup
 * over it runs the exact and lexical passes.
 */
export class MemoryDatasetSource implements BackupSource, DedupStore, RestoreTarget {
  readonly place = { here: 'this memory store', elsewhere: 'restore into another one' };
  tables: Tables = emptyTables();
  running = new Set<string>();
  /** Transactions started and rolled back (a failed restore must roll back). */
  rollbacks = 0;

  /** Stores rows as they are (test setup; overwrites). */
  put<T extends RestoreTable>(table: T, rows: RestoreRows[T][]): void {
    for (const r of rows) this.tables[table].set(keyOf(table, r), structuredClone(r));
  }

  async project(id: string): Promise<Project | undefined> {
    return structuredClone(this.tables.projects.get(id));
  }

  async countSamples(projectId: string): Promise<number> {
    return [...this.tables.samples.values()].filter((s) => s.projectId === projectId).length;
  }

  async sampleIdsByStatus(projectId: string, statuses: readonly Sample['status'][]): Promise<string[]> {
    const all = [...this.tables.samples.values()].filter((s) => s.projectId === projectId);
    return statuses.flatMap((st) => all.filter((s) => s.status === st).map((s) => s.id).sort(byCodeUnit));
  }

  async seedIdsInOrder(projectId: string): Promise<string[]> {
    return [...this.tables.seeds.values()].filter((s) => s.projectId === projectId).sort((a, b) => a.order - b.order || byCodeUnit(a.id, b.id)).map((s) => s.id);
  }

  async ids(table: ProjectTable, projectId: string): Promise<string[]> {
    const rows = [...this.tables[table === 'runSeeds' ? 'runs' : table].values()] as { id: string; projectId: string }[];
    return rows.filter((r) => r.projectId === projectId).map((r) => r.id).sort(byCodeUnit);
  }

  async *pages<T extends ProjectTable>(table: T, ids: readonly string[], pageSize = PAGE_SIZE): AsyncGenerator<ProjectRows[T][]> {
    const rows = this.tables[table] as Map<string, ProjectRows[T]>;
    for (let i = 0; i < ids.length; i += pageSize) {
      yield ids.slice(i, i + pageSize).flatMap((id) => (rows.has(id) ? [structuredClone(rows.get(id)!)] : []));
    }
  }

  async get<T extends ProjectTable>(table: T, id: string): Promise<ProjectRows[T] | undefined> {
    return structuredClone((this.tables[table] as Map<string, ProjectRows[T]>).get(id));
  }

  async recipes(): Promise<SavedRecipe[]> {
    return structuredClone([...this.tables.recipes.values()].sort((a, b) => b.updatedAt - a.updatedAt || byCodeUnit(b.id, a.id)));
  }

  async endpoints(ids: readonly string[]): Promise<EndpointConfig[]> {
    return structuredClone(ids.flatMap((id) => this.tables.endpoints.get(id) ?? []));
  }

  async withRunLock<T>(projectId: string, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    if (this.running.has(projectId)) return { acquired: false };
    this.running.add(projectId);
    try {
      return { acquired: true, value: await fn() };
    } finally {
      this.running.delete(projectId);
    }
  }

  async applyDuplicates(scope: readonly string[], marks: readonly DuplicateMark[], check?: DedupCheck): Promise<void> {
    const byId = new Map(marks.map((m) => [m.id, m]));
    const now = Date.now();
    for (const id of scope) {
      const s = this.tables.samples.get(id);
      if (s) this.tables.samples.set(id, duplicateMarked(s, byId.get(id), check, now));
    }
  }

  async transaction<T>(write: (tx: RestoreWriter) => Promise<T>): Promise<T> {
    const before = structuredClone(this.tables);
    const writer: RestoreWriter = {
      project: (id) => this.project(id),
      existing: async (table, ids) => new Set(ids.filter((id) => this.tables[table].has(id))),
      add: async <K extends RestoreTable>(table: K, rows: RestoreRows[K][]) => {
        const t = this.tables[table];
        for (const r of rows) {
          const key = keyOf(table, r);
          if (t.has(key)) throw new KeyExistsError(table, key, 'ConstraintError');
          t.set(key, structuredClone(r));
        }
      },
    };
    try {
      return await write(writer);
    } catch (e) {
      this.tables = before;
      this.rollbacks++;
      throw e;
    }
  }
}

function emptyTables(): Tables {
  return { projects: new Map(), recipes: new Map(), endpoints: new Map(), runs: new Map(), runSeeds: new Map(), seeds: new Map(), samples: new Map(), documents: new Map(), chunks: new Map() };
}
