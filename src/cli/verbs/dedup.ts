import { StepSchema } from '../../lib/pipeline/recipe';
import { EXIT, JSON_OPTION, num, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { dedupStore, openExisting, pickProject, type DedupSettings } from './data';

export const dedupVerb: Verb = {
  spec: {
    name: 'dedup',
    summary: "mark near-duplicate items of a project (the app's Dedup step: exact and lexical passes)",
    usage: '--store DIR [--project NAME] [--lexical J] [--no-seeds]',
    options: {
      store: STORE_OPTION,
      project: { type: 'string', value: 'NAME', help: "the store's project (default: its only one)" },
      lexical: { type: 'string', value: 'J', help: 'Jaccard of character 3-grams at which two items are copies (0 turns the pass off)' },
      'no-seeds': { type: 'boolean', help: 'do not compare items with the seeds' },
      json: { ...JSON_OPTION, help: 'print the result as one JSON object' },
    },
    details: 'Each cluster keeps its best item (highest judge score, then the earliest); the others are marked, and an export leaves them out. The semantic pass (embeddings) runs in the app.',
  },
  async run(v) {
    const defaults = StepSchema.parse({ op: 'dedup' }) as DedupSettings & { op: 'dedup' };
    const lexical = num(v, 'lexical', { min: 0, max: 1 });
    const store = openExisting(str(v, 'store')!, 'dedup');
    try {
      const project = pickProject(store, str(v, 'project'), 'dedup');
      if (!project) throw new UsageError(`${store.path} holds no project`, 'dedup');
      const r = await dedupStore(store, project.id, { threshold: defaults.threshold, model: defaults.model, method: defaults.method, againstSeeds: v['no-seeds'] !== true, lexical: lexical ?? defaults.lexical });
      if (v.json) process.stdout.write(JSON.stringify({ type: 'summary', project: project.name, ...r }) + '\n');
      else process.stdout.write(`compared ${r.compared} texts: ${r.removed} marked as duplicates (exact ${r.byPass.exact}, lexical ${r.byPass.lexical})${r.noEmbedder ? '; the semantic pass needs embeddings: run it in the app' : ''}\n`);
      return r.compared === 0 ? EXIT.nothing : EXIT.done;
    } finally {
      store.close();
    }
  },
};
