import { jaccard, shingles } from './minhash';
import { normalizeText } from '../text/normalize';

/**
 * Dedup quality against human labels (bench:dedup-quality): a labelled pair file, the metrics of a
 * duplicate rule on it, and the threshold a model needs for a target precision.
 */

/** Pairs scored at or above this (of 5) are duplicates. */
export const DUPLICATE_SCORE = 4;

export interface LabelledPair {
  a: string;
  b: string;
  /** 0–5 similarity, as people scored it. */
  score: number;
}

/** Splits one CSV line (RFC 4180 quotes: "" inside a quoted field). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Reads labelled pairs from CSV or TSV text (tab-separated when the first line has a tab; fields
 * split by `||` when it has that and no tab, as the Chinese STS-B files of CNSD are). Each
 * line's last three fields are text a, text b and the score, so files with leading columns (GLUE's
 * STS-B: index, genre, …) read as they are; a first line whose score is not a number is a header.
 * @throws {Error} naming the line of a row with fewer than three fields or a score outside 0–5.
 */
export function parsePairs(text: string): LabelledPair[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines[0] ?? '';
  const sep = first.includes('\t') ? '\t' : first.includes('||') ? '||' : null;
  const out: LabelledPair[] = [];
  lines.forEach((line, k) => {
    if (!line.trim()) return;
    const f = sep ? line.split(sep) : csvFields(line);
    if (f.length < 3) throw new Error(`line ${k + 1}: expected text a, text b and a 0–5 score, found ${f.length} field(s)`);
    const raw = f[f.length - 1]!.trim();
    const score = raw === '' ? NaN : Number(raw);
    if (Number.isNaN(score)) {
      if (k === 0) return; // a header
      throw new Error(`line ${k + 1}: the score "${raw}" is not a number`);
    }
    if (score < 0 || score > 5) throw new Error(`line ${k + 1}: the score ${score} is outside 0–5`);
    out.push({ a: f[f.length - 3]!, b: f[f.length - 2]!, score });
  });
  return out;
}

export interface PairMetrics {
  /** Pairs the rule calls duplicates / labelled duplicates / both. */
  predicted: number;
  actual: number;
  truePositives: number;
  /** truePositives / predicted (1 when nothing is predicted); truePositives / actual (1 when none is labelled). */
  precision: number;
  recall: number;
  /** Share of the predicted pairs that people scored below DUPLICATE_SCORE (1 − precision). */
  falseShare: number;
}

/** Precision and recall of a duplicate rule (predicted[k] for pair k) against the labels. */
export function pairMetrics(pairs: readonly LabelledPair[], predicted: ArrayLike<boolean>): PairMetrics {
  let p = 0;
  let a = 0;
  let tp = 0;
  pairs.forEach((x, k) => {
    const dup = x.score >= DUPLICATE_SCORE;
    if (dup) a++;
    if (predicted[k]) {
      p++;
      if (dup) tp++;
    }
  });
  const precision = p ? tp / p : 1;
  return { predicted: p, actual: a, truePositives: tp, precision, recall: a ? tp / a : 1, falseShare: p ? 1 - precision : 0 };
}

/** The lexical pass's rule on one pair: the same normalised text, or character 3-gram Jaccard ≥ `lexical`. */
export function lexicalDuplicate(a: string, b: string, lexical: number): boolean {
  if (normalizeText(a) === normalizeText(b)) return true;
  return lexical > 0 && jaccard(shingles(a), shingles(b)) >= lexical;
}

/** The semantic pass's rule: similarity above the threshold (as the kernels compare, in float64). */
export function semanticDuplicate(similarity: number, threshold: number): boolean {
  return similarity > threshold;
}

export interface Calibration {
  threshold: number;
  metrics: PairMetrics;
}

/**
 * The lowest threshold on a grid (0.500–0.995, step 0.005) from which on precision stays at or above
 * `target` with at least `minPredicted` pairs predicted; null when none reaches it. `lexical`
 * marks the pairs the lexical pass already takes (they count as predicted at every threshold).
 */
export function calibrateThreshold(pairs: readonly LabelledPair[], similarity: ArrayLike<number>, target = 0.95, lexical?: ArrayLike<boolean>, minPredicted = 10): Calibration | null {
  let best: Calibration | null = null;
  for (let k = 199; k >= 100; k--) {
    const t = k / 200;
    const m = pairMetrics(pairs, Array.from({ length: pairs.length }, (_, i) => !!lexical?.[i] || semanticDuplicate(similarity[i]!, t)));
    if (m.precision < target) break;
    if (m.predicted >= minPredicted) best = { threshold: t, metrics: m };
  }
  return best;
}
