import * as Comlink from 'comlink';
import type { AppDb } from '../db/db';
import { I18n, type Locale } from '../i18n/i18n.svelte';
import type { ImportApi } from '../io/importApi';
import type { AppContext } from './context';
import { DocumentsState } from './documents.svelte';
import { EnginesState } from './engines.svelte';
import { ImporterState } from './importer.svelte';
import { KeysState } from './keys.svelte';
import { RecipesState } from './recipes.svelte';
import { RunsState } from './runs.svelte';
import type { RunnerApi } from '../runner/runnerApi';
import { ProjectsState } from './projects.svelte';
import { PwaState } from './pwa.svelte';
import { Router } from './router.svelte';
import { SeedsState } from './seeds.svelte';
import { Toasts } from './toasts.svelte';
import { UpgradeState } from './upgrade.svelte';

/** Builds the app's state once, at start-up, around an open database and the import worker. */
export function createApp(db: AppDb, locale: Locale): AppContext & { dispose: () => void } {
  const i18n = new I18n(locale);
  const toasts = new Toasts();
  const projects = new ProjectsState(db);
  const seeds = new SeedsState(db);
  const worker = new Worker(new URL('../../../workers/import.worker.ts', import.meta.url), { type: 'module' });
  const importer = new ImporterState(
    Comlink.wrap<ImportApi>(worker),
    () => projects.current?.id ?? null,
    (n) => {
      void seeds.reload();
      toasts.show(i18n.p('import.stored', n, { project: projects.current?.name ?? '' }));
    },
  );
  // A worker that fails to load or crashes would leave every pending call waiting forever:
  // surface it as a failed import instead.
  worker.addEventListener('error', (e) => importer.workerFailed(e.message || 'the import worker stopped'));
  const keys = new KeysState(db);
  const engines = new EnginesState(db, keys);
  // The pipeline runs in its own worker: a long run never blocks the page.
  const pipelineWorker = new Worker(new URL('../../../workers/pipeline.worker.ts', import.meta.url), { type: 'module' });
  const runner = Comlink.wrap<RunnerApi>(pipelineWorker);
  const runs = new RunsState(db, runner, engines, keys);
  const recipes = new RecipesState(db);
  projects.beforeRemove = (id) => recipes.forget(id);
  return {
    db, i18n, router: new Router(), toasts, projects, seeds, documents: new DocumentsState(db), importer, keys, engines, recipes, runs, pwa: new PwaState(), upgrade: new UpgradeState(db), runner,
    dispose: () => {
      worker.terminate();
      pipelineWorker.terminate();
    },
  };
}
