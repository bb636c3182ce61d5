import type { Run, RunStatus, RunTaskLists } from '../../lib/db/types';
import type { RunBudget } from '../../lib/pipeline/budget';
import type { RunCounts } from '../../lib/pipeline/types';

/**
 * A `runs` row as SQLite holds it. The run's fixed fields are in `json`; what changes while it
 * goes on has columns (status, error, counts, updatedAt, budget) or tables of its own (runTasks, runPool),
 * so that a commit never rewrites the run's recipe and seed list.
 */
export interface RunRow {
  id: string;
  projectId: string;
  status: RunStatus;
  error: string | null;
  counts: string;
  createdAt: number;
  updatedAt: number;
  json: string;
  /** The run's RunBudget as JSON, or null (schema step 2). */
  budget: string | null;
}

/** The fields of a Run that `runs.json` leaves out. */
export type RunLive = 'status' | 'error' | 'counts' | 'updatedAt' | 'budget';

/** The app's Run row from a `runs` row (its tasks and pool stay in their tables, as the app's stay in runTasks). */
export function runFromRow(row: RunRow): Run {
  return {
    ...(JSON.parse(row.json) as Omit<Run, RunLive>),
    status: row.status,
    error: row.error,
    counts: JSON.parse(row.counts) as RunCounts,
    updatedAt: row.updatedAt,
    ...(row.budget ? { budget: JSON.parse(row.budget) as RunBudget } : {}),
  };
}

/** A Run split into the fixed part `runs.json` keeps and the live part the columns keep (lists a backup's run carries are dropped: runTasks and runPool hold them). */
export function splitRun(run: Run & Partial<RunTaskLists>): { fixed: Omit<Run, RunLive>; live: Pick<Run, RunLive> } {
  const { status, error, counts, updatedAt, budget, completed: _completed, pool: _pool, ...fixed } = run;
  return { fixed, live: { status, error, counts, updatedAt, budget } };
}
