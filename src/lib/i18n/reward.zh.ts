import type { rewardEn } from './reward.en';

/** 奖励模型打分（issue 16 第 5 项，pipeline/operators/reward.ts）的中文：步骤名、参数及选项、跳过原因和淘汰原因。 */
export const rewardZh: Record<keyof typeof rewardEn, string> = {
  'op.reward': '奖励模型打分',
  'param.api': '奖励模型接口',
  'param.url': '奖励模型服务地址',
  'param.rewardModel': '奖励模型',
  'param.apiKeyEnv': '密钥环境变量（命令行）',
  'param.keep': '保留方式',
  'param.minReward': '奖励分 ≥ 此值才保留',
  'param.share': '每条的回答保留比例',
  'reward.api.score': 'vLLM /score（交叉编码器、重排模型）',
  'reward.api.pooling': 'vLLM /pooling（奖励模型）',
  'reward.api.classify': 'vLLM /classify（分类模型）',
  'reward.api.chat': '以对话补全返回分数（NVIDIA NIM）',
  'reward.keep.threshold': '高于阈值',
  'reward.keep.topShare': '每条中分数最高的一部分',
  'reward.none': '未配置奖励模型：此步骤会被跳过（不打分、不淘汰），填写服务地址和模型后才会运行。',
  'reward.help': '用 vLLM 提供的奖励模型（或以对话补全返回分数的服务）为每条指令和回答打分，分数与评审分并列保存。分值尺度由模型决定：请按所用模型设定阈值。',
  'reward.local': '暂不提供本地 GGUF 奖励模型：wllama 可用重排 GGUF 排序（createRerank，pooling 为 “rank”），但应用每个引擎只加载一个对话模型，没有重排模型的位置；而奖励模型的单分数输出头也不是 llama.cpp 的重排模型。请改用 vLLM 提供服务。',
  'reward.keyApp': '密钥环境变量只有命令行会读取：请用 npx seedforge run 运行此配方，或对无需密钥的服务清空此项。',
  'label.reason.rewardLow': '奖励模型给回答的分数低于配方的阈值，或不在保留的比例之内',
  'label.fix.rewardLow': '降低奖励步骤的阈值或提高保留比例，或换用更强的回答模型。',
};
