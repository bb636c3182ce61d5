import type { Sample } from '../db/types';
import { parseVerdict } from '../pipeline/judgeParse';
import type { CallRecord } from '../pipeline/types';
import type { PairSide, PairSource, PreferencePair } from './types';

/**
 * Builds preference pairs from what a run stores (METHODS.md, preference data). Pure: samples in,
 * pairs out, the same pairs (ids included) for the same samples, so that the app's store and the
 * command line build alike and building twice changes nothing.
 *
 * Every side is the text a model wrote, with the score the judge gave that text: a later human
 * edit (kept as `lineage.human[].before`) does not change what a best-of-N or judge pair compares,
 * it makes an `edit` pair of its own. The chosen side always comes from an accepted sample (a
 * best answer that a later filter rejected is no good example); samples a contamination check
 * marked are in no pair (their text repeats an eval item).
 */

/** The sources the builder knows (`turn`: the last answer of a multi-turn conversation answered several times). */
export const PAIR_SOURCES = ['bestOfN', 'critique', 'edit', 'judge', 'turn'] as const satisfies readonly PairSource[];

export interface PairOptions {
  /**
   * How the answers to one prompt pair up (best-of-N and judge groups): `bestWorst`, the best
   * against the worst; `margin`, every two answers whose score gap is at least `margin`.
   */
  mode: 'bestWorst' | 'margin';
  /** The least score gap of a `margin` pair (judge scores are 1–5). Ties never pair, whatever the mode. */
  margin: number;
  sources: readonly PairSource[];
}

export const DEFAULT_PAIR_OPTIONS: PairOptions = { mode: 'bestWorst', margin: 1, sources: PAIR_SOURCES };

/** Bad options: says which field and what it takes. */
export class PairOptionsError extends Error {
  override name = 'PairOptionsError';
}

/** @throws PairOptionsError for a negative or non-finite margin or an unknown mode or source. */
export function checkPairOptions(o: PairOptions): PairOptions {
  if (o.mode !== 'bestWorst' && o.mode !== 'margin') throw new PairOptionsError(`mode must be 'bestWorst' or 'margin', not '${String(o.mode)}'`);
  if (!Number.isFinite(o.margin) || o.margin < 0) throw new PairOptionsError(`margin must be a number ≥ 0 (score points), not ${String(o.margin)}`);
  const bad = o.sources.find((s) => !(PAIR_SOURCES as readonly string[]).includes(s));
  if (bad) throw new PairOptionsError(`unknown pair source '${bad}': use ${PAIR_SOURCES.join(', ')}`);
  return o;
}

/** A pair as the builder makes it: the stored row less its status and times (the store sets those). */
export type PairDraft = Omit<PreferencePair, 'status' | 'createdAt' | 'updatedAt'>;

/** The ops whose call wrote an answer: its reasoning is the answer's. */
const ANSWER_OPS = new Set(['respond', 'bestOfN:respond', 'revise', 'groundedAnswer']);

const humanOf = (s: Sample) => (Array.isArray(s.lineage.human) ? s.lineage.human : []);
const callsOf = (s: Sample) => (Array.isArray(s.lineage.calls) ? s.lineage.calls : []);
/** Best-of-N's index of the answer (notes.bestOfN), or -1 for any other sample. */
const bestOfNOf = (s: Sample) => (typeof s.lineage.notes?.bestOfN === 'number' ? s.lineage.notes.bestOfN : -1);

/** The sample's text as the model left it: before the first human edit, else as it is. */
export function modelText(s: Sample): { instruction: string; input: string; output: string } {
  const before = humanOf(s).find((h) => h.kind === 'edit' && h.before)?.before;
  return before ?? { instruction: s.instruction, input: s.input, output: s.output };
}

/** The reasoning of the last answer call at or before `upTo` (exclusive index), where it returned one. */
function reasoningOf(calls: CallRecord[], upTo = calls.length): string | undefined {
  for (let i = upTo - 1; i >= 0; i--) if (ANSWER_OPS.has(calls[i]!.op)) return calls[i]!.reasoning || undefined;
  return undefined;
}

function side(s: Sample, text: string, score: number | null, reasoning?: string): PairSide {
  return { text, score, sampleId: s.id, ...(reasoning ? { reasoning } : {}) };
}

const same = (a: string, b: string) => a.trim() === b.trim();
const gapOf = (a: number | null, b: number | null) => (a !== null && b !== null ? Math.round((a - b) * 1000) / 1000 : null);
const usable = (s: Sample) => !s.contamination;
/**
 * A conversation's score is the whole conversation's while its `output` is the first answer: the
 * answer-level sources (best-of-N, judge, critique) would compare unlike scores, so they leave
 * conversations to the `turn` source.
 */
const singleTurn = (s: Sample) => !s.lineage.notes?.multiTurn;

/**
 * The pairs of one run's samples (pairs never cross runs: a pair is deleted with its run). Pass a
 * run's samples whole: a group split across calls pairs differently.
 * @throws PairOptionsError for bad options.
 */
