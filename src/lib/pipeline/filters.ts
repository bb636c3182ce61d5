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

/*
 * Does an instruction ask for its answer in JSON? Mentioning JSON is not enough ("Explain what
 * JSON is", "JSON vs XML", "Write a blog post about JSON" once had to be answered in JSON or be
 * rejected as 'formatJson'). It asks when
 *  - an imperative verb (at the start of a sentence or clause: after . ! ? ; , and then please
 *    or "can you") directs the answer into JSON: an answer verb (return, output, respond, reply,
 *    format…) followed by "in/as/using/with JSON" in the same sentence or by JSON as its object
 *    ("Return JSON with…"); a making verb (give, write, list, generate…) with JSON as its object
 *    ("Output a JSON object", "Give me a JSON array"), or "as JSON", "into JSON", "in JSON format"
 *    later in the sentence ("Give me the planets as a JSON array"); a converting verb (convert,
 *    transform, turn, translate) with "to JSON";
 *  - the answer itself is said to be JSON: "the answer must be a JSON object", "I want the
 *    output in JSON", "Output format: JSON";
 *  - Chinese: 以/用/按/使用/采用 JSON（格式）输出/返回/回答…, 输出/返回/给出/转换为 JSON,
 *    格式为 JSON — but not in a question clause (如何/怎么/为什么/什么是…: "如何把XML转换为JSON？"
 *    asks how, and is answered in prose).
 * A verb inside a subordinate phrase ("how to convert XML to JSON", "a function that returns
 * JSON", "APIs respond in JSON") does not count: it is not said to the answerer.
 */
const JSON_ADJ = String.raw`(?:(?:valid|proper|strict|well-formed|pure|plain|raw|compact|minified|pretty-printed|single|nested|structured|simple|only)\s+)*`;
const JSON_WORD = String.raw`json\b`;
const ANSWER_VERBS = 'respond|reply|answer|output|return|format|present|express|encode|serialize|serialise|print|emit|structure|deliver|write\s+(?:it|them|this|your\s+answer)';
const MAKE_VERBS = 'give|provide|produce|generate|write|create|make|build|list|put|send|show|compose|draft|fill|extract|summarize|summarise|rewrite|render|store|save|represent|use|construct|prepare|compile|organize|organise|arrange|tabulate|describe\s+(?:it|them)';
const CONVERT_VERBS = 'convert|transform|turn|translate|change|map';
const CLAUSE_START = String.raw`(?:^\s*|,\s*|\b(?:and|then|also|now|finally)\s+)(?:(?:please|kindly)\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:want|need|would\s+like)\s+you\s+to\s+)?`;
const OBJECT_JSON = new RegExp(String.raw`^\s+(?:(?:me|us)\s+)?(?:(?:a|an|the|one|some|your\s+answer\s+as|it\s+as)\s+)?${JSON_ADJ}${JSON_WORD}`, 'i');
const VERB_AT_CLAUSE_START = new RegExp(String.raw`${CLAUSE_START}(${ANSWER_VERBS}|${MAKE_VERBS}|${CONVERT_VERBS})\b`, 'gi');
const ANSWER_FORM = new RegExp(String.raw`\b(?:in|as|into|using|with)\s+(?:(?:a|an|the)\s+)?${JSON_ADJ}${JSON_WORD}`, 'i');
const MAKE_FORM = new RegExp(String.raw`(?<!such\s)\bas\s+(?:(?:a|an)\s+)?${JSON_ADJ}${JSON_WORD}|\binto\s+(?:(?:a|an)\s+)?${JSON_ADJ}${JSON_WORD}|\bin\s+(?:(?:a|the)\s+)?${JSON_ADJ}${JSON_WORD}\s*(?:format|form)\b|\busing\s+(?:the\s+)?${JSON_WORD}\s*(?:format)?`, 'i');
const CONVERT_FORM = new RegExp(String.raw`\b(?:to|into)\s+(?:(?:a|an)\s+)?${JSON_ADJ}${JSON_WORD}`, 'i');
const ANSWER_IS_JSON = new RegExp(
  String.raw`\b(?:answer|output|response|reply|result)s?\s+(?:(?:should|must|has\s+to|have\s+to|needs?\s+to|will)\s+be\s+(?:(?:in|formatted\s+as|given\s+as|returned\s+as|a|an)\s+)*|(?:in|as)\s+(?:(?:a|an)\s+)?)${JSON_ADJ}${JSON_WORD}|\b(?:output|response|answer|reply)?\s*format\s*[:：]\s*${JSON_WORD}`,
  'i',
);
const ZH_QUESTION = /如何|怎么|怎样|为什么|为何|什么是|是什么|什么叫|有什么|有哪些|区别|吗/;
const ZH_ASKS_JSON = [
  /(?:以|用|按照?|使用|采用)\s*json\s*(?:格式|形式|结构)?\s*(?:的(?:格式|形式))?\s*(?:来)?\s*(?:输出|返回|回答|回复|给出|表示|呈现|写|列出|提供|作答|展示|生成)/i,
  /(?:输出|返回|回答|回复|给出|提供|生成|写出|写成|整理|列出|表示|转换|转化|改写)(?:为|成|出)?\s*(?:一个|一份|一段|合法的?|有效的?|标准的?)?\s*json/i,
  /(?:格式|形式)\s*(?:为|是|：|:|用)\s*json/i,
  /json\s*格式(?:输出|返回|回答|回复)/i,
];

export function asksForJson(instruction: string): boolean {
  if (!/json/i.test(instruction)) return false;
  // Sentences; a colon ends one too ("Output format: JSON" is checked on the whole text).
  const sentences = instruction.split(/[.!?;:\n。！？；：]+/);
  for (const sentence of sentences) {
    for (const m of sentence.matchAll(VERB_AT_CLAUSE_START)) {
      const verb = m[1]!.toLowerCase();
      const tail = sentence.slice(m.index! + m[0].length);
      if (OBJECT_JSON.test(tail)) return true;
      if (new RegExp(`^(?:${ANSWER_VERBS})$`, 'i').test(verb) && ANSWER_FORM.test(tail)) return true;
      if (new RegExp(`^(?:${CONVERT_VERBS})$`, 'i').test(verb) ? CONVERT_FORM.test(tail) || MAKE_FORM.test(tail) : MAKE_FORM.test(tail)) return true;
    }
    if (ANSWER_IS_JSON.test(sentence)) return true;
  }
  if (ANSWER_IS_JSON.test(instruction)) return true;
  // Chinese: per clause, and not in a question about JSON.
  for (const clause of instruction.split(/[。！？；\n，,?!;]+/)) {
    if (ZH_QUESTION.test(clause)) continue;
    if (ZH_ASKS_JSON.some((r) => r.test(clause))) return true;
  }
  return false;
}

/** The format an instruction asks for, as far as simple words tell. */
export function askedFormat(instruction: string): { json: boolean; lang: 'en' | 'zh' | null; maxWords: number | null } {
  const json = asksForJson(instruction);
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
