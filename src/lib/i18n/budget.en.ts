/** English words of the run's budget cap (pipeline/budget.ts): the Run screen's inputs and the paused run's message. */
export const budgetEn = {
  'budget.title': 'Budget',
  'budget.help': 'The run pauses before a model call could go over a cap, counting the calls in flight. Leave a cap empty for none.',
  'budget.maxSpend': 'Max spend',
  'budget.maxSpendHelp': 'In the currency of your endpoints’ prices (per million tokens, set on the Models screen). Local models cost nothing.',
  'budget.maxTokens': 'Max tokens',
  'budget.maxTokensHelp': 'Prompt and answer tokens together, every model of the run.',
  'budget.noPrices': 'A spend cap needs the prices of {name}: set them on the Models screen, or cap tokens instead.',
  'budget.reached': 'Budget reached: spent {spent} of {cap} — raise the cap to continue.',
  'budget.reachedTokens': 'Budget reached: used {spent} of {cap} tokens — raise the cap to continue.',
  'budget.alert': 'The budget is reached and the run is paused: raise its cap in the list below to continue.',
  'budget.pricesMissing': 'The run is paused: a spend cap needs the prices of every remote endpoint it uses. Set them on the Models screen, or cap tokens instead, then resume.',
  'budget.raiseSpend': 'New max spend',
  'budget.raiseTokens': 'New max tokens',
  'budget.raiseResume': 'Raise and resume',
  'budget.notAbove': 'The new cap must be above what was spent.',
  'budget.spent': 'Spent so far: {spend} · {tokens} tokens',
};
