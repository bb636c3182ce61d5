/**
 * English words of multi-turn conversations (issue 16, operators/multiTurn.ts): the recipe step and
 * its parameters, the ids its samples and calls carry, and the drawer's conversation. Spread into
 * en.ts; every key must exist in multiTurn.zh.ts.
 */
export const multiTurnEn = {
  'op.multiTurn': 'Multi-turn (grow the exchange into a conversation)',
  'param.minTurns': 'Fewest turns (exchanges, the first included)',
  'param.maxTurns': 'Most turns',
  'param.followUpTokens': 'Max follow-up tokens',
  'param.drift': 'End the conversation at an off-topic turn',
  'label.op.multiTurn': 'Multi-turn conversation',
  'label.op.multiTurn:followUp': "Multi-turn: the user's follow-up",
  'label.op.multiTurn:answer': "Multi-turn: the assistant's answer",
  'label.op.multiTurn:judgeTurn': 'Multi-turn: judge one turn',
  'label.op.multiTurn:judge': 'Multi-turn: judge the conversation',
  'label.template.multiTurn.followUp': 'Multi-turn: write the follow-up',
  'label.template.multiTurn.persona': 'Multi-turn: persona line',
  'label.template.multiTurn.judgeTurn': 'Multi-turn: grade a turn (on topic? 1–5)',
  'label.template.multiTurn.judge': 'Multi-turn: grade the conversation',
  'label.reason.multiTurn:repeat': 'The conversation repeated an earlier turn before it had enough turns',
  'label.reason.multiTurn:drift': 'The conversation drifted off its topic before it had enough turns',
  'label.reason.multiTurn:empty': 'A model wrote an empty follow-up or answer',
  'label.reason.multiTurn:judgeFailed': "The judge's verdict on a turn was unreadable (no score or no topic judgement)",
  'label.fix.multiTurn:repeat': 'Raise the ROUGE-L threshold, raise the temperature, or lower the fewest turns.',
  'label.fix.multiTurn:drift': 'Use a stronger generator, lower the fewest turns, or turn the off-topic check off.',
  'label.fix.multiTurn:empty': 'Raise the max tokens, or use another model for the generator or responder.',
  'label.fix.multiTurn:judgeFailed': 'Turn constrained output on, raise the retries, or use a stronger judge.',
  'review.conversation': 'Conversation',
  'review.conversationHelp': '{turns} of {planned} turns drawn',
  'review.turn': 'Turn {turn}',
  'review.turnUser': 'User',
  'review.turnAssistant': 'Assistant',
  'review.turnVerdict': 'score {score}, {topic}',
  'review.turnOnTopic': 'on topic',
  'review.turnOffTopic': 'off topic',
  'review.turnStopped': 'Stopped at turn {turn}: {reason}',
  'review.turnEliminated': 'Eliminated turn {turn}',
};
