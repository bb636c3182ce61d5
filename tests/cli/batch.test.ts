import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBatch, type FakeBatch, type FakeBatchOptions } from '../../scripts/fakeBatch.mjs';
import { replyFor, startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { BatchEngine, requestId, type BatchLedger, type BatchLedgerEntry, type BatchOptions } from '../../src/lib/engines/remote/batch';
import { anthropicBatch } from '../../src/lib/engines/remote/batchAnthropic';
import { openaiBatch } from '../../src/lib/engines/remote/batchOpenai';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { RemoteEngine, type EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import { complete, type ChatRequest } from '../../src/lib/engines/types';
import { PRESETS, validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { VERDICT } from '../../src/lib/pipeline/schemas';
import type { PipelineEngines } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';

/**
 * The batch-API mode against a fake batch server on 127.0.0.1 (scripts/fakeBatch.mjs) that speaks
 * the OpenAI Batch API and Anthropic Message Batches, with seeded partial failures: calls are
 * batched, failed requests go again in later batches, a new engine with the same ledger reads the
 * batches already submitted instead of sending them again, aborted calls leave the queue, and the
 * pipeline runs a recipe over it to the items the synchronous API gives.
 */

let servers: (FakeBatch | FakeLlm)[] = [];
let engines: BatchEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.map((e) => e.unload()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  engines = [];
});

/** The ledger as the CLI keeps it (a key → JSON table), in memory; counts its writes. */
class MapLedger implements BatchLedger {
  map = new Map<string, string>();
  puts = 0;
  get(id: string): BatchLedgerEntry | undefined {
    const v = this.map.get(id);
    return v === undefined ? undefined : (JSON.parse(v) as BatchLedgerEntry);
  }
  put(id: string, entry: BatchLedgerEntry): void {
    this.puts++;
    this.map.set(id, JSON.stringify(entry));
  }
}

const FAST: BatchOptions = { windowMs: 20, pollMs: 10, maxAttempts: 6, policy: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 3, timeoutMs: 20_000 } };

async function server(opts: FakeBatchOptions): Promise<FakeBatch> {
  const s = await startFakeBatch(opts);
  servers.push(s);
  return s;
}

function cfg(kind: 'openai' | 'anthropic', s: FakeBatch): EndpointConfig {
  return { id: `batch-${kind}-${s.port}`, name: 'fake batch', kind, baseUrl: kind === 'openai' ? s.url : s.origin, model: 'fake-model', policy: { ...DEFAULT_POLICY } };
}

function engine(kind: 'openai' | 'anthropic', s: FakeBatch, ledger: BatchLedger, opts: BatchOptions = {}): BatchEngine {
  const c = cfg(kind, s);
  const e = new BatchEngine(kind === 'openai' ? openaiBatch(c, 'k') : anthropicBatch(c, 'k'), ledger, { ...FAST, ...opts });
  engines.push(e);
  return e;
}

const ask = (i: number, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content: `Question number ${i}: why do seeds matter?` }], temperature: 0.7, maxTokens: 200, seed: i, ...extra });
/** What the synchronous API answers to the same request (scripts/fakeLlm.mjs's deterministic reply; Anthropic takes no seed). */
const expected = (r: ChatRequest, kind: 'openai' | 'anthropic' = 'openai') =>
  kind === 'openai'
    ? replyFor({ model: 'fake-model', messages: r.messages, seed: r.seed, maxTokens: r.maxTokens }).text
    : replyFor({ model: 'fake-model', messages: [null, r.messages], maxTokens: r.maxTokens }).text;
/** A promise's outcome without an unhandled rejection. */
const settled = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: Error) => ({ ok: false as const, e }));

