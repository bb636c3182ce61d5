import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { remotePool } from '../../src/lib/engines/remote/pool';
import { PRESETS, validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import type { TaskDelta } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';

/**
 * The pipeline at scale over HTTP: Answer + judge on 600 seeds, 256 tasks in flight, every role on
 * a pool of two fake endpoints that fail one request in five (429 + Retry-After, 500, a stall that
 * only the client's timeout ends, a stream cut short). Nothing may be lost or committed twice, and
 * retries stay within the policy.
 */

/** Counts every commit of every task, so that a second commit (which the store ignores) still shows. */
class CountingStore extends MemoryRunStore {
  commitsOf = new Map<number, number>();
  override async commitTask(runId: string, t: number, d: TaskDelta): Promise<void> {
    this.commitsOf.set(t, (this.commitsOf.get(t) ?? 0) + 1);
    return super.commitTask(runId, t, d);
  }
}

const SEEDS = 600;
const seeds: SeedRef[] = Array.from({ length: SEEDS }, (_, i) => ({ id: `seed-${i}`, instruction: `Explain idea number ${i} in two sentences for a newcomer.`, input: '', output: '' }));
const maxRetries = 8;
const maxFailovers = 1;

let a: FakeLlm;
let b: FakeLlm;
beforeAll(async () => {
  // 300 ms per answer: the calls are in flight at the servers, not queued in this process's event
  // loop, however busy the machine (at 0–5 ms the count at the servers measured the CPU instead).
  a = await startFakeLlm({ latencyMs: 300, faults: 0.2, faultSeed: 1, retryAfterS: 0.05, record: false });
  b = await startFakeLlm({ latencyMs: 300, faults: 0.2, faultSeed: 2, retryAfterS: 0.05, record: false });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('a run at 256 in flight against two faulty endpoints', () => {
  it('completes: every task committed once, every sample with its calls, bounded retries', async () => {
    const parsed = validateRecipe(PRESETS.answerJudge);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const pool = remotePool(
      [a.url, b.url],
      { id: 'scale', name: 'Fake', kind: 'openai', model: 'fake-model', policy: { ...DEFAULT_POLICY, concurrency: 128, timeoutMs: 3000, maxRetries, baseDelayMs: 10, maxDelayMs: 100 } },
      'k',
      openaiDialect,
      { maxFailovers, backoffBaseMs: 200 },
    );
    const store = new CountingStore();
    const failedTasks: string[] = [];
    const counts = await runRecipe({
      runId: 'scale',
      recipe: parsed.recipe,
      seeds,
      engines: { generator: pool, responder: pool, judge: pool },
      store,
      concurrency: pool.maxConcurrency,
      onEvent: (e) => void (e.type === 'taskFailed' && failedTasks.push(`${e.task}: ${e.name} ${e.message}`)),
    });
    expect(pool.maxConcurrency).toBe(256);

    // 0 lost, 0 duplicated.
    expect(failedTasks).toEqual([]);
    expect(counts.done).toBe(SEEDS);
    expect([...store.commitsOf.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: SEEDS }, (_, i) => i));
    expect([...store.commitsOf.values()].every((n) => n === 1)).toBe(true);
    expect(store.samples).toHaveLength(SEEDS);
    expect(new Set(store.samples.map((s) => s.seedId)).size).toBe(SEEDS);
    expect(new Set(store.samples.map((s) => s.key)).size).toBe(SEEDS);

    // Every sample has its answer and its verdict; judge scores are 3–5, so the 4 pass mark splits them.
    for (const s of store.samples) {
      expect(s.calls.map((c) => c.op)).toEqual(['respond', 'judge']);
      expect(s.output).toMatch(/\w+/);
      expect(s.status === 'accepted' ? 'accepted' : s.rejectReason).toMatch(/^(accepted|lowScore)$/);
    }
    expect(counts.accepted).toBeGreaterThan(SEEDS / 3);
    expect(counts.rejected).toBeGreaterThan(0);

    // Retries happened and stayed within the policy: an endpoint's own, on each endpoint a call may visit.
    const retries = store.samples.flatMap((s) => s.calls.map((c) => c.retries));
    expect(Math.max(...retries)).toBeLessThanOrEqual(maxRetries * (maxFailovers + 1) + maxFailovers);
    expect(retries.filter((r) => r > 0).length).toBeGreaterThan(50);
    expect(counts.calls).toBe(2 * SEEDS);

    // The servers saw every kind of fault, and hundreds of requests at once between them.
    const sa = a.stats();
    const sb = b.stats();
    for (const kind of ['429', '500', 'stall', 'truncated'] as const) expect(sa.failed[kind] + sb.failed[kind]).toBeGreaterThan(0);
    // At least: an answer may be written just as a client that gave up on it (its timeout) closes.
    expect(sa.completed + sb.completed).toBeGreaterThanOrEqual(2 * SEEDS);
    expect(sa.maxInFlight + sb.maxInFlight).toBeGreaterThanOrEqual(200);
    expect(counts.completionTokens).toBeLessThanOrEqual(sa.completionTokens + sb.completionTokens);
    expect(counts.completionTokens).toBeGreaterThan(0);
    expect(pool.stats().every((e) => e.outstanding === 0)).toBe(true);
  }, 60_000);
});
