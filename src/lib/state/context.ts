import { getContext, setContext } from 'svelte';
import type * as Comlink from 'comlink';
import type { RunnerApi } from '../runner/runnerApi';
import type { AppDb } from '../db/db';
import type { I18n } from '../i18n/i18n.svelte';
import type { DocumentsState } from './documents.svelte';
import type { EnginesState } from './engines.svelte';
import type { ImporterState } from './importer.svelte';
import type { KeysState } from './keys.svelte';
import type { RecipesState } from './recipes.svelte';
import type { RunsState } from './runs.svelte';
import type { ProjectsState } from './projects.svelte';
import type { PwaState } from './pwa.svelte';
import type { Router } from './router.svelte';
import type { SeedsState } from './seeds.svelte';
import type { Toasts } from './toasts.svelte';
import type { UpgradeState } from './upgrade.svelte';

/** Everything a screen reads, provided once by App.svelte. */
export interface AppContext {
  db: AppDb;
  i18n: I18n;
  router: Router;
  toasts: Toasts;
  projects: ProjectsState;
  seeds: SeedsState;
  documents: DocumentsState;
  importer: ImporterState;
  keys: KeysState;
  engines: EnginesState;
  recipes: RecipesState;
  runs: RunsState;
  pwa: PwaState;
  /** Another tab upgraded the store: this tab's connection closed, reload to go on. */
  upgrade: UpgradeState;
  /**
   * The pipeline worker's API: runs go through `runs`; the Eval sets panel's check runs here too
   * (one worker: a second `new Worker` of the same entry makes the build emit it twice).
   */
  runner: Comlink.Remote<RunnerApi>;
}

const KEY = Symbol('seedforge');

export function provideApp(ctx: AppContext): void {
  setContext(KEY, ctx);
}

export function useApp(): AppContext {
  return getContext<AppContext>(KEY);
}
