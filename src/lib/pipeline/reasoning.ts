import { splitReasoning, TEMPLATE_OPENS_THINK } from '../engines/structured';
import type { CallRecord } from './types';

/**
 * Reasoning traces, from the call to the exported file. Engines return reasoning apart from the
 * answer (`reasoning_content`, Anthropic thinking) or inside it (`<think>…</think>` from local
 * models); run.ts splits it off each call once (engines/structured.ts splitReasoning, which this
 * module reuses) and keeps it per call in the lineage (CallRecord.reasoning). Here: which call's
 * reasoning belongs to a sample's answer, and how an export writes it.
 */

/**
 * How an export writes a sample's reasoning: `drop` (the default: the answer alone), `think`
 * (`<think>\n…\n</think>\n\n` before the answer, the DeepSeek-R1 / LLaMA-Factory
 * `enable_thinking` layout), `field` (a `reasoning` field or column beside the answer; '' where
 * none; OpenAI JSONL, whose lines carry `messages` only, has no place for it and drops it).
 */
export const REASONING_MODES = ['drop', 'think', 'field'] as const;
export type ReasoningMode = (typeof REASONING_MODES)[number];

/** A reply split into its answer and its reasoning ('' when none), with the model's own convention. */
export function splitReply(text: string, model = ''): { answer: string; reasoning: string } {
  return splitReasoning(text, TEMPLATE_OPENS_THINK.test(model));
}

/**
 * The reasoning behind a sample's answer: the one of the last call (not a judge's) whose answer is
 * the sample's output. '' when that call had none, or when no call wrote the output as it stands
 * (a person edited it, or it is a seed's): reasoning that led to other text would mislabel it.
 */
export function answerReasoning(calls: readonly CallRecord[], output: string): string {
  const want = output.trim();
  if (!want) return '';
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i]!;
    if (c.role !== 'judge' && c.raw.trim() === want) return c.reasoning?.trim() ?? '';
  }
  return '';
}

/** The answer as the `think` mode writes it: the reasoning in one think block, a blank line, the answer. */
export function withThink(answer: string, reasoning: string): string {
  return reasoning ? `<think>\n${reasoning}\n</think>\n\n${answer}` : answer;
}

/**
 * An export item with its reasoning written as `mode` says: `think` moves it into the output,
 * `field` keeps it (as '' when none: one schema per file), `drop` removes it.
 */
export function placeReasoning<T extends { output: string; reasoning?: string }>(item: T, mode: ReasoningMode): T {
  const { reasoning = '', ...rest } = item;
  if (mode === 'think') return { ...rest, output: withThink(item.output, reasoning) } as T;
  if (mode === 'field') return { ...rest, reasoning } as T;
  return rest as T;
}
