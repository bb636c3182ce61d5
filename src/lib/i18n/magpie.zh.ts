import type { magpieEn } from './magpie.en';

/** Magpie 与导出中推理过程的中文界面文字（与 magpie.en.ts 一一对应）。 */
export const magpieZh: Record<keyof typeof magpieEn, string> = {
  'op.magpie': 'Magpie（仅凭对话模板生成指令，无需种子）',
  'plan.magpie.one': '用 Magpie 仅凭生成模型的对话模板写出 {n} 条新指令（无需种子）',
  'plan.magpie.other': '用 Magpie 仅凭生成模型的对话模板写出 {n} 条新指令（无需种子）',
  'param.system': '用户轮之前的系统提示（留空：使用模板自带的）',
  'magpie.help':
    'Magpie 只把对话模板中用户消息开始之前的文本发给生成模型；经过指令微调的模型会自己写出一条合理的用户请求，再由后续步骤回答和筛选。它需要原始文本补全：本地模型（wllama、WebLLM），或标记为提供 /completions 的端点（vLLM、llama.cpp server）。托管的对话 API 无法运行它。',
  'magpie.blocked.noRawCompletion':
    'Magpie 需要能做原始文本补全的生成模型：请把本地模型（wllama、WebLLM）或标记为提供 /completions 的端点（vLLM、llama.cpp server）分配给“生成”角色。托管的对话 API 无法运行它。',
  'magpie.endpoint.rawCompletion': '在 /completions 提供原始文本补全（vLLM、llama.cpp server）：Magpie 可以使用',
  'label.op.magpie': 'Magpie：由对话模板生成的指令',
  'label.template.magpie.query': 'Magpie：对话模板中用户消息之前的部分',
  'label.reason.magpie:empty': '模型在模板的用户轮之后没有写出指令',
  'label.reason.magpie:tooShort': '模型写出的指令太短',
  'label.reason.magpie:tooLong': '模型写出的指令太长',
  'label.reason.magpie:unsuitable': '指令要求文本模型做不到的事',
  'label.reason.magpie:startsWithPunctuation': '指令以标点开头',
  'label.reason.magpie:noLetters': '指令中没有文字',
  'label.fix.magpie:empty': '请用经过指令微调的对话模型担任生成模型，或调高温度。',
  'label.fix.magpie:tooShort': '请用更强的对话模型担任生成模型。',
  'label.fix.magpie:tooLong': '请调低该步骤的最大 token 数，或换用更强的对话模型。',
  'label.fix.magpie:unsuitable': '无需处理：这类任务会被有意丢弃。',
  'label.fix.magpie:startsWithPunctuation': '请用经过指令微调的对话模型担任生成模型。',
  'label.fix.magpie:noLetters': '请用经过指令微调的对话模型担任生成模型。',
  'export.reasoning': '推理过程',
  'export.reasoning.drop': '不导出（只要回答）',
  'export.reasoning.think': '放在回答之前的 <think>…</think> 中（DeepSeek-R1、LLaMA-Factory）',
  'export.reasoning.field': '作为单独的 reasoning 字段',
  'export.reasoning.help': '推理模型的思考过程按每次调用保存。OpenAI JSONL 没有单独字段的位置：在该格式中会被丢弃。数据集卡片会写明所选方式。',
};
