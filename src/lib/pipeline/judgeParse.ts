/**
 * Reads a judge's verdict from what small models actually write: a JSON object, "4", "4/5",
 * "Score: 4", "评分：4分", "8/10", "**4**", or a sentence. A reply that names no score, or several
 * different ones, is unparseable: the caller retries and finally records a judge failure with the
 * raw text. A score is never guessed.
 */
export interface Verdict {
  score: number;
  accuracy?: number;
  completeness?: number;
  usefulness?: number;
  reason: string;
}

export type ParseResult = { ok: true; verdict: Verdict } | { ok: false; why: string };

const inRange = (n: number) => Number.isFinite(n) && n >= 1 && n <= 5;
const round1 = (n: number) => Math.round(n * 10) / 10;

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

/**
 * `"key": <1-5>` or `"key": "<one sentence>"` followed by the end of the value (`,` `}` `]`): the
 * colon must follow a quoted key, so text inside a value ("the tags: <br>, <p>") is not taken for it.
 */
const PLACEHOLDER_VALUE = /"\s*:\s*(?:<[^<>\n]*>|"\s*<[^<>"\n]*>\s*")\s*[,}\]]/;

function fromJson(text: string): ParseResult | null {
  const m = /\{[\s\S]*\}/.exec(text);
  if (!m) return null;
  // The prompt's own template echoed back ("score": <1-5>, "reason": "<one sentence>") is not a
  // verdict: a placeholder is a <…> standing where a value should be — the whole value after a
  // key's colon, bare or quoted. Angle brackets inside a real value ("explains the <b> tag",
  // "x < y > z") are text, not a template (they once made a good verdict unreadable).
  if (PLACEHOLDER_VALUE.test(m[0])) return { ok: false, why: 'the reply repeats the template' };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(m[0]);
  } catch {
    // Braces that are not one JSON object (two objects, a broken one): do not read numbers from them.
    return /"\s*(?:score|accuracy|rating|overall|总分|评分)\s*"/i.test(m[0]) ? { ok: false, why: 'unreadable JSON' } : null;
  }
  const num = (k: string[]) => {
    for (const key of k) {
      const v = j[key];
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.replace(/\/\s*5$/, '').trim()) : NaN;
      if (Number.isFinite(n)) return n;
    }
    return undefined;
  };
  const accuracy = num(['accuracy', '准确性']);
  const completeness = num(['completeness', '完整性']);
  const usefulness = num(['usefulness', 'helpfulness', '实用性']);
  let score = num(['score', 'overall', 'rating', 'total', '总分', '评分']);
  const parts = [accuracy, completeness, usefulness].filter((x): x is number => x !== undefined);
  if (score === undefined && parts.length === 3) score = round1((parts[0]! + parts[1]! + parts[2]!) / 3);
  if (score === undefined) return { ok: false, why: 'JSON without a score' };
  if (!inRange(score) || parts.some((p) => !inRange(p))) return { ok: false, why: `score out of range: ${score}` };
  const reason = String(j.reason ?? j.explanation ?? j['理由'] ?? '').trim();
  return { ok: true, verdict: { score, accuracy, completeness, usefulness, reason } };
}

export function parseVerdict(raw: string): ParseResult {
  const text = raw.trim();
  if (!text) return { ok: false, why: 'empty reply' };
  const json = fromJson(text);
  if (json) return json;

  // "4 or 5", "3-4", "4 到 5": the judge did not decide.
  const noScale = text.replace(/(?:on\s+)?a\s+scale\s+(?:of|from)\s+1\s+to\s+5|1\s*(?:to|-|–|到|至)\s*5\s*(?:分制|scale)|满分\s*5\s*分|(?:从|在)\s*1\s*(?:到|至)\s*5/gi, '');
  if (/\b[1-5](?:\.\d)?\s*(?:or|to|~|或|到|至)\s*(?:maybe\s*|perhaps\s*)?[1-5]\b/i.test(noScale) || /\b[1-5]\s*[-–]\s*[1-5]\s*(?:\/|分|points)/i.test(noScale)) {
    return { ok: false, why: 'a range instead of a score' };
  }
  const candidates: number[] = [];
  const push = (n: number) => candidates.push(n);
  let m: RegExpExecArray | null;
  // "8/10", "4/5", "4 out of 5", "4分（满分5分）"
  const outOf = /(\d+(?:\.\d+)?)\s*(?:\/|out of|分?\s*[（(]?\s*满分)\s*(5|10)\b/gi;
  while ((m = outOf.exec(text))) push(m[2] === '10' ? Number(m[1]) / 2 : Number(m[1]));
  if (!candidates.length) {
    // "Score: 4", "Rating - 4", "评分：4分", "得分为4", "打4分", "**4**"
    const labelled = /(?:score|rating|grade|overall|评分|得分|分数|打分|总分)\s*(?:is|of|:|：|=|为|是|-)?\s*\**\s*(\d+(?:\.\d+)?|[一二两三四五])\s*\**\s*分?/gi;
    while ((m = labelled.exec(text))) push(CN_DIGITS[m[1]!] ?? Number(m[1]));
    const fen = /(?:打|给|评)\s*(\d|[一二两三四五])\s*分/g;
    while ((m = fen.exec(text))) push(CN_DIGITS[m[1]!] ?? Number(m[1]));
  }
  if (!candidates.length) {
    // A bare number as the whole reply, or at its very start ("4", "4.", "4 - good", "**4**"),
    // but not the "1." of a numbered list ("1. Accuracy: 4").
    const bare = /^\**\s*(\d(?:\.\d+)?)\s*\**(?:[.\s\-–:：,，]|$)/.exec(text);
    const listItem = /^\s*\d\.\s*\S+[^\n]*[:：]/.test(text) || /^\s*\d\.\s*\n/.test(text);
    if (bare && !listItem) push(Number(bare[1]));
  }
  if (!candidates.length) {
    // "I would give it a 4", "I'd rate this 3" — not "I wouldn't give it a 5".
    const prose = /\b(?:give|rate)\b[^.\d]{0,20}?\b([1-5])\b/i.exec(text);
    if (prose && !/n't|\bnot\b|\bnever\b/i.test(text.slice(Math.max(0, prose.index - 20), prose.index + 4))) push(Number(prose[1]));
  }
  const distinct = [...new Set(candidates)];
  if (!distinct.length) return { ok: false, why: 'no score in the reply' };
  if (distinct.length > 1) return { ok: false, why: `several scores: ${distinct.join(', ')}` };
  const score = distinct[0]!;
  if (!inRange(score)) return { ok: false, why: `score out of range: ${score}` };
  const reason = text.replace(/\s+/g, ' ').slice(0, 300);
  return { ok: true, verdict: { score, reason } };
}
