/**
 * English words of reward-model scoring (issue 16 item 5, pipeline/operators/reward.ts): the Reward
 * step's name, its parameters and their choices, why it is skipped, and its reject reason; and the
 * trainer handoff's (item 6: the export's train/validation split and LLaMA-Factory's dataset_info.json).
 */
export const rewardEn = {
  'op.reward': 'Reward model score',
  'param.api': 'Reward API',
  'param.url': 'Reward server URL',
  'param.rewardModel': 'Reward model',
  'param.apiKeyEnv': 'Key environment variable (command line)',
  'param.keep': 'Keep',
  'param.minReward': 'Keep when reward ≥',
  'param.share': 'Share of each item’s answers kept',
  'reward.api.score': 'vLLM /score (cross-encoder, reranker)',
  'reward.api.pooling': 'vLLM /pooling (reward model)',
  'reward.api.classify': 'vLLM /classify (classifier)',
  'reward.api.chat': 'Chat completions returning a score (NVIDIA NIM)',
  'reward.keep.threshold': 'Above a threshold',
  'reward.keep.topShare': 'Top share of each item',
  'reward.none': 'No reward model configured: this step is skipped (nothing is scored or removed) until it has a server URL and a model.',
  'reward.help': 'Scores each instruction and answer with a reward model served by vLLM (or a server that answers a chat completion with a score); the score is kept beside the judge’s. The scale is the model’s own: set the threshold for the model you use.',
  'reward.local': 'Local GGUF reward models are not offered: wllama can rank with a reranker GGUF (createRerank, pooling “rank”), but the app loads one chat model per engine and has no reranker slot, and a reward model’s single-score head is not a llama.cpp reranker. Serve it with vLLM instead.',
  'reward.keyApp': 'A key variable is read only by the command line: run this recipe with npx seedforge run, or clear it for a server that takes no key.',
  'label.op.reward': 'Reward model: score the answer',
  'label.reason.rewardLow': 'The reward model scored the answer below the recipe’s threshold, or outside the share kept',
  'label.fix.rewardLow': 'Lower the Reward step’s threshold or raise the share kept, or use a stronger responder.',
  'handoff.split': 'Split into train and validation files',
  'handoff.validationShare': 'Validation share',
  'handoff.splitBy': 'Stratify by',
  'handoff.splitBy.operation': 'Operation',
  'handoff.splitBy.label': 'Label (seeds: first tag)',
  'handoff.help': 'The split is seeded by the selection seed; items with the same instruction (ignoring case, punctuation and spaces) stay on one side. The validation file is downloaded beside the train file.',
  'handoff.download': 'Download dataset_info.json (LLaMA-Factory)',
  'handoff.none': 'LLaMA-Factory cannot read this format, so no dataset_info.json is offered.',
  'reward.scoreIs': 'Reward model score: {score} ({model})',
  'reward.skipped': 'Reward step skipped: {why}',
};
