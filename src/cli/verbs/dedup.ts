import { StepSchema } from '../../lib/pipeline/recipe';
import type { DedupPhaseProgress } from '../../lib/runner/dedupPhase';
import { EXIT, JSON_OPTION, num, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { dedupLine, dedupStore, openExisting, pickProject, type DedupSettings } from './data';

/**
 * Progress of the long stages (embedding, comparing) on stderr, at most one line every 2 s and
 * none in the first 2 s: a small dedup prints only its result, a large one shows it is moving.
 */
function slowProgress(everyMs = 2000): (p: DedupPhaseProgress) => void {
  let last = Date.now();
  return (p) => {
    if (p.stage !== 'embed' && p.stage !== 'pairs') return;
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    process.stderr.write(`dedup: ${p.stage === 'embed' ? 'embedding' : 'comparing'} ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}\n`);
  };
}

/** The app's Dedup step as a recipe writes it with nothing set: the bundled model and its calibrated threshold. */
const DEFAULTS = StepSchema.parse({ op: 'dedup' }) as DedupSettings & { op: 'dedup' };

export const dedupVerb: Verb = {
  spec: {
    name: 'dedup',
    summary: "mark near-duplicate items of a project (the app's Dedup step: exact, lexical and semantic passes)",
    usage: '--store DIR [--project NAME] [--threshold T] [--lexical J] [--no-semantic] [--no-seeds]',
    options: {
      store: STORE_OPTION,
      project: { type: 'string', value: 'NAME', help: "the store's project (default: its only one)" },
      threshold: { type: 'string', value: 'T', help: `cosine similarity at which the semantic pass calls two items duplicates (default: the bundled model's calibrated ${DEFAULTS.threshold})` },
      lexical: { type: 'string', value: 'J', help: 'Jaccard of character 3-grams at which two items are copies (0 turns the pass off)' },
      'no-semantic': { type: 'boolean', help: 'skip the semantic pass (no embedding model is loaded)' },
      'no-seeds': { type: 'boolean', help: 'do not compare items with the seeds' },
      json: { ...JSON_OPTION, help: 'print the result as one JSON object' },
    },
    details: 'Each cluster keeps its best item (highest judge score, then the earliest); the others are marked, and an export leaves them out. The semantic pass embeds what the first two leave with the bundled model (all-MiniLM-L6-v2, read from public/models on disk: no network), as the app does, and keeps the vectors in the store: a later dedup embeds only new items. Other models run in the app.',
  },
  async run(v) {
    const lexical = num(v, 'lexical', { min: 0, max: 1 });
    const threshold = num(v, 'threshold', { min: 0.5, max: 0.999 });
    const store = openExisting(str(v, 'store')!, 'dedup');
    try {
      const project = pickProject(store, str(v, 'project'), 'dedup');
      if (!project) throw new UsageError(`${store.path} holds no project`, 'dedup');
      const r = await dedupStore(store, project.id, { threshold: threshold ?? DEFAULTS.threshold, model: DEFAULTS.model, method: DEFAULTS.method, againstSeeds: v['no-seeds'] !== true, lexical: lexical ?? DEFAULTS.lexical }, undefined, {
        semantic: v['no-semantic'] !== true,
        ...(v.json ? {} : { onProgress: slowProgress() }),
      });
      if (v.json) process.stdout.write(JSON.stringify({ type: 'summary', project: project.name, ...r }) + '\n');
      else process.stdout.write(`${dedupLine(r)}\n`);
      return r.compared === 0 ? EXIT.nothing : EXIT.done;
    } finally {
      store.close();
    }
  },
};
