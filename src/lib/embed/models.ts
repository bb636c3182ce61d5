/**
 * The embedding models Seedforge knows: where each comes from, how it pools token vectors into
 * one, which prefix it expects, what it costs to download, and the similarity threshold at which
 * its semantic dedup calls two texts duplicates. Every model here is used with L2-normalised
 * outputs (semantic dedup compares unit vectors), in its int8 ONNX export (`dtype: 'q8'`,
 * `onnx/model_quantized.onnx`), loaded the way transformers.js loads a remote model: from
 * `<model source>/<repo>/resolve/main/<file>` (Hugging Face, a mirror or a folder on this origin).
 */
export type Pooling = 'cls' | 'mean';

/** What a text is embedded as: models trained with instructions embed queries and passages differently. */
export type EmbedRole = 'query' | 'passage' | 'symmetric';

/** A language a model separates well: 'multi' for the multilingual ones (Chinese and English included). */
export type EmbedLanguage = 'en' | 'zh' | 'multi';

/** Where a model's default threshold comes from. */
export interface ThresholdOrigin {
  /** True when it was measured (scripts/bench-dedup-quality.mjs) on the labelled set named in `set`. */
  calibrated: boolean;
  /** The labelled pairs and split used, or why none could be. */
  set: string;
  /** At `threshold`: precision and recall of "score ≥ 4 of 5" pairs on that split (calibrated only). */
  precision?: number;
  recall?: number;
}

export interface EmbeddingModel {
  /** Our id: also the cache's model key prefix and the folder name under a local model path. */
  id: string;
  /** The Hugging Face repository with a transformers.js (ONNX) export. */
  repo: string;
  dims: number;
  pooling: Pooling;
  /** Prefix per role. 'symmetric' (dedup: text against text) follows each model card's advice. */
  prefixes: Record<EmbedRole, string>;
  languages: EmbedLanguage[];
  /** Served by the app itself from public/models/<id>/ (works with no network). */
  bundled: boolean;
  /** The int8 ONNX file's size in MB (what a first use downloads, besides a tokenizer of at most a few MB). */
  sizeMB: number;
  /** SPDX id of the weights' licence (the upstream model card's). */
  license: string;
  /** Cosine similarity above which two texts are near-duplicates by default. */
  threshold: number;
  thresholdOrigin: ThresholdOrigin;
  /**
   * English-only models: on the Chinese STS-B dev split at this cosine threshold, the share of the
   * pairs it calls duplicates that people scored below 4 of 5 (bench:dedup-quality): why it is
   * not run on Chinese text.
   */
  onChinese?: { threshold: number; falseShare: number };
}

// bge v1.5 cards: the instruction is for short queries against passages only; similarity between
// texts of the same kind uses no instruction.
const BGE_ZH_QUERY = '为这个句子生成表示以用于检索相关文章：';
const BGE_EN_QUERY = 'Represent this sentence for searching relevant passages: ';
const NONE = { query: '', passage: '', symmetric: '' };

/**
 * For a model that cannot run on the machines this was built on: a conservative default, not a
 * measurement. 0.97 is what bge-small-en-v1.5 needed on STS-B for precision ≥ 0.95; the other bge
 * v1.5 models share its training recipe, and bge-m3 and e5 put even unrelated texts of one
 * language at 0.5–0.8, so nothing lower is safe without labels. Check it with
 * bench:dedup-quality (BENCH_MODEL_DIR) on labelled pairs of your own.
 */
const UNCALIBRATED_THRESHOLD = 0.97;
const NOT_CALIBRATED = (why: string): ThresholdOrigin => ({ calibrated: false, set: `not calibrated here: ${why}` });

