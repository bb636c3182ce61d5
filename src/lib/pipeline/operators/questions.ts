import { normalizeText } from '../../text/normalize';
import { sample } from '../../random';
import { questionsSchema } from '../schemas';
import { QUESTION_TYPES, render, type QuestionType } from '../templates';
import type { CallRecord, OpContext } from '../types';

/**
 * Questions from a document's chunk (issue 14; easy-dataset asks about one question per 240
 * characters): N questions scaled by the chunk's length, of the types the recipe asks for, in the
 * chunk's language. Each question becomes one candidate; the grounded answer and the groundedness
 * judge that follow read the same chunk.
 */
export interface QuestionsParams {
  tokensPerQuestion: number;
  minPerChunk: number;
  maxPerChunk: number;
  types: QuestionType[];
  temperature: number;
  maxTokens: number;
}

/** How many questions a chunk of `tokens` estimated tokens gets: one per `tokensPerQuestion`, within the bounds. */
export function questionsFor(tokens: number, p: Pick<QuestionsParams, 'tokensPerQuestion' | 'minPerChunk' | 'maxPerChunk'>): number {
  const n = Math.round(Math.max(0, tokens) / Math.max(1, p.tokensPerQuestion));
  return Math.max(p.minPerChunk, Math.min(p.maxPerChunk, n));
}

const MARKER = /^\s*(?:\(?\d{1,2}\s*[.)、:：]|[-*•·]|Q\s*\d*\s*[:：.]|(?:Question|问题)\s*\d*\s*[:：.])\s*/i;
const UNQUOTE = /^["“「『'‘*\s]+|["”」』'’*\s]+$/g;

/**
 * The questions in a reply, leniently: a JSON object `{"q1": …, "q2": …}` (what a constrained
 * engine writes), `{"questions": [...]}` or an array, else numbered or bulleted lines ("1. …", "2) …", "- …", "Q1: …",
 * "问题1：…"), else lines that end with a question mark. Empty, too short (under 5 characters)
 * and repeated questions (same normalised text) are dropped; the order is kept.
 */
export function parseQuestions(raw: string): string[] {
  const text = raw.trim();
  let items: string[] | null = null;
  const json = /[[{][\s\S]*[\]}]/.exec(text);
  if (json) {
    try {
      const j = JSON.parse(json[0]) as unknown;
      // {"q1": …, "q2": …} (the schema), {"questions": [...]}, or a bare array.
      const obj = j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : null;
      const arr = Array.isArray(j) ? j : Array.isArray(obj?.questions) ? (obj.questions as unknown[]) : obj ? Object.values(obj) : null;
      if (arr) items = arr.filter((x): x is string => typeof x === 'string');
    } catch {
      /* not JSON: read it as lines */
    }
  }
  if (!items) {
    // "1. A? 2. B?" on one line: each numbered question on its own line.
    const lines = text.replace(/([?？])[ \t]*(?=\d{1,2}\s*[.)、]\s*\S)/g, '$1\n').split('\n');
    const marked = lines.filter((l) => MARKER.test(l));
    items = (marked.length ? lines.filter((l, i) => MARKER.test(l) || (i === 0 && /[?？]\s*$/.test(l))) : lines.filter((l) => /[?？]\s*$/.test(l))).map((l) => l.replace(MARKER, ''));
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const q = item.replace(/\s+/g, ' ').replace(UNQUOTE, '').trim();
    if (q.length < 5 || /^(?:questions?|问题)\s*[:：]?$/i.test(q)) continue;
    const key = normalizeText(q);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(q);
  }
  return out;
}

/** The type asked for at each position: the recipe's types in an order drawn for the task, repeated. */
export function typesFor(ctx: Pick<OpContext, 'rng'>, types: readonly QuestionType[], n: number): QuestionType[] {
  const pool = types.length ? types : QUESTION_TYPES;
  const order = sample(ctx.rng, pool, pool.length);
  return Array.from({ length: n }, (_, i) => order[i % order.length]!);
}

/**
 * Asks the generator for `n` questions about `text`. Returns at most `n` (a model that writes more
 * does not change how many the chunk's length asked for), each with the type asked at its position.
 */
export async function askQuestions(ctx: OpContext, text: string, n: number, p: QuestionsParams): Promise<{ questions: { text: string; type: QuestionType }[]; call: CallRecord }> {
  const asked = typesFor(ctx, p.types, n);
  const sep = ctx.lang === 'zh' ? '；' : '; ';
  const types = [...new Set(asked)].map((t) => render(`questions.type.${t}`, ctx.lang, {}, ctx.templates)).join(sep);
  const persona = ctx.persona ? render('questions.persona', ctx.lang, { persona: ctx.persona }, ctx.templates) : '';
  const prompt = render('questions.generate', ctx.lang, { n: String(n), types, text, persona }, ctx.templates);
  const call = await ctx.call('questions', 'generator', 'questions.generate', prompt, { temperature: p.temperature, maxTokens: p.maxTokens, schema: questionsSchema(n) });
  const questions = parseQuestions(call.raw)
    .slice(0, n)
    .map((q, i) => ({ text: q, type: asked[i]! }));
  return { questions, call };
}
