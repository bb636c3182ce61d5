import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../../lib/db/types';
import { DEFAULT_SOURCE } from '../../lib/engines/modelSource';
import { runDedupPhase, type DedupPhaseOptions, type DedupPhaseProgress } from '../../lib/runner/dedupPhase';
import { UsageError } from '../args';
import { nodeEmbedder, storeVectorCache, unsupportedModel, type DedupEmbedFn } from '../embed';
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

/** What `dedupStore` did: the phase's result, and why its semantic pass did not run (null when it did, or had nothing left to compare). */
export type DedupOutcome = Awaited<ReturnType<typeof runDedupPhase>> & { semanticSkipped: string | null };

/**
 * The dedup phase of the app (src/lib/runner/dedupPhase.ts) over the SQLite store, its semantic
 * pass embedded by the command line's embedder (src/cli/embed.ts: the bundled model from disk),
 * its vectors kept in the store's cache (a later dedup embeds only new texts).
 * A model other than the bundled one, or `semantic: false`, keeps the exact and lexical passes and
 * says why in `semanticSkipped`.
 * @throws EmbedError when the bundled model's files cannot be read; the store's errors
 */
export async function dedupStore(store: Store, projectId: string, settings: DedupSettings, signal?: AbortSignal, o: { semantic?: boolean; embed?: DedupEmbedFn; onProgress?: (p: DedupPhaseProgress) => void } = {}): Promise<DedupOutcome> {
  const semantic = o.semantic ?? true;
  const unavailable = unsupportedModel(settings.model);
  const embed = semantic && !unavailable ? (o.embed ?? nodeEmbedder({ signal, cache: (key) => storeVectorCache(store, key) })) : undefined;
  const r = await runDedupPhase(new SqliteDatasetSource(store, embed), projectId, { ...settings, appBase: '', source: DEFAULT_SOURCE }, o.onProgress, signal);
  const refused = r.semanticRefused;
  const semanticSkipped = refused
    ? `${refused.model} is English-only and ${Math.round(refused.chineseShare * 100)} % of the texts are Chinese: the app's Dedup step with ${refused.recommended} compares them`
    : !r.noEmbedder
      ? null
      : !semantic
        ? 'turned off (--no-semantic)'
        : unavailable;
  return { ...r, semanticSkipped };
}

/** One line of what a dedup marked, by pass, and why the semantic pass did not run. */
export function dedupLine(r: DedupOutcome): string {
  const { exact, lexical, semantic } = r.byPass;
  return `${r.removed} marked as near-duplicates of ${r.compared} texts (exact ${exact}, lexical ${lexical}, semantic ${semantic})${r.semanticSkipped ? `; semantic pass not run: ${r.semanticSkipped}` : ''}`;
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