export function buildPairs(samples: readonly Sample[], options: PairOptions = DEFAULT_PAIR_OPTIONS): PairDraft[] {
  const o = checkPairOptions(options);
  const want = new Set(o.sources);
  const byRun = new Map<string, Sample[]>();
  for (const s of samples) if (usable(s)) byRun.set(s.runId, [...(byRun.get(s.runId) ?? []), s]);
  const out: PairDraft[] = [];
  for (const runId of [...byRun.keys()].sort()) {
    // Id order: the pairs (and the best of equal scores) do not depend on the order rows were read in.
    const run = byRun.get(runId)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const answers = run.filter(singleTurn);
    if (want.has('bestOfN')) out.push(...bestOfNPairs(answers, o));
    if (want.has('critique')) out.push(...answers.flatMap((s) => critiquePair(s) ?? []));
    if (want.has('edit')) out.push(...run.flatMap((s) => editPair(s) ?? []));
    if (want.has('judge')) out.push(...judgePairs(answers, o));
    if (want.has('turn')) out.push(...run.flatMap((s) => turnPairs(s, o)));
  }
  return out;
}

/**
 * Which of one prompt's answers pair up, by the options' mode. Scores are the model text's; two
 * answers with the same text (or one answer with itself) never pair.
 */
function rank(chosen: Sample[], rejected: Sample[], o: PairOptions): [Sample, Sample][] {
  const score = (s: Sample) => s.score!;
  const apart = (a: Sample, b: Sample) => a !== b && !same(modelText(a).output, modelText(b).output);
  if (o.mode === 'margin') {
    const out: [Sample, Sample][] = [];
    for (const a of chosen) for (const b of rejected) if (apart(a, b) && score(a) > score(b) && score(a) - score(b) >= o.margin - 1e-9) out.push([a, b]);
    return out;
  }
  // The best (the earlier of equal scores) against the worst other one (the later of equal scores).
  const best = chosen.reduce<Sample | null>((m, s) => (m === null || score(s) > score(m) ? s : m), null);
  if (!best) return [];
  const worst = rejected.filter((s) => apart(best, s)).reduce<Sample | null>((m, s) => (m === null || score(s) <= score(m) ? s : m), null);
  return worst && score(best) > score(worst) ? [[best, worst]] : [];
}

function groupPairs(source: 'bestOfN' | 'judge', groups: Map<string, Sample[]>, o: PairOptions, choosable: (s: Sample) => boolean, rejectable: (s: Sample) => boolean, reason: (a: Sample, b: Sample, n: number) => string): PairDraft[] {
  const out: PairDraft[] = [];
  for (const group of groups.values()) {
    const scored = group.filter((s) => s.score !== null);
    for (const [a, b] of rank(scored.filter(choosable), scored.filter(rejectable), o)) {
      const ta = modelText(a);
      const tb = modelText(b);
      out.push({
        id: `${source}:${a.id}>${b.id}`,
        projectId: a.projectId,
        runId: a.runId,
        sampleId: a.id,
        source,
        prompt: { system: '', instruction: ta.instruction, input: ta.input },
        chosen: side(a, ta.output, a.score, reasoningOf(callsOf(a))),
        rejected: side(b, tb.output, b.score, reasoningOf(callsOf(b))),
        gap: gapOf(a.score, b.score),
        reason: reason(a, b, group.length),
      });
    }
  }
  return out;
}

