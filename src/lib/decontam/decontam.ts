/**
 * Decontamination core (issue 17, items 1–2, partial): does a training sample repeat an eval item?
 *
 * Design note.
 * - Exact: both sides normalised (NFKC folds full-width to half-width, lower case, punctuation and
 *   whitespace dropped) so a copy that only re-spaced or re-punctuated an item still matches.
 *   Misses any rewording.
 * - n-gram: word 13-grams for English (GPT-3's contamination check; 13 words is long enough that
 *   common phrases do not collide, short enough to catch a copied sentence inside a longer sample).
 *   Chinese has no spaces, so character n-grams; 13 characters is about 6–8 Chinese words, close to
 *   the information in 13 English words' worth of a clause. A text with both scripts gets both
 *   kinds (see ngrams), so a Chinese item quoted in an English sample is still found. The eval items' n-grams are hashed
 *   into one index built once; each sample is then scanned linearly. Misses paraphrase and
 *   translation, and eval items shorter than n (those fall back to the exact check only).
 * - Embedding: see embedding.ts (samples × eval vectors only, cosine ≥ threshold).
 */
import type { RawRecord } from '../io/types';

export type EvalShape = 'gsm8k' | 'multipleChoice' | 'code' | 'arc' | 'hellaswag' | 'text';
export interface EvalItem { text: string; answer?: string }
export interface EvalSet { name: string; sha256: string; count: number; shape: EvalShape; items: EvalItem[] }
export interface Finding { sampleId: string; evalSet: string; evalIndex: number; method: 'exact' | 'ngram'; evidence: string; share?: number }
export interface DecontamOptions { wordN?: number; charN?: number; minShare?: number }

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One text per eval item: what a contaminated sample would repeat (question + options); answer kept apart. */
export function evalItemsFrom(records: RawRecord[]): { shape: EvalShape; items: EvalItem[] } {
  const r0 = records[0] ?? {};
  const q = r0.question;
  let shape: EvalShape = 'text';
  if (q && typeof q === 'object' && 'stem' in (q as object)) shape = 'arc';
  else if ('ctx' in r0 && 'endings' in r0) shape = 'hellaswag';
  else if ('question' in r0 && ('A' in r0 || 'choices' in r0 || 'options' in r0)) shape = 'multipleChoice';
  else if ('question' in r0 && 'answer' in r0) shape = 'gsm8k';
  else if ('prompt' in r0 || ('text' in r0 && 'test_list' in r0)) shape = 'code';
  const items = records.map((r): EvalItem => {
    switch (shape) {
      case 'arc': {
        const qq = r.question as { stem?: unknown; choices?: { text?: unknown }[] };
        const ch = (qq.choices ?? []).map((c) => str(c.text));
        return { text: [str(qq.stem), ...ch].join('\n'), answer: str(r.answerKey) };
      }
      case 'hellaswag': return { text: [str(r.ctx), ...((r.endings as unknown[]) ?? []).map(str)].join('\n'), answer: str(r.label) };
      case 'multipleChoice': {
        const list = Array.isArray(r.choices) ? r.choices.map(str) : Array.isArray(r.options) ? r.options.map(str) : ['A', 'B', 'C', 'D'].map((k) => str(r[k]));
        return { text: [str(r.question), ...list.filter(Boolean)].join('\n'), answer: str(r.answer) };
      }
      case 'gsm8k': return { text: str(r.question), answer: str(r.answer) };
      case 'code': return { text: str(r.prompt ?? r.text) };
      default: return { text: Object.values(r).map(str).filter(Boolean).join('\n') };
    }
  });
  return { shape, items };
}

/** Exact-match key: NFKC (full-width → half-width), lower case, no punctuation or whitespace. */
export function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, '');
}

