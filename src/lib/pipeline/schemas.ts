import type { JsonSchema, OutputSchema } from '../engines/types';

/**
 * One schema per fixed shape the pipeline asks a model for. Engines hold the answer to it with
 * their own mechanism (engines/structured.ts); the lenient parsers still read the text, so an
 * engine that cannot constrain (or a recipe that turns constraints off) still works.
 */

const score = { type: 'integer', minimum: 1, maximum: 5 } as const;

/** The judge's verdict. The reason is bounded so that a constrained small model cannot ramble past maxTokens. */
export const VERDICT: OutputSchema = {
  name: 'verdict',
  schema: {
    type: 'object',
    properties: {
      accuracy: score,
      completeness: score,
      usefulness: score,
      score,
      reason: { type: 'string', minLength: 1, maxLength: 300 },
    },
    required: ['accuracy', 'completeness', 'usefulness', 'score', 'reason'],
    additionalProperties: false,
  },
};

/** Evol-Instruct's elimination criterion 1: are the two instructions equal? */
export const EQUALITY: OutputSchema = {
  name: 'equality',
  schema: {
    type: 'object',
    properties: { judgement: { type: 'string', enum: ['Equal', 'Not Equal'] } },
    required: ['judgement'],
    additionalProperties: false,
  },
};

/**
 * A Self-Instruct instance: an input (empty when the task needs none) and its output. Bounded to
 * fit the 512 tokens the operator allows (English at about 4 characters a token): a grammar-held
 * answer cut inside its JSON string would not parse.
 */
export const INSTANCE: OutputSchema = {
  name: 'instance',
  schema: {
    type: 'object',
    properties: { input: { type: 'string', maxLength: 500 }, output: { type: 'string', minLength: 1, maxLength: 1200 } },
    required: ['input', 'output'],
    additionalProperties: false,
  },
};

/**
 * `n` questions asked from a chunk, as `{"q1": …, "q2": …}`: the schemas the engines hold answers
 * to have no arrays, and fixed keys make the model write exactly as many as the chunk's length
 * asked for. Each bounded so that a constrained small model cannot run one past the token limit.
 */
export function questionsSchema(n: number): OutputSchema {
  const keys = Array.from({ length: Math.max(1, n) }, (_, i) => `q${i + 1}`);
  return {
    name: `questions${keys.length}`,
    schema: {
      type: 'object',
      properties: Object.fromEntries(keys.map((k) => [k, { type: 'string', minLength: 5, maxLength: 300 }])),
      required: keys,
      additionalProperties: false,
    },
  };
}

/** The groundedness verdict: a score and the first unsupported claim (empty when none). */
export const GROUNDEDNESS: OutputSchema = {
  name: 'groundedness',
  schema: {
    type: 'object',
    properties: { score, unsupported: { type: 'string', maxLength: 300 } },
    required: ['score', 'unsupported'],
    additionalProperties: false,
  },
};

/**
 * The judge's verdict on one turn of a conversation (operators/multiTurn.ts): whether the user's
 * follow-up stays on the conversation's topic (asked first, so a constrained model decides it
 * before it grades), then the verdict's fields.
 */
const verdictObject = VERDICT.schema as Extract<JsonSchema, { type: 'object' }>;
export const TURN_VERDICT: OutputSchema = {
  name: 'turnVerdict',
  schema: {
    type: 'object',
    properties: { onTopic: { type: 'boolean' }, ...verdictObject.properties },
    required: ['onTopic', ...verdictObject.required],
    additionalProperties: false,
  },
};
