import { addTask, emptyCounts, type RunCounts, type RunStatus, type RunStore, type SampleDraft, type TaskDelta } from '../../src/lib/pipeline/types';

/** RunStore in memory, for the pipeline's Node tests (the Dexie one is tested in the browser). */
export class MemoryRunStore implements RunStore {
  samples: SampleDraft[] = [];
  completed = new Set<number>();
  pool: { task: number; text: string }[] = [];
  counts: RunCounts = emptyCounts(0);
  status: RunStatus = 'running';
  commits = 0;

  async progress() {
    return { completed: new Set(this.completed), pool: [...this.pool], counts: { ...this.counts } };
  }

  async commitTask(_runId: string, t: number, d: TaskDelta): Promise<void> {
    if (this.completed.has(t)) return;
    // Like IndexedDB's primary key: two samples with one id make the commit fail.
    const ids = new Set(this.samples.map((x) => `${x.key}`));
    for (const x of d.samples) {
      if (ids.has(x.key)) throw Object.assign(new Error(`duplicate sample key ${x.key}`), { name: 'ConstraintError' });
      ids.add(x.key);
    }
    this.commits++;
    this.completed.add(t);
    this.samples.push(...structuredClone(d.samples));
    for (const text of d.pool) this.pool.push({ task: t, text });
    this.counts = addTask(this.counts, d);
  }

  async setStatus(_runId: string, status: RunStatus, extra?: { wallMs?: number }): Promise<void> {
    this.status = status;
    if (extra?.wallMs) this.counts = { ...this.counts, wallMs: this.counts.wallMs + extra.wallMs };
  }
}
