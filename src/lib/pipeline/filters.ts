import { detectLang, isCjk, lengthUnits, stripFences } from './text';

/**
 * Heuristic filters. Each returns the reason an item fails, or null. Reasons are stable codes
 * (the Run report counts them and the UI translates them).
 */

export const REFUSAL_PATTERNS = [
  /\bI(?:'m| am) sorry\b/i,
  /\bI (?:cannot|can't|can not|am unable to|won't be able to)\b/i,
  /\bas an AI\b/i,
  /\bas a (?:large )?language model\b/i,
  /\bI(?:'m| am) not able to\b/i,
  /抱歉/,
  /对不起/,
  /我无法/,
  /我不能/,
  /作为(?:一个)?(?:AI|人工智能|语言模型)/,
];

export function isRefusal(response: string): boolean {
  return REFUSAL_PATTERNS.some((p) => p.test(response));
}

/** Self-Instruct's words for what a text model cannot do. */
const UNSUITABLE = /\b(?:image|images|graph|graphs|picture|pictures|file|files|map|maps|draw|plot|go to|video|audio|music|flowchart|diagram)\b|图片|图像|绘制|画出|视频|音频|音乐|流程图|文件/i;

export interface InstructionLimits {
  /** Bounds in words (en) or characters (zh). */
  min: number;
  max: number;
}

export const DEFAULT_INSTRUCTION_LIMITS: Record<'en' | 'zh', InstructionLimits> = {
  en: { min: 4, max: 150 },
  zh: { min: 6, max: 300 },
};

/** Self-Instruct's instruction filters (all but ROUGE-L, which needs the pool). */
export function instructionProblem(instruction: string, limits = DEFAULT_INSTRUCTION_LIMITS): string | null {
  const t = instruction.trim();
  if (!t) return 'empty';
  const lim = limits[detectLang(t)];
  const n = lengthUnits(t);
  if (n < lim.min) return 'tooShort';
  if (n > lim.max) return 'tooLong';
  if (UNSUITABLE.test(t)) return 'unsuitable';
  if (/^[\p{P}\p{S}]/u.test(t)) return 'startsWithPunctuation';
  if (!/[\p{L}]/u.test(t)) return 'noLetters';
  return null;
}

export interface ResponseFilterOptions {
  minChars: number;
  refusal: boolean;
  format: boolean;
  blocklist: string[];
}

/** The format an instruction asks for, as far as simple words tell. */
export function askedFormat(instruction: string): { json: boolean; lang: 'en' | 'zh' | null; maxWords: number | null } {
  const json = /\bjson\b/i.test(instruction);
  let lang: 'en' | 'zh' | null = null;
  if (/\b(?:in|into) (?:simplified |traditional )?chinese\b|用中文|以中文/i.test(instruction)) lang = 'zh';
  else if (/\b(?:in|into) english\b|用英文|用英语|以英文/i.test(instruction)) lang = 'en';
  let maxWords: number | null = null;
  const w = /\b(?:in|under|within|at most|no more than|fewer than|less than)\s+(\d{1,4})\s+words\b/i.exec(instruction) ?? /(?:不超过|少于|以内|最多)\s*(\d{1,4})\s*(?:个)?字/.exec(instruction) ?? /(\d{1,4})\s*字以内/.exec(instruction);
  if (w) maxWords = Number(w[1]);
  return { json, lang, maxWords };
}

function parsesAsJson(text: string): boolean {
  const body = stripFences(text).trim();
  const candidates = [body, /[[{][\s\S]*[\]}]/.exec(body)?.[0] ?? ''];
  return candidates.some((c) => {
    if (!c) return false;
    try {
      JSON.parse(c);
      return true;
    } catch {
      return false;
    }
  });
}

export function responseProblem(instruction: string, response: string, o: ResponseFilterOptions): string | null {
  const r = response.trim();
  if (r.length < o.minChars) return 'tooShort';
  if (o.refusal && isRefusal(r)) return 'refusal';
  if (o.format) {
    const f = askedFormat(instruction);
    if (f.json && !parsesAsJson(r)) return 'formatJson';
    if (f.lang && detectLang(r) !== f.lang) return 'formatLanguage';
    if (f.maxWords !== null && lengthUnits(r) > f.maxWords * (isCjk(r) ? 1 : 1.1)) return 'formatLength';
  }
  const lower = r.toLowerCase();
  if (o.blocklist.some((w) => w.trim() && lower.includes(w.trim().toLowerCase()))) return 'blocked';
  return null;
}
