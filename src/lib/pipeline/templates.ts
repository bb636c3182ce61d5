import { hash64 } from '../text/normalize';
import type { Lang } from '../text/language';

/**
 * The prompt templates of every operator, in English and Chinese. Users may override any of them
 * in a recipe; `{variables}` are checked before a run starts.
 */
export interface Template {
  id: string;
  version: number;
  /** Variables the template must use. */
  vars: string[];
  en: string;
  zh: string;
  /** Sub-templates whose text the operator renders into one of this template's variables. */
  uses?: string[];
}

const EVOL_DEPTH_EN = `I want you to act as a Prompt Rewriter.
Your objective is to rewrite a given prompt into a more complex version to make famous AI systems (e.g., ChatGPT and GPT-4) a bit harder to handle.
But the rewritten prompt must be reasonable and must be understood and responded to by humans.
Your rewriting cannot omit the non-text parts such as the table and code in #The Given Prompt#. Also, please do not omit the input in #The Given Prompt#.
You SHOULD complicate the given prompt using the following method:
{method}
You should try your best not to make the #Rewritten Prompt# verbose: #Rewritten Prompt# can only add 10 to 20 words to #The Given Prompt#.
'#The Given Prompt#', '#Rewritten Prompt#', 'given prompt' and 'rewritten prompt' are not allowed to appear in #Rewritten Prompt#.
{persona}
#The Given Prompt#:
{instruction}
#Rewritten Prompt#:
`;

const EVOL_DEPTH_ZH = `请你扮演提示词改写者。
你的目标是把给定的提示改写成更复杂的版本，让知名的 AI 系统（例如 ChatGPT 和 GPT-4）更难应对。
但改写后的提示必须合理，必须能被人类理解并作答。
改写时不能省略 #给定提示# 中的非文本部分，例如表格和代码；也不要省略 #给定提示# 中的输入。
你应当使用以下方法使给定提示更复杂：
{method}
尽量不要让 #改写后的提示# 变得冗长：#改写后的提示# 只能在 #给定提示# 的基础上增加 10 到 20 个词（中文约 15 到 30 个字）。
“#给定提示#”“#改写后的提示#”“给定提示”“改写后的提示”这些字样不得出现在 #改写后的提示# 中。
{persona}
#给定提示#：
{instruction}
#改写后的提示#：
`;

/**
 * The five in-depth operations and their method sentences (WizardLM): the built-in texts of the
 * `evol.method.*` templates, which a recipe may override like any other.
 */
export const DEPTH_METHODS: Record<'addConstraint' | 'deepen' | 'concretize' | 'increaseReasoning' | 'complicateInput', Record<Lang, string>> = {
  addConstraint: {
    en: 'Please add one more constraint or requirement into #The Given Prompt#.',
    zh: '请在 #给定提示# 中再增加一个约束或要求。',
  },
  deepen: {
    en: 'If #The Given Prompt# contains inquiries about certain issues, the depth and breadth of the inquiry can be increased.',
    zh: '如果 #给定提示# 涉及对某些问题的提问，可以增加提问的深度和广度。',
  },
  concretize: {
    en: 'Please replace general concepts with more specific concepts.',
    zh: '请把笼统的概念替换为更具体的概念。',
  },
  increaseReasoning: {
    en: 'If #The Given Prompt# can be solved with just a few simple thinking processes, you can rewrite it to explicitly request multiple-step reasoning.',
    zh: '如果 #给定提示# 只需几步简单思考就能解决，可以改写为明确要求多步推理。',
  },
  complicateInput: {
    en: 'Please add structured input data, such as a table, code or JSON, to #The Given Prompt#, and make the task use it.',
    zh: '请在 #给定提示# 中加入结构化的输入数据，例如表格、代码或 JSON，并让任务必须用到它。',
  },
};

const METHOD_IDS = Object.keys(DEPTH_METHODS).map((m) => `evol.method.${m}`);

/**
 * The kinds of question asked from a document's chunk (issue 14) and how the prompt names each:
 * the built-in texts of the `questions.type.*` templates, which a recipe may override.
 */
