import { DEFAULT_EMBEDDING_MODEL, EMBEDDING_MODELS, findEmbeddingModel, modelCovers, type EmbeddingModel } from './models';

/**
 * Which embedding model suits a set of texts, and whether semantic dedup may run with the one
 * chosen. The bundled all-MiniLM-L6-v2 is English only: on the Chinese STS-B dev split at 0.85,
 * most of the pairs it calls duplicates are pairs people scored below 4 of 5 (see the catalogue
 * and bench:dedup-quality), so it is never run on Chinese text unless the user asks for it.
 */

const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;
const HAS_LETTER = /\p{L}/u;

/** A text is Chinese when at least this share of its letters are Han characters (code and English words mixed in stay Chinese). */
export const HAN_SHARE_CHINESE = 0.3;
/** Texts are 'zh' from this share of Chinese texts on, 'mixed' from MIXED_FROM. */
export const ZH_FROM = 0.5;
export const MIXED_FROM = 0.1;

/** True when a text is written in Chinese (Han characters make up HAN_SHARE_CHINESE of its letters). */
export function isChineseText(text: string): boolean {
  const letters = text.match(LETTER)?.length ?? 0;
  if (!letters) return false;
  return (text.match(HAN)?.length ?? 0) / letters >= HAN_SHARE_CHINESE;
}

/** The share (0–1) of the texts that have letters that are Chinese; 0 for none. */
export function chineseShare(texts: readonly string[]): number {
  let withLetters = 0;
  let zh = 0;
  for (const t of texts) {
    if (!HAS_LETTER.test(t)) continue;
    withLetters++;
    if (isChineseText(t)) zh++;
  }
  return withLetters ? zh / withLetters : 0;
}

export type TextsLanguage = 'en' | 'zh' | 'mixed';

export function textsLanguage(share: number): TextsLanguage {
  return share >= ZH_FROM ? 'zh' : share >= MIXED_FROM ? 'mixed' : 'en';
}

/**
 * The model to offer for texts of a language: the bundled model for English (offline, no
 * download), the small Chinese bge for Chinese (24 MB), the small multilingual e5 for a mix.
 */
export function recommendedEmbeddingModel(language: TextsLanguage): EmbeddingModel {
  const id = language === 'zh' ? 'bge-small-zh-v1.5' : language === 'mixed' ? 'multilingual-e5-small' : DEFAULT_EMBEDDING_MODEL;
  return findEmbeddingModel(id)!;
}

/** True when the model is fit for texts of this language ('mixed' needs both). */
export function modelFits(model: EmbeddingModel, language: TextsLanguage): boolean {
  if (language === 'mixed') return modelCovers(model, 'zh') && modelCovers(model, 'en');
  return modelCovers(model, language);
}

export interface DedupDecision {
  /** Share of the texts in Chinese, and the language that gives. */
  chineseShare: number;
  language: TextsLanguage;
  /** The model asked for (or the default one). */
  model: EmbeddingModel;
  /** Whether the semantic pass runs with it. The exact and lexical passes always run. */
  semantic: boolean;
  /** Why it does not: the model does not separate texts of this language. */
  refusal: 'modelLanguage' | null;
  /** The model fit for these texts (may equal `model`). */
  recommended: EmbeddingModel;
  /** Where `recommended` is not at hand yet (not bundled, not among `available`): it will be downloaded. */
  recommendedNeedsDownload: boolean;
  /** The threshold the semantic pass uses: the model's own default. */
  threshold: number;
}

export interface DecideOptions {
  /** The model the user picked; default: the bundled one. */
  model?: string;
  /** The user chose to run the model on these texts anyway. */
  override?: boolean;
  /** Models usable without a download besides the bundled one (ids). */
  available?: readonly string[];
}

/**
 * The one decision the Dedup panel, the recipe's Dedup step and bench:dedup-quality share: with
 * which model semantic dedup runs on these texts, or why it does not.
 * @throws {Error} for a model id not in the catalogue.
 */
export function decideDedup(texts: readonly string[], o: DecideOptions = {}): DedupDecision {
  const model = findEmbeddingModel(o.model ?? DEFAULT_EMBEDDING_MODEL);
  if (!model) throw new Error(`No embedding model "${o.model}": pick one of ${EMBEDDING_MODELS.map((m) => m.id).join(', ')}.`);
  const share = chineseShare(texts);
  const language = textsLanguage(share);
  const recommended = modelFits(model, language) ? model : recommendedEmbeddingModel(language);
  const fits = modelFits(model, language);
  return {
    chineseShare: share,
    language,
    model,
    semantic: fits || !!o.override,
    refusal: fits || o.override ? null : 'modelLanguage',
    recommended,
    recommendedNeedsDownload: !recommended.bundled && !(o.available ?? []).includes(recommended.id),
    threshold: model.threshold,
  };
}
