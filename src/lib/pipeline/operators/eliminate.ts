import { asksForApology, isRefusal } from '../filters';
import { SCAFFOLDING } from '../templates';
import { lengthUnits, rougeTokens } from '../../text/language';

/**
 * Evol-Instruct's elimination (WizardLM §3.3): an evolution failed when
 *  1. it brings no information gain over its parent (an LLM says the two are equal),
 *  2. the response to it contains "sorry" (or 抱歉/对不起/无法) and is short (< 80 words, or
 *     characters for Chinese) — unless the instruction asked for an apology (see hardToAnswer),
 *  3. the response is only punctuation and stop words,
 *  4. it copies words of the rewrite prompt's scaffolding.
 */
export type EliminationReason = 'evol:noGain' | 'evol:hardToAnswer' | 'evol:emptyResponse' | 'evol:scaffolding';

export function copiesScaffolding(evolved: string): boolean {
  const t = evolved.toLowerCase();
  return SCAFFOLDING.some((w) => t.includes(w));
}

const SORRY = /sorry|抱歉|对不起|无法/i;
export const SHORT_RESPONSE_UNITS = 80;

/**
 * Criterion 2, as WizardLM states it — a short response (< 80 words, characters for Chinese)
 * that contains "sorry" (抱歉, 对不起, 无法) — with the filters' refusal shapes (filters.ts
 * isRefusal) applied: when the instruction asks for an apology ("a message saying sorry",
 * 道歉信), the apology words are the answer, and only a refusal ("I'm sorry, but I can't help
 * with that") makes the evolution hard to answer. A short reply shaped as a refusal ("As an AI, I
 * cannot provide…") is hard to answer too, with or without the word.
 */
export function hardToAnswer(response: string, instruction = ''): boolean {
  if (lengthUnits(response) >= SHORT_RESPONSE_UNITS) return false;
  if (isRefusal(response, instruction)) return true;
  return SORRY.test(response) && !asksForApology(instruction);
}

const STOP_EN = new Set(
  'a an the and or but if then so of to in on at by for with from as is are was were be been being it its this that these those i you he she we they me him her us them my your his our their not no yes do does did have has had will would can could shall should may might must ok okay'.split(' '),
);
const STOP_ZH = new Set('的 了 是 在 和 也 就 都 而 及 与 着 或 一 个 我 你 他 她 它 们 这 那 有 没 不 吗 呢 吧 啊 哦 嗯 好 对'.split(' '));

export function onlyPunctuationAndStopwords(response: string): boolean {
  const tokens = rougeTokens(response);
  return tokens.every((t) => STOP_EN.has(t) || STOP_ZH.has(t));
}

/** The equality judge's answer: 'equal' (no gain), 'notEqual', or null when it said neither. */
export function parseEquality(raw: string): 'equal' | 'notEqual' | null {
  const t = raw.trim().toLowerCase();
  if (/not\s+equal|unequal|不相同|不一样|不同|不相等/.test(t)) return 'notEqual';
  if (/\bequal\b|相同|一样|相等/.test(t)) return 'equal';
  return null;
}
