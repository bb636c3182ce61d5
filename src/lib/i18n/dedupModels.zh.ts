import type { dedupModelsEn } from './dedupModels.en';

/** 嵌入模型选择与语义去重拒绝说明的中文界面文本（并入 zh.ts；键与 dedupModels.en.ts 一一对应）。 */
export const dedupModelsZh: Record<keyof typeof dedupModelsEn, string> = {
  'dedupModel.option': '{model} · {languages} · {size} MB',
  'dedupModel.lang.en': '英文',
  'dedupModel.lang.zh': '中文',
  'dedupModel.lang.multi': '多语言',
  'dedupModel.refused.title': '未运行语义去重：{model} 只适用于英文。',
  'dedupModel.refused.why': '这些文本中有 {percent}% 是中文。{model} 无法区分中文句子：在人工标注的中文相似度数据集（中文 STS-B 验证集）上，在阈值 {threshold} 下，它判为重复的句对中有 {falseShare}% 被人工打分低于 4 分（满分 5 分）。下方只查找了完全相同和几乎相同的文本。',
  'dedupModel.offer': '改用 {model}（{size} MB）',
  'dedupModel.offerHelp': '适用于{languages}。首次使用时从{source}（设置中的模型来源）下载一次，之后保存在本浏览器中。',
  'dedupModel.source.huggingface': ' Hugging Face',
  'dedupModel.source.mirror': '镜像 {url}',
  'dedupModel.source.local': '本站文件夹 {path}',
  'dedupModel.runAnyway': '仍然使用 {model}',
  'dedupModel.overridden': '已按你的要求用 {model} 处理它不适用的文本：结果中可能有误判的重复项。',
  'dedupModel.lexicalOnly': '仅字面比对：文本相同，或三字片段重合至少 {jaccard} 的近似副本。这一步不依赖任何模型。',
  'dedupModel.thresholdCalibrated': '默认阈值 {threshold}：在 {set} 上校准（对人工评分 4–5 分的句对，精确率 {precision}，召回率 {recall}）。',
  'dedupModel.thresholdDefault': '默认阈值 {threshold}：保守的默认值，未在此校准。',
  'dedupModel.stepRefused': '配方的去重步骤没有按语义比较：{percent}% 的文本是中文，而 {model} 只适用于英文。完全相同和几乎相同的文本仍已标记。请把该步骤的模型改为 {recommended}，或在“审阅”中使用去重面板。',
  'dedupModel.recommended': '（推荐用于这些文本）',
  'dedupModel.hint': '本项目中 {percent}% 的文本是中文：{model} 是适用于它们的模型。',
};
