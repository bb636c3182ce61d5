import type { looksEn } from './looks.en';

/** 种子、导入、去重的计数短语，无 WebGPU 的中性提示，密钥面板，空图表，手机菜单，删除项目的确认（并入 zh.ts）。 */
export const looksZh: Record<keyof typeof looksEn, string> = {
  'seeds.turns.one': '{n} 轮对话',
  'seeds.turns.other': '{n} 轮对话',
  'seeds.instances.one': '{n} 个实例',
  'seeds.instances.other': '{n} 个实例',

  'import.records.one': '{n} 条记录',
  'import.records.other': '{n} 条记录',
  'import.seedsFound.one': '可导入 {n} 条种子',
  'import.seedsFound.other': '可导入 {n} 条种子',
  'import.issues.one': '{n} 行无法导入（见下方列表）；其余各行可以导入。',
  'import.issues.other': '{n} 行无法导入（见下方列表）；其余各行可以导入。',
  'import.confirm.one': '导入 {n} 条种子',
  'import.confirm.other': '导入 {n} 条种子',
  'import.stored.one': '已向“{project}”导入 {n} 条种子。',
  'import.stored.other': '已向“{project}”导入 {n} 条种子。',

  'dedup.summary': '{items} · {clusters} · {removed}',
  'dedup.count.samples.one': '{n} 条样本',
  'dedup.count.samples.other': '{n} 条样本',
  'dedup.count.clusters.one': '{n} 个含近似重复的簇',
  'dedup.count.clusters.other': '{n} 个含近似重复的簇',
  'dedup.count.removed.one': '将移除 {n} 条',
  'dedup.count.removed.other': '将移除 {n} 条',
  'dedup.apply.one': '将 {n} 条标记为重复',
  'dedup.apply.other': '将 {n} 条标记为重复',
  'dedup.applied.one': '已将 {n} 条样本标记为近似重复。',
  'dedup.applied.other': '已将 {n} 条样本标记为近似重复。',

  'webgpu.none': 'WebLLM 模型需要 WebGPU，而{why}。这不是 Seedforge 的故障：GGUF 模型可在任何浏览器中用 CPU 运行，也可以使用本地服务器（llama.cpp、Ollama、LM Studio）或远程 API。',
  'webgpu.why.noApi': '此浏览器不提供 WebGPU',
  'webgpu.why.noAdapter': '此浏览器虽提供 WebGPU，但没有可用的显卡适配器',
  'webgpu.why.failed': '此浏览器虽提供 WebGPU，但无法打开显卡适配器',
  'webgpu.detail': '浏览器给出的信息：{detail}',

  'airgap.refusedOrigin': '已拒绝访问：{origin}',

  'keys.none': '尚未保存任何 API 密钥。请先在“模型”页面添加远程 API 及其密钥，然后即可在此用口令加密。',
  'keys.sealed.one': '已加密 {n} 个密钥。',
  'keys.sealed.other': '已加密 {n} 个密钥。',

  'charts.noData': '暂无可绘制的数据。',
  'charts.noScores': '暂无评分：评审模型尚未给这些样本打分。',

  'nav.menu': '菜单',

  'projects.deleteTitle': '删除项目“{name}”？',
  'projects.deleteCounting': '正在统计项目中的内容…',
  'projects.deleteWhat': '以下内容将被永久删除：\n• {seeds}\n• {runs}\n• {samples}\n• {documents}\n请先导出需要保留的内容。此操作无法撤销。',
  'projects.deleteSeeds.one': '{n} 条种子',
  'projects.deleteSeeds.other': '{n} 条种子',
  'projects.deleteRuns.one': '{n} 次运行',
  'projects.deleteRuns.other': '{n} 次运行',
  'projects.deleteSamples.one': '{n} 条生成的样本',
  'projects.deleteSamples.other': '{n} 条生成的样本',
  'projects.deleteConfirm': '删除项目',
  'projects.deleted': '已删除项目“{name}”。',
} as const;
