import { alignAnswer, chunkToDoc, extractQuotes, findCitation } from '../../documents/cite';
import type { ChunkRef } from '../../documents/types';
import { parseVerdict } from '../judgeParse';
import { askJudge } from './judge';
import { GROUNDEDNESS } from '../schemas';
import { NOT_IN_TEXT, render } from '../templates';
import type { Candidate, OpContext } from '../types';

/**
 * Answers grounded on a document's chunk, and the check that they are (issue 14). Small models
 * drift from their source: the answerer is told to say NOT_IN_TEXT when the chunk lacks the
 * answer (that item is rejected as `unanswerable`, never answered), and to copy the sentence it
 * relies on; that quote must be found in the chunk (cite.ts), or the answer is rejected (an answer
 * with no quote at all passes when it restates sentences of the chunk, which it then cites). A second
 * verdict then scores whether every claim is supported.
 */

/** The text a task's questions are asked from and answered on: one chunk, or a chunk and the next (multi-chunk). */
export interface Grounding {
  chunks: ChunkRef[];
  /** The chunks' texts joined by a blank line: what the prompts show. */
  text: string;
}

export function grounding(chunks: ChunkRef[]): Grounding {
  return { chunks, text: chunks.map((c) => c.text).join('\n\n') };
}

/**
 * The answerer said the text does not contain the answer: the marker anywhere (also spelled with
 * spaces), or a reply that opens with 文中没有 / 文本中没有 / "The text does not".
 */
export function isNotInText(raw: string): boolean {
  return /NOT[\s_-]*IN[\s_-]*(?:THE[\s_-]*)?TEXT/.test(raw) || /^\W*(?:文中没有|文本中没有|原文中没有|the (?:text|passage) does not (?:contain|say|mention))/i.test(raw.trim());
}

