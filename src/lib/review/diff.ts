/**
 * A word-level difference between two texts, for showing what an evolution changed. Latin text
 * splits into words and the spaces/punctuation between them; Chinese, Japanese and Korean text
 * into single characters (they have no spaces). The longest common subsequence decides what is
 * kept; texts too long for it (over MAX_CELLS of table) are shown as one removal and one addition.
 */
export interface DiffPart {
  op: 'same' | 'add' | 'del';
  text: string;
}

const MAX_CELLS = 4_000_000;

export function tokens(text: string): string[] {
  return text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]/gu) ?? [];
}

export function diffWords(before: string, after: string): DiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  const out: DiffPart[] = [];
  const push = (op: DiffPart['op'], text: string) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += text;
    else if (text) out.push({ op, text });
  };
  // Common prefix and suffix first: evolutions usually keep most of the parent.
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const am = a.slice(p, a.length - s);
  const bm = b.slice(p, b.length - s);
  push('same', a.slice(0, p).join(''));
  const n = am.length;
  const m = bm.length;
  if (n * m > MAX_CELLS) {
    push('del', am.join(''));
    push('add', bm.join(''));
  } else {
    // lcs[i][j] = LCS length of am[i:] and bm[j:], in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) {
        push('same', am[i]!);
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) push('del', am[i++]!);
      else push('add', bm[j++]!);
    }
    while (i < n) push('del', am[i++]!);
    while (j < m) push('add', bm[j++]!);
  }
  push('same', a.slice(a.length - s).join(''));
  return out;
}
