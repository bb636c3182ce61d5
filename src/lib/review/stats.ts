import type { ReviewRow } from './rows';

/**
 * The figures behind the Review charts that need only text: score and length distributions, the
 * operation and persona mix, and the lexical part of diversity per round. Pure functions (Node
 * tests run them); the embedding-based figures are in embedStats.ts.
 */

export interface Histogram {
  /** Lower edge of each bin; the last bin includes `max`. */
  edges: number[];
  counts: number[];
}

export function histogram(values: number[], bins: number, min?: number, max?: number): Histogram {
  const lo = min ?? (values.length ? Math.min(...values) : 0);
  let hi = max ?? (values.length ? Math.max(...values) : 1);
  if (hi <= lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { edges: counts.map((_, k) => lo + k * width), counts };
}

/** Judge scores 1–5 (half points allowed) in bins of 0.5; unscored samples counted apart. */
export function scoreHistogram(rows: ReviewRow[]): { bins: { score: number; count: number }[]; unscored: number } {
  const bins = Array.from({ length: 9 }, (_, k) => ({ score: 1 + k / 2, count: 0 }));
  let unscored = 0;
  for (const r of rows) {
    if (r.score === null) unscored++;
    else bins[Math.max(0, Math.min(8, Math.round((r.score - 1) * 2)))]!.count++;
  }
  return { bins, unscored };
}

/** Length in characters as a person counts them (a Chinese character or an emoji is one). */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function lengthHistograms(rows: ReviewRow[], bins = 20): { instruction: Histogram; response: Histogram } {
  const ins = rows.map((r) => charLength(r.instruction) + (r.input ? charLength(r.input) : 0));
  const out = rows.map((r) => charLength(r.output));
  // One shared upper bound per chart at the 99th percentile, so one huge item does not squash the rest.
  const p99 = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) * 0.99)]! : 1);
  return { instruction: histogram(ins, bins, 0, Math.max(1, p99(ins))), response: histogram(out, bins, 0, Math.max(1, p99(out))) };
}

export function mix(rows: ReviewRow[], key: (r: ReviewRow) => string | null, top = 12): { label: string; count: number }[] {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = key(r);
    if (k === null || k === '') continue;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  const sorted = [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const head = sorted.slice(0, top).map(([label, count]) => ({ label, count }));
  const rest = sorted.slice(top).reduce((n, [, c]) => n + c, 0);
  return rest ? [...head, { label: '…', count: rest }] : head;
}

/** Words for Latin text, single characters for CJK — the units distinct-n counts. */
export function units(text: string): string[] {
  return text.toLowerCase().match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}_]+/gu) ?? [];
}

/**
 * distinct-n (Li et al., 2016): distinct n-grams over all n-grams of a set of texts. It falls as
 * generations start repeating each other — one of the first signs of collapse.
 */
export function distinctN(texts: string[], n: number): number {
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const u = units(t);
    for (let i = 0; i + n <= u.length; i++) {
      seen.add(u.slice(i, i + n).join('\u0001'));
      total++;
    }
  }
  return total ? seen.size / total : 0;
}

export interface RoundLexical {
  round: number;
  items: number;
  distinct1: number;
  distinct2: number;
}

/** distinct-1/2 of the instructions of each round (round 0 = the seeds' own generation step). */
export function lexicalPerRound(rows: ReviewRow[]): RoundLexical[] {
  const by = new Map<number, string[]>();
  for (const r of rows) {
    const list = by.get(r.round) ?? [];
    list.push(r.input ? `${r.instruction}\n${r.input}` : r.instruction);
    by.set(r.round, list);
  }
  return [...by]
    .sort((a, b) => a[0] - b[0])
    .map(([round, texts]) => ({ round, items: texts.length, distinct1: distinctN(texts, 1), distinct2: distinctN(texts, 2) }));
}
