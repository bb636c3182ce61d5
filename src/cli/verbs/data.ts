import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../../lib/db/types';
import { DEFAULT_SOURCE } from '../../lib/engines/modelSource';
import { runDedupPhase, type DedupPhaseOptions } from '../../lib/runner/dedupPhase';
import { UsageError } from '../args';
import { SqliteDatasetSource } from '../store/sources';
import { openStore, STORE_FILE, type Store } from '../store/store';

/**
 * What the data verbs (export, backup, dedup) and a run's Dedup step share: which project of the
 * store they work on, and the dedup phase over the SQLite store.
 */

/**
 * The project named by `--project`, or the store's only project.
 * @throws UsageError when the store has several and none is named, or the name is not there.
 */
export function pickProject(store: Store, name: string | undefined, verb: string): Project | null {
  const projects = store.listProjects();
  if (name !== undefined) {
    const p = projects.find((x) => x.name === name || x.id === name);
    if (!p) throw new UsageError(`--project ${JSON.stringify(name)} is not in ${store.path}; its projects are: ${projects.map((x) => x.name).join(', ') || 'none'}`, verb);
    return p;
  }
  if (projects.length > 1) throw new UsageError(`${store.path} holds ${projects.length} projects (${projects.map((x) => x.name).join(', ')}): name one with --project`, verb);
  return projects[0] ?? null;
}

/** The dedup step's settings the app's recipe editor writes; the defaults of the Dedup step otherwise. */
export type DedupSettings = Pick<DedupPhaseOptions, 'threshold' | 'model' | 'againstSeeds' | 'method' | 'lexical'>;

/**
 * The dedup phase of the app (src/lib/runner/dedupPhase.ts) over the SQLite store. The store has
 * no embedder, so the exact and lexical passes run and the result says the semantic one did not.
 */
export function dedupStore(store: Store, projectId: string, settings: DedupSettings, signal?: AbortSignal) {
  return runDedupPhase(new SqliteDatasetSource(store), projectId, { ...settings, appBase: '', source: DEFAULT_SOURCE }, undefined, signal);
}

/**
 * Opens a store that must exist already (every verb but `run` and `restore`): a mistyped --store
 * would otherwise make an empty store and report that it holds nothing.
 * @throws UsageError naming the directory; the store's errors
 */
export function openExisting(dir: string, verb: string): Store {
  if (!existsSync(join(dir, STORE_FILE))) throw new UsageError(`--store ${dir}: no Seedforge store there (no ${STORE_FILE}); \`seedforge run\` or \`seedforge restore\` makes one`, verb);
  return openStore(dir);
}
