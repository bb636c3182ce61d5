import { writeFileSync } from 'node:fs';
import type { DatasetSource } from '../../lib/io/export/source';
import { allRows } from '../../lib/io/export/source';
import { exportPairs, memoryPairReader, pairsCard, type PairFormat } from '../../lib/io/export/pairs';
import { buildPairs, DEFAULT_PAIR_OPTIONS, PairOptionsError, type PairOptions } from '../../lib/preference/build';
import type { PreferencePair } from '../../lib/preference/types';
import { EXIT, UsageError } from '../args';
import { FileSink } from '../fileSink';

/**
 * `seedforge export --format <pair layout>`: the command line has no pairs table, so the pairs are
 * built from the store's samples with the app's builder (every source; new pairs accepted, as in
 * the app) and written by the app's pair exporter. The card is the pair export's own.
 */
export async function exportPairsVerb(
  source: DatasetSource,
  project: { id: string; name: string },
  a: { format: PairFormat; out: string; cardPath: string | null; includePending: boolean; provenance: boolean; mode?: string; margin?: number; json: boolean },
): Promise<number> {
  const mode = a.mode ?? DEFAULT_PAIR_OPTIONS.mode;
  if (mode !== 'bestWorst' && mode !== 'margin') throw new UsageError(`--pair-mode must be bestWorst or margin (got ${JSON.stringify(mode)})`, 'export');
  const options: PairOptions = { ...DEFAULT_PAIR_OPTIONS, mode, margin: a.margin ?? DEFAULT_PAIR_OPTIONS.margin };
  const samples = await allRows(source, 'samples', project.id);
  let pairs: PreferencePair[];
  try {
    const now = Date.now();
    pairs = buildPairs(samples, options).map((d) => ({ ...d, status: 'accepted', createdAt: now, updatedAt: now }));
  } catch (e) {
    if (e instanceof PairOptionsError) throw new UsageError(e.message, 'export');
    throw e;
  }
  if (!pairs.length) {
    process.stderr.write('no preference pair: the runs made no best-of-N, critique, judge or edit pair (see README, "Preference pairs")\n');
    return EXIT.nothing;
  }
  const summary = await exportPairs(memoryPairReader(pairs), project.id, { format: a.format, acceptedOnly: !a.includePending, provenance: a.provenance }, new FileSink(a.out));
  if (a.cardPath) writeFileSync(a.cardPath, pairsCard({ projectName: project.name, summary, dataFile: a.out.split(/[\\/]/).pop()!, createdAt: Date.now(), build: options }));
  if (a.json) process.stdout.write(JSON.stringify({ type: 'summary', out: a.out, card: a.cardPath, ...summary }) + '\n');
  else process.stdout.write(`wrote ${summary.pairs} preference pairs (${summary.rows} rows) to ${a.out}${a.cardPath ? `, card ${a.cardPath}` : ''}\n`);
  return EXIT.done;
}
