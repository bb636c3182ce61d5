/** Language, length and token helpers shared by the pipeline's operators and filters, the exporters and the Models screen. */

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/g;

export type Lang = 'en' | 'zh';

/** 'zh' when CJK characters make up a fair share of the letters. */
export function detectLang(text: string): Lang {
  const cjk = text.match(CJK)?.length ?? 0;
  const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
  return cjk > 0 && cjk * 3 >= latin ? 'zh' : 'en';
}

export function isCjk(text: string): boolean {
  return detectLang(text) === 'zh';
}

/** Length in words, or in characters for CJK text (where words are not separated by spaces). */
export function lengthUnits(text: string): number {
  const t = text.trim();
  if (!t) return 0;
  if (isCjk(t)) return t.replace(/\s+/g, '').length;
  return t.split(/\s+/).length;
}

/** ROUGE tokens: lower-cased alphanumeric runs; CJK text one character per token. */
export function rougeTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]|[a-z0-9]+/g)) out.push(m[0]);
  return out;
}

/** Strips ``` fences around a model's answer. */
export function stripFences(text: string): string {
  const m = /^\s*```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}
