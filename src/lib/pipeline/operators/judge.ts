import { parseVerdict, type Verdict } from '../judgeParse';
import { VERDICT } from '../schemas';
import { render } from '../templates';
import type { Candidate, OpContext } from '../types';

export type JudgeResult = { ok: true; verdict: Verdict } | { ok: false; raw: string[]; why: string };

/**
 * LLM-as-judge, 1–5 on accuracy, completeness and usefulness. Retries a bounded number of times
 * when the reply has no readable score; then reports a failure with every raw reply.
 */
export async function judge(ctx: OpContext, cand: Candidate, retries: number): Promise<JudgeResult> {
  const prompt = render('judge.score', ctx.lang, { instruction: cand.input ? `${cand.instruction}\n\n${cand.input}` : cand.instruction, response: cand.output ?? '' }, ctx.templates);
  const raws: string[] = [];
  let why = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    const call = await ctx.call('judge', 'judge', 'judge.score', prompt, { temperature: attempt === 0 ? 0 : 0.3, maxTokens: 200, schema: VERDICT });
    cand.calls.push(call);
    raws.push(call.raw);
    const r = parseVerdict(call.raw);
    if (r.ok) return { ok: true, verdict: r.verdict };
    why = r.why;
  }
  return { ok: false, raw: raws, why };
}