describe('batch-API mode (fake batch server)', () => {
  it('OpenAI: 100 calls are batched, failed requests go again in later batches, each is answered once', { timeout: 20_000 }, async () => {
    // 20 % of the requests fail inside their batch, 15 % of the protocol's own calls get a 500 or 429.
    const s = await server({ processingMs: 30, failures: 0.2, failSeed: 3, httpFailures: 0.15, key: 'k' });
    const e = engine('openai', s, new MapLedger(), { maxBatchSize: 40, policy: { ...FAST.policy, maxRetries: 6 } });
    const reqs = Array.from({ length: 100 }, (_, i) => ask(i));
    const done = await Promise.all(reqs.map((r) => complete(e, r)));

    for (let i = 0; i < reqs.length; i++) {
      expect(done[i]!.text).toBe(expected(reqs[i]!));
      expect(done[i]!.usage!.completionTokens).toBeGreaterThan(0);
      expect(done[i]).toMatchObject({ type: 'done', finishReason: 'stop', model: 'fake-model', constrained: null });
    }
    const st = s.stats();
    const sent = s.sent();
    // Each request answered exactly once; each failure sent again (and nothing else was).
    expect(st.succeeded).toBe(100);
    expect(sent.size).toBe(100);
    expect(st.failed).toBeGreaterThan(0);
    expect([...sent.values()].reduce((a, b) => a + b, 0)).toBe(100 + st.failed);
    expect(st.lines).toBe(100 + st.failed);
    // 100 calls in batches of at most 40, plus the later batches of resent requests.
    expect(st.submits).toBeGreaterThanOrEqual(3);
    expect(s.batches().every((b) => b.customIds.length <= 40)).toBe(true);
    expect(st.uploads).toBeGreaterThanOrEqual(st.submits);
    expect(st.httpFaults).toBeGreaterThan(0);
    expect(st.unauthorized).toBe(0);
    expect(e.pending).toEqual({ batches: [], queued: 0 });
  });

  it('Anthropic: a schema is held by the forced tool, usage is reported, failures are resent', { timeout: 20_000 }, async () => {
    const s = await server({ processingMs: 30, failures: 0.25, failSeed: 5, key: 'k' });
    const e = engine('anthropic', s, new MapLedger(), { maxBatchSize: 50 });
    const reqs = Array.from({ length: 30 }, (_, i) => ask(i, { schema: VERDICT, temperature: 0 }));
    const done = await Promise.all(reqs.map((r) => complete(e, r)));
    for (const d of done) {
      const v = JSON.parse(d.text) as { score: number };
      expect(v.score).toBeGreaterThanOrEqual(1);
      expect(d.constrained).toBe('tool');
      expect(d.usage!.promptTokens).toBeGreaterThan(0);
    }
    expect(s.stats().succeeded).toBe(30);
    expect(s.stats().failed).toBeGreaterThan(0);
    expect(s.stats().submits).toBeGreaterThanOrEqual(2);
  });

  it('same requests share one line; a refused request fails at once, one that always fails after the bounded attempts', { timeout: 20_000 }, async () => {
    const s = await server({ processingMs: 20, poison: 'POISON' });
    const e = engine('openai', s, new MapLedger());
    const [a, b] = await Promise.all([complete(e, ask(1)), complete(e, ask(1))]);
    expect(a.text).toBe(b.text);
    expect(s.stats().lines).toBe(1);

    const bad = ask(2, { messages: [{ role: 'user', content: 'POISON' }] });
    const r = await settled(complete(e, bad));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.e).toMatchObject({ name: 'BatchRequestError', attempts: 1, reason: { name: 'BadRequestError' } });
      expect(r.e.message).toMatch(/resume the run/);
    }
    expect(s.sent().get(await requestId('openai', 'fake-model', bad))).toBe(1);

    const always = await server({ processingMs: 20, failures: 1 });
    const e2 = engine('openai', always, new MapLedger(), { maxAttempts: 3 });
    const r2 = await settled(complete(e2, ask(3)));
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.e).toMatchObject({ name: 'BatchRequestError', attempts: 3, reason: { name: 'ServerError' } });
    expect(always.stats()).toMatchObject({ submits: 3, lines: 3, succeeded: 0 });

    // A wrong key is not retried, and the key is named nowhere in the error.
    const locked = await server({ processingMs: 20, key: 'sk-right-key-000' });
    const c = cfg('openai', locked);
    const e3 = new BatchEngine(openaiBatch(c, 'sk-wrong-key-123456'), new MapLedger(), FAST);
    engines.push(e3);
    const r3 = await settled(complete(e3, ask(4)));
    expect(r3.ok).toBe(false);
    if (!r3.ok) {
      expect(r3.e.name).toBe('BadKeyError');
      expect(r3.e.message).not.toContain('sk-wrong-key-123456');
    }
    expect(locked.stats()).toMatchObject({ unauthorized: 1, submits: 0 });
  });

  for (const kind of ['openai', 'anthropic'] as const) {
    it(`${kind}: after a crash past the submit, a new engine with the same ledger reads the same batch (1 submit, not 2)`, { timeout: 20_000 }, async () => {
      const s = await server({ processingMs: 400 });
      const ledger = new MapLedger();
      const reqs = Array.from({ length: 12 }, (_, i) => ask(i));
      // One batch of the 12, however slowly they arrive.
      const first = engine(kind, s, ledger, { pollMs: 1000, maxBatchSize: 12, windowMs: 10_000 });
      const lost = reqs.map((r) => settled(complete(first, r)));
      await expect.poll(() => s.stats().submits, { timeout: 10_000, interval: 5 }).toBe(1);
      await expect.poll(() => ledger.map.size, { timeout: 10_000, interval: 5 }).toBe(12);
      // The process dies: its calls and its poller end, nothing was read.
      await first.unload();
      expect((await Promise.all(lost)).every((r) => !r.ok && r.e.name === 'AbortedError')).toBe(true);
      expect(s.stats().downloads).toBe(0);

      const second = engine(kind, s, ledger);
      const done = await Promise.all(reqs.map((r) => complete(second, r)));
      expect(done.map((d) => d.text)).toEqual(reqs.map((r) => expected(r, kind)));
      expect(s.stats()).toMatchObject({ submits: 1, lines: 12, succeeded: 12 });

      // Once read, the answers are in the ledger: a third engine asks the server nothing.
      const before = s.stats();
      const third = engine(kind, s, ledger);
      const again = await Promise.all(reqs.map((r) => complete(third, r)));
      expect(again.map((d) => d.text)).toEqual(reqs.map((r) => expected(r, kind)));
      expect(s.stats()).toEqual(before);
    });
  }

  for (const kind of ['openai', 'anthropic'] as const) {
    it(`${kind}: killed after the provider created a batch but before its id was stored, resume finds that batch (no second one)`, { timeout: 20_000 }, async () => {
      const s = await server({ processingMs: 150 });
      // A batch of the same size made just before by someone else: Anthropic matches by size and time, it must not be taken.
      const other = engine(kind, s, new MapLedger(), { maxBatchSize: 12 });
      await Promise.all(Array.from({ length: 12 }, (_, i) => complete(other, ask(100 + i))));

      const ledger = new MapLedger();
      const reqs = Array.from({ length: 12 }, (_, i) => ask(i));
      let created: string | null = null;
      // The hook never returns: the process is as good as dead between the create and the ledger write.
      const first = engine(kind, s, ledger, {
        maxBatchSize: 12,
        windowMs: 10_000,
        onCreated: (id) => {
          created = id;
          return new Promise<void>(() => {});
        },
      });
      const lost = reqs.map((r) => settled(complete(first, r)));
      await expect.poll(() => created, { timeout: 10_000, interval: 5 }).not.toBeNull();
      const entries = [...ledger.map.values()].map((v) => JSON.parse(v) as BatchLedgerEntry);
      expect(entries).toHaveLength(12);
      expect(entries.every((e) => 'intent' in e && e.intent.size === 12 && e.attempt === 1)).toBe(true);
      await first.unload();
      expect((await Promise.all(lost)).every((r) => !r.ok && r.e.name === 'AbortedError')).toBe(true);
      expect(s.stats().submits).toBe(2);

      const second = engine(kind, s, ledger);
      const done = await Promise.all(reqs.map((r) => complete(second, r)));
      expect(done.map((d) => d.text)).toEqual(reqs.map((r) => expected(r, kind)));
      // No third batch: the resumed run read the one the dead process created.
      expect(s.stats()).toMatchObject({ submits: 2, lines: 24, succeeded: 24 });
      expect(s.stats().lists).toBeGreaterThanOrEqual(1);
      expect(s.batches()[1]!.id).toBe(created);
      if (kind === 'openai') expect(s.batches()[1]!.metadata?.seedforge_batch).toMatch(/^sfb-/);
      const ids = await Promise.all(reqs.map((r) => requestId(kind, 'fake-model', r)));
      expect(ids.every((id) => 'answer' in ledger.get(id)!)).toBe(true);
    });
  }

  it('a batch whose intent made nothing (killed before the create) is sent on resume, once', { timeout: 20_000 }, async () => {
    const s = await server({ processingMs: 20 });
    const ledger = new MapLedger();
    const reqs = Array.from({ length: 5 }, (_, i) => ask(i));
    // What a process killed after writing its intent, before the create, leaves.
    const intent = { key: 'sfb-never-created', size: 5, at: Date.now() };
    for (const r of reqs) ledger.put(await requestId('openai', 'fake-model', r), { intent, attempt: 1 });
    const e = engine('openai', s, ledger);
    const done = await Promise.all(reqs.map((r) => complete(e, r)));
    expect(done.map((d) => d.text)).toEqual(reqs.map((r) => expected(r)));
    expect(s.stats()).toMatchObject({ submits: 1, lines: 5, lists: 1 });
  });

  it('abort: a queued call leaves the batch; a batch whose calls were all aborted is cancelled when asked to', { timeout: 20_000 }, async () => {
    const s = await server({ processingMs: 20 });
    const e = engine('openai', s, new MapLedger(), { windowMs: 1000 });
    const ctl = new AbortController();
    const kept = [0, 1, 2].map((i) => complete(e, ask(i)));
    const dropped = [3, 4].map((i) => settled(complete(e, ask(i), ctl.signal)));
    await expect.poll(() => e.pending.queued, { timeout: 5000, interval: 5 }).toBe(5);
    ctl.abort();
    expect((await Promise.all(dropped)).map((r) => !r.ok && r.e.name)).toEqual(['AbortedError', 'AbortedError']);
    await Promise.all(kept);
    expect(s.batches()).toHaveLength(1);
    expect(s.batches()[0]!.customIds).toEqual(await Promise.all([0, 1, 2].map((i) => requestId('openai', 'fake-model', ask(i)))));

    const slow = await server({ processingMs: 60_000 });
    const e2 = engine('anthropic', slow, new MapLedger(), { cancelAbandoned: true, pollMs: 20 });
    const ctl2 = new AbortController();
    const calls = [0, 1, 2].map((i) => settled(complete(e2, ask(i), ctl2.signal)));
    await expect.poll(() => e2.pending.batches.length, { timeout: 5000, interval: 5 }).toBe(1);
    ctl2.abort();
    expect((await Promise.all(calls)).every((r) => !r.ok && r.e.name === 'AbortedError')).toBe(true);
    await expect.poll(() => slow.stats().cancels, { timeout: 5000, interval: 5 }).toBe(1);
    expect(slow.batches()[0]!.cancelled).toBe(true);
    expect(e2.pending).toEqual({ batches: [], queued: 0 });
  });

  it('the pipeline runs Answer + judge over the batch engine to the items the synchronous API gives, and resumes from its batches after a crash', { timeout: 20_000 }, async () => {
    const v = validateRecipe({ ...PRESETS.answerJudge!, seed: 11 });
    if (!v.ok) throw new Error('the preset does not validate');
    const seeds: SeedRef[] = Array.from({ length: 24 }, (_, i) => ({ id: `s${i}`, instruction: `Explain idea number ${i} of good data to a new colleague.`, input: '', output: 'A seed answer.' }));

    const s = await server({ processingMs: 20, failures: 0.1, failSeed: 9 });
    const batch = engine('openai', s, new MapLedger(), { maxBatchSize: 24 });
    const batched = new MemoryRunStore();
    const be: PipelineEngines = { generator: batch, responder: batch, judge: batch };
    await runRecipe({ runId: 'b', recipe: v.recipe, seeds, engines: be, store: batched, concurrency: 24 });

    const llm = await startFakeLlm({});
    servers.push(llm);
    const sync = new RemoteEngine({ id: `sync-${llm.port}`, name: 'fake', kind: 'openai', baseUrl: llm.url, model: 'fake-model', policy: { ...DEFAULT_POLICY, concurrency: 24 } }, 'k', openaiDialect);
    const plain = new MemoryRunStore();
    await runRecipe({ runId: 'p', recipe: v.recipe, seeds, engines: { generator: sync, responder: sync, judge: sync }, store: plain, concurrency: 24 });

    const items = (m: MemoryRunStore) => m.samples.map((x) => [x.taskIndex, x.status, x.rejectReason, x.instruction, x.output, x.score]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(batched.completed.size).toBe(24);
    expect(batched.samples.every((x) => (x.output ?? '').length > 0)).toBe(true);
    expect(items(batched)).toEqual(items(plain));
    // Answers, then verdicts: at least two rounds of batches, every request answered once.
    expect(s.stats().submits).toBeGreaterThanOrEqual(2);
    expect(s.stats().succeeded).toBe(s.sent().size);

    // Stopped once its first batch is out (a crash: the engine is dropped), then resumed with a new
    // engine over the same store and ledger: the same items, and no request was sent twice.
    const s2 = await server({ processingMs: 150 });
    const ledger = new MapLedger();
    const store = new MemoryRunStore();
    const ctl = new AbortController();
    // The 24 answers fill one batch (a long window: a slow machine must not split it, and a crash
    // while a second batch is being created would leave that one unrecorded).
    const first = engine('openai', s2, ledger, { maxBatchSize: 24, pollMs: 20, windowMs: 10_000 });
    const stopped = runRecipe({ runId: 'c', recipe: v.recipe, seeds, engines: { generator: first, responder: first, judge: first }, store, concurrency: 24, signal: ctl.signal });
    await expect.poll(() => s2.stats().submits, { timeout: 10_000, interval: 5 }).toBe(1);
    // The crash comes once the batch is in the ledger (a crash before that is the test above).
    await expect.poll(() => [...ledger.map.values()].filter((v) => v.includes('"batchId"')).length, { timeout: 10_000, interval: 5 }).toBe(24);
    ctl.abort();
    await first.unload();
    await stopped.catch(() => {});
    expect(store.completed.size).toBe(0);
    const second = engine('openai', s2, ledger, { maxBatchSize: 24 });
    await runRecipe({ runId: 'c', recipe: v.recipe, seeds, engines: { generator: second, responder: second, judge: second }, store, concurrency: 24 });
    expect(store.completed.size).toBe(24);
    expect(items(store)).toEqual(items(plain));
    expect(s2.sent().size).toBeGreaterThan(24);
    expect([...s2.sent().values()].every((n) => n === 1)).toBe(true);
    expect(s2.stats().lines).toBe(s2.sent().size);
  });
});
