// The worker of scripts/bench-decontam.html: holds the samples and eval items the page posts in
// chunks, and runs the decontamination core on them, as the app's Decontam step does off the main
// thread. Only plain data crosses (texts in, counts and flagged ids out).
import * as Comlink from 'comlink';
import { checkContamination, type EvalItem } from '../src/lib/decontam/decontam';
import { embeddingMatches } from '../src/lib/decontam/embedding';
import { generatePlanted } from '../src/lib/dedup/vectors';

const samples: { id: string; text: string }[] = [];
const items: EvalItem[] = [];

const api = {
  addSamples(texts: string[]) {
    for (const text of texts) samples.push({ id: String(samples.length), text });
  },
  addEval(texts: string[]) {
    for (const text of texts) items.push({ text });
  },
  /** Exact + n-gram over everything posted; the flagged sample ids and the finding counts. */
  async ngram() {
    const t0 = performance.now();
    const f = await checkContamination(samples, [{ name: 'bench', sha256: '', count: items.length, shape: 'text', items }]);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, findings: f.length, exact: f.filter((x) => x.method === 'exact').length, flagged: [...new Set(f.map((x) => Number(x.sampleId)))] };
  },
  /** Synthetic unit vectors (dedup's planted generator): the first `ne` rows are the eval set. */
  async embedding(nq: number, ne: number, d: number) {
    const { vectors } = generatePlanted(nq + ne, d, 99);
    const evalVecs = { data: vectors.data.subarray(0, ne * d), n: ne, d };
    const queries = { data: vectors.data.subarray(ne * d), n: nq, d };
    const t0 = performance.now();
    const hits = await embeddingMatches(queries, evalVecs, 0.85);
    return { seconds: (performance.now() - t0) / 1000, hits: hits.length };
  },
};
export type BenchDecontamApi = typeof api;
Comlink.expose(api);
