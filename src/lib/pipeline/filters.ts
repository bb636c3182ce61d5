import { detectLang, isCjk, lengthUnits, stripFences } from '../text/language';

/**
 * Heuristic filters. Each returns the reason an item fails, or null. Reasons are stable codes
 * (the Run report counts them and the UI translates them).
 */

/*
 * Refusals are told by their shape, not by a word: "sorry" anywhere once rejected the apology
 * letter a user asked for, and "sorry to hear that" said in passing in a good answer. A refusal
 * opens the reply, or one of its first sentences, with
 *  - "I cannot / I'm unable to / I won't" + help, assist, provide, answer… ("I cannot help with");
 *  - an apology that leads into such a "can't" ("I'm sorry, but I can't…", "Unfortunately, I am
 *    unable to…", 抱歉，我无法…, 很抱歉，这个问题我无法回答);
 *  - "As an AI / As a language model…", 作为一个AI…
 * When the instruction itself asks for an apology (an apology letter, "a message saying sorry",
 * 道歉信), apology words are the answer: only the "can't help" and "as an AI" shapes count.
 */
const HEAD_SENTENCES = 3;
const HEAD_CHARS = 400;
const EN_CANT = String.raw`(?:i|we)\s*(?:cannot|can['’]?t|can not|am unable to|['’]m unable to|am not able to|['’]m not able to|won['’]t be able to|will not be able to|won['’]t|will not|must decline to|have to decline|am not (?:allowed|permitted) to|['’]m not (?:allowed|permitted) to)`;
const EN_HELP_VERB = String.raw`(?:help|assist|provide|answer|comply|fulfil|fulfill|complete|support|engage|share|offer|create|generate|write|produce|give|do\s+(?:that|this|so)|continue|discuss|respond|process|participate|access|browse|perform|carry out|make\s+(?:that|this))\b`;
const EN_APOLOGY = String.raw`(?:(?:i['’]?m|i am)\s+(?:really\s+|very\s+|so\s+|truly\s+|terribly\s+|deeply\s+)?sorry|sorry|i\s+(?:sincerely\s+)?apologi[sz]e|my apologies|apologies|unfortunately|regrettably)`;
const EN_REFUSAL_SHAPES = [
  // "I cannot help with…", "We can't provide…"
  new RegExp(String.raw`^${EN_CANT}\s+${EN_HELP_VERB}`, 'i'),
  // "As an AI…", "As a large language model…"
  /^as\s+an?\s+(?:ai|artificial intelligence|(?:large\s+)?language model|ai (?:language model|assistant|model))\b/i,
];
/** "I can't", "I'm unable to" — not "won't"/"will not" ("we won't have the data until Monday"). */
const EN_CANT_ANY = String.raw`(?:i|we)\s*(?:cannot|can['’]?t|can not|am unable to|['’]m unable to|am not able to|['’]m not able to|won['’]t be able to|will not be able to|must decline|have to decline)`;
/** An apology that leads, in the same sentence, into "I can't" (any verb) or "not something I can". */
const EN_APOLOGY_REFUSAL = new RegExp(
  String.raw`^${EN_APOLOGY}\b[^.!?\n]{0,60}?(?:\b${EN_CANT_ANY}\b|\b${EN_CANT}\s+${EN_HELP_VERB}|\bnot something (?:i|we) can\b|\b(?:against|violates?) (?:my|our|the) (?:guidelines|polic(?:y|ies)|rules)\b|\bbeyond my (?:abilities|capabilities|scope)\b|\bunable to (?:help|assist|comply)\b)`,
  'i',
);
const ZH_CANT_BODY = String.raw`(?:目前|暂时)?(?:无法|不能|没法|没有办法|不可以|不便)(?:为你|为您|给你|给您|向你|向您)?(?:回答|提供|帮助|帮你|帮您|协助|完成|满足|生成|处理|参与|给出|回应|讨论|执行|编写|创作|撰写|访问|浏览|做到|这样做|答复)`;
/**
 * "我无法回答…" opening a sentence. Without a subject only the verbs of refusing count ("无法回答/
 * 提供/协助/满足…"): "无法访问网站可能有以下原因" opens a troubleshooting answer, not a refusal.
 */
const ZH_CANT_BARE_BODY = String.raw`(?:目前|暂时)?(?:无法|不能|没法|没有办法|不便)(?:为你|为您|给你|给您|向你|向您)?(?:回答|提供帮助|帮助你|帮助您|帮你|帮您|协助|满足(?:你|您)?的?(?:要求|请求)|回应|答复|讨论这|参与这|这样做)`;
const ZH_CANT = new RegExp(String.raw`^(?:我|本助手)${ZH_CANT_BODY}|^${ZH_CANT_BARE_BODY}`);
/** "这个请求我无法完成": the same, with its object put first (checked only behind an apology). */
const ZH_CANT_INSIDE = new RegExp(String.raw`^[^。！？\n]{0,15}?(?:我|本助手)${ZH_CANT_BODY}`);
const ZH_AS_AI = /^作为(?:一个|一名|一款)?(?:AI|人工智能|(?:大型)?语言模型|AI助手|人工智能助手|AI语言模型|智能助手)/i;
/** After an apology in the same sentence: "我无法/不能", right after it "，无法…", or "超出了我的能力范围". */
const ZH_APOLOGY_REFUSAL = /^(?:非常|很|十分|真的|实在)?(?:抱歉|对不起|不好意思|遗憾)[，,、！!。\s]*(?:(?:但是?|不过)[，,]?\s*)?(?:[^。！？\n]{0,15}?我(?:目前|暂时)?(?:无法|不能|没法|没有办法|不可以|不便)|(?:目前|暂时)?(?:无法|不能|没法|不便)|[^。！？\n]{0,15}?超出(?:了)?(?:我的)?(?:能力|范围|职责))/;

