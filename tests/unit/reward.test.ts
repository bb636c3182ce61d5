import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewardFor, startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { parseChatReward, parseClassifyResponse, parsePoolingResponse, parseScoreResponse, RemoteRewardModel, rewardModelFor, type RewardApi } from '../../src/lib/engines/remote/reward';
import { rewardKeeps, rewardPrompt, type RewardModel } from '../../src/lib/pipeline/operators/reward';
import { validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import type { PipelineEngines, RunEvent } from '../../src/lib/pipeline/types';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine } from '../support/scriptedEngine';
import { recipeOf } from './helpers';
import { privacyForRun } from '../../src/lib/runner/runPrivacy';
import { readPrivacy } from '../../src/lib/privacy/settings';

const FAST = { concurrency: 4, timeoutMs: 10_000, maxRetries: 4, baseDelayMs: 1, maxDelayMs: 5 };
const PAIRS = [
  { prompt: 'Explain how compound interest works.', answer: 'Interest is paid on earlier interest, so savings grow faster each year.' },
  { prompt: 'Describe the water cycle for a child.', answer: 'Water rises as vapour, forms clouds and falls again as rain.' },
  { prompt: 'Name three primary colours.', answer: 'Red, yellow and blue.' },
];

let srv: FakeLlm;
beforeAll(async () => {
  srv = await startFakeLlm();
});
afterAll(async () => {
  await srv.close();
});

describe('remote reward client against a server with the vLLM score APIs', () => {
  it.each<RewardApi>(['score', 'pooling', 'classify', 'chat'])('%s: one score per pair, in order, as the server computed it', async (api) => {
    const m = new RemoteRewardModel({ api, baseUrl: srv.url, model: api === 'chat' ? 'fake-reward' : 'fake-rm', policy: FAST });
    const before = srv.requests.length;
    const scores = await m.score(PAIRS);
    expect(scores).toEqual(PAIRS.map((p) => rewardFor(p.prompt, p.answer)));
    const sent = srv.requests.slice(before);
    // vLLM's routes are at the server's root (the base URL's /v1 cut off); chat stays under /v1.
    if (api === 'score') expect(sent).toEqual([expect.objectContaining({ path: '/score', body: { model: 'fake-rm', text_1: PAIRS.map((p) => p.prompt), text_2: PAIRS.map((p) => p.answer) } })]);
    if (api === 'classify') expect(sent.map((r) => [r.path, r.body.input.length])).toEqual([['/classify', 3]]);
    if (api === 'pooling') expect(sent.map((r) => [r.path, r.body.messages.map((x: { role: string }) => x.role)])).toEqual(PAIRS.map(() => ['/pooling', ['user', 'assistant']]));
    if (api === 'chat') expect(sent.map((r) => r.path)).toEqual(PAIRS.map(() => '/v1/chat/completions'));
  });

  it('retries 429 and 500 answers and sends the key only as a bearer header', async () => {
    const faulty = await startFakeLlm({ faults: 0.5, faultKinds: ['429', '500'], retryAfterS: 0.001, key: 'sk-reward-secret-123' });
    try {
      const m = new RemoteRewardModel({ api: 'score', baseUrl: faulty.url, model: 'rm', policy: { ...FAST, maxRetries: 20 } }, 'sk-reward-secret-123');
      for (let i = 0; i < 4; i++) expect(await m.score(PAIRS)).toEqual(PAIRS.map((p) => rewardFor(p.prompt, p.answer)));
      const st = faulty.stats();
      expect(st.failed[429] + st.failed[500]).toBeGreaterThan(0);
      expect(faulty.requests.every((r) => r.headers.authorization === 'Bearer sk-reward-secret-123' && !JSON.stringify(r.body).includes('secret'))).toBe(true);
      const wrong = new RemoteRewardModel({ api: 'score', baseUrl: faulty.url, model: 'rm', policy: FAST }, 'sk-wrong-key-456789');
      const err = await wrong.score(PAIRS).catch((e: Error) => e);
      expect((err as Error).name).toBe('BadKeyError');
      expect((err as Error).message).not.toContain('sk-wrong-key-456789');
    } finally {
      await faulty.close();
    }
  });

  it('a chat model (not a reward model) behind chat completions is a RewardResponseError, not a score', async () => {
    const m = new RemoteRewardModel({ api: 'chat', baseUrl: srv.url, model: 'fake-model', policy: FAST });
    await expect(m.score(PAIRS.slice(0, 1))).rejects.toMatchObject({ name: 'RewardResponseError', message: expect.stringMatching(/not a score/) });
  });
});

