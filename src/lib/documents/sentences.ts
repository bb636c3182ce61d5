/**
 * Token estimates and sentence/clause boundaries for Chinese and English text. Pure functions on
 * strings; every span is `[start, end)` into the string given (plus an optional base offset).
 */
import type { TextSpan } from './types';

// Han, kana and CJK punctuation/full-width forms: one token each. `estimateTokens` in
// engines/structured.ts sizes whole chat prompts (2 tokens per CJK character plus per-turn
// overhead, for context-window safety); a chunk bound wants the user's intuition instead — "300
// characters" of Chinese, "300 words" of English — and an estimate that adds up over pieces.
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/gu;
const WORD = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;

/**
 * Estimated tokens of a text: one per Chinese/Japanese character or full-width mark, one per
 * word (a run of letters/digits) elsewhere; other punctuation and whitespace count nothing. It is
 * additive: the estimate of a text cut at whitespace or between CJK characters is the sum of the
 * estimates of its pieces.
 */
export function estimateTextTokens(text: string): number {
  let cjk = 0;
  const rest = text.replace(CJK_CHAR, () => {
    cjk++;
    return ' ';
  });
  return cjk + (rest.match(WORD)?.length ?? 0);
}

/** Ends a sentence in either language. `;` in English joins clauses; `；` in Chinese often ends one. */
const STRONG_END = new Set(['。', '！', '？', '；', '!', '?', '…', '‼', '⁇', '⁈', '⁉', '．']);
/** Closing quotes and brackets that belong to the sentence they follow. */
const CLOSERS = new Set(['"', "'", '”', '’', '」', '』', '）', ')', ']', '】', '》', '〉', '〕']);
/** Lower-cased words that take a full stop without ending a sentence ("e.g." is stored as "e.g"). */
const ABBREVIATIONS = new Set(
  (
    'mr mrs ms dr prof sr jr st vs etc e.g i.e cf al fig figs no nos vol vols pp p ed eds approx dept ' +
    'inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec art arts sec para ch chap eq ' +
    'ref refs op viz ca est gen gov col lt mt rev resp u.s u.k a.m p.m ph.d m.d b.a vs. no. seq'
  ).split(' '),
);
const CJK_AT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/u.test(c);
}

/** Whether the `.` at `i` ends a sentence (not "e.g.", "Dr.", "J. Smith", "3.14", "etc. and"). */
function fullStopEnds(s: string, i: number, after: number): boolean {
  const next = s[after];
  if (next !== undefined && !isSpace(next) && !CJK_AT.test(next)) return false; // 3.14, example.com
  let w = i;
  while (w > 0 && /[\p{L}\p{N}.]/u.test(s[w - 1]!)) w--;
  const word = s.slice(w, i).toLowerCase();
  if (ABBREVIATIONS.has(word)) return false;
  if (/^\p{Lu}$/u.test(s.slice(w, i))) {
    // An initial ("J. Smith", "John F. Kennedy") follows a capitalised word, an abbreviation or
    // nothing; after a lower-case word ("in ward B. The …") the letter ends the sentence.
    let v = w - 1;
    while (v >= 0 && isSpace(s[v])) v--;
    let u = v + 1;
    while (u > 0 && /[\p{L}\p{N}.]/u.test(s[u - 1]!)) u--;
    const prev = s.slice(u, v + 1);
    if (prev === '' || /^\p{Lu}/u.test(prev) || ABBREVIATIONS.has(prev.replace(/\.$/u, '').toLowerCase())) return false;
  }
  let k = after;
  while (isSpace(s[k])) k++;
  if (k < s.length && /\p{Ll}/u.test(s[k]!)) return false; // "… approx. two hours"
  return true;
}

/**
 * Sentence spans of a text, trimmed of surrounding whitespace; the terminator and any closing
 * quotes/brackets stay with their sentence. Handles 。！？；… and .!? (with abbreviations, initials
 * and decimals not taken for ends). The spans are disjoint, in order, and together hold every
 * non-whitespace character.
 */
