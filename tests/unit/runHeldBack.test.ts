import { describe, expect, it } from 'vitest';
import { FAILING_STREAK, holdOf, runRecipe, type RunOutcome, type SeedRef } from '../../src/lib/pipeline/run';
import type { Recipe } from '../../src/lib/pipeline/recipe';
import type { PipelineEngines, RunEvent } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { recipeOf } from './helpers';

/**
 * The one policy for tasks that failed on the endpoint (run.ts holdOf), for both runtimes: such a
 * task is not committed (no rejected `error:` sample), it is counted as held back with its reason,
 * FAILING_STREAK of them in a row or one fatal error stop the run, and a resume makes them — ending
 * with the items of a run that never failed.
 */

const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';
const seeds: SeedRef[] = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, instruction: `Explain topic number ${i} in two sentences.`, input: '', output: '' }));
const respondJudge = recipeOf({ version: 1, name: 'rj', steps: [{ op: 'respond' }, { op: 'judge' }] });

/** A scripted engine whose calls throw `fail(prompt)` when it returns an error. */
function failing(fail: (prompt: string) => Error | null): PipelineEngines {
  const ok = new ScriptedEngine([{ match: /grader|评分员/, reply: '{"score": 5, "reason": "fine"}' }, { match: /./, reply: (p) => `${LONG} (${p.length})` }], 'm');
  const orig = ok.chat.bind(ok);
  ok.chat = async function* (req, signal) {
    const e = fail(req.messages.map((m) => m.content).join('\n'));
    if (e) throw e;
    yield* orig(req, signal);
  };
  return { generator: ok, responder: ok, judge: ok };
}
const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name }, extra);

async function run(r: Recipe, e: PipelineEngines, store = new MemoryRunStore(), list = seeds, concurrency = 1): Promise<{ store: MemoryRunStore; out: RunOutcome; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const out = await runRecipe({ runId: 'r', recipe: r, seeds: list, engines: e, store, concurrency, onEvent: (ev) => events.push(ev) });
  return { store, out, events };
}
const key = (s: MemoryRunStore['samples'][number]) => JSON.stringify([s.taskIndex, s.key, s.instruction, s.output, s.status, s.rejectReason]);

describe('holdOf', () => {
  it('holds endpoint errors by name (fatal ones marked), errors with hold: true by their reason, and nothing else', () => {
    expect(holdOf(err('ServerError'))).toEqual({ reason: 'error:ServerError', endpoint: true, fatal: false });
    for (const n of ['RateLimitedError', 'NetworkError', 'TimeoutError', 'BatchRequestError']) expect(holdOf(err(n))?.fatal).toBe(false);
    for (const n of ['BadKeyError', 'ModelNotFoundError', 'CorsError']) expect(holdOf(err(n))).toEqual({ reason: `error:${n}`, endpoint: true, fatal: true });
    expect(holdOf(err('PiiGuardError', { hold: true, reason: 'pii:phone' }))).toEqual({ reason: 'pii:phone', endpoint: false, fatal: false });
    expect(holdOf(err('SomeGuardError', { hold: true }))).toEqual({ reason: 'error:SomeGuardError', endpoint: false, fatal: false });
    for (const e of [err('BadRequestError'), err('ContextOverflowError'), new Error('x'), err('ServerLikeError', { hold: 'yes' }), null, 'ServerError']) expect(holdOf(e)).toBeNull();
  });
});