const HAN = /\p{Script=Han}/u;
/** Units for n-grams: words for Latin text, single characters for Han (Chinese has no spaces). */
export function units(s: string): string[] {
  const out: string[] = [];
  for (const tok of s.normalize('NFKC').toLowerCase().split(/[\p{P}\p{S}\s]+/u)) {
    if (!tok) continue;
    if (HAN.test(tok)) { let w = ''; for (const ch of tok) { if (HAN.test(ch)) { if (w) { out.push(w); w = ''; } out.push(ch); } else w += ch; } if (w) out.push(w); }
    else out.push(tok);
  }
  return out;
}
const isHan = (u: string) => HAN.test(u);

/**
 * The n-grams of a text's units, of both kinds where it has both scripts: character n-grams
 * (charN units joined without a separator) over the whole unit sequence when it holds any Han,
 * and word n-grams (wordN, space-joined) over each run of non-Han units. Choosing one kind per
 * text by its majority script missed a Chinese eval item quoted inside a mostly English sample
 * (and an English one inside Chinese text). The kinds cannot collide for n > 1: a word gram
 * holds spaces, a character gram never does (units are split at whitespace).
 */
function ngrams(u: string[], wordN: number, charN: number): string[] {
  const grams: string[] = [];
  if (u.some(isHan)) for (let i = 0; i + charN <= u.length; i++) grams.push(u.slice(i, i + charN).join(''));
  for (let i = 0; i < u.length; ) {
    let j = i;
    while (j < u.length && !isHan(u[j]!)) j++;
    for (let k = i; k + wordN <= j; k++) grams.push(u.slice(k, k + wordN).join(' '));
    i = j + 1;
  }
  return grams;
}

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

export async function checkContamination(
  samples: { id: string; text: string }[],
  evalSets: EvalSet[],
  opts: DecontamOptions = {},
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal
): Promise<Finding[]> {
  const wordN = opts.wordN ?? 13, charN = opts.charN ?? 13, minShare = opts.minShare ?? 0;
  // Items are numbered across the sets (`refs[id]`) and the index holds those numbers, not an
  // object per (gram, item): 20k items make ~1M index entries, and objects there cost hundreds of MB.
  const refs: { set: string; index: number }[] = [];
  const exact = new Map<string, number[]>();
  const index = new Map<string, number[]>();
  const gramCount: number[] = [];
  for (const es of evalSets) {
    for (let i = 0; i < es.items.length; i++) {
      const id = refs.push({ set: es.name, index: i }) - 1;
      const text = es.items[i]?.text ?? '';
      const key = normalise(text);
      if (key) (exact.get(key) ?? exact.set(key, []).get(key)!).push(id);
      const uniq = new Set(ngrams(units(text), wordN, charN));
      gramCount[id] = uniq.size;
      for (const g of uniq) {
        const list = index.get(g);
        if (list) list.push(id);
        else index.set(g, [id]);
      }
    }
    if (signal?.aborted) throw signal.reason;
    await yieldNow();
  }
  const findings: Finding[] = [];
  let last = Date.now();
  for (let s = 0; s < samples.length; s++) {
    const sample = samples[s]!;
    const seen = new Set<number>(exact.get(normalise(sample.text)));
    for (const id of seen) findings.push({ sampleId: sample.id, evalSet: refs[id]!.set, evalIndex: refs[id]!.index, method: 'exact', evidence: sample.text, share: 1 });
    const hits = new Map<number, Set<string>>();
    for (const g of new Set(ngrams(units(sample.text), wordN, charN))) {
      for (const id of index.get(g) ?? []) {
        if (seen.has(id)) continue;
        (hits.get(id) ?? hits.set(id, new Set()).get(id)!).add(g);
      }
    }
    for (const [id, grams] of hits) {
      const share = grams.size / (gramCount[id] || 1);
      if (share >= minShare) findings.push({ sampleId: sample.id, evalSet: refs[id]!.set, evalIndex: refs[id]!.index, method: 'ngram', evidence: grams.values().next().value ?? '', share });
    }
    if (Date.now() - last > 30) { if (signal?.aborted) throw signal.reason; onProgress?.(s + 1, samples.length); await yieldNow(); last = Date.now(); }
  }
  onProgress?.(samples.length, samples.length);
  return findings;
}
