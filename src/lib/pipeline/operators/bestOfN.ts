import type { Candidate, OpContext, SampleDraft } from '../types';
import { newCandidate } from '../types';
import { judge } from './judge';
import { respond } from './respond';

/**
 * Rejection sampling: N responses, each judged; the best K are kept (ties: the earlier one). The
 * others become rejected samples ('bestOfN:notSelected'), unjudgeable ones 'judgeFailed'. The N
 * answers replace the candidate (the first one under its key) and keep its parentKey and seedId.
 */
export async function bestOfN(
  ctx: OpContext,
  cand: Candidate,
  p: { n: number; k: number; temperature: number; maxTokens: number; judgeRetries: number },
  taskIndex: number,
): Promise<{ kept: Candidate[]; rejected: SampleDraft[] }> {
  const tries: { c: Candidate; score: number | null; failed: string | null }[] = [];
  for (let i = 0; i < p.n; i++) {
    // The N answers stand in for the candidate, which is never stored: the first takes its key,
    // so a later round that evolved it points at a stored sample with its instruction, and all
    // share its parent (once they pointed at the candidate's key, which no sample had).
    const c = newCandidate(i === 0 ? cand.key : ctx.nextKey(), { ...cand, calls: [...cand.calls], notes: { ...cand.notes, bestOfN: i } });
    await respond(ctx, c, p.temperature, p.maxTokens, 'bestOfN:respond');
    const v = await judge(ctx, c, p.judgeRetries);
    if (v.ok) {
      c.verdict = v.verdict;
      c.score = v.verdict.score;
      tries.push({ c, score: v.verdict.score, failed: null });
    } else {
      c.notes.judgeRaw = v.raw;
      tries.push({ c, score: null, failed: v.why });
    }
  }
  const ranked = tries.filter((t) => t.score !== null).sort((a, b) => b.score! - a.score!);
  const kept = new Set(ranked.slice(0, p.k).map((t) => t.c));
  return {
    kept: tries.filter((t) => kept.has(t.c)).map((t) => t.c),
    rejected: tries
      .filter((t) => !kept.has(t.c))
      .map((t) => ({ ...t.c, status: 'rejected' as const, rejectReason: t.failed ? 'judgeFailed' : 'bestOfN:notSelected', taskIndex })),
  };
}