describe('tasks that failed on the endpoint', () => {
  it('a blip is held back, not kept as rejected; the run goes on and a resume ends with the items of a run that never failed', async () => {
    const reference = (await run(respondJudge, failing(() => null))).store;
    // Seeds 3 and 7 fail on the endpoint (a 500 after the engine's retries), once each.
    const failed = new Set<string>();
    const blip = failing((p) => {
      const m = /topic number (3|7) /.exec(p);
      if (!m || failed.has(m[1]!)) return null;
      failed.add(m[1]!);
      return err('ServerError');
    });
    const { store, out, events } = await run(respondJudge, blip);
    expect(out.heldBack).toEqual({ tasks: 2, reasons: { 'error:ServerError': 2 }, halt: null });
    expect(out.done).toBe(28);
    expect([...store.completed].sort((a, b) => a - b)).toEqual([...Array(30).keys()].filter((t) => t !== 3 && t !== 7));
    expect(store.samples.some((s) => s.rejectReason?.startsWith('error:'))).toBe(false);
    expect(events.filter((e) => e.type === 'taskFailed')).toEqual([expect.objectContaining({ task: 3, held: 'error:ServerError' }), expect.objectContaining({ task: 7, held: 'error:ServerError' })]);
    expect(events.some((e) => e.type === 'halted')).toBe(false);

    const again = await run(respondJudge, blip, store);
    expect(again.out.heldBack.tasks).toBe(0);
    expect(store.completed.size).toBe(30);
    expect(store.samples.map(key).sort()).toEqual(reference.samples.map(key).sort());
    expect(store.counts.done).toBe(30);
    expect(store.counts.accepted).toBe(reference.counts.accepted);
  });

  it(`an endpoint that is down stops the run after ${FAILING_STREAK} tasks in a row, having committed none of them`, async () => {
    const down = failing(() => err('NetworkError'));
    const store = new MemoryRunStore();
    const { out, events } = await run(respondJudge, down, store, seeds, 3);
    // Three slots: the tenth failure stops new tasks; the two still in flight fail too.
    expect(out.heldBack.tasks).toBeGreaterThanOrEqual(FAILING_STREAK);
    expect(out.heldBack.tasks).toBeLessThan(FAILING_STREAK + 3);
    expect(out.heldBack.halt).toEqual({ fatal: false, streak: FAILING_STREAK, error: 'NetworkError: NetworkError happened' });
    expect(events.filter((e) => e.type === 'halted')).toHaveLength(1);
    expect(store.commits).toBe(0);
    expect(store.samples).toEqual([]);
    expect(out.done).toBe(0);
  });

  it('a success ends the streak: failures that alternate with successes never stop the run', async () => {
    // Every other seed fails, 15 in all: more than FAILING_STREAK, never in a row.
    const flaky = failing((p) => (/topic number \d*[13579] /.test(p) ? err('RateLimitedError') : null));
    const { out, store } = await run(respondJudge, flaky);
    expect(out.heldBack).toEqual({ tasks: 15, reasons: { 'error:RateLimitedError': 15 }, halt: null });
    expect(store.completed.size).toBe(15);
  });

  it('a refused key stops the run at the first task', async () => {
    const { out, store } = await run(respondJudge, failing(() => err('BadKeyError')));
    expect(out.heldBack).toEqual({ tasks: 1, reasons: { 'error:BadKeyError': 1 }, halt: { fatal: true, streak: 1, error: 'BadKeyError: BadKeyError happened' } });
    expect(store.commits).toBe(0);
  });

  it('an error with hold: true is held back with its own reason and never stops the run', async () => {
    const guard = failing((p) => (/topic number \d*[02468] /.test(p) ? err('PiiGuardError', { hold: true, reason: 'pii:email' }) : null));
    const { out, store } = await run(respondJudge, guard);
    expect(out.heldBack).toEqual({ tasks: 15, reasons: { 'pii:email': 15 }, halt: null });
    expect(store.completed.size).toBe(15);
    expect(store.samples.every((s) => s.status === 'accepted')).toBe(true);
  });

  it('Self-Instruct: a held task is redone on resume, and so is every later task of its batch', async () => {
    let n = 0;
    let fail = true;
    const gen = new ScriptedEngine([
      { match: /Come up with a series of tasks/, reply: () => `Write a short poem about the number ${++n} and its friends.` },
      { match: /write one example of an input/, reply: 'Input: <noinput>\nOutput: ' + LONG },
    ]);
    const orig = gen.chat.bind(gen);
    gen.chat = async function* (req, signal) {
      // The second instruction of the first batch fails once on the endpoint.
      if (fail && n === 1 && /Come up with a series of tasks/.test(req.messages[0]!.content)) {
        fail = false;
        n++;
        throw err('TimeoutError');
      }
      yield* orig(req, signal);
    };
    const si = recipeOf({ version: 1, name: 'si', steps: [{ op: 'selfInstruct', count: 4 }] });
    const e = { generator: gen, responder: gen, judge: gen };
    const store = new MemoryRunStore();
    const first = await run(si, e, store, [], 2);
    expect(first.out.heldBack.tasks).toBe(1);
    // Task 1 was held: task 0 committed; the second batch went on.
    expect(store.completed.has(1)).toBe(false);
    const second = await run(si, e, store, [], 2);
    expect(second.out.heldBack.tasks).toBe(0);
    expect(store.completed.size).toBe(4);
    expect(store.samples.some((s) => s.rejectReason?.startsWith('error:'))).toBe(false);
  });
});
