import type { DuplicateMark } from '../db/samplesRepo';
import type { Sample, Seed } from '../db/types';
import { createDedupApi } from '../dedup/dedupApi';
import { cheapPasses, DEFAULT_LEXICAL, PASS, PASS_NAMES, type DedupPass } from '../dedup/passes';
import { decideDedup } from '../embed/recommend';
import type { ModelSource } from '../engines/modelSource';
import { aborted } from '../engines/errors';
import type { DatasetSource, DedupStore } from '../io/export/source';

export interface DedupPhaseOptions {
  threshold: number;
  model: string;
  /** Compare against the project's seeds too (they are never removed). */
  againstSeeds: boolean;
  appBase: string;
  source: ModelSource;
  /** See the recipe's dedup step (default 'auto'). */
  method?: DedupMethod;
  /** Jaccard of character 3-grams for the lexical pass (default DEFAULT_LEXICAL; 0 = off). */
  lexical?: number;
}

export { DEFAULT_LEXICAL };

export type DedupMethod = 'auto' | 'exact' | 'approximate';

/** 'auto' switches to the approximate mode above this many items (exact 100k × 384 takes ~30 s). */
export const APPROXIMATE_ABOVE = 100_000;
/** The pair recall the approximate mode is planned for, at a pair exactly at the threshold. */
export const APPROXIMATE_RECALL = 0.99;

/** Which way pairs are found for n items. */
export function dedupMethodFor(method: DedupMethod, n: number): 'exact' | 'approximate' {
  if (method === 'auto') return n > APPROXIMATE_ABOVE ? 'approximate' : 'exact';
  return method;
}

/** Why a Dedup step ran without its semantic pass: the model is not made for the texts' language. */
export interface SemanticRefusal {
  model: string;
  /** The catalogue model that fits the texts. */
  recommended: string;
  chineseShare: number;
}

export type DedupPhaseProgress = { stage: 'passes' } | { stage: 'embed'; done: number; total: number } | { stage: 'pairs'; done: number; total: number } | { stage: 'apply' };

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

/** What a semantic dedup compares: seeds first (never removed), then the accepted samples. */
export interface DedupInputs {
  /** `seed:<id>` for seeds, the sample id for samples. */
  ids: string[];
  texts: string[];
  /** Judge scores (NaN for seeds and unscored samples): the best of a cluster is kept. */
  scores: Float64Array<ArrayBuffer>;
  /** How many of the items are seeds. */
  existingCount: number;
  /** The samples' ids (what a dedup may mark). */
  sampleIds: string[];
}

/** Reads the project's accepted samples (oldest first) and, when asked, the seeds (in import order) to compare with. */
export async function dedupInputs(source: DatasetSource, projectId: string, againstSeeds: boolean): Promise<DedupInputs> {
  const samples: Sample[] = [];
  for await (const page of source.pages('samples', await source.sampleIdsByStatus(projectId, ['accepted']))) samples.push(...page);
  samples.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const all: Seed[] = [];
  if (againstSeeds) for await (const page of source.pages('seeds', await source.seedIdsInOrder(projectId))) all.push(...page);
  const seeds = againstSeeds ? seedsToCompare(all, samples) : [];
  return {
    ids: [...seeds.map((s) => `seed:${s.id}`), ...samples.map((s) => s.id)],
    texts: [...seeds.map(dedupText), ...samples.map(dedupText)],
    scores: Float64Array.from([...seeds.map(() => NaN), ...samples.map((s) => s.score ?? NaN)]),
    existingCount: seeds.length,
    sampleIds: samples.map((s) => s.id),
  };
}

/**
 * The samples a clustering marks (seeds are never marked), as `applyDuplicates` takes them; with
 * `pass`, each mark says which pass found it.
 */
export function duplicateMarks(clusters: { duplicateOf: ArrayLike<number>; similarity: ArrayLike<number>; pass?: ArrayLike<number> }, ids: string[], existingCount: number): DuplicateMark[] {
  const marks: DuplicateMark[] = [];
  for (let i = existingCount; i < ids.length; i++) {
    const k = clusters.duplicateOf[i]!;
    if (k === -1) continue;
    const sim = clusters.similarity[i]!;
    const pass = clusters.pass ? PASS_NAMES[clusters.pass[i]!] : '';
    marks.push({ id: ids[i]!, duplicateOf: ids[k]!, similarity: Number.isNaN(sim) ? null : sim, ...(pass ? { pass } : {}) });
  }
  return marks;
}