export function splitSentences(text: string, base = 0): TextSpan[] {
  const out: TextSpan[] = [];
  let start = 0;
  const push = (end: number) => {
    let a = start;
    let b = end;
    while (a < b && isSpace(text[a])) a++;
    while (b > a && isSpace(text[b - 1])) b--;
    if (b > a) out.push({ start: base + a, end: base + b });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const strong = STRONG_END.has(c);
    if (!strong && c !== '.') continue;
    let j = i + 1;
    while (j < text.length && (STRONG_END.has(text[j]!) || text[j] === '.')) j++;
    while (j < text.length && CLOSERS.has(text[j]!)) j++;
    if (strong && c !== '…') {
      push(j);
    } else if (c === '…') {
      // "……" ends a Chinese sentence; "word… and so on" in English does not.
      const next = text.slice(j).trimStart()[0];
      if (next === undefined || !/\p{Ll}/u.test(next)) push(j);
    } else if (fullStopEnds(text, i, j)) {
      push(j);
    }
    i = j - 1;
  }
  push(text.length);
  return out;
}

/** Marks after which a long sentence may be cut when it alone exceeds the bound. */
const CLAUSE_END = /[，、；：,;:—）)]/u;

/**
 * Cuts a span of `text` into pieces of at most `maxTokens` each: at clause marks (，、；：,;:)
 * first, then between words (or between characters in Chinese). A single word longer than the
 * bound is the only piece that can exceed it.
 */
export function splitToFit(text: string, span: TextSpan, maxTokens: number): TextSpan[] {
  const piece = text.slice(span.start, span.end);
  if (estimateTextTokens(piece) <= maxTokens) return [span];
  // Atoms: clauses first; each over-long clause further into words/characters.
  const clauses: TextSpan[] = [];
  let a = span.start;
  for (let i = span.start; i < span.end; i++) {
    if (CLAUSE_END.test(text[i]!)) {
      clauses.push({ start: a, end: i + 1 });
      a = i + 1;
    }
  }
  if (a < span.end) clauses.push({ start: a, end: span.end });
  const atoms: TextSpan[] = [];
  for (const c of clauses) {
    if (estimateTextTokens(text.slice(c.start, c.end)) <= maxTokens) atoms.push(c);
    else {
      // Words with their trailing whitespace, or single characters (code points) otherwise.
      const re = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*\s*|[\s\S]\s*/gu;
      const sub = text.slice(c.start, c.end);
      let m: RegExpExecArray | null;
      while ((m = re.exec(sub))) {
        atoms.push({ start: c.start + m.index, end: c.start + m.index + m[0].length });
      }
    }
  }
  // A run of Han characters is one \p{L} "word" above: cut an over-long one per character.
  const fine: TextSpan[] = [];
  for (const t of atoms) {
    const s = text.slice(t.start, t.end);
    if (estimateTextTokens(s) > maxTokens && CJK_AT.test(s)) {
      let off = t.start;
      for (const ch of Array.from(s)) {
        fine.push({ start: off, end: off + ch.length });
        off += ch.length;
      }
    } else fine.push(t);
  }
  const out: TextSpan[] = [];
  let cur: TextSpan | null = null;
  let curTokens = 0;
  for (const t of fine) {
    const tk = estimateTextTokens(text.slice(t.start, t.end));
    if (cur && curTokens + tk > maxTokens) {
      out.push(cur);
      cur = null;
      curTokens = 0;
    }
    if (!cur) cur = { start: t.start, end: t.end };
    else cur.end = t.end;
    curTokens += tk;
  }
  if (cur) out.push(cur);
  // Trim whitespace at the pieces' edges so spans hold text only.
  return out
    .map((p) => {
      let s = p.start;
      let e = p.end;
      while (s < e && isSpace(text[s])) s++;
      while (e > s && isSpace(text[e - 1])) e--;
      return { start: s, end: e };
    })
    .filter((p) => p.end > p.start);
}