describe('reading the documented answers', () => {
  it('score, pooling (sequence and per-token), classify and chat shapes', () => {
    // docs.vllm.ai Score API: data items carry index, object 'score', score.
    expect(parseScoreResponse({ data: [{ index: 1, object: 'score', score: 0.2 }, { index: 0, object: 'score', score: 0.9 }] }, 2)).toEqual([0.9, 0.2]);
    expect(parsePoolingResponse({ data: [{ index: 0, object: 'pooling', data: [1.25] }] })).toBe(1.25);
    expect(parsePoolingResponse({ data: [{ index: 0, object: 'pooling', data: [[0.1], [0.3], [-2.5]] }] })).toBe(-2.5);
    expect(parseClassifyResponse({ data: [{ index: 0, label: 'good', probs: [0.3, 0.7], num_classes: 2 }] }, 1)).toEqual([0.7]);
    expect(parseChatReward('helpfulness:1.6171875,correctness:1.6484375,coherence:3.3125')).toBe(1.6171875);
    expect(parseChatReward('reward:-5.25')).toBe(-5.25);
    expect(parseChatReward('0.73')).toBe(0.73);
  });

  it('an embedding, a short list or a chat reply is refused by name', () => {
    const cases: (() => unknown)[] = [
      () => parsePoolingResponse({ data: [{ index: 0, data: [0.1, 0.2, 0.3, 0.4] }] }),
      () => parseScoreResponse({ data: [{ index: 0, score: 0.5 }] }, 2),
      () => parseScoreResponse({ data: [{ index: 0, score: 'high' }] }, 1),
      () => parseClassifyResponse({ data: [{ index: 0, label: 'x' }] }, 1),
      () => parseChatReward('The answer is good.'),
    ];
    for (const c of cases) expect(c).toThrowError(expect.objectContaining({ name: 'RewardResponseError' }));
  });

  it('rewardModelFor: no URL is skipped with the reason; a model named but unusable stops the run', () => {
    const step = { api: 'score' as const, url: '', rewardModel: '', apiKeyEnv: '' };
    expect(rewardModelFor(step)).toEqual({ skipped: expect.stringMatching(/no reward model configured/) });
    expect(() => rewardModelFor({ ...step, url: srv.url })).toThrowError(expect.objectContaining({ name: 'RewardConfigError' }));
    expect(() => rewardModelFor({ ...step, url: 'not a url', rewardModel: 'rm' })).toThrowError(expect.objectContaining({ name: 'RewardConfigError' }));
    expect(() => rewardModelFor({ ...step, url: srv.url, rewardModel: 'rm', apiKeyEnv: 'RM_KEY' })).toThrowError(/only the command line reads/);
    expect(() => rewardModelFor({ ...step, url: srv.url, rewardModel: 'rm', apiKeyEnv: 'RM_KEY' }, { env: {} })).toThrowError(/RM_KEY .* is empty/);
    expect(rewardModelFor({ ...step, url: srv.url, rewardModel: 'rm', apiKeyEnv: 'RM_KEY' }, { env: { RM_KEY: 'k' } })).toBeInstanceOf(RemoteRewardModel);
  });
});

describe('rewardKeeps', () => {
  it('threshold keeps every score at or above it; top share keeps ceil(share × n), at least one, ties by order', () => {
    expect(rewardKeeps([0.2, 0.5, 0.9], { keep: 'threshold', minReward: 0.5, share: 1 })).toEqual([false, true, true]);
    expect(rewardKeeps([0.2, 0.5, 0.9, 0.1], { keep: 'topShare', minReward: 0, share: 0.5 })).toEqual([false, true, true, false]);
    expect(rewardKeeps([0.3, 0.3, 0.3], { keep: 'topShare', minReward: 0, share: 0.34 })).toEqual([true, true, false]);
    expect(rewardKeeps([0.3], { keep: 'topShare', minReward: 0, share: 0.01 })).toEqual([true]);
  });
});

const SEEDS: SeedRef[] = PAIRS.map((p, i) => ({ id: `s${i}`, instruction: p.prompt, input: '', output: p.answer }));
const LONG = 'a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';

/** Answers numbered per call, a judge that scores every answer 5: Best-of-N keeps them all for the reward step. */
function engines(): PipelineEngines {
  let k = 0;
  const gen = new ScriptedEngine([{ match: /./, reply: () => `Answer ${++k}: ${LONG}` }], 'gen');
  const judge = new ScriptedEngine([{ match: /./, reply: 'Score: 5' }], 'judge');
  return { generator: gen, responder: gen, judge };
}

