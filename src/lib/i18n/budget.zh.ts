import type { budgetEn } from './budget.en';

/** 运行预算上限（pipeline/budget.ts）的中文：运行页的输入框和暂停时的提示。 */
export const budgetZh: Record<keyof typeof budgetEn, string> = {
  'budget.title': '预算',
  'budget.help': '在某次模型调用可能超出上限之前暂停运行（正在进行的调用也计算在内）。留空表示不设上限。',
  'budget.maxSpend': '最高花费',
  'budget.maxSpendHelp': '货币单位与端点价格相同（每百万 token 的价格，在“模型”页设置）。本地模型不计费。',
  'budget.maxTokens': '最多 token 数',
  'budget.maxTokensHelp': '提示与回答的 token 合计，包括本次运行的所有模型。',
  'budget.noPrices': '花费上限需要 {name} 的价格：请在“模型”页设置，或改为限制 token 数。',
  'budget.reached': '已达预算：已花费 {spent}，上限 {cap}——提高上限即可继续。',
  'budget.reachedTokens': '已达预算：已用 {spent} 个 token，上限 {cap}——提高上限即可继续。',
  'budget.alert': '已达预算，运行已暂停：在下方列表中提高上限即可继续。',
  'budget.pricesMissing': '运行已暂停：花费上限需要所用每个远程端点的价格。请在“模型”页设置价格，或改为限制 token 数，然后继续。',
  'budget.raiseSpend': '新的最高花费',
  'budget.raiseTokens': '新的最多 token 数',
  'budget.raiseResume': '提高上限并继续',
  'budget.notAbove': '新的上限必须高于已花费的数额。',
  'budget.spent': '目前已花费：{spend} · {tokens} 个 token',
};
