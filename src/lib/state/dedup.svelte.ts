import type { AppDb } from '../db/db';
import { datasetSource } from '../db/datasetSource';
import { applyDuplicates } from '../db/samplesRepo';
import { resolveClusters, type ClusterResult } from '../dedup/clusters';
import { cheapPasses, DEFAULT_LEXICAL, type PassMarks } from '../dedup/passes';
import { clusterGroups, similarityHistogram, type ClusterGroup } from '../dedup/report';
import { pairSimilarity, squaredNorms, thresholdF32 } from '../dedup/threshold';
import type { PairList } from '../dedup/types';
import { embedAndPair, startDedupWorkers, type EmbeddedInfo } from '../embed/dedupTexts';
import { DEFAULT_EMBEDDING_MODEL, findEmbeddingModel } from '../embed/models';
import { decideDedup, recommendedEmbeddingModel, type DedupDecision, type TextsLanguage } from '../embed/recommend';
import type { ModelSource } from '../engines/modelSource';
import type { I18n } from '../i18n/i18n.svelte';
import { APPROXIMATE_ABOVE, APPROXIMATE_RECALL, dedupInputs, dedupMethodFor, duplicateMarks, type DedupMethod } from '../runner/dedupPhase';
import { errorInfo } from './engines.svelte';

/** The dedup methods with their labels, as the Dedup panel and the recipe's Dedup step offer them. */
export function dedupMethodChoices(i18n: I18n): [DedupMethod, string][] {
  return [
    ['auto', i18n.t('dedup.method.auto', { n: i18n.n(APPROXIMATE_ABOVE) })],
    ['exact', i18n.t('dedup.method.exact')],
    ['approximate', i18n.t('dedup.method.approximate', { recall: String(APPROXIMATE_RECALL) })],
  ];
}

/** The lowest threshold the slider offers: pairs are found once at it, then filtered live. */
export const FLOOR = 0.7;

interface Item {
  id: string;
  text: string;
  existing: boolean;
}

/**
 * The Dedup panel: embeds the project's accepted samples (and seeds), finds every pair above
 * FLOOR once, then re-clusters at the slider's threshold as it moves — the counts, the histogram
 * and the cluster browser follow live — and applies the result to the samples on request.
 */
export class DedupState {
  #db: AppDb;
  #workers: ReturnType<typeof startDedupWorkers> | null = null;
  #vectors: { data: Float32Array; d: number; norms2: Float64Array } | null = null;
  #scores = new Float64Array(0);
  items = $state.raw<Item[]>([]);
  existingCount = $state(0);
  pairs = $state.raw<PairList | null>(null);
  /** The model's own default threshold until the user moves the slider. */
  threshold = $state(findEmbeddingModel(DEFAULT_EMBEDDING_MODEL)!.threshold);
  model = $state(DEFAULT_EMBEDDING_MODEL);
  /** The user chose to run the picked model on texts it is not made for (after the panel said why not). */
  override = $state(false);
  /** The last computation's decision: which language the texts are in, and whether the semantic pass ran. */
  decision = $state.raw<DedupDecision | null>(null);
  /**
   * The exact and lexical passes' marks when the semantic pass was refused: what the panel shows
   * and applies instead of semantic clusters.
   */
  lexical = $state.raw<PassMarks | null>(null);
  /** The project's texts' language before any computation, and the model made for it (`inspect`). */
  hint = $state.raw<{ chineseShare: number; language: TextsLanguage; recommended: string } | null>(null);
  withSeeds = $state(true);
  /** 'auto': exact up to APPROXIMATE_ABOVE items, approximate above. */
  method = $state<DedupMethod>('auto');
  /** How the last computation found its pairs. */
  usedMethod = $state<'exact' | 'approximate' | null>(null);
  stage = $state<'idle' | 'load' | 'embed' | 'pairs' | 'ready' | 'failed'>('idle');
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state.raw<{ name: string; message: string } | null>(null);
  /** How the last computation embedded its texts (model, engine, threads, time). */
  embedded = $state.raw<EmbeddedInfo | null>(null);

  constructor(db: AppDb) {
    this.#db = db;
  }

  /** Clusters at the current threshold (recomputed when the slider moves). */
  clusters = $derived.by((): ClusterResult | null => {
    const lex = this.lexical;
    if (lex) {
      const n = lex.duplicateOf.length;
      return { cluster: new Uint32Array(n), duplicateOf: lex.duplicateOf, similarity: lex.similarity, direct: Uint8Array.from(lex.pass, (p) => (p ? 1 : 0)), kept: n - lex.pass.filter((p) => p > 0).length };
    }
    const p = this.pairs;
    const v = this.#vectors;
    if (!p || !v) return null;
    const t = thresholdF32(this.threshold);
    const keep: number[] = [];
    for (let k = 0; k < p.sim.length; k++) if (p.sim[k]! >= t) keep.push(k);
    const sub: PairList = { a: Uint32Array.from(keep, (k) => p.a[k]!), b: Uint32Array.from(keep, (k) => p.b[k]!), sim: Float32Array.from(keep, (k) => p.sim[k]!) };
    return resolveClusters(this.items.length, sub, {
      scores: this.#scores,
      existingCount: this.existingCount,
      similarity: (i, j) => pairSimilarity(v.data, v.d, v.norms2, i, j),
    });
  });

