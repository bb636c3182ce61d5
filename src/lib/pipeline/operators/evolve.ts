import { weighted } from '../../random';
import { EQUALITY } from '../schemas';
import { DEPTH_METHODS, render } from '../templates';
import type { CallRecord, Candidate, OpContext, SampleDraft } from '../types';
import { newCandidate } from '../types';
import { copiesScaffolding, hardToAnswer, onlyPunctuationAndStopwords, parseEquality, type EliminationReason } from './eliminate';
import { respond } from './respond';

/**
 * Evol-Instruct (Xu et al. 2023): each round rewrites the current instruction with one in-depth
 * operation or an in-breadth creation, then eliminates failed evolutions. A failed evolution is
 * kept as a rejected sample with its reason, and its parent goes back into the pool: the next
 * round evolves the parent again.
 */
export type EvolOp = keyof typeof DEPTH_METHODS | 'breadth';
export const EVOL_OPS: EvolOp[] = ['addConstraint', 'deepen', 'concretize', 'increaseReasoning', 'complicateInput', 'breadth'];

export interface EvolveParams {
  rounds: number;
  weights: Record<EvolOp, number>;
  eliminate: boolean;
  temperature: number;
  responseTemperature: number;
  maxTokens: number;
}

/** The rewritten instruction from a reply: the text after the scaffolding label, unquoted. */
export function cleanEvolved(raw: string): string {
  // Small models often echo the prompt's tail ("#The Given Prompt#: … #Rewritten Prompt#: …"):
  // the rewrite is what follows the last output label. Scaffolding words left after that still
  // eliminate the evolution (criterion 4).
  const labels = [...raw.matchAll(/(?:#?\s*(?:Rewritten|Created) Prompt\s*#?|#?(?:改写后的提示|创作的提示)#?)\s*[:：]/gi)];
  const last = labels.at(-1);
  const text = last ? raw.slice(last.index! + last[0].length) : raw;
  return text
    .trim()
    .replace(/^["“]|["”]$/g, '')
    .trim();
}

/**
 * One rewrite. `maxTokens` bounds the rewritten instruction: at most 400 tokens (an instruction
 * plus the 10–20 words a rewrite adds), and no more than the step's answer length, so a small
 * model's preset with short answers also gets short rewrites.
 */
export async function evolveOnce(ctx: OpContext, parent: Candidate, op: EvolOp, temperature: number, maxTokens = 400): Promise<{ text: string; call: CallRecord }> {
  const persona = ctx.persona ? render('evol.persona', ctx.lang, { persona: ctx.persona }, ctx.templates) : '';
  const base = parent.input ? `${parent.instruction}\n\n${parent.input}` : parent.instruction;
  const template = op === 'breadth' ? 'evol.breadth' : 'evol.depth';
  const prompt = render(template, ctx.lang, { method: op === 'breadth' ? '' : render(`evol.method.${op}`, ctx.lang, {}, ctx.templates), instruction: base, persona }, ctx.templates);
  const call = await ctx.call(`evol:${op}`, 'generator', template, prompt, { temperature, maxTokens: Math.min(400, maxTokens) });
  return { text: cleanEvolved(call.raw), call };
}

/** Criterion 1: asks the generator whether the evolution equals its parent. */
async function noGain(ctx: OpContext, parent: string, evolved: string): Promise<{ same: boolean | null; call: CallRecord }> {
  const prompt = render('evol.equal', ctx.lang, { first: parent, second: evolved }, ctx.templates);
  const call = await ctx.call('evol:equal', 'generator', 'evol.equal', prompt, { temperature: 0, maxTokens: 16, schema: EQUALITY });
  const v = parseEquality(call.raw);
  return { same: v === null ? null : v === 'equal', call };
}

export async function evolveChain(ctx: OpContext, start: Candidate, p: EvolveParams, taskIndex: number): Promise<{ evolved: Candidate[]; failed: SampleDraft[] }> {
  const evolved: Candidate[] = [];
  const failed: SampleDraft[] = [];
  let current = start;
  for (let round = 1; round <= p.rounds; round++) {
    const op = weighted(ctx.rng, p.weights);
    const { text, call } = await evolveOnce(ctx, current, op, p.temperature, p.maxTokens);
    const cand = newCandidate(ctx.nextKey(), {
      instruction: text,
      input: '',
      seedId: current.seedId,
      parentKey: current.key,
      operation: `evol:${op}`,
      round,
      persona: ctx.persona,
      // A question from a document stays grounded on its chunk (its quotes are found again by the grounded answer).
      source: current.source ? { ...current.source, cited: [] } : null,
    });
    cand.calls.push(call);
    let reason: EliminationReason | null = null;
    if (p.eliminate) {
      if (!text || copiesScaffolding(text)) reason = 'evol:scaffolding';
      else {
        const { same, call: eq } = await noGain(ctx, current.instruction, text);
        cand.calls.push(eq);
        // An unreadable equality answer does not eliminate: only a clear "equal" does.
        cand.notes.equality = same === null ? 'unparsed' : same ? 'equal' : 'notEqual';
        if (same) reason = 'evol:noGain';
        else {
          await respond(ctx, cand, p.responseTemperature, p.maxTokens, 'evol:response');
          cand.outputFrom = 'evol:elimination';
          if (hardToAnswer(cand.output ?? '', cand.instruction)) reason = 'evol:hardToAnswer';
          else if (onlyPunctuationAndStopwords(cand.output ?? '')) reason = 'evol:emptyResponse';
        }
      }
    }
    if (reason) {
      failed.push({ ...cand, status: 'rejected', rejectReason: reason, taskIndex });
      continue; // the parent stays current: it goes back into the pool
    }
    evolved.push(cand);
    current = cand;
  }
  return { evolved, failed };
}

