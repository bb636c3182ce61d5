// The faster MinHash (shingle hashes straight from the code units, one hash function at a time,
// a Jaccard check that stops early) must find exactly what the first version found. The first
// version is kept here, in the test only, as the oracle.
import { describe, expect, it } from 'vitest';
import { UnionFind } from '../../src/lib/dedup/clusters';
import { jaccard, minhashPairs, shingles, signature, type LexicalPair, type MinHashOptions } from '../../src/lib/dedup/minhash';
import { duplicateKinds } from '../../src/lib/documents/boilerplate';
import { normalizeText } from '../../src/lib/text/normalize';
import { mulberry32 } from '../../src/lib/random';

// ---- The oracle: minhash.ts as it was before it was made faster. ----

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function hashString32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}
function oldShingles(text: string, ngram = 3): Uint32Array {
  const chars = Array.from(normalizeText(text));
  const set = new Set<number>();
  if (chars.length === 0) return new Uint32Array(0);
  if (chars.length <= ngram) set.add(hashString32(chars.join('')));
  else for (let i = 0; i + ngram <= chars.length; i++) set.add(hashString32(chars.slice(i, i + ngram).join('')));
  return Uint32Array.from(set).sort();
}
function oldSignature(sh: Uint32Array, seeds: Uint32Array): Uint32Array {
  const sig = new Uint32Array(seeds.length).fill(0xffffffff);
  for (const x of sh) {
    for (let k = 0; k < seeds.length; k++) {
      const h = fmix32(x ^ seeds[k]!);
      if (h < sig[k]!) sig[k] = h;
    }
  }
  return sig;
}
function oldMinhashPairs(texts: readonly string[], options: MinHashOptions = {}): LexicalPair[] {
  const { ngram = 3, numPerm = 128, bands = 32, threshold = 0.7, seed = 1, window = Infinity, existingCount = 0 } = options;
  const bounded = Number.isFinite(window);
  const rows = numPerm / bands;
  const seeds = new Uint32Array(numPerm);
  for (let k = 0; k < numPerm; k++) seeds[k] = fmix32(seed * 0x9e3779b1 + k * 0x7f4a7c15 + 1);
  const sh = texts.map((t) => oldShingles(t, ngram));
  const sigs = sh.map((s) => oldSignature(s, seeds));
  const seen = new Set<number>();
  const out: LexicalPair[] = [];
  const n = texts.length;
  const uf = bounded ? new UnionFind(n) : null;
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (sh[i]!.length === 0) continue;
      const key = Array.from(sigs[i]!.subarray(band * rows, (band + 1) * rows)).join(',');
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    }
    for (const list of buckets.values()) {
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1, tried = 0; y < list.length && tried < window; y++) {
          const a = list[x]!;
          const b = list[y]!;
          if (b < existingCount) continue;
          tried++;
          if (uf) {
            if (uf.find(a) === uf.find(b)) continue;
          } else {
            const key = a * n + b;
            if (seen.has(key)) continue;
            seen.add(key);
          }
          const j = jaccard(sh[a]!, sh[b]!);
          if (j < threshold) continue;
          uf?.union(a, b);
          let eq = 0;
          for (let k = 0; k < numPerm; k++) if (sigs[a]![k] === sigs[b]![k]) eq++;
          out.push({ a, b, estimated: eq / numPerm, jaccard: j });
        }
      }
    }
  }
  return out.sort((p, q) => p.a - q.a || p.b - q.b);
}

// ---- A fixed input: templated sections, near-copies, Chinese, emoji, surrogates, short texts. ----

const rng = mulberry32;

