/**
 * The errors the embedder throws, keyed by `name` (comlink keeps name and message across the
 * worker boundary; match on `err.name`).
 */
export type EmbedErrorName =
  /** The model id is not in the registry (models.ts). */
  | 'UnknownEmbeddingModelError'
  /** The model files could not be fetched or parsed (offline with a remote model, wrong mirror, corrupt file). */
  | 'EmbeddingModelLoadError'
  /** embed() was called before load(). */
  | 'EmbedderNotLoadedError'
  /** The command line runs the bundled model only (from disk); this one is a download the app makes. */
  | 'EmbeddingModelUnavailableError';

export class EmbedError extends Error {
  override name: EmbedErrorName;
  constructor(name: EmbedErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}
