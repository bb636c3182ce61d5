import { writeFileSync } from 'node:fs';
import type { DatasetSource } from '../../lib/io/export/source';
import { allRows } from '../../lib/io/export/source';
import { datasetInfo, datasetInfoText, datasetName, type DatasetInfoEntry } from '../../lib/io/export/handoff';
import { exportPrivacy, recipeRedacts } from '../../lib/privacy/exportPolicy';
import { readPrivacy } from '../../lib/privacy/settings';
import { exportPairs, memoryPairReader, pairsCard, type PairFormat } from '../../lib/io/export/pairs';
import { buildPairs, DEFAULT_PAIR_OPTIONS, PairOptionsError, type PairOptions } from '../../lib/preference/build';
import type { PreferencePair } from '../../lib/preference/types';
import { EXIT, UsageError } from '../args';
import { FileSink } from '../fileSink';

/**
 * `seedforge export --format <pair layout>`: the command line has no pairs table, so the pairs are
 * built from the store's samples with the app's builder (every source; new pairs accepted, as in
 * the app) and written by the app's pair exporter. The card is the pair export's own. A run whose
 * recipe redacts outputs redacts the file (the store keeps no privacy lists: the detectors alone);
 * `handoff`: dataset_info.json's path and its entries already there, which keep beside this file's.
 */
export async function exportPairsVerb(
  source: DatasetSource,
  project: { id: string; name: string },
  a: { format: PairFormat; out: string; cardPath: string | null; includePending: boolean; provenance: boolean; mode?: string; margin?: number; json: boolean; handoff: { path: string; info: Record<string, DatasetInfoEntry> } | null },
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
  const privacy = exportPrivacy(readPrivacy(undefined), { scan: false, redact: false, forced: recipeRedacts(await allRows(source, 'runs', project.id)) });
  const summary = await exportPairs(memoryPairReader(pairs), project.id, { format: a.format, acceptedOnly: !a.includePending, provenance: a.provenance, ...(privacy ? { privacy } : {}) }, new FileSink(a.out));
  const fileName = a.out.split(/[\\/]/).pop()!;
  const entries = datasetInfo(a.format, [{ name: datasetName(fileName.replace(/\.[A-Za-z0-9.]+$/, '')), fileName, system: summary.systemWritten }]);
  const handoff = a.handoff && entries ? a.handoff.path : null;
  if (a.handoff && entries) writeFileSync(a.handoff.path, datasetInfoText({ ...a.handoff.info, ...entries }));
  if (a.cardPath) writeFileSync(a.cardPath, pairsCard({ projectName: project.name, summary, dataFile: fileName, createdAt: Date.now(), build: options }));
  if (a.json) process.stdout.write(JSON.stringify({ type: 'summary', out: a.out, card: a.cardPath, handoff, datasets: entries ? Object.keys(entries) : [], ...summary }) + '\n');
  else process.stdout.write(`wrote ${summary.pairs} preference pairs (${summary.rows} rows) to ${a.out}${a.cardPath ? `, card ${a.cardPath}` : ''}${handoff ? `, LLaMA-Factory entry ${Object.keys(entries!).join(', ')} in ${handoff}` : ''}\n`);
  return EXIT.done;
}
