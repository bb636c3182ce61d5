/**
 * The embedding models Seedforge knows: how each pools token vectors into one, and which prefix
 * it expects. Every model here is used with L2-normalised outputs (semantic dedup compares unit
 * vectors), in its int8 ONNX export (`dtype: 'q8'`, `onnx/model_quantized.onnx`).
 */
export type Pooling = 'cls' | 'mean';

/** What a text is embedded as: models trained with instructions embed queries and passages differently. */
export type EmbedRole = 'query' | 'passage' | 'symmetric';

export interface EmbeddingModel {
  /** Our id: also the cache's model key prefix and the folder name under a local model path. */
  id: string;
  /** The Hugging Face repository with a transformers.js (ONNX) export. */
  repo: string;
  dims: number;
  pooling: Pooling;
  /** Prefix per role. 'symmetric' (dedup: text against text) follows each model card's advice. */
  prefixes: Record<EmbedRole, string>;
  languages: string[];
  /** Served by the app itself from public/models/<id>/ (works with no network). */
  bundled: boolean;
}

// bge v1.5 cards: the instruction is for short queries against passages only; similarity between
// texts of the same kind uses no instruction.
const BGE_ZH_QUERY = '为这个句子生成表示以用于检索相关文章：';
const BGE_EN_QUERY = 'Represent this sentence for searching relevant passages: ';

export const EMBEDDING_MODELS: readonly EmbeddingModel[] = [
  { id: 'all-MiniLM-L6-v2', repo: 'Xenova/all-MiniLM-L6-v2', dims: 384, pooling: 'mean', prefixes: { query: '', passage: '', symmetric: '' }, languages: ['en'], bundled: true },
  { id: 'bge-small-zh-v1.5', repo: 'Xenova/bge-small-zh-v1.5', dims: 512, pooling: 'cls', prefixes: { query: BGE_ZH_QUERY, passage: '', symmetric: '' }, languages: ['zh'], bundled: false },
  { id: 'bge-small-en-v1.5', repo: 'Xenova/bge-small-en-v1.5', dims: 384, pooling: 'cls', prefixes: { query: BGE_EN_QUERY, passage: '', symmetric: '' }, languages: ['en'], bundled: false },
  { id: 'bge-base-zh-v1.5', repo: 'Xenova/bge-base-zh-v1.5', dims: 768, pooling: 'cls', prefixes: { query: BGE_ZH_QUERY, passage: '', symmetric: '' }, languages: ['zh'], bundled: false },
  // bge-m3's dense vector is the CLS token, and it needs no instruction.
  { id: 'bge-m3', repo: 'Xenova/bge-m3', dims: 1024, pooling: 'cls', prefixes: { query: '', passage: '', symmetric: '' }, languages: ['multi'], bundled: false },
  // e5 card: "query: " for symmetric tasks such as semantic similarity, "passage: " for documents.
  { id: 'multilingual-e5-small', repo: 'Xenova/multilingual-e5-small', dims: 384, pooling: 'mean', prefixes: { query: 'query: ', passage: 'passage: ', symmetric: 'query: ' }, languages: ['multi'], bundled: false },
];

/** The model that works offline: bundled with the app. */
export const DEFAULT_EMBEDDING_MODEL = 'all-MiniLM-L6-v2';

export function findEmbeddingModel(id: string): EmbeddingModel | undefined {
  return EMBEDDING_MODELS.find((m) => m.id === id);
}

/** The cache's model key: a vector depends on the model, its weights' dtype and the prefix (role). */
export function cacheModelKey(model: EmbeddingModel, role: EmbedRole, dtype = 'q8'): string {
  return `${model.id}@${dtype}/${model.prefixes[role] ? role : 'plain'}`;
}
