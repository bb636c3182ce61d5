// The page scripts/bench-embed.mjs drives: embeds texts through the real embed worker, as the app
// does, with a fresh worker and cache database per pass so every text runs through the model.
import * as Comlink from 'comlink';
import type { EmbedApi } from '../src/lib/embed/embedApi';

interface PassOptions {
  batchSize: number;
  threads: number;
  sortByLength: boolean;
  engine: 'auto' | 'onnxruntime';
}

async function run(texts: string[], { batchSize, threads, sortByLength, engine }: PassOptions) {
  const worker = new Worker(new URL('../workers/embed.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<EmbedApi>(worker);
  try {
    const loaded = await api.load({ model: 'all-MiniLM-L6-v2', appBase: `${location.origin}/`, dbName: `bench-${crypto.randomUUID()}`, threads, engine });
    // Warm-up call (graph optimisation, first allocations, wasm tier-up) on texts outside the measured set.
    await api.embed(texts.slice(0, batchSize).map((t) => `warm up: ${t}`), { batchSize });
    const t0 = performance.now();
    const r = await api.embed(texts, { batchSize, sortByLength });
    const seconds = (performance.now() - t0) / 1000;
    const foreign = (await api.resourceUrls()).filter((u) => !u.startsWith(location.origin) && !u.startsWith('blob:'));
    return { ...loaded, seconds, computed: r.computed, textsPerSecond: r.computed / seconds, crossOriginIsolated, foreign };
  } finally {
    worker.terminate();
  }
}

(globalThis as unknown as { runEmbed: typeof run }).runEmbed = run;
document.title = 'ready';