async function run(step: Partial<Extract<RecipeInput['steps'][number], { op: 'reward' }>>, before: RecipeInput['steps'] = [], reward?: RewardModel | { skipped: string }) {
  const store = new MemoryRunStore();
  const events: RunEvent[] = [];
  const recipe = recipeOf({ version: 1, name: 'rm', steps: [...before, { op: 'reward', url: srv.url, rewardModel: 'rm', ...step }] });
  const rs = recipe.steps.at(-1)!;
  const model = reward ?? (rs.op === 'reward' ? rewardModelFor(rs, { policy: FAST }) : undefined);
  await runRecipe({ runId: 'r', recipe, seeds: SEEDS, engines: engines(), store, concurrency: 2, reward: model, onEvent: (e) => events.push(e) });
  return { samples: store.samples, events };
}

describe('the Reward step in a run, against the fake server', () => {
  it('threshold: the seeds scored by /score; those below rejected as rewardLow, the score beside the judge\'s', async () => {
    const expected = SEEDS.map((s) => rewardFor(rewardPrompt(s), s.output));
    const min = [...expected].sort((a, b) => a - b)[1]!; // keeps the two best
    const { samples } = await run({ keep: 'threshold', minReward: min });
    expect(samples).toHaveLength(3);
    for (const s of samples) {
      const i = SEEDS.findIndex((x) => x.instruction === s.instruction);
      expect(s.notes.reward?.score).toBe(expected[i]);
      expect(s.notes.reward).toMatchObject({ api: 'score', model: 'rm' });
      expect([s.status, s.rejectReason]).toEqual(expected[i]! >= min ? ['accepted', null] : ['rejected', 'rewardLow']);
    }
    expect(samples.filter((s) => s.status === 'accepted')).toHaveLength(2);
  });

  it('top share over Best-of-N: half of each task\'s four judged answers kept, the best by reward', async () => {
    const { samples } = await run({ keep: 'topShare', share: 0.5, api: 'pooling' }, [{ op: 'bestOfN', n: 4, k: 4 }]);
    expect(samples).toHaveLength(12);
    for (const t of [0, 1, 2]) {
      const task = samples.filter((s) => s.taskIndex === t);
      const byReward = [...task].sort((a, b) => b.notes.reward!.score - a.notes.reward!.score);
      expect(byReward.slice(0, 2).every((s) => s.status === 'accepted')).toBe(true);
      expect(byReward.slice(2).map((s) => s.rejectReason)).toEqual(['rewardLow', 'rewardLow']);
      // The judge's score stays its own, beside the reward.
      expect(task.every((s) => s.score === 5 && s.notes.reward?.score === rewardFor(s.instruction, s.output!))).toBe(true);
    }
  });

  it('no reward model configured: skipped, said once and in each item\'s notes, nothing sent, nothing rejected', async () => {
    const before = srv.requests.length;
    const { samples, events } = await run({ url: '' });
    expect(srv.requests.length).toBe(before);
    expect(events.filter((e) => e.type === 'skipped')).toEqual([{ type: 'skipped', op: 'reward', reason: expect.stringMatching(/no reward model configured/) }]);
    expect(samples.map((s) => [s.status, s.notes.reward, typeof s.notes.rewardSkipped])).toEqual(SEEDS.map(() => ['accepted', undefined, 'string']));
  });

  it('the privacy guard holds back an answer with personal data from a remote reward server (never sent)', async () => {
    const phone = '13800138000';
    const seeds = [...SEEDS, { id: 'pii', instruction: 'Write a reminder.', input: '', output: `Call the clinic at ${phone} tomorrow.` }];
    const recipe = recipeOf({ version: 1, name: 'rm', steps: [{ op: 'reward', url: srv.url, rewardModel: 'rm' }] });
    const privacy = privacyForRun(readPrivacy({}), 'r', recipe);
    const before = srv.requests.length;
    const store = new MemoryRunStore();
    const rs = recipe.steps[0]!;
    const out = await runRecipe({ runId: 'r', recipe, seeds, engines: engines(), store, concurrency: 1, reward: privacy.reward(rs.op === 'reward' ? rewardModelFor(rs, { policy: FAST }) : undefined) });
    expect(out.heldBack).toMatchObject({ tasks: 1 });
    expect(Object.keys(out.heldBack.reasons)).toEqual([expect.stringMatching(/^unredacted personal data in the prompt \(phone/)]);
    expect(store.samples.map((x) => x.seedId).sort()).toEqual(['s0', 's1', 's2']);
    const sent = srv.requests.slice(before);
    expect(sent).toHaveLength(3);
    expect(JSON.stringify(sent.map((r) => r.body))).not.toContain(phone);
  });

  it('the recipe validates a Reward step only after an answer exists', () => {
    const v = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'selfInstruct', instances: false }, { op: 'reward' }] });
    expect(v.ok ? [] : v.problems.map((p) => p.path)).toEqual(['steps.1']);
  });
});