export const QUESTION_TYPES = ['factual', 'reasoning', 'comparison', 'summary', 'application'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const QUESTION_TYPE_TEXT: Record<QuestionType, Record<Lang, string>> = {
  factual: { en: 'a factual question (what, who, when, how much)', zh: '事实性问题（是什么、谁、何时、多少）' },
  reasoning: { en: 'a why or how question', zh: '“为什么”或“怎么做”的问题' },
  comparison: { en: 'a question comparing two things the text describes', zh: '比较文中两件事物的问题' },
  summary: { en: 'a question asking to summarise a part of the text', zh: '要求概括文中某部分的问题' },
  application: { en: 'a question applying the text to a concrete case', zh: '把文中内容用到具体情境的问题' },
};
const QUESTION_TYPE_IDS = QUESTION_TYPES.map((q) => `questions.type.${q}`);

/** What the grounded answerer writes when the text does not contain the answer (both languages). */
export const NOT_IN_TEXT = 'NOT_IN_TEXT';

export const TEMPLATES: Record<string, Template> = {
  'selfInstruct.generate': {
    id: 'selfInstruct.generate',
    version: 1,
    vars: ['examples', 'next', 'persona'],
    uses: ['selfInstruct.persona'],
    en: `Come up with a series of tasks. Each task is a new, diverse instruction that a text-only AI assistant can complete.\n{persona}\n{examples}\nTask {next}:`,
    zh: `请想出一系列任务。每个任务都是一条新的、多样的指令，只用文字的 AI 助手可以完成它。\n{persona}\n{examples}\n任务 {next}：`,
  },
  'selfInstruct.instance': {
    id: 'selfInstruct.instance',
    version: 1,
    vars: ['instruction'],
    en: `Given the task below, write one example of an input for it (write "Input: <noinput>" when the task needs none) and the correct output.\n\nTask: {instruction}\n\nAnswer in exactly this format:\nInput: ...\nOutput: ...`,
    zh: `针对下面的任务，写出一个输入示例（如果任务不需要输入，写“输入：<无>”）以及正确的输出。\n\n任务：{instruction}\n\n严格按照以下格式回答：\n输入：……\n输出：……`,
  },
  'selfInstruct.persona': {
    id: 'selfInstruct.persona',
    version: 1,
    vars: ['persona'],
    en: 'Write the tasks as {persona} would ask them.',
    zh: '请以{persona}的身份和需求来提出任务。',
  },
  'evol.depth': { id: 'evol.depth', version: 1, vars: ['method', 'instruction', 'persona'], uses: [...METHOD_IDS, 'evol.persona'], en: EVOL_DEPTH_EN, zh: EVOL_DEPTH_ZH },
  ...Object.fromEntries(
    Object.entries(DEPTH_METHODS).map(([m, text]) => [`evol.method.${m}`, { id: `evol.method.${m}`, version: 1, vars: [], en: text.en, zh: text.zh }]),
  ),
  'evol.persona': {
    id: 'evol.persona',
    version: 1,
    vars: ['persona'],
    en: 'Write it as {persona} would ask it.',
    zh: '改写时请从{persona}的角度出发。',
  },
  'evol.breadth': {
    id: 'evol.breadth',
    version: 1,
    vars: ['instruction', 'persona'],
    uses: ['evol.persona'],
    en: `I want you to act as a Prompt Creator.
Your goal is to draw inspiration from the #Given Prompt# to create a brand new prompt.
This new prompt should belong to the same domain as the #Given Prompt# but be even more rare.
The LENGTH and complexity of the #Created Prompt# should be similar to that of the #Given Prompt#.
The #Created Prompt# must be reasonable and must be understood and responded to by humans.
'#Given Prompt#', '#Created Prompt#', 'given prompt' and 'created prompt' are not allowed to appear in #Created Prompt#.
{persona}
#Given Prompt#:
{instruction}
#Created Prompt#:
`,
    zh: `请你扮演提示词创作者。
你的目标是从 #给定提示# 中获得灵感，创作一个全新的提示。
新提示应与 #给定提示# 属于同一领域，但更加少见。
#创作的提示# 的长度和难度应与 #给定提示# 相近。
#创作的提示# 必须合理，必须能被人类理解并作答。
“#给定提示#”“#创作的提示#”“给定提示”“创作的提示”这些字样不得出现在 #创作的提示# 中。
{persona}
#给定提示#：
{instruction}
#创作的提示#：
`,
  },
  'evol.equal': {
    id: 'evol.equal',
    version: 1,
    vars: ['first', 'second'],
    en: `Here are two instructions to an AI assistant. Do you think they are equal to each other, meeting these requirements:\n1. They have the same constraints and requirements.\n2. They have the same depth and breadth of inquiry.\nThe First Prompt: {first}\nThe Second Prompt: {second}\nYour Judgement (just answer: Equal or Not Equal; no need to explain the reason):`,
    zh: `下面是给 AI 助手的两条指令。请判断它们是否相同，标准是：\n1. 约束和要求相同；\n2. 提问的深度和广度相同。\n第一条：{first}\n第二条：{second}\n你的判断（只回答“相同”或“不相同”，不需要解释）：`,
  },
  'respond.answer': {
    id: 'respond.answer',
    version: 1,
    vars: ['instruction', 'input'],
    en: `{instruction}\n\n{input}`,
    zh: `{instruction}\n\n{input}`,
  },
  'critique.critique': {
    id: 'critique.critique',
    version: 1,
    vars: ['instruction', 'response'],
    en: `Critique the response to the instruction below. List its factual errors, missing points, unclear parts and any way it fails to follow the instruction. Be specific and brief.\n\nInstruction:\n{instruction}\n\nResponse:\n{response}\n\nCritique:`,
    zh: `请评析下面这条回答。列出其中的事实错误、遗漏要点、表达不清之处，以及没有遵循指令的地方。具体而简洁。\n\n指令：\n{instruction}\n\n回答：\n{response}\n\n评析：`,
  },
  'critique.revise': {
    id: 'critique.revise',
    version: 1,
    vars: ['instruction', 'response', 'critique'],
    en: `Rewrite the response so that it fixes every problem the critique names. Reply with the improved response only.\n\nInstruction:\n{instruction}\n\nResponse:\n{response}\n\nCritique:\n{critique}\n\nImproved response:`,
    zh: `请改写回答，修正评析指出的所有问题。只输出改进后的回答。\n\n指令：\n{instruction}\n\n回答：\n{response}\n\n评析：\n{critique}\n\n改进后的回答：`,
  },
  'questions.generate': {
    id: 'questions.generate',
    version: 1,
    vars: ['n', 'types', 'text', 'persona'],
    uses: [...QUESTION_TYPE_IDS, 'questions.persona'],
    en: `Read the text below and write {n} different questions that the text itself answers. Ask: {types}.\nEach question must make sense on its own, without the text (name what it is about; never "the text" or "the passage").\n{persona}\nText:\n"""\n{text}\n"""\n\nWrite one question per line, numbered 1., 2., …\nQuestions:`,
    zh: `阅读下面的文本，写出 {n} 个不同的问题，答案必须能在文本中找到。题型：{types}。\n每个问题都要能脱离文本单独看懂（写出所问的对象，不要说“本文”“这段文字”）。\n{persona}\n文本：\n"""\n{text}\n"""\n\n每行写一个问题，编号 1.、2.、……\n问题：`,
  },
  ...Object.fromEntries(QUESTION_TYPES.map((q) => [`questions.type.${q}`, { id: `questions.type.${q}`, version: 1, vars: [], en: QUESTION_TYPE_TEXT[q].en, zh: QUESTION_TYPE_TEXT[q].zh }])),
  'questions.persona': {
    id: 'questions.persona',
    version: 1,
    vars: ['persona'],
    en: 'Ask the questions as {persona} would.',
    zh: '请以{persona}的身份和需求来提问。',
  },
  'grounded.answer': {
    id: 'grounded.answer',
    version: 1,
    vars: ['text', 'question'],
    en: `Answer the question using ONLY the text below. If the text does not contain the answer, reply exactly ${NOT_IN_TEXT} and nothing else.\nAfter the answer, copy the sentence of the text that supports it, word for word, on a last line starting with "Quote:".\n\nText:\n"""\n{text}\n"""\n\nQuestion: {question}\n\nAnswer:`,
    zh: `只根据下面的文本回答问题。如果文本中没有答案，只回复 ${NOT_IN_TEXT}，不要写别的。\n回答之后，另起最后一行，以“引文：”开头，逐字抄录文本中支持答案的句子。\n\n文本：\n"""\n{text}\n"""\n\n问题：{question}\n\n回答：`,
  },
  'grounded.judge': {
    id: 'grounded.judge',
    version: 1,
    vars: ['text', 'question', 'answer'],
    en: `You check answers against their source. Is every claim of the answer supported by the text? Score 5 when all of it is, 1 when most of it is not.\n\nText:\n"""\n{text}\n"""\n\nQuestion: {question}\n\nAnswer: {answer}\n\nReply with JSON only: {"score": <1-5>, "unsupported": "<the first claim the text does not support, quoted from the answer, or empty>"}`,
    zh: `你负责核对回答是否有出处。回答中的每一个说法是否都有文本支持？全部有支持给 5 分，大部分没有支持给 1 分。\n\n文本：\n"""\n{text}\n"""\n\n问题：{question}\n\n回答：{answer}\n\n只输出 JSON：{"score": <1-5>, "unsupported": "<回答中第一个没有文本支持的说法，原文引用；没有则留空>"}`,
  },
  'judge.score': {
    id: 'judge.score',
    version: 1,
    vars: ['instruction', 'response'],
    en: `You are a strict grader. Rate the response to the instruction from 1 (very poor) to 5 (excellent) on accuracy, completeness and usefulness.\n\nInstruction:\n{instruction}\n\nResponse:\n{response}\n\nReply with JSON only: {"accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<one sentence>"}`,
    zh: `你是一名严格的评分员。请从准确性、完整性和实用性三方面，为下面的回答打 1（很差）到 5（优秀）分。\n\n指令：\n{instruction}\n\n回答：\n{response}\n\n只输出 JSON：{"accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<一句话理由>"}`,
  },
  // Multi-turn conversations (operators/multiTurn.ts). {conversation} is the exchange so far,
  // one "User:" / "Assistant:" block per turn, in the conversation's language.
  'multiTurn.followUp': {
    id: 'multiTurn.followUp',
    version: 1,
    vars: ['conversation', 'persona'],
    uses: ['multiTurn.persona'],
    en: `Below is a conversation between a user and an AI assistant.\n\n{conversation}\n\nWrite the user's next message: one follow-up question or request that builds on the assistant's last answer (more depth, a detail, an example, a related case) and stays on the same topic. Do not repeat an earlier question. {persona}\nWrite in English. Reply with the message alone.\n\nUser:`,
    zh: `下面是用户与 AI 助手的一段对话。\n\n{conversation}\n\n请写出用户的下一条消息：一个承接助手上一个回答的追问或请求（更深入、问细节、要例子、相关情形），并且不离开原来的话题。不要重复之前问过的问题。{persona}\n用中文写。只回复这条消息本身。\n\n用户：`,
  },
  'multiTurn.persona': {
    id: 'multiTurn.persona',
    version: 1,
    vars: ['persona'],
    en: 'Write it as {persona} would ask it.',
    zh: '请以{persona}的身份来问。',
  },
  'multiTurn.judgeTurn': {
    id: 'multiTurn.judgeTurn',
    version: 1,
    vars: ['conversation', 'question', 'response'],
    en: `You are a strict grader of conversations.\n\nConversation so far:\n{conversation}\n\nThe user's last message:\n{question}\n\nThe assistant's answer to it:\n{response}\n\nDoes the user's last message stay on the topic of the conversation (onTopic true or false)? Rate the answer from 1 (very poor) to 5 (excellent) on accuracy, completeness and usefulness.\n\nReply with JSON only: {"onTopic": <true|false>, "accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<one sentence>"}`,
    zh: `你是一名严格的对话评分员。\n\n之前的对话：\n{conversation}\n\n用户的最后一条消息：\n{question}\n\n助手对它的回答：\n{response}\n\n用户的最后一条消息是否仍在对话的话题上（onTopic 为 true 或 false）？请从准确性、完整性和实用性三方面为这个回答打 1（很差）到 5（优秀）分。\n\n只输出 JSON：{"onTopic": <true|false>, "accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<一句话理由>"}`,
  },
  'multiTurn.judge': {
    id: 'multiTurn.judge',
    version: 1,
    vars: ['conversation'],
    en: `You are a strict grader. Rate the assistant's answers in the whole conversation below from 1 (very poor) to 5 (excellent) on accuracy, completeness and usefulness, and on how well each answer follows what the user asked in that turn.\n\n{conversation}\n\nReply with JSON only: {"accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<one sentence>"}`,
    zh: `你是一名严格的评分员。请从准确性、完整性和实用性三方面，并看每个回答是否回应了用户在那一轮的提问，为下面整段对话中助手的回答打 1（很差）到 5（优秀）分。\n\n{conversation}\n\n只输出 JSON：{"accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<一句话理由>"}`,
  },
};

/** Words of the rewrite prompts' scaffolding that must not leak into an evolved instruction. */
export const SCAFFOLDING = [
  '#the given prompt#', '#rewritten prompt#', '#given prompt#', '#created prompt#',
  'given prompt', 'rewritten prompt', 'created prompt',
  '#给定提示#', '#改写后的提示#', '#创作的提示#', '给定提示', '改写后的提示', '创作的提示',
];

export type TemplateOverrides = Partial<Record<string, Partial<Record<Lang, string>>>>;

export interface TemplateProblem {
  id: string;
  lang: Lang;
  missing: string[];
  unknown: string[];
}

/** Variables a template text uses (`{name}`; JSON braces such as `{"a": 1}` are not variables). */
export function varsOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))];
}

