import { parseVerdict, type Verdict } from '../judgeParse';
import { VERDICT } from '../schemas';
import { render } from '../templates';
import type { OutputSchema } from '../../engines/types';
import type { Candidate, OpContext } from '../types';

export type JudgeResult = { ok: true; verdict: Verdict } | { ok: false; raw: string[]; why: string };

/**
 * LLM-as-judge, 1–5 on accuracy, completeness and usefulness. Retries a bounded number of times
 * when the reply has no readable score; then reports a failure with every raw reply.
 */
export async function judge(ctx: OpContext, cand: Candidate, retries: number): Promise<JudgeResult> {
  const prompt = render('judge.score', ctx.lang, { instruction: cand.input ? `${cand.instruction}\n\n${cand.input}` : cand.instruction, response: cand.output ?? '' }, ctx.templates);
  return askJudge(ctx, cand, { op: 'judge', template: 'judge.score', prompt, maxTokens: 200, schema: VERDICT }, retries, (raw) => {
    const r = parseVerdict(raw);
    return r.ok ? { ok: true as const, verdict: r.verdict } : r;
  });
}

/**
 * Asks the judge until `read` can read its reply: the first call at temperature 0, then up to
 * `retries` more at 0.3, each kept in the candidate's lineage. Fails with every raw reply and why
 * the last one could not be read.
 */
export async function askJudge<T extends { ok: true }>(
  ctx: OpContext,
  cand: Candidate,
  ask: { op: string; template: string; prompt: string; maxTokens: number; schema: OutputSchema },
  retries: number,
  read: (raw: string) => T | { ok: false; why: string },
): Promise<T | { ok: false; raw: string[]; why: string }> {
  const raws: string[] = [];
  let why = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    const call = await ctx.call(ask.op, 'judge', ask.template, ask.prompt, { temperature: attempt === 0 ? 0 : 0.3, maxTokens: ask.maxTokens, schema: ask.schema });
    cand.calls.push(call);
    raws.push(call.raw);
    const r = read(call.raw);
    if (r.ok) return r;
    why = r.why;
  }
  return { ok: false, raw: raws, why };
}