const QUOTE_LINE = /^\s*\**\s*(?:quotes?|source|citation|引文|引用|出处|原文)\s*\**\s*[:：]\s*(.*)$/i;
const MARKS = /^["“”「『‘'\s]+|["”“」』’'\s]+$/g;

/**
 * Splits a grounded reply into the answer and its quotes: the lines that start with "Quote:"
 * (引文：/引用：/出处：) are quotes, the rest is the answer (a leading "Answer:"/"回答：" label
 * dropped). Without such a line, the answer's quoted passages ("…", “…”, 「…」) of 6 characters
 * or more are its quotes.
 */
export function splitQuotes(raw: string): { answer: string; quotes: string[] } {
  const quotes: string[] = [];
  const rest: string[] = [];
  for (const line of raw.split('\n')) {
    const m = QUOTE_LINE.exec(line);
    if (m) {
      const q = m[1]!.replace(MARKS, '').trim();
      if (q) quotes.push(q);
    } else rest.push(line);
  }
  const answer = rest
    .join('\n')
    .trim()
    .replace(/^\**\s*(?:answer|回答|答案|答)\s*\**\s*[:：]\s*/i, '')
    .trim();
  return { answer, quotes: quotes.length ? quotes : extractQuotes(answer) };
}

/**
 * Where a span of a grounding chunk's text lies in the document: through the chunk's pieces when
 * its text is not a plain slice (running headers cut out, a table header repeated), else at the
 * chunk's span start. A snapshot from before pieces existed whose text differs in length from its
 * span gives no offsets (they could point at other text).
 */
function docSpans(c: ChunkRef, start: number, end: number): [number, number][] {
  if (!c.pieces && c.text.length !== c.span[1] - c.span[0]) return [];
  return chunkToDoc(c, start, end);
}

/**
 * Where each quote lies in the document: the first chunk of the grounding that contains it, its
 * span(s) turned into offsets of the document's text (docSpans; a repeated table header maps
 * nowhere). Quotes found in no chunk are `unsupported`.
 */
export function locateQuotes(g: Grounding, quotes: string[]): { cited: [number, number][]; unsupported: string[] } {
  const cited: [number, number][] = [];
  const unsupported: string[] = [];
  for (const q of quotes) {
    let found = false;
    for (const c of g.chunks) {
      const r = findCitation(c, q);
      if (!r.supported) continue;
      found = true;
      for (const s of r.spans) cited.push(...docSpans(c, s.start, s.end));
      break;
    }
    if (!found) unsupported.push(q);
  }
  return { cited, unsupported };
}

/**
 * For an answer that quotes nothing: the chunk sentences it restates (cite.ts alignAnswer), as
 * document offsets, from the first chunk of the grounding where any is found. Small models often
 * drop the quote line yet answer from the text (the real TinyLlama did).
 */
export function alignedSpans(g: Grounding, answer: string): [number, number][] {
  for (const c of g.chunks) {
    const hits = alignAnswer(c.text, answer);
    if (!hits.length) continue;
    return hits.flatMap((h) => {
      // A chunk's first sentence runs from its heading lines ("# Care\n\n## Descaling\n\n…"): cite the sentence, not the headings.
      let start = h.start;
      for (;;) {
        const m = /^\s*#{1,6} [^\n]*\n+/.exec(c.text.slice(start, h.end));
        if (!m || start + m[0].length >= h.end) break;
        start += m[0].length;
      }
      return docSpans(c, start, h.end);
    });
  }
  return [];
}

export interface GroundedAnswerParams {
  temperature: number;
  maxTokens: number;
  requireQuote: boolean;
}

export type GroundedOutcome = { ok: true } | { ok: false; reason: 'unanswerable' | 'citationMissing' | 'citationNotFound' };

/**
 * The responder answers the candidate's question from the grounding only. On success the
 * candidate's output is the answer without its quote line(s), `notes.quotes` keeps the quotes and
 * `source.cited` their document offsets. An earlier answer (an evolution's elimination check,
 * written without the text) is replaced.
 */
export async function groundedAnswer(ctx: OpContext, cand: Candidate, g: Grounding, p: GroundedAnswerParams): Promise<GroundedOutcome> {
  const question = cand.input ? `${cand.instruction}\n\n${cand.input}` : cand.instruction;
  const prompt = render('grounded.answer', ctx.lang, { text: g.text, question }, ctx.templates);
  const call = await ctx.call('groundedAnswer', 'responder', 'grounded.answer', [{ role: 'user', content: prompt }], { temperature: p.temperature, maxTokens: p.maxTokens });
  cand.calls.push(call);
  const raw = call.raw.trim();
  cand.outputFrom = 'groundedAnswer';
  if (isNotInText(raw)) {
    // Never an answer: the marker is kept in the notes (and the lineage), the output stays empty.
    cand.output = null;
    cand.notes.answerRaw = raw;
    return { ok: false, reason: 'unanswerable' };
  }
  const { answer, quotes } = splitQuotes(raw);
  cand.output = answer || quotes.join('\n');
  cand.notes.quotes = quotes;
  if (!quotes.length) {
    // No quote: the sentences the answer restates stand for it (notes.citation says so); an answer
    // that restates none of the chunk cites nothing.
    const aligned = answer ? alignedSpans(g, answer) : [];
    if (aligned.length) {
      cand.notes.citation = 'aligned';
      if (cand.source) cand.source = { ...cand.source, cited: aligned };
      return { ok: true };
    }
    if (p.requireQuote) return { ok: false, reason: 'citationMissing' };
    return { ok: true };
  }
  cand.notes.citation = 'quoted';
  const { cited, unsupported } = locateQuotes(g, quotes);
  if (unsupported.length) {
    cand.notes.unsupportedQuotes = unsupported;
    return { ok: false, reason: 'citationNotFound' };
  }
  if (cand.source) cand.source = { ...cand.source, cited };
  return { ok: true };
}

export type GroundednessParse = { ok: true; score: number; unsupported: string; reason: string } | { ok: false; why: string };

/**
 * Reads a groundedness verdict: the score as judgeParse reads any verdict (JSON, "4/5", "评分：4分"),
 * the unsupported claim from the JSON's `unsupported` field, else an "Unsupported: …" line, else
 * the reply's first quoted passage; empty when none is named.
 */
export function parseGroundedness(raw: string): GroundednessParse {
  const v = parseVerdict(raw);
  if (!v.ok) return v;
  let unsupported = '';
  const m = /\{[\s\S]*\}/.exec(raw);
  if (m) {
    try {
      const j = JSON.parse(m[0]) as Record<string, unknown>;
      const u = j.unsupported ?? j.claim ?? j['不支持'];
      if (typeof u === 'string') unsupported = u.trim();
    } catch {
      /* the score came from the text */
    }
  }
  if (!unsupported) unsupported = /(?:^|\n)\s*(?:unsupported(?: claim)?|没有支持的说法|不支持的说法|无依据)\s*[:：]\s*(.+)/i.exec(raw)?.[1]?.trim() ?? '';
  if (!unsupported) unsupported = extractQuotes(raw)[0] ?? '';
  unsupported = unsupported.replace(MARKS, '').trim();
  if (/^(?:none|n\/a|无|没有)$/i.test(unsupported)) unsupported = '';
  // A full score names no unsupported claim: what the field holds then is the small judge's noise
  // (the real TinyLlama wrote {"score": 5, "unsupported": "} is the score and "}), not a claim.
  if (v.verdict.score >= 5) unsupported = '';
  return { ok: true, score: v.verdict.score, unsupported, reason: v.verdict.reason };
}

export type GroundedJudgeResult = { ok: true; score: number; unsupported: string; reason: string } | { ok: false; raw: string[]; why: string };

/** The judge's groundedness verdict (1–5), retried a bounded number of times when unreadable. */
export async function groundedJudge(ctx: OpContext, cand: Candidate, g: Grounding, retries: number): Promise<GroundedJudgeResult> {
  const question = cand.input ? `${cand.instruction}\n\n${cand.input}` : cand.instruction;
  const prompt = render('grounded.judge', ctx.lang, { text: g.text, question, answer: cand.output ?? '' }, ctx.templates);
  return askJudge(ctx, cand, { op: 'groundedJudge', template: 'grounded.judge', prompt, maxTokens: 160, schema: GROUNDEDNESS }, retries, parseGroundedness);
}
