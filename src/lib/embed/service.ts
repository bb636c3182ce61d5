import type { EmbedLoadRequest, EmbedProgress } from './embedApi';
import type { EmbedBackend, Embedder } from './types';

interface Slot {
  backend: EmbedBackend;
  loaded: ReturnType<EmbedBackend['load']>;
  holders: number;
  /** Calls on one backend run one after another (its encoder and cache writes are not re-entrant). */
  queue: Promise<unknown>;
}

/**
 * One loaded embedding model per model (and cache database) in this realm, however many users
 * hold it: the Dedup panel and the charts on the main thread share one encoder worker instead of
 * starting one each. `open` starts a backend for a model that no one holds yet.
 */
export class EmbeddingService {
  #open: (req: EmbedLoadRequest) => EmbedBackend;
  #slots = new Map<string, Slot>();

  constructor(open: (req: EmbedLoadRequest) => EmbedBackend) {
    this.#open = open;
  }

  /** Models loaded (or loading) now: for tests and diagnostics. */
  get loadedCount(): number {
    return this.#slots.size;
  }

  /**
   * Loads the model, or joins the one already loaded. A failed load leaves nothing held (the next
   * acquire tries again).
   * @throws EmbedError (UnknownEmbeddingModelError, EmbeddingModelLoadError)
   */
  async acquire(req: EmbedLoadRequest, onProgress?: (p: EmbedProgress) => void): Promise<Embedder> {
    const key = `${req.model}\u0000${req.dbName ?? ''}\u0000${req.appBase}`;
    let slot = this.#slots.get(key);
    if (!slot) {
      const backend = this.#open(req);
      slot = { backend, loaded: backend.load(req, onProgress), holders: 0, queue: Promise.resolve() };
      this.#slots.set(key, slot);
    }
    const s = slot;
    s.holders++;
    const release = async () => {
      if (--s.holders > 0) return;
      if (this.#slots.get(key) === s) this.#slots.delete(key);
      await s.backend.dispose().catch(() => undefined);
    };
    let info;
    try {
      info = await s.loaded;
    } catch (e) {
      await release();
      throw e;
    }
    let disposed: Promise<void> | null = null;
    return {
      model: info.model,
      dims: info.dims,
      info: { engine: info.engine, device: info.device, threads: info.threads, fallbacks: info.fallbacks },
      embed: (texts, signal, progress) => {
        const run = s.queue.then(async () => {
          signal?.throwIfAborted();
          if (disposed) throw Object.assign(new Error('this embedder was disposed: acquire the model again'), { name: 'EmbedderNotLoadedError' });
          const r = await s.backend.embed(texts, {}, progress);
          signal?.throwIfAborted();
          return r;
        });
        s.queue = run.catch(() => undefined);
        return run;
      },
      dispose: () => (disposed ??= release()),
    };
  }
}

const byConnection = new WeakMap<object, EmbeddingService>();

/**
 * The service of a realm whose embedders cache through one database connection (the pipeline
 * worker: its Dedup step and contamination checks share one loaded model per connection).
 */
export function embeddingsFor(connection: object, open: (req: EmbedLoadRequest) => EmbedBackend): EmbeddingService {
  let s = byConnection.get(connection);
  if (!s) byConnection.set(connection, (s = new EmbeddingService(open)));
  return s;
}
