import { rougeTokens } from '../text/language';

/** Longest common subsequence length, O(n·m) time and O(min) memory. */
export function lcs(a: string[], b: string[]): number {
  if (a.length < b.length) [a, b] = [b, a];
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * ROUGE-L F-measure (the F1 of LCS precision and recall), as Self-Instruct computes it with
 * rouge_score; Chinese is compared character by character.
 */
export function rougeL(candidate: string, reference: string): number {
  const c = rougeTokens(candidate);
  const r = rougeTokens(reference);
  if (!c.length || !r.length) return 0;
  const l = lcs(c, r);
  if (!l) return 0;
  const p = l / c.length;
  const rec = l / r.length;
  return (2 * p * rec) / (p + rec);
}

/** The highest ROUGE-L of a text against a pool, and which pool item gave it. */
export function maxRougeL(text: string, pool: readonly string[]): { score: number; match: string | null } {
  let best = 0;
  let match: string | null = null;
  for (const p of pool) {
    const s = rougeL(text, p);
    if (s > best) [best, match] = [s, p];
  }
  return { score: best, match };
}
