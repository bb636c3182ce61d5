import type { docstepsEn } from './docsteps.en';

/** 从文档生成数据的配方步骤（问题 14）的中文界面文本：步骤名、参数、题型和两个预设（并入 zh.ts；键与 docsteps.en.ts 一一对应）。 */
export const docstepsZh: Record<keyof typeof docstepsEn, string> = {
  'preset.docQA': '从文档生成问答',
  'preset.docQAEvol': '从文档生成问答 + Evol',
  'op.questions': '从文本块提问（任务是文档的文本块）',
  'op.groundedAnswer': '有据回答（只依据文本块，并附引文）',
  'op.groundedJudge': '依据性评审（每个说法是否都出自文本块？1–5 分）',
  'param.tokensPerQuestion': '文本块每多少个词元提一个问题',
  'param.minPerChunk': '每个文本块最少问题数',
  'param.maxPerChunk': '每个文本块最多问题数',
  'param.types': '题型',
  'param.multiChunk': '跨两个相邻文本块提问的比例（0–1）',
  'param.requireQuote': '拒绝没有引用文本块原文的回答',
  'questionType.factual': '事实',
  'questionType.reasoning': '为什么 / 怎么做',
  'questionType.comparison': '比较',
  'questionType.summary': '概括',
  'questionType.application': '应用到具体情境',
};
