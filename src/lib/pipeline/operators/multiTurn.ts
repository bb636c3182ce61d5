import type { ChatTurn } from '../../db/types';
import { parseVerdict, type Verdict } from '../judgeParse';
import type { Step } from '../recipe';
import { maxRougeL } from '../rouge';
import { TURN_VERDICT, VERDICT } from '../schemas';
import { render } from '../templates';
import { detectLang, type Lang } from '../../text/language';
import type { CallRecord, Candidate, OpContext } from '../types';
import { askJudge } from './judge';

export type MultiTurnStep = Extract<Step, { op: 'multiTurn' }>;

/** Why a conversation stopped growing before the number of turns drawn for it. */
export type StopReason = 'multiTurn:repeat' | 'multiTurn:drift' | 'multiTurn:empty' | 'multiTurn:judgeFailed';

/** The judge's verdict on one turn: the verdict and whether the user's message stayed on topic. */
export interface TurnVerdict extends Verdict {
  onTopic: boolean;
}

/**
 * One turn's lineage (turn 1 is the exchange the conversation started from; its calls are the
 * earlier steps'). `calls`: indices into the candidate's calls. An eliminated turn keeps its
 * text here — it is not in the conversation — with why it was eliminated.
 */
export interface TurnLineage {
  turn: number;
  calls: number[];
  verdict: TurnVerdict | null;
  /** The highest ROUGE-L against an earlier turn of the same side, and that turn. */
  rougeL: { score: number; match: string | null } | null;
  eliminated?: { reason: StopReason; user: string; assistant: string | null; judgeRaw?: string[] };
}

/** What the candidate's `notes.multiTurn` holds (the sample's lineage.notes.multiTurn). */
export interface MultiTurnLineage {
  /** Exchanges drawn for this conversation (minTurns..maxTurns). */
  planned: number;
  lang: Lang;
  turns: TurnLineage[];
  /** The turn at which it stopped early, and why; null when it reached `planned`. */
  stopped: { turn: number; reason: StopReason } | null;
  /**
   * With `lastTurnAnswers` > 1, the last exchange's other answers to the same user message (the
   * best one is in the conversation): the text, the turn verdict's score (null: unusable — empty,
   * a repeat, unjudgeable or off-topic) and `calls` (indices into the candidate's calls). The
   * `turn` preference pairs are built from them (preference/build.ts).
   */
  lastTurnAlternatives?: LastTurnAlternative[];
}

export interface LastTurnAlternative {
  text: string;
  score: number | null;
  calls: number[];
}

export type MultiTurnResult = { ok: true } | { ok: false; reason: string };

const SPEAKER: Record<Lang, { user: string; assistant: string }> = {
  en: { user: 'User', assistant: 'Assistant' },
  zh: { user: '用户', assistant: '助手' },
};

/** A conversation as the prompts quote it: one "User:" / "Assistant:" block per message. */
export function conversationText(turns: readonly ChatTurn[], lang: Lang): string {
  const sep = lang === 'zh' ? '：' : ': ';
  return turns
    .filter((t) => t.role !== 'system')
    .map((t) => `${SPEAKER[lang][t.role as 'user' | 'assistant']}${sep}${t.content}`)
    .join('\n\n');
}

/**
 * A follow-up as small models write it, cleaned: the speaker label the prompt ends with ("User:",
 * "用户："), quotes around the whole message, and anything after a second speaker label (a model
 * that goes on to write the assistant's answer too).
 */
export function cleanFollowUp(raw: string): string {
  let t = raw.trim();
  t = t.replace(/^(?:\*\*)?(?:user|human|follow-up|用户|追问)(?:\*\*)?\s*[:：]\s*/i, '');
  const next = /\n\s*(?:\*\*)?(?:assistant|ai|助手|用户|user)(?:\*\*)?\s*[:：]/i.exec(t);
  if (next) t = t.slice(0, next.index);
  t = t.trim();
  const q = /^["“「](.*)["”」]$/s.exec(t);
  return (q ? q[1]! : t).trim();
}

/** Why a turn verdict with a score is still unreadable (the drawer words it: i18n labels.ts judgeWhyLabel). */
export const NO_TOPIC = 'no topic judgement in the reply';

/**
 * Reads a turn verdict: the verdict as judgeParse reads it, and `onTopic` from the JSON (true /
 * false, or "yes" / "no") — or, in free text, from words that say it ("off-topic", "跑题"). A reply
 * that does not say whether the turn is on topic is unreadable: drift is never guessed.
 */
