// The page scripts/bench-dedup.mjs drives: runs a kernel through the real dedup worker, as the app
// does, on vectors fetched from the dev server.
import * as Comlink from 'comlink';
import type { DedupApi } from '../src/lib/dedup/dedupApi';
import type { KernelId } from '../src/lib/dedup/types';

async function sha16(s: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  return Array.from(h.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function run(url: string, n: number, d: number, kernel: KernelId) {
  const data = new Float32Array(await (await fetch(url)).arrayBuffer());
  const worker = new Worker(new URL('../workers/dedup.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<DedupApi>(worker);
  const t0 = performance.now();
  const res = await api.findPairs(Comlink.transfer({ data, n, d }, [data.buffer]), { kernel });
  const keys = Array.from(res.pairs.a, (a, k) => `${a}-${res.pairs.b[k]}`);
  const seconds = (performance.now() - t0) / 1000;
  worker.terminate();
  const dups = [...new Set(res.pairs.b)].sort((a, b) => a - b);
  return { kernel: res.kernel, seconds, pairs: res.pairs.a.length, dups: dups.length, dupsSha: await sha16(dups.join(',')), pairsSha: await sha16(keys.join(',')), keys, plan: res.plan };
}

(globalThis as unknown as { runDedup: typeof run }).runDedup = run;
document.title = 'ready';
