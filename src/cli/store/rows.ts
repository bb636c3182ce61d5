import type { Run, RunStatus } from '../../lib/db/types';
import type { RunBudget } from '../../lib/pipeline/budget';

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
export type RunLive = 'status' | 'error' | 'counts' | 'completed' | 'pool' | 'updatedAt' | 'budget';

/** The app's Run row from a `runs` row and its completed tasks and pool (read by the caller, on its connection). */
export function runFromRow(row: RunRow, completed: number[], pool: { task: number; text: string }[]): Run {
  return {
    ...(JSON.parse(row.json) as Omit<Run, RunLive>),
    status: row.status,
    error: row.error,
    counts: JSON.parse(row.counts) as Record<string, unknown>,
    completed,
    pool,
    updatedAt: row.updatedAt,
    ...(row.budget ? { budget: JSON.parse(row.budget) as RunBudget } : {}),
  };
}

/** A Run split into the fixed part `runs.json` keeps and the live part the columns and tables keep. */
export function splitRun(run: Run): { fixed: Omit<Run, RunLive>; live: Pick<Run, RunLive> } {
  const { status, error, counts, completed, pool, updatedAt, budget, ...fixed } = run;
  return { fixed, live: { status, error, counts, completed, pool, updatedAt, budget } };
}
