import { EXIT, JSON_OPTION, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { reasons } from '../progress';
import type { RunStatusSummary } from '../store/store';
import { openExisting } from './data';

export const statusVerb: Verb = {
  spec: {
    name: 'status',
    summary: "show the store's runs: status, done/total, accepted and rejected by reason",
    usage: '--store DIR [--run ID] [--json]',
    options: {
      store: STORE_OPTION,
      run: { type: 'string', value: 'ID', help: 'only this run' },
      json: { ...JSON_OPTION, help: 'print one JSON object: { store, runs: [...] }' },
    },
    details: 'Safe while a run goes on in another process (the store is read, never written).',
  },
  async run(v) {
    const store = openExisting(str(v, 'store')!, 'status');
    try {
      const only = str(v, 'run');
      const ids = only ? [only] : store.listProjects().flatMap((p) => store.listRuns(p.id).map((r) => r.id));
      if (only && !store.getRun(only)) throw new UsageError(`--run ${only}: no such run in ${store.path} (\`seedforge status --store DIR\` lists them)`, 'status');
      // With what each run has spent and its caps (the run row's budget, as the app keeps it).
      const runs: RunStatusSummary[] = ids.map((id) => store.runStatusSummary(id));
      if (v.json) {
        process.stdout.write(JSON.stringify({ store: store.path, runs }) + '\n');
      } else if (!runs.length) {
        process.stdout.write(`no runs in ${store.path}\n`);
      } else {
        for (const r of runs) {
          const c = r.counts;
          process.stdout.write(
            `${r.id}  ${r.status.padEnd(9)} ${c.done}/${c.total} tasks · accepted ${c.accepted} · rejected ${c.rejected}${c.rejected ? ` (${reasons(c)})` : ''} · ${c.calls} calls  ${r.name}\n` +
              (r.budget ? `  used ${r.budget.spent.tokens.toLocaleString('en-US')} tokens${r.budget.maxTokens != null ? ` of ${r.budget.maxTokens.toLocaleString('en-US')}` : ''}${r.budget.spent.spend ? `, spent ${r.budget.spent.spend.toFixed(4)}${r.budget.maxSpend != null ? ` of ${r.budget.maxSpend}` : ''}` : ''}\n` : '') +
              (r.error ? `  error: ${r.error}\n` : ''),
          );
        }
      }
      return EXIT.done;
    } finally {
      store.close();
    }
  },
};
