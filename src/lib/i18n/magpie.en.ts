/**
 * English UI strings of Magpie (the recipe source that needs no seeds) and of reasoning traces in
 * exports (spread into en.ts; every key must exist in magpie.zh.ts).
 */
export const magpieEn = {
  'op.magpie': 'Magpie (instructions from the chat template alone, no seeds)',
  'plan.magpie.one': 'Writes {n} new instruction with Magpie, from the generator’s chat template alone (no seeds)',
  'plan.magpie.other': 'Writes {n} new instructions with Magpie, from the generator’s chat template alone (no seeds)',
  'param.system': 'System prompt before the user turn (empty: the template’s own)',
  'magpie.help':
    'Magpie sends the generator only its chat template’s text up to where a user’s message starts; an instruction-tuned model then writes a plausible request by itself, which the next steps answer and filter. It needs raw text completion: a local model (wllama, WebLLM) or an endpoint marked as serving /completions (vLLM, llama.cpp server). Hosted chat APIs cannot run it.',
  'magpie.blocked.noRawCompletion':
    'Magpie needs a generator that completes raw text: assign a local model (wllama, WebLLM) or an endpoint marked as serving /completions (vLLM, llama.cpp server) to the generator role. Hosted chat APIs cannot run it.',
  'magpie.endpoint.rawCompletion': 'Serves raw text completion at /completions (vLLM, llama.cpp server): Magpie can use it',
  'label.op.magpie': 'Magpie: instruction from the chat template',
  'label.template.magpie.query': 'Magpie: the chat template up to the user’s message',
  'label.reason.magpie:empty': 'The model wrote no instruction after the template’s user turn',
  'label.reason.magpie:tooShort': 'The instruction the model wrote was too short',
  'label.reason.magpie:tooLong': 'The instruction the model wrote was too long',
  'label.reason.magpie:unsuitable': 'The instruction asked for something a text model cannot do',
  'label.reason.magpie:startsWithPunctuation': 'The instruction began with punctuation',
  'label.reason.magpie:noLetters': 'The instruction had no words',
  'label.fix.magpie:empty': 'Use an instruction-tuned chat model as generator, or raise the temperature.',
  'label.fix.magpie:tooShort': 'Use a stronger chat model as generator.',
  'label.fix.magpie:tooLong': 'Lower the step’s max tokens, or use a stronger chat model.',
  'label.fix.magpie:unsuitable': 'Nothing to fix: such tasks are dropped on purpose.',
  'label.fix.magpie:startsWithPunctuation': 'Use an instruction-tuned chat model as generator.',
  'label.fix.magpie:noLetters': 'Use an instruction-tuned chat model as generator.',
  'export.reasoning': 'Reasoning traces',
  'export.reasoning.drop': 'Drop (answers only)',
  'export.reasoning.think': 'Before the answer in <think>…</think> (DeepSeek-R1, LLaMA-Factory)',
  'export.reasoning.field': 'As a separate reasoning field',
  'export.reasoning.help': 'Reasoning models’ thinking is kept per call. OpenAI JSONL has no place for a separate field: there it is dropped. The dataset card says which was chosen.',
} as const;