  groups = $derived<ClusterGroup[]>(this.clusters ? clusterGroups(this.clusters) : []);
  removed = $derived(this.groups.reduce((n, g) => n + g.duplicates.filter((d) => !this.items[d.index]!.existing).length, 0));
  histogram = $derived(this.pairs ? similarityHistogram(this.pairs.sim, 30, FLOOR, 1) : null);

  /** Picks a model: its own default threshold comes with it, and a refusal's override is cleared. */
  chooseModel(id: string): void {
    const m = findEmbeddingModel(id);
    if (!m) return;
    this.model = id;
    this.threshold = m.threshold;
    this.override = false;
  }

  /** Reads the project's texts (samples and seeds) to recommend a model by their language before anything runs. */
  async inspect(projectId: string): Promise<void> {
    const input = await dedupInputs(datasetSource(this.#db), projectId, true);
    if (!input.texts.length) {
      this.hint = null;
      return;
    }
    const d = decideDedup(input.texts);
    this.hint = { chineseShare: d.chineseShare, language: d.language, recommended: recommendedEmbeddingModel(d.language).id };
  }

  async compute(projectId: string, source: ModelSource): Promise<void> {
    this.error = null;
    this.lexical = null;
    this.decision = null;
    this.pairs = null;
    this.embedded = null;
    this.usedMethod = null;
    this.stage = 'load';
    try {
      const input = await dedupInputs(datasetSource(this.#db), projectId, this.withSeeds);
      this.#scores = input.scores;
      this.existingCount = input.existingCount;
      this.items = input.ids.map((id, i) => ({ id, text: input.texts[i]!, existing: i < input.existingCount }));
      if (!input.sampleIds.length) {
        this.stage = 'ready';
        return;
      }
      // An English-only model on Chinese text is not run unless the user asks for it: the exact
      // and lexical passes run instead (they need no model), and the panel says why and offers
      // the model that fits.
      const decision = decideDedup(input.texts, { model: this.model, override: this.override });
      this.decision = decision;
      if (!decision.semantic) {
        this.lexical = cheapPasses(input.texts, { scores: input.scores, existingCount: input.existingCount, lexical: DEFAULT_LEXICAL });
        this.stage = 'ready';
        return;
      }
      this.#workers ??= startDedupWorkers();
      const method = dedupMethodFor(this.method, input.texts.length);
      const { vectors: v, pairs, embedded } = await embedAndPair(
        this.#workers,
        input.texts,
        { model: this.model, source, appBase: new URL('./', document.baseURI).href, dbName: this.#db.name, threshold: FLOOR, existingCount: this.existingCount, ...(method === 'approximate' ? { approximateRecall: APPROXIMATE_RECALL } : {}) },
        (stage, done, total) => {
          this.stage = stage;
          this.progress = { done, total };
        },
      );
      // The panel keeps the vectors to give chain-linked duplicates their similarity.
      this.#vectors = { data: v.data, d: v.d, norms2: squaredNorms(v.data, v.n, v.d) };
      this.pairs = pairs;
      this.embedded = embedded;
      this.usedMethod = method;
      this.stage = 'ready';
    } catch (e) {
      this.error = errorInfo(e);
      this.stage = 'failed';
    } finally {
      this.progress = null;
    }
  }

  /** Writes the marks at the current threshold to the samples; returns how many were marked. */
  async apply(): Promise<number> {
    const c = this.clusters;
    if (!c) return 0;
    const lex = this.lexical;
    if (lex) {
      const marks = duplicateMarks(lex, this.items.map((i) => i.id), this.existingCount);
      await applyDuplicates(this.#db, this.items.filter((i) => !i.existing).map((i) => i.id), marks, { threshold: DEFAULT_LEXICAL, model: 'lexical', againstSeeds: this.withSeeds, method: 'exact', lexical: DEFAULT_LEXICAL });
      return marks.length;
    }
    const marks = duplicateMarks(c, this.items.map((i) => i.id), this.existingCount);
    await applyDuplicates(this.#db, this.items.filter((i) => !i.existing).map((i) => i.id), marks, {
      threshold: this.threshold,
      model: this.model,
      againstSeeds: this.withSeeds,
      ...(this.usedMethod === 'approximate' ? { method: 'approximate' as const, recall: APPROXIMATE_RECALL } : { method: 'exact' as const }),
    });
    return marks.length;
  }

  dispose(): void {
    this.#workers?.close();
    this.#workers = null;
  }
}
