import type { AppDb } from '../db/db';
import { acceptedSamples, applyDuplicates } from '../db/samplesRepo';
import { listSeeds } from '../db/seedsRepo';
import { createDedupApi } from '../dedup/dedupApi';
import { createEmbedApi } from '../embed/embedApi';
import type { ModelSource } from '../engines/modelSource';
import { aborted } from '../engines/errors';

export interface DedupPhaseOptions {
  threshold: number;
  model: string;
  /** Compare against the project's seeds too (they are never removed). */
  againstSeeds: boolean;
  appBase: string;
  source: ModelSource;
}

export type DedupPhaseProgress = { stage: 'embed'; done: number; total: number } | { stage: 'pairs'; done: number; total: number } | { stage: 'apply' };

/** The text a sample or seed is compared by. */
export function dedupText(x: { instruction: string; input: string }): string {
  return x.input ? `${x.instruction}\n${x.input}` : x.instruction;
}

/**
 * The seeds samples are compared with. A seed whose instruction a sample answers as is (Answer +
 * judge, critique-revise and best-of-N keep the seed's instruction) is left out: that sample is the
 * seed's answer, not a copy of it, and would otherwise always be removed as its duplicate. Nothing is
 * lost: any other sample close to that seed is also close to the sample that carries its text.
 */
export function seedsToCompare<T extends { id: string; instruction: string; input: string }>(seeds: T[], samples: { seedId: string | null; instruction: string; input: string }[]): T[] {
  const answered = new Set(samples.filter((s) => s.seedId).map((s) => `${s.seedId}\u0000${dedupText(s).trim()}`));
  return seeds.filter((s) => !answered.has(`${s.id}\u0000${dedupText(s).trim()}`));
}

/**
 * A recipe's Dedup step: after every item is committed, the project's accepted samples (this
 * run's and earlier ones) are embedded (cached), compared with each other and with the seeds,
 * clustered, and every cluster keeps its best item (highest judge score, then the earliest); the
 * others are marked `duplicateOf` it with the similarity. Idempotent: an interrupted phase simply
 * runs again.
 */
export async function runDedupPhase(
  db: AppDb,
  projectId: string,
  o: DedupPhaseOptions,
  onProgress?: (p: DedupPhaseProgress) => void,
  signal?: AbortSignal,
): Promise<{ compared: number; removed: number }> {
  const check = () => {
    if (signal?.aborted) throw aborted('the dedup step');
  };
  const samples = (await acceptedSamples(db, projectId)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const seeds = o.againstSeeds ? seedsToCompare(await listSeeds(db, projectId), samples) : [];
  if (!samples.length) return { compared: 0, removed: 0 };
  const texts = [...seeds.map(dedupText), ...samples.map(dedupText)];
  // The pipeline worker lives as long as the tab: free the model when the phase ends.
  const embed = createEmbedApi();
  let v: Awaited<ReturnType<typeof embed.embed>>;
  try {
    await embed.load({ model: o.model, source: o.source, appBase: o.appBase, dbName: db.name });
    v = await embed.embed(texts, {}, (p) => {
      if (p.status === 'embed') onProgress?.({ stage: 'embed', done: p.done, total: p.total });
    });
  } finally {
    await embed.dispose();
  }
  const scores = new Float64Array(texts.length).fill(NaN);
  samples.forEach((s, i) => (scores[seeds.length + i] = s.score ?? NaN));
  check();
  const dedup = createDedupApi();
  const res = await dedup.semantic({ data: v.data, n: v.n, d: v.d }, { threshold: o.threshold, scores, existingCount: seeds.length }, (p) => {
    if (p.phase === 'screen') onProgress?.({ stage: 'pairs', done: p.done, total: p.total });
  });
  check();
  onProgress?.({ stage: 'apply' });
  const idOf = (i: number) => (i < seeds.length ? `seed:${seeds[i]!.id}` : samples[i - seeds.length]!.id);
  const marks = [];
  for (let i = seeds.length; i < texts.length; i++) {
    const k = res.clusters.duplicateOf[i]!;
    if (k === -1) continue;
    const sim = res.clusters.similarity[i]!;
    marks.push({ id: idOf(i), duplicateOf: idOf(k), similarity: Number.isNaN(sim) ? null : sim });
  }
  await applyDuplicates(db, samples.map((s) => s.id), marks, { threshold: o.threshold, model: o.model, againstSeeds: o.againstSeeds });
  return { compared: texts.length, removed: marks.length };
}
