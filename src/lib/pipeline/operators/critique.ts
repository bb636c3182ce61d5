import { render } from '../templates';
import type { Candidate, OpContext } from '../types';

/**
 * Critique and revise: the generator critiques the response, then rewrites it. The candidate
 * keeps the revision as its output and links the first response and the critique.
 */
export async function critiqueRevise(ctx: OpContext, cand: Candidate, maxTokens: number): Promise<void> {
  const response = cand.output ?? '';
  const c = await ctx.call('critique', 'generator', 'critique.critique', render('critique.critique', ctx.lang, { instruction: cand.instruction, response }, ctx.templates), { temperature: 0.3, maxTokens: 300 });
  const critique = c.raw.trim();
  const r = await ctx.call('revise', 'generator', 'critique.revise', render('critique.revise', ctx.lang, { instruction: cand.instruction, response, critique }, ctx.templates), { temperature: 0.3, maxTokens });
  cand.calls.push(c, r);
  const revised = r.raw.trim();
  cand.revisedFrom = { output: response, critique };
  if (revised) {
    cand.output = revised;
    cand.outputFrom = 'revision';
    // A verdict on the first response does not hold for the revision: judge it again.
    cand.verdict = null;
    cand.score = null;
  }
}