/** One group per best-of-N call: the N answers share their task, parent and prompt (operators/bestOfN.ts). */
function bestOfNPairs(run: Sample[], o: PairOptions): PairDraft[] {
  const groups = new Map<string, Sample[]>();
  for (const s of run) {
    if (bestOfNOf(s) < 0) continue;
    const t = modelText(s);
    const key = [s.lineage.taskIndex, s.parentId, s.seedId, t.instruction, t.input].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  // The earlier answer first: the best of equal scores is the one bestOfN.ts kept.
  for (const g of groups.values()) g.sort((a, b) => bestOfNOf(a) - bestOfNOf(b));
  return groupPairs('bestOfN', groups, o, (s) => s.status === 'accepted', () => true, (a, b, n) =>
    o.mode === 'margin' ? `best-of-${n} answers scored ${a.score} and ${b.score}: gap ${gapOf(a.score, b.score)} ≥ margin ${o.margin}` : `best of ${n}: score ${a.score} against ${b.score}`,
  );
}

/**
 * Accepted against judge-rejected (`lowScore`) answers to one instruction within a run (several
 * copies per seed, or the same instruction reached twice). Best-of-N answers are left to their own source.
 */
function judgePairs(run: Sample[], o: PairOptions): PairDraft[] {
  const groups = new Map<string, Sample[]>();
  for (const s of run) {
    if (bestOfNOf(s) >= 0) continue;
    const t = modelText(s);
    const key = `${t.instruction.trim()}\u0000${t.input.trim()}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return groupPairs('judge', groups, o, (s) => s.status === 'accepted', (s) => s.status === 'rejected' && s.rejectReason === 'lowScore', (a, b) => `accepted with score ${a.score}; the judge rejected the other answer with ${b.score}`);
}

/**
 * The score the judge gave the first response before critique-and-revise: the last readable
 * verdict between the answer call and the critique call (the operator resets the score on revision).
 */
function scoreBeforeRevision(calls: CallRecord[]): { score: number | null; critiqueAt: number } {
  let critiqueAt = -1;
  for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.op === 'critique') { critiqueAt = i; break; }
  let score: number | null = null;
  for (let i = critiqueAt - 1; i >= 0 && !ANSWER_OPS.has(calls[i]!.op); i--) {
    if (calls[i]!.op !== 'judge') continue;
    const v = parseVerdict(calls[i]!.raw);
    if (v.ok) { score = v.verdict.score; break; }
  }
  return { score, critiqueAt };
}

/** The revision against the first response, when both were judged and the revision scored higher. */
function critiquePair(s: Sample): PairDraft | null {
  const from = s.lineage.revisedFrom;
  if (s.status !== 'accepted' || s.lineage.outputFrom !== 'revision' || typeof from?.output !== 'string' || s.score === null) return null;
  const calls = callsOf(s);
  const { score, critiqueAt } = scoreBeforeRevision(calls);
  const t = modelText(s);
  if (score === null || !(s.score > score) || same(t.output, from.output)) return null;
  return {
    id: `critique:${s.id}`,
    projectId: s.projectId,
    runId: s.runId,
    sampleId: s.id,
    source: 'critique',
    prompt: { system: '', instruction: t.instruction, input: t.input },
    chosen: side(s, t.output, s.score, reasoningOf(calls)),
    rejected: side(s, from.output, score, critiqueAt >= 0 ? reasoningOf(calls, critiqueAt) : undefined),
    gap: gapOf(s.score, score),
    reason: `critique and revision: the revision scored ${s.score}, the first response ${score}`,
  };
}

/** A person's edit of the answer against the model's text it replaced (the prompt as edited). */
function editPair(s: Sample): PairDraft | null {
  if (s.status !== 'accepted') return null;
  const model = modelText(s);
  if (!humanOf(s).some((h) => h.kind === 'edit') || same(model.output, s.output) || !s.output.trim()) return null;
  return {
    id: `edit:${s.id}`,
    projectId: s.projectId,
    runId: s.runId,
    sampleId: s.id,
    source: 'edit',
    prompt: { system: '', instruction: s.instruction, input: s.input },
    chosen: side(s, s.output, null),
    rejected: side(s, model.output, s.score, reasoningOf(callsOf(s))),
    gap: null,
    reason: 'edited by hand: the edited answer against the model’s',
  };
}

/**
 * The last answer of a conversation whose last exchange was answered several times (the multi-turn
 * step's `lastTurnAnswers`) against the other answers to the same user message, each side with its
 * turn verdict's score: by the options' mode (margin: every lower one the margin below; bestWorst:
 * the lowest, the later of equal scores). Ties, unscored alternatives and the same text never pair.
 * The prompt is the conversation before the answer.
 */
function turnPairs(s: Sample, o: PairOptions): PairDraft[] {
  const mt = s.lineage.notes?.multiTurn;
  const alternatives = mt?.lastTurnAlternatives;
  const turns = s.turns;
  const last = mt?.turns.at(-1);
  const kept = last?.verdict?.score;
  if (s.status !== 'accepted' || !alternatives?.length || !turns?.length || turns.at(-1)!.role !== 'assistant' || typeof kept !== 'number') return [];
  const chosenText = turns.at(-1)!.content;
  const lower = alternatives
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => a.score !== null && kept > a.score && !same(a.text, chosenText) && (o.mode !== 'margin' || kept - a.score >= o.margin - 1e-9));
  const worst = lower.reduce<(typeof lower)[number] | null>((m, x) => (m === null || x.a.score! <= m.a.score! ? x : m), null);
  const picked = o.mode === 'margin' ? lower : worst ? [worst] : [];
  const calls = callsOf(s);
  const theirs = new Set(alternatives.flatMap((a) => a.calls));
  // The kept answer's call: the last turn's answer call that is no alternative's.
  const keptCall = last!.calls.find((i) => calls[i]?.op === 'multiTurn:answer' && !theirs.has(i));
  const reasoningAt = (i: number | undefined) => (i === undefined ? undefined : calls[i]?.reasoning || undefined);
  const n = alternatives.length + 1;
  return picked.map(({ a, i }) => ({
    id: `turn:${s.id}>${i}`,
    projectId: s.projectId,
    runId: s.runId,
    sampleId: s.id,
    source: 'turn' as const,
    prompt: { system: '', instruction: s.instruction, input: s.input, turns: turns.slice(0, -1) },
    chosen: side(s, chosenText, kept, reasoningAt(keptCall)),
    rejected: side(s, a.text, a.score, reasoningAt(a.calls.find((c) => calls[c]?.op === 'multiTurn:answer'))),
    gap: gapOf(kept, a.score),
    reason: o.mode === 'margin' ? `last turn answered ${n} times: scored ${kept} and ${a.score}, gap ${gapOf(kept, a.score)} ≥ margin ${o.margin}` : `last turn answered ${n} times: score ${kept} against ${a.score}`,
  }));
}
