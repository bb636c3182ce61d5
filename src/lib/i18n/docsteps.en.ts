/**
 * English words of the recipe steps that make data from documents (issue 14): their names in the
 * step list, their parameters, the question types and the two presets. Spread into en.ts; every
 * key must exist in docsteps.zh.ts.
 */
export const docstepsEn = {
  'preset.docQA': 'Q&A from documents',
  'preset.docQAEvol': 'Q&A from documents + Evol',
  'op.questions': 'Questions from chunks (the tasks are the documents’ chunks)',
  'op.groundedAnswer': 'Grounded answer (from the chunk only, with a quote)',
  'op.groundedJudge': 'Groundedness judge (is every claim in the chunk? 1–5)',
  'param.tokensPerQuestion': 'One question per this many tokens of chunk',
  'param.minPerChunk': 'Fewest questions per chunk',
  'param.maxPerChunk': 'Most questions per chunk',
  'param.types': 'Question types',
  'param.multiChunk': 'Share of questions across two adjacent chunks (0–1)',
  'param.requireQuote': 'Reject answers that quote nothing from the chunk',
  'questionType.factual': 'Factual',
  'questionType.reasoning': 'Why / how',
  'questionType.comparison': 'Comparison',
  'questionType.summary': 'Summary',
  'questionType.application': 'Application to a case',
};
