import type { Run, RunTaskLists, RunTaskRow } from './types';

/**
 * A run's committed tasks between their two shapes: the `runTasks` rows the store keeps (one small
 * row per task, written by the commit that adds the task's samples) and the lists a backup file's
 * run line and the dataset card use (and that run rows held before version 9). Pure: the schema's
 * upgrade, the repository and the restore all convert through these.
 */

/**
 * The rows for a run's completed tasks, each with the Self-Instruct instructions that task added.
 * A task listed twice gives one row; pool entries keep their order within a task. A pool entry
 * whose task is not completed is dropped: it cannot happen (a task's pool and its completion were
 * written in one transaction), and a row for it would mark an unfinished task done.
 */
export function toTaskRows(runId: string, lists: RunTaskLists): RunTaskRow[] {
  const pools = new Map<number, string[]>();
  for (const p of lists.pool) {
    const texts = pools.get(p.task);
    if (texts) texts.push(p.text);
    else pools.set(p.task, [p.text]);
  }
  const rows: RunTaskRow[] = [];
  for (const task of new Set(lists.completed)) {
    const pool = pools.get(task);
    rows.push(pool ? { runId, task, pool } : { runId, task });
  }
  return rows;
}

/** The lists of a run's task rows, in task order (the order an uninterrupted run commits Self-Instruct tasks in). */
export function toTaskLists(rows: readonly RunTaskRow[]): RunTaskLists {
  const sorted = [...rows].sort((a, b) => a.task - b.task);
  const completed = sorted.map((r) => r.task);
  const pool: RunTaskLists['pool'] = [];
  for (const r of sorted) for (const text of r.pool ?? []) pool.push({ task: r.task, text });
  return { completed, pool };
}

/** A run row without the lists a backup (or a version-8 row) carries beside it. */
export function withoutTaskLists(run: Run & Partial<RunTaskLists>): Run {
  const { completed: _completed, pool: _pool, ...row } = run;
  return row;
}