/**
 * A recipe's Dedup step: after every item is committed, the project's accepted samples (this
 * run's and earlier ones) are embedded (cached), compared with each other and with the seeds,
 * clustered, and every cluster keeps its best item (highest judge score, then the earliest); the
 * others are marked `duplicateOf` it with the similarity. Idempotent: an interrupted phase simply
 * runs again. Over any store (`DedupStore`: the app's IndexedDB or the command line's SQLite); a
 * store without an embedder runs the exact and lexical passes only and says so (`noEmbedder`).
 */
export async function runDedupPhase(
  store: DedupStore,
  projectId: string,
  o: DedupPhaseOptions,
  onProgress?: (p: DedupPhaseProgress) => void,
  signal?: AbortSignal,
): Promise<{ compared: number; removed: number; embedded: number; byPass: Record<DedupPass, number>; semanticRefused: SemanticRefusal | null; noEmbedder: boolean }> {
  const check = () => {
    if (signal?.aborted) throw aborted('the dedup step');
  };
  const { ids, texts, scores, existingCount, sampleIds } = await dedupInputs(store, projectId, o.againstSeeds);
  const byPass: Record<DedupPass, number> = { exact: 0, lexical: 0, semantic: 0 };
  if (!sampleIds.length) return { compared: 0, removed: 0, embedded: 0, byPass, semanticRefused: null, noEmbedder: false };
  // An English-only model is never run on Chinese text here: the step has no one to ask, so it
  // keeps the exact and lexical passes and reports why the semantic one did not run.
  const decision = decideDedup(texts, { model: o.model });
  const semanticRefused = decision.refusal ? { model: o.model, recommended: decision.recommended.id, chineseShare: decision.chineseShare } : null;
  const noEmbedder = decision.semantic && !store.embed;
  const semantic = decision.semantic && !noEmbedder;
  // Exact and lexical copies first (no model needed); only what survives them is embedded.
  const lexical = o.lexical ?? DEFAULT_LEXICAL;
  onProgress?.({ stage: 'passes' });
  const marks = cheapPasses(texts, { scores, existingCount, lexical });
  check();
  const keep = marks.survivors;
  const subTexts = keep.map((i) => texts[i]!);
  const subExisting = keep.filter((i) => i < existingCount).length;
  const method = dedupMethodFor(o.method ?? 'auto', subTexts.length);
  if (keep.length > subExisting && semantic) {
    const v = await store.embed!(subTexts, { model: o.model, source: o.source, appBase: o.appBase }, (done, total) => onProgress?.({ stage: 'embed', done, total }));
    check();
    const dedup = createDedupApi();
    const kernel = method === 'approximate' ? { kernel: 'approximate' as const, recall: APPROXIMATE_RECALL } : {};
    const res = await dedup.semantic({ data: v.data, n: v.n, d: v.d }, { threshold: o.threshold, scores: Float64Array.from(keep, (i) => scores[i]!), existingCount: subExisting, ...kernel }, (p) => {
      if (p.phase === 'screen') onProgress?.({ stage: 'pairs', done: p.done, total: p.total });
    });
    check();
    keep.forEach((i, k) => {
      const d = res.clusters.duplicateOf[k]!;
      if (d === -1) return;
      marks.duplicateOf[i] = keep[d]!;
      marks.similarity[i] = res.clusters.similarity[k]!;
      marks.pass[i] = PASS.semantic;
    });
  }
  onProgress?.({ stage: 'apply' });
  const list = duplicateMarks(marks, ids, existingCount);
  for (const mk of list) byPass[mk.pass!]++;
  await store.applyDuplicates(sampleIds, list, { threshold: o.threshold, model: semantic ? o.model : 'lexical', againstSeeds: o.againstSeeds, method, ...(method === 'approximate' ? { recall: APPROXIMATE_RECALL } : {}), lexical });
  return { compared: texts.length, removed: list.length, embedded: semantic ? subTexts.length : 0, byPass, semanticRefused, noEmbedder };
}