function fixedTexts(): string[] {
  const r = rng(2212);
  const en = 'the key is derived from a password with a salt and an iteration count before it encrypts each block of the message'.split(' ');
  const zh = '本指南说明如何在浏览器中把文档变成训练数据所有文件都留在本机不会上传到任何服务器每个问题都要引用原文';
  const pick = <T,>(xs: ArrayLike<T>) => xs[Math.floor(r() * xs.length)]!;
  const base: string[] = [];
  for (let i = 0; i < 120; i++) {
    const kind = i % 4;
    if (kind === 0) base.push(Array.from({ length: 20 + Math.floor(r() * 60) }, () => pick(en)).join(' '));
    else if (kind === 1) base.push(Array.from({ length: 15 + Math.floor(r() * 80) }, () => pick(zh)).join('') + '。');
    else if (kind === 2) base.push(`HMAC-${pick(['MD5', 'SHA1', 'SHA256', 'SHA512'])}: ${Array.from({ length: 30 }, () => pick(en)).join(' ')} 🔑🔐 ${pick(zh)}`);
    else base.push(`Function ${i}: ${en.slice(0, 12 + (i % 9)).join(' ')}.`);
  }
  const texts = [...base];
  // Near-copies: a word or a character changed, dropped or added.
  for (let i = 0; i < 80; i++) {
    const t = pick(base);
    const at = Math.floor(r() * t.length);
    texts.push(i % 3 === 0 ? t.slice(0, at) + t.slice(at + 1) : i % 3 === 1 ? t.slice(0, at) + pick(zh) + t.slice(at) : `${t} ${pick(en)}`);
  }
  // Exact copies, short texts, blanks, a lone surrogate and characters NFKC folds (full width).
  texts.push(base[3]!, base[3]!, base[3]!, 'ab', 'a', '', '   ', '\ud83d', 'x\udc00y\ud83dz', 'ＡＢＣ　ｄｅｆ', 'abc def', '🔑', '🔑🔐', '中文');
  return texts;
}

describe('MinHash: the faster version finds what the first one found', () => {
  const texts = fixedTexts();

  it('the same shingle sets, at n = 1, 2, 3 and 5', () => {
    for (const n of [1, 2, 3, 5]) for (const t of texts) expect(shingles(t, n)).toEqual(oldShingles(t, n));
  });

  it('the same signatures', () => {
    const seeds = Uint32Array.from({ length: 64 }, (_, k) => fmix32(k * 0x7f4a7c15 + 1));
    for (const t of texts) expect(signature(shingles(t), seeds)).toEqual(oldSignature(oldShingles(t), seeds));
    expect(signature(new Uint32Array(0), seeds)).toEqual(oldSignature(new Uint32Array(0), seeds));
  });

  it('the same pairs, estimates and Jaccard values, with and without a window, seeds and thresholds', () => {
    const cases: MinHashOptions[] = [
      {},
      { threshold: 0.9, window: 64, numPerm: 32, bands: 8 }, // the documents' duplicate marking
      { threshold: 0.7, bands: 16, window: 16, existingCount: 40 }, // the Dedup step's lexical pass
      { threshold: 0.5, window: 2, ngram: 2 },
      { threshold: 0, numPerm: 16, bands: 16 },
      { threshold: 1 },
    ];
    for (const o of cases) {
      const got = minhashPairs(texts, o);
      expect(got).toEqual(oldMinhashPairs(texts, o));
      if (o.threshold !== 1) expect(got.length).toBeGreaterThan(10);
    }
  });

  it('the same duplicate and boilerplate marks on the documents path', () => {
    const kinds = duplicateKinds(texts);
    expect(kinds.filter((k) => k === 'duplicate').length).toBeGreaterThan(20);
    expect(kinds.filter((k) => k === 'boilerplate')).toHaveLength(4);
    // duplicateKinds unions the pairs of one text per exact group, punctuation aside.
    const reps = texts.map((t, i) => ({ t, i })).filter(({ t }, i) => normalizeText(t) !== '' && texts.findIndex((u) => normalizeText(u) === normalizeText(t)) === i);
    const input = reps.map(({ t }) => t.replace(/[\p{P}\p{S}]+/gu, ' '));
    const opts = { threshold: 0.9, window: 64, numPerm: 32, bands: 8 };
    expect(minhashPairs(input, opts)).toEqual(oldMinhashPairs(input, opts));
  });
});
