import { render } from '../templates';
import type { Candidate, OpContext } from '../types';

/** Writes the responder's answer to a candidate's instruction (and input). */
export async function respond(ctx: OpContext, cand: Candidate, temperature: number, maxTokens: number, op = 'respond'): Promise<string> {
  const prompt = render('respond.answer', ctx.lang, { instruction: cand.instruction, input: cand.input }, ctx.templates);
  const call = await ctx.call(op, 'responder', 'respond.answer', [{ role: 'user', content: prompt }], { temperature, maxTokens });
  cand.calls.push(call);
  cand.output = call.raw.trim();
  cand.outputFrom = 'responder';
  return cand.output;
}