export const EMBEDDING_MODELS: readonly EmbeddingModel[] = [
  {
    id: 'all-MiniLM-L6-v2', repo: 'Xenova/all-MiniLM-L6-v2', dims: 384, pooling: 'mean', prefixes: NONE, languages: ['en'], bundled: true, sizeMB: 23, license: 'Apache-2.0',
    // Calibrated (bench:dedup-quality, this int8 file): on STS-B, precision reaches 0.95 only at
    // 0.98; at the old default 0.85 it was 0.62 (38 % of its "duplicates" were scored below 4).
    threshold: 0.98,
    thresholdOrigin: { calibrated: true, set: 'STS-B (English) dev split, 1,500 pairs', precision: 0.955, recall: 0.058 },
    onChinese: { threshold: 0.85, falseShare: 0.63 },
  },
  {
    id: 'bge-small-en-v1.5', repo: 'Xenova/bge-small-en-v1.5', dims: 384, pooling: 'cls', prefixes: { query: BGE_EN_QUERY, passage: '', symmetric: '' }, languages: ['en'], bundled: false, sizeMB: 34, license: 'MIT',
    // Calibrated on the fp32 export (the npm copy in shared/models/README.md); the app loads the
    // int8 one, whose cosines differ by about a hundredth. At 0.90 precision was 0.70.
    threshold: 0.97,
    thresholdOrigin: { calibrated: true, set: 'STS-B (English) dev split, 1,500 pairs', precision: 0.953, recall: 0.169 },
    onChinese: { threshold: 0.85, falseShare: 0.72 },
  },
  {
    id: 'bge-small-zh-v1.5', repo: 'Xenova/bge-small-zh-v1.5', dims: 512, pooling: 'cls', prefixes: { query: BGE_ZH_QUERY, passage: '', symmetric: '' }, languages: ['zh'], bundled: false, sizeMB: 24, license: 'MIT',
    threshold: UNCALIBRATED_THRESHOLD, thresholdOrigin: NOT_CALIBRATED('no copy of the model could be had offline'),
  },
  {
    id: 'bge-base-zh-v1.5', repo: 'Xenova/bge-base-zh-v1.5', dims: 768, pooling: 'cls', prefixes: { query: BGE_ZH_QUERY, passage: '', symmetric: '' }, languages: ['zh'], bundled: false, sizeMB: 103, license: 'MIT',
    threshold: UNCALIBRATED_THRESHOLD, thresholdOrigin: NOT_CALIBRATED('no copy of the model could be had offline'),
  },
  {
    id: 'bge-large-zh-v1.5', repo: 'Xenova/bge-large-zh-v1.5', dims: 1024, pooling: 'cls', prefixes: { query: BGE_ZH_QUERY, passage: '', symmetric: '' }, languages: ['zh'], bundled: false, sizeMB: 327, license: 'MIT',
    threshold: UNCALIBRATED_THRESHOLD, thresholdOrigin: NOT_CALIBRATED('no copy of the model could be had offline'),
  },
  // bge-m3's dense vector is the CLS token, and it needs no instruction.
  {
    id: 'bge-m3', repo: 'Xenova/bge-m3', dims: 1024, pooling: 'cls', prefixes: NONE, languages: ['multi'], bundled: false, sizeMB: 570, license: 'MIT',
    threshold: UNCALIBRATED_THRESHOLD, thresholdOrigin: NOT_CALIBRATED('no copy of the model could be had offline'),
  },
  // e5 card: "query: " for symmetric tasks such as semantic similarity, "passage: " for documents.
  // e5's cosines are compressed high (its card: 0.7–1.0 even for unrelated texts).
  {
    id: 'multilingual-e5-small', repo: 'Xenova/multilingual-e5-small', dims: 384, pooling: 'mean', prefixes: { query: 'query: ', passage: 'passage: ', symmetric: 'query: ' }, languages: ['multi'], bundled: false, sizeMB: 118, license: 'MIT',
    threshold: UNCALIBRATED_THRESHOLD, thresholdOrigin: NOT_CALIBRATED('no copy of the model could be had offline'),
  },
];

/** The model that works offline: bundled with the app. */
export const DEFAULT_EMBEDDING_MODEL = 'all-MiniLM-L6-v2';

export function findEmbeddingModel(id: string): EmbeddingModel | undefined {
  return EMBEDDING_MODELS.find((m) => m.id === id);
}

/** True when the model separates texts of this language (a multilingual model does all). */
export function modelCovers(model: EmbeddingModel, language: 'en' | 'zh'): boolean {
  return model.languages.includes('multi') || model.languages.includes(language);
}

/** The cache's model key: a vector depends on the model, its weights' dtype and the prefix (role). */
export function cacheModelKey(model: EmbeddingModel, role: EmbedRole, dtype = 'q8'): string {
  return `${model.id}@${dtype}/${model.prefixes[role] ? role : 'plain'}`;
}
