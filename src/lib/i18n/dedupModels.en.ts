/** English strings of the embedding-model choice and the semantic-dedup refusal (spread into en.ts; every key must exist in dedupModels.zh.ts). */
export const dedupModelsEn = {
  'dedupModel.option': '{model} · {languages} · {size} MB',
  'dedupModel.lang.en': 'English',
  'dedupModel.lang.zh': 'Chinese',
  'dedupModel.lang.multi': 'multilingual',
  'dedupModel.refused.title': 'Semantic dedup was not run: {model} is made for English only.',
  'dedupModel.refused.why': '{percent} % of these texts are in Chinese. {model} does not tell Chinese sentences apart: on a human-labelled Chinese similarity set (Chinese STS-B, dev split), at the threshold {threshold}, {falseShare} % of the pairs it called duplicates were pairs people scored below 4 of 5. Only exact copies and near-copies were looked for below.',
  'dedupModel.offer': 'Use {model} ({size} MB)',
  'dedupModel.offerHelp': 'Made for {languages}. Downloaded once from {source} (the model source in Settings), then kept in this browser.',
  'dedupModel.source.huggingface': 'Hugging Face',
  'dedupModel.source.mirror': 'the mirror {url}',
  'dedupModel.source.local': 'the folder {path} on this site',
  'dedupModel.runAnyway': 'Run {model} anyway',
  'dedupModel.overridden': '{model} was run on text it is not made for, as you asked: expect false duplicates.',
  'dedupModel.lexicalOnly': 'Lexical pass only: the same text, or near-copies sharing at least {jaccard} of their three-character pieces. Nothing here depends on a model.',
  'dedupModel.thresholdCalibrated': 'Default threshold {threshold}: calibrated on {set} (precision {precision}, recall {recall} for pairs people scored 4 or 5).',
  'dedupModel.thresholdDefault': 'Default threshold {threshold}: a cautious default, not calibrated here.',
};
