import { afterEach, describe, expect, it, vi } from 'vitest';
import { embedAndPair, embeddings, startDedupWorkers } from '../../src/lib/embed/dedupTexts';

const appBase = `${location.origin}/`;
const dbName = `embed-service-test-${crypto.randomUUID()}`;
const request = { model: 'all-MiniLM-L6-v2', source: { kind: 'huggingface' as const }, appBase, dbName, threshold: 0.85 };
const texts = ['How do I reset my password?', 'The weather is sunny today.', 'How can I reset my password?'];

afterEach(() => vi.unstubAllGlobals());

describe('one shared embedding model on the main thread (bundled MiniLM)', () => {
  it('gives the Dedup panel and the charts one loaded encoder, kept until both let go', async () => {
    // Counts the encoder workers started (each one loads the model once).
    const started: string[] = [];
    const Real = Worker;
    vi.stubGlobal('Worker', class extends Real {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        started.push(String(url));
      }
    });
    const panel = startDedupWorkers();
    const charts = startDedupWorkers();
    try {
      // Both compute at once, as when Review's charts open beside the Dedup panel.
      const [a, b] = await Promise.all([embedAndPair(panel, texts, request, () => {}), embedAndPair(charts, texts, request, () => {})]);
      expect(started.filter((u) => u.includes('embed.worker'))).toHaveLength(1);
      expect(embeddings.loadedCount).toBe(1);
      expect(await panel.embedder(request)).toBe(await panel.embedder(request)); // one hold per user
      expect(Array.from(a.vectors.data)).toEqual(Array.from(b.vectors.data));
      expect(a.vectors).toMatchObject({ n: 3, d: 384 });
      expect(Array.from(a.pairs.a).length).toBe(1); // the two password questions

      // The panel closes: the charts' model stays loaded and embeds (from the cache now).
      panel.close();
      const again = await embedAndPair(charts, texts, request, () => {});
      expect(again.embedded).toMatchObject({ model: 'all-MiniLM-L6-v2', cached: 3, computed: 0 });
      expect(embeddings.loadedCount).toBe(1);
      expect(started.filter((u) => u.includes('embed.worker'))).toHaveLength(1);
    } finally {
      panel.close();
      charts.close();
    }
    // The last holder let go: the model is freed.
    await vi.waitFor(() => expect(embeddings.loadedCount).toBe(0));
  }, 120_000);
});
