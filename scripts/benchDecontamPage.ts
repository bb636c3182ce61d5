// The page scripts/bench-decontam.mjs drives. The main thread does what the app's does around a
// Decontam step: it hands samples and eval items to a worker in chunks of 1 000 (yielding between them)
// and waits; all matching runs in the worker. Synthetic texts, seeded: English items of 30–60
// words over a 6 000-word vocabulary and Chinese items of 40–80 characters over 2 500 characters;
// samples of 40–120 words with planted copies: 0.5 % exact copies of an item, 1 % a 15-word (or
// 15-character) stretch of one inside their own text, and a further 0.5 % that quote the whole
// item inside English text where the item drawn is Chinese (a fifth of them). Every planted sample
// should be flagged and no other (random 13-grams over 6 000 words do not collide).
import * as Comlink from 'comlink';
import { rng } from '../src/lib/dedup/vectors';
import type { BenchDecontamApi } from './benchDecontam.worker';

const CHUNK = 1000;
const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

async function run(nSamples: number, nEval: number) {
  const rand = rng(2024);
  const int = (n: number) => Math.floor(rand() * n);
  const vocab = Array.from({ length: 6000 }, (_, i) => i.toString(36) + 'abcdefghij'.slice(0, 2 + (i % 7)));
  const hanChars = Array.from({ length: 2500 }, (_, i) => String.fromCharCode(0x4e00 + i * 7));
  const words = (n: number) => Array.from({ length: n }, () => vocab[int(vocab.length)]).join(' ');
  const han = (n: number) => Array.from({ length: n }, () => hanChars[int(hanChars.length)]).join('');
  const worker = new Worker(new URL('./benchDecontam.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<BenchDecontamApi>(worker);

  const evalTexts: string[] = [];
  for (let i0 = 0; i0 < nEval; i0 += CHUNK) {
    for (let i = i0; i < Math.min(i0 + CHUNK, nEval); i++) evalTexts.push(i % 5 === 4 ? han(40 + int(41)) : words(30 + int(31)));
    await api.addEval(evalTexts.slice(i0, i0 + CHUNK));
    await yieldNow();
  }
  const planted: number[] = [];
  for (let s0 = 0; s0 < nSamples; s0 += CHUNK) {
    const chunk: string[] = [];
    for (let s = s0; s < Math.min(s0 + CHUNK, nSamples); s++) {
      const r = s % 1000;
      const item = int(nEval);
      const e = evalTexts[item]!;
      const zh = item % 5 === 4;
      let text: string;
      if (r < 5) text = e;
      else if (r < 15) {
        const u = zh ? [...e] : e.split(' ');
        const at = int(u.length - 15);
        text = `${words(20)} ${u.slice(at, at + 15).join(zh ? '' : ' ')} ${words(20)}`;
      } else if (r < 20 && zh) text = `${words(30)} ${e} ${words(10)}`;
      else text = words(40 + int(81));
      if (r < 20 && (r < 15 || zh)) planted.push(s);
      chunk.push(text);
    }
    await api.addSamples(chunk);
    await yieldNow();
  }
  const res = await api.ngram();
  const flagged = new Set(res.flagged);
  const found = planted.filter((s) => flagged.has(s)).length;
  worker.terminate();
  return { seconds: res.seconds, findings: res.findings, exact: res.exact, planted: planted.length, found, unplantedFlagged: flagged.size - found };
}

async function runEmbedding(nq: number, ne: number, d: number) {
  const worker = new Worker(new URL('./benchDecontam.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<BenchDecontamApi>(worker);
  try {
    return await api.embedding(nq, ne, d);
  } finally {
    worker.terminate();
  }
}

Object.assign(globalThis, { runDecontam: run, runEmbedding });
document.title = 'ready';
