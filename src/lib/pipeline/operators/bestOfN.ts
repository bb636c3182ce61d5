import type { Candidate, OpContext, SampleDraft } from '../types';
import { newCandidate } from '../types';
import { judge } from './judge';
import { respond } from './respond';

/**
 * Rejection sampling: N responses, each judged; the best K are kept (ties: the earlier one). The
 * others become rejected samples ('bestOfN:notSelected'), unjudgeable ones 'judgeFailed'.
 */
export async function bestOfN(
  ctx: OpContext,
  cand: Candidate,
  p: { n: number; k: number; temperature: number; maxTokens: number; judgeRetries: number },
  taskIndex: number,
): Promise<{ kept: Candidate[]; rejected: SampleDraft[] }> {
  const tries: { c: Candidate; score: number | null; failed: string | null }[] = [];
  for (let i = 0; i < p.n; i++) {
    const c = newCandidate(ctx.nextKey(), { ...cand, calls: [...cand.calls], notes: { ...cand.notes, bestOfN: i }, parentKey: cand.key });
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