export function parseTurnVerdict(raw: string): { ok: true; verdict: TurnVerdict } | { ok: false; why: string } {
  const v = parseVerdict(raw);
  if (!v.ok) return v;
  let onTopic: boolean | null = null;
  const m = /"on_?topic"\s*:\s*("?)(true|false|yes|no)\1/i.exec(raw);
  if (m) onTopic = /^(?:true|yes)$/i.test(m[2]!);
  else if (/\boff[- ]topic\b|跑题|偏题|离题|偏离(?:了)?话题/i.test(raw)) onTopic = false;
  else if (/\bon[- ]topic\b|切题|没有跑题|仍在话题/i.test(raw)) onTopic = true;
  if (onTopic === null) return { ok: false, why: NO_TOPIC };
  return { ok: true, verdict: { ...v.verdict, onTopic } };
}

/** One answer to a turn's user message: its text, calls, verdict, and why it cannot be kept (null: it can). */
interface AnswerTry {
  text: string;
  calls: number[];
  rougeL: { score: number; match: string | null } | null;
  verdict: TurnVerdict | null;
  failed: { reason: StopReason; assistant: string | null; judgeRaw?: string[] } | null;
}

/**
 * The responder's answer to `user` after `turns`, checked (empty, a repeat of an earlier answer)
 * and judged with the turn verdict; off-topic fails it where the step checks drift.
 */
async function answerTurn(ctx: OpContext, cand: Candidate, step: MultiTurnStep, turns: ChatTurn[], conversation: string, user: string, earlier: string[], userRepeat: number): Promise<AnswerTry> {
  const calls: number[] = [];
  const answer = await ctx.call('multiTurn:answer', 'responder', 'respond.answer', [...turns, { role: 'user', content: user }], { temperature: step.temperature, maxTokens: step.maxTokens });
  cand.calls.push(answer);
  calls.push(cand.calls.length - 1);
  const text = answer.raw.trim();
  const out: AnswerTry = { text, calls, rougeL: null, verdict: null, failed: null };
  if (!text) return { ...out, failed: { reason: 'multiTurn:empty', assistant: text } };
  const answerRepeat = maxRougeL(text, earlier);
  if (answerRepeat.score > userRepeat) out.rougeL = answerRepeat;
  if (answerRepeat.score > step.rougeThreshold) return { ...out, failed: { reason: 'multiTurn:repeat', assistant: text } };
  const before = cand.calls.length;
  const judged = await askJudge(
    ctx,
    cand,
    { op: 'multiTurn:judgeTurn', template: 'multiTurn.judgeTurn', prompt: render('multiTurn.judgeTurn', ctx.lang, { conversation, question: user, response: text }, ctx.templates), maxTokens: 200, schema: TURN_VERDICT },
    step.retries,
    parseTurnVerdict,
  );
  for (let i = before; i < cand.calls.length; i++) calls.push(i);
  if (!judged.ok) return { ...out, failed: { reason: 'multiTurn:judgeFailed', assistant: text, judgeRaw: judged.raw } };
  out.verdict = judged.verdict;
  if (step.drift && !judged.verdict.onTopic) return { ...out, failed: { reason: 'multiTurn:drift', assistant: text } };
  return out;
}

/**
 * Grows a candidate's exchange into a conversation (the user's follow-ups by the generator, in
 * the conversation's language and, where the recipe has personas, as the task's persona; the
 * answers by the responder, given the whole conversation as chat messages), judging each turn,
 * then the whole. Sets `cand.turns`, `cand.verdict` / `cand.score` (the conversation's) and
 * `cand.notes.multiTurn` (the lineage per turn). The number of exchanges is drawn from the task's
 * randomness, so a resumed task grows the same conversation: a task is one conversation, committed
 * whole or redone.
 */
export async function multiTurn(ctx: OpContext, cand: Candidate, step: MultiTurnStep): Promise<MultiTurnResult> {
  const first: ChatTurn[] = [
    { role: 'user', content: cand.input ? `${cand.instruction}\n\n${cand.input}` : cand.instruction },
    { role: 'assistant', content: cand.output ?? '' },
  ];
  const planned = step.minTurns + Math.floor(ctx.rng() * (step.maxTurns - step.minTurns + 1));
  const lang = detectLang(first[0]!.content);
  const lineage: MultiTurnLineage = { planned, lang, turns: [{ turn: 1, calls: [], verdict: null, rougeL: null }], stopped: null };
  cand.notes.multiTurn = lineage;
  const turns = [...first];
  cand.turns = turns;
  if (!cand.output?.trim()) {
    lineage.stopped = { turn: 1, reason: 'multiTurn:empty' };
    return { ok: false, reason: 'multiTurn:empty' };
  }
  const lctx: OpContext = { ...ctx, lang };
  const persona = ctx.persona ? render('multiTurn.persona', lang, { persona: ctx.persona }, ctx.templates) : '';
  const side = (role: 'user' | 'assistant') => turns.filter((t) => t.role === role).map((t) => t.content);
  const record = (turn: TurnLineage, call: CallRecord) => {
    cand.calls.push(call);
    turn.calls.push(cand.calls.length - 1);
  };

  for (let n = 2; n <= planned; n++) {
    const turn: TurnLineage = { turn: n, calls: [], verdict: null, rougeL: null };
    lineage.turns.push(turn);
    const stop = (reason: StopReason, user: string, assistant: string | null, judgeRaw?: string[]) => {
      turn.eliminated = { reason, user, assistant, ...(judgeRaw ? { judgeRaw } : {}) };
      lineage.stopped = { turn: n, reason };
    };
    const conversation = conversationText(turns, lang);
    const ask = await lctx.call('multiTurn:followUp', 'generator', 'multiTurn.followUp', render('multiTurn.followUp', lang, { conversation, persona }, ctx.templates), {
      temperature: step.temperature,
      maxTokens: step.followUpTokens,
    });
    record(turn, ask);
    const user = cleanFollowUp(ask.raw);
    if (!user) {
      stop('multiTurn:empty', user, null);
      break;
    }
    const userRepeat = maxRougeL(user, side('user'));
    turn.rougeL = userRepeat;
    if (userRepeat.score > step.rougeThreshold) {
      stop('multiTurn:repeat', user, null);
      break;
    }
    // The last exchange may be answered several times (distinct sampling seeds: every call has its
    // own), each answer judged; the best usable one (highest score, ties → the first) is kept.
    const tries: AnswerTry[] = [];
    for (let i = 0; i < (n === planned ? step.lastTurnAnswers : 1); i++) tries.push(await answerTurn(lctx, cand, step, turns, conversation, user, side('assistant'), userRepeat.score));
    for (const t of tries) turn.calls.push(...t.calls);
    const best = tries.reduce<AnswerTry | null>((m, t) => (!t.failed && t.verdict && (m === null || t.verdict.score > m.verdict!.score) ? t : m), null);
    if (!best) {
      const f = tries[0]!;
      if (f.rougeL) turn.rougeL = f.rougeL; // set only where it beats the follow-up's
      if (f.verdict) turn.verdict = f.verdict;
      stop(f.failed!.reason, user, f.failed!.assistant, f.failed!.judgeRaw);
      break;
    }
    if (best.rougeL) turn.rougeL = best.rougeL;
    turn.verdict = best.verdict;
    if (tries.length > 1) lineage.lastTurnAlternatives = tries.filter((t) => t !== best).map((t) => ({ text: t.text, score: t.verdict && !t.failed ? t.verdict.score : null, calls: t.calls }));
    const assistant = best.text;
    turns.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
  }

  const exchanges = turns.length / 2;
  if (exchanges < step.minTurns) return { ok: false, reason: lineage.stopped?.reason ?? 'multiTurn:empty' };
  const whole = await askJudge(
    lctx,
    cand,
    { op: 'multiTurn:judge', template: 'multiTurn.judge', prompt: render('multiTurn.judge', lang, { conversation: conversationText(turns, lang) }, ctx.templates), maxTokens: 200, schema: VERDICT },
    step.retries,
    (raw) => {
      const r = parseVerdict(raw);
      return r.ok ? { ok: true as const, verdict: r.verdict } : r;
    },
  );
  if (!whole.ok) {
    cand.notes.judgeRaw = whole.raw;
    cand.notes.judgeWhy = whole.why;
    return { ok: false, reason: 'judgeFailed' };
  }
  cand.verdict = whole.verdict;
  cand.score = whole.verdict.score;
  return (cand.score ?? 0) < step.minScore ? { ok: false, reason: 'lowScore' } : { ok: true };
}
