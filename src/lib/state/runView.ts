import type { Run } from '../db/types';
import type { RunCounts, RunStatus } from '../pipeline/types';

/**
 * How the run list shows one run. The stored row of a running run is written when the run is
 * created (status "paused") and when items commit; the live view (this tab's run or another
 * tab's, from their events) is newer. Once the list said "Paused — can be resumed · 0 of 10
 * items" for a whole 13-minute run while the panel above said Running.
 */
export interface RunRowView {
  status: RunStatus;
  counts: RunCounts;
  live: boolean;
}

export function runRowView(run: Pick<Run, 'id' | 'status' | 'counts'>, live: { runId: string; status: RunStatus; counts: RunCounts | null }[]): RunRowView {
  const stored = run.counts;
  const l = live.find((x) => x && x.runId === run.id);
  if (!l) return { status: run.status as RunStatus, counts: stored, live: false };
  // Counts never go backwards: the live counts win unless the stored row is further on.
  const counts = l.counts && l.counts.done >= stored.done ? l.counts : stored;
  return { status: l.status, counts, live: l.status === 'running' };
}

/**
 * The rejection reasons of a run, most frequent first (ties by id, so the order is stable), with
 * how many samples each rejected. The counts are samples: one item can give several.
 */
export function topReasons(counts: Pick<RunCounts, 'reasons'>, n = 3): { id: string; samples: number }[] {
  return Object.entries(counts.reasons)
    .filter(([, k]) => k > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([id, samples]) => ({ id, samples }));
}

/** Samples written so far (accepted + rejected); `done`/`total` count items. */
export function sampleCount(c: Pick<RunCounts, 'accepted' | 'rejected'>): number {
  return c.accepted + c.rejected;
}