/** Checks overridden templates: every required variable used, no unknown ones. */
export function checkTemplates(overrides: TemplateOverrides = {}): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const [id, byLang] of Object.entries(overrides)) {
    const t = TEMPLATES[id];
    if (!t) {
      problems.push({ id, lang: 'en', missing: [], unknown: ['(no such template)'] });
      continue;
    }
    for (const lang of ['en', 'zh'] as Lang[]) {
      const text = byLang?.[lang];
      if (text === undefined) continue;
      const used = varsOf(text);
      const missing = t.vars.filter((v) => v !== 'persona' && !used.includes(v));
      const unknown = used.filter((v) => !t.vars.includes(v));
      if (missing.length || unknown.length) problems.push({ id, lang, missing, unknown });
    }
  }
  return problems;
}

/** Fills a template. Unknown placeholders are left as they are (they were reported by checkTemplates). */
export function render(id: string, lang: Lang, vars: Record<string, string>, overrides: TemplateOverrides = {}): string {
  const t = TEMPLATES[id];
  if (!t) throw new Error(`no template ${id}`);
  const text = overrides[id]?.[lang] ?? t[lang];
  return text
    .replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in vars ? vars[k]! : m))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A short stable hash (hash64, 16 hex digits) of the texts a call's prompt is made from: the
 * template in use for the language (the recipe's override if there is one, else the built-in)
 * and every sub-template it can insert (`uses`: the depth method sentences, the persona
 * sentence), each under its id. `template@version` names a built-in text; this pins the text
 * actually used, overrides included. It is the same for every call made with the same texts (so
 * items and runs can be compared by it) and changes whenever one of those texts changes. The
 * item's own data (instruction, persona, the method named by the call's `op`) fill the rest.
 */
export function templateHash(id: string, lang: Lang, overrides: TemplateOverrides = {}): string {
  const texts = [id, ...(TEMPLATES[id]?.uses ?? [])].map((u) => [u, overrides[u]?.[lang] ?? TEMPLATES[u]?.[lang] ?? '']);
  return hash64(JSON.stringify(texts));
}
