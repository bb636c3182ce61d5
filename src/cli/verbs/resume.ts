import { EXIT, JSON_OPTION, STORE_OPTION, str, type Verb } from '../args';
import { outputMode } from '../progress';
import type { Store } from '../store/store';
import { openExisting } from './data';
import { ENGINES_NS, execute, RunConfigError, storedEngines } from './execute';
import { BUDGET_OPTIONS, capsOf, ENGINE_OPTIONS, engineConfigOf, PRIVACY_OPTIONS } from './run';

/** The newest run of the store that is not done (paused, failed, or left 'running' by a killed process). */
export function latestUnfinished(store: Store): string | null {
  const runs = store.listProjects().flatMap((p) => store.listRuns(p.id));
  runs.sort((a, b) => b.createdAt - a.createdAt);
  return runs.find((r) => r.status !== 'done' && r.status !== 'cancelled')?.id ?? null;
}

export const resumeVerb: Verb = {
  spec: {
    name: 'resume',
    summary: 'continue a paused, failed or interrupted run where it stopped',
    usage: '--store DIR [--run ID] [options]',
    options: {
      store: STORE_OPTION,
      run: { type: 'string', value: 'ID', help: 'the run to resume (default: the newest run that is not done)' },
      ...BUDGET_OPTIONS,
      ...PRIVACY_OPTIONS,
      ...ENGINE_OPTIONS,
      json: JSON_OPTION,
    },
    details: [
      'The run goes on with the recipe, seeds, concurrency and engines it was created with; finished',
      'items are kept and only the unfinished ones are made, so the run ends with the items an',
      'uninterrupted run makes. Engine options given here replace the stored ones (a server that',
      'moved, another key variable); --max-spend / --max-tokens raise the caps of a run a budget paused.',
    ].join('\n'),
  },
  async run(v, env) {
    const store = openExisting(str(v, 'store')!, 'resume');
    try {
      const runId = str(v, 'run') ?? latestUnfinished(store);
      const reporterMode = outputMode(v.json === true);
      if (!runId) {
        const text = `no run to resume in ${store.path}: every run is done (\`seedforge status\` lists them)`;
        process.stdout.write(reporterMode === 'json' ? JSON.stringify({ type: 'summary', status: 'nothing', message: text }) + '\n' : text + '\n');
        return EXIT.nothing;
      }
      const stored = storedEngines(store, runId);
      if (!stored && !str(v, 'endpoint')) throw new RunConfigError(`run ${runId} was not made by \`seedforge run\` and has no engines stored: pass --endpoint and --model to resume it`);
      const cfg = engineConfigOf(v, stored?.main.concurrency ?? 1, stored ?? undefined);
      if (JSON.stringify(cfg) !== JSON.stringify(stored)) store.cachePut(ENGINES_NS, runId, cfg);
      return await execute(store, runId, cfg, { mode: reporterMode, env, caps: capsOf(v), allowPrivate: v['allow-private'] === true });
    } finally {
      store.close();
    }
  },
};