const APOLOGY_ASKED = /\bapolog(?:y|ies|ise|ize|ising|izing|etic)\b|\b(?:say(?:ing)?|says|said)\s+sorry\b|\bsorry\s+(?:note|letter|message|card)\b|道歉|致歉|歉意|赔礼|赔不是|说(?:声|句)?对不起|说(?:声|句)?抱歉/i;

/** Whether the instruction asks for an apology (then apology words in the answer are not a refusal). */
export function asksForApology(instruction: string): boolean {
  return APOLOGY_ASKED.test(instruction);
}

/** The first sentences of a reply, each trimmed of leading quotes, list marks and emphasis. */
function headSentences(response: string): string[] {
  return response
    .slice(0, HEAD_CHARS)
    .split(/(?<=[.!?。！？])\s*|\n+/)
    .map((x) => x.replace(/^[\s"'“‘*_>#\-–—]+/, '').trim())
    .filter(Boolean)
    .slice(0, HEAD_SENTENCES);
}

/**
 * Whether a reply refuses the instruction: a refusal phrase at the start of the reply or of one
 * of its first sentences. Pass the instruction where there is one: an apology that was asked for
 * is not a refusal.
 */
export function isRefusal(response: string, instruction = ''): boolean {
  const apologyAsked = asksForApology(instruction);
  for (const sentence of headSentences(response)) {
    if (EN_REFUSAL_SHAPES.some((p) => p.test(sentence)) || ZH_AS_AI.test(sentence) || ZH_CANT.test(sentence)) return true;
    if (apologyAsked) {
      // The apology is the answer: look behind it for a refusal ("I'm sorry, but I can't help…").
      const rest = sentence.replace(new RegExp(String.raw`^${EN_APOLOGY}\b[^,.!?]{0,40}?[,.!]?\s*(?:but\s+|however,?\s+)?`, 'i'), '').replace(/^(?:非常|很|十分|真的|实在)?(?:抱歉|对不起|不好意思)[，,、！!\s]*(?:但是?|不过)?[，,]?\s*/, '');
      if (rest !== sentence && (EN_REFUSAL_SHAPES.some((p) => p.test(rest)) || ZH_CANT.test(rest) || ZH_CANT_INSIDE.test(rest))) return true;
      continue;
    }
    if (EN_APOLOGY_REFUSAL.test(sentence) || ZH_APOLOGY_REFUSAL.test(sentence)) return true;
  }
  return false;
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
const MAKE_VERBS = 'tell|give|provide|produce|generate|write|create|make|build|list|put|send|show|compose|draft|fill|extract|summarize|summarise|rewrite|render|store|save|represent|use|construct|prepare|compile|organize|organise|arrange|tabulate|describe\s+(?:it|them)';
const CONVERT_VERBS = 'convert|transform|turn|translate|change|map';
const CLAUSE_START = String.raw`(?:^\s*|,\s*|\b(?:and|then|also|now|finally)\s+)(?:(?:please|kindly)\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:want|need|would\s+like)\s+you\s+to\s+)?`;
const OBJECT_JSON = new RegExp(String.raw`^\s+(?:(?:me|us)\s+)?(?:(?:a|an|the|one|some|your\s+answer\s+as|it\s+as)\s+)?${JSON_ADJ}${JSON_WORD}`, 'i');
const VERB_AT_CLAUSE_START = new RegExp(String.raw`${CLAUSE_START}(${ANSWER_VERBS}|${MAKE_VERBS}|${CONVERT_VERBS})\b`, 'gi');
const ANSWER_FORM = new RegExp(String.raw`\b(?:in|as|into|using|with)\s+(?:(?:a|an|the)\s+)?${JSON_ADJ}${JSON_WORD}`, 'i');
const MAKE_FORM = new RegExp(String.raw`(?<!such\s)\bas\s+(?:(?:a|an)\s+)?${JSON_ADJ}${JSON_WORD}|\binto\s+(?:(?:a|an)\s+)?${JSON_ADJ}${JSON_WORD}|\bin\s+(?:(?:a|the)\s+)?${JSON_ADJ}${JSON_WORD}\s*(?:format|form)\b|\busing\s+(?:the\s+)?${JSON_WORD}\s*(?:format)?|\bin\s+(?:(?:a|the)\s+)?${JSON_ADJ}${JSON_WORD}\s*$`, 'i');
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
  if (o.refusal && isRefusal(r, instruction)) return 'refusal';
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
