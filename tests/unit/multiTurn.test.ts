import { describe, expect, it } from 'vitest';
import { toSample } from '../../src/lib/db/runsRepo';
import type { ChatTurn, Project, Sample } from '../../src/lib/db/types';
import { exportDataset } from '../../src/lib/io/export/exportDataset';
import { sampleItem } from '../../src/lib/io/export/select';
import { BlobSink } from '../../src/lib/io/export/sink';
import { DEFAULT_FILTERS, type ExportFormat } from '../../src/lib/io/export/types';
import { ImportSession } from '../../src/lib/io/importSession';
import { estimateCalls } from '../../src/lib/pipeline/estimate';
import { cleanFollowUp, parseTurnVerdict } from '../../src/lib/pipeline/operators/multiTurn';
import { validateRecipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import type { PipelineEngines, SampleDraft } from '../../src/lib/pipeline/types';
import { checkOpenAiJsonl } from '../e2e/exportChecks';
import { MemoryDatasetSource } from '../support/memoryDatasetSource';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine, type Rule } from '../support/scriptedEngine';
import { pairRecords } from '../../src/lib/io/export/pairs';
import { buildPairs, DEFAULT_PAIR_OPTIONS, type PairOptions } from '../../src/lib/preference/build';
import type { PreferencePair } from '../../src/lib/preference/types';
import { checkPairFile } from '../support/pairChecks';
import { recipeOf } from './helpers';

/**
 * The multi-turn step (operators/multiTurn.ts) with scripted engines, one per role. Every reply is
 * a function of its prompt alone (never of how often it was asked), so a resumed run meets the
 * same replies as an uninterrupted one.
 */
const seeds: SeedRef[] = [
  { id: 's1', instruction: 'Explain how compound interest works.', input: '', output: 'Interest is added to the principal, and later interest is paid on it too.' },
  { id: 's2', instruction: 'Describe the water cycle for a child.', input: '', output: 'The sun warms water, it rises as vapour, forms clouds and falls as rain.' },
  { id: 's3', instruction: '解释光合作用的基本过程。', input: '', output: '植物利用光能把二氧化碳和水变成葡萄糖，并放出氧气。' },
];

const FOLLOW_UP = /Write the user's next message|请写出用户的下一条消息/;
const TURN_JUDGE = /strict grader of conversations|对话评分员/;
const WHOLE_JUDGE = /whole conversation|整段对话/;

/** How many user turns the conversation quoted in a prompt already has. */
const userTurns = (p: string) => (p.match(/^(?:User: |用户：)(?=\S)/gm) ?? []).length;

/** Follow-ups that differ from each other and from the seeds (ROUGE-L far below 0.7). */
const FRESH = ['Could you give a worked example with numbers?', 'What happens over thirty years instead?', 'How do banks advertise this to savers?', 'Which mistakes do beginners make here?'];
const FRESH_ZH = ['能举一个具体的例子吗？', '如果换成阴天会怎样？', '哪些植物在夜里也会这样做？', '初学者常犯哪些错误？'];

function rolesWith(opts: { followUp?: (p: string, k: number) => string; answer?: (last: string, p: string) => string; turnJudge?: (p: string) => string } = {}) {
  const generator = new ScriptedEngine([{ match: FOLLOW_UP, reply: (p) => (opts.followUp ?? ((q, k) => ((/用户：/.test(q) ? FRESH_ZH : FRESH)[k - 1] ?? 'One more thing?')))(p, userTurns(p)) }], 'gen');
  // The responder gets the conversation as chat messages: the scripted engine joins them with '\n'.
  const responder = new ScriptedEngine([{ match: /./, reply: (p) => (opts.answer ?? ((last) => `A careful answer to: ${last}`))(p.split('\n').at(-1)!, p) }], 'resp');
  const judge = new ScriptedEngine(
    [
      { match: TURN_JUDGE, reply: (p) => opts.turnJudge?.(p) ?? '{"onTopic": true, "accuracy": 4, "completeness": 4, "usefulness": 4, "score": 4, "reason": "fine"}' },
      { match: WHOLE_JUDGE, reply: '{"accuracy": 5, "completeness": 4, "usefulness": 5, "score": 5, "reason": "a coherent conversation"}' },
    ],
    'judge',
  );
  const engines: PipelineEngines = { generator, responder, judge };
  return { engines, generator, responder, judge };
}

const mt = (over: Record<string, unknown> = {}): RecipeInput => ({ version: 1, name: 'mt', steps: [{ op: 'multiTurn', minTurns: 2, maxTurns: 3, ...over }] as never });

async function run(input: RecipeInput, engines: PipelineEngines, s: SeedRef[] = seeds, store = new MemoryRunStore(), signal?: AbortSignal) {
  await runRecipe({ runId: 'r1', recipe: recipeOf(input), seeds: s, engines, store, concurrency: 1, signal });
  return store;
}

const lineageOf = (x: SampleDraft) => x.notes.multiTurn!;
const exchanges = (x: SampleDraft) => x.turns!.length / 2;

describe('multi-turn: turn limits', () => {
  it('draws each conversation\'s length from minTurns..maxTurns with the task\'s randomness, and grows it to exactly that', async () => {
    const { engines, generator } = rolesWith();
    const store = await run({ ...mt({ minTurns: 2, maxTurns: 4 }), copiesPerSeed: 4 }, engines, seeds.slice(0, 2));
    expect(store.samples).toHaveLength(8);
    const planned = store.samples.map((x) => lineageOf(x).planned);
    for (const x of store.samples) {
      expect(x.status).toBe('accepted');
      expect(exchanges(x)).toBe(lineageOf(x).planned);
      expect(exchanges(x)).toBeGreaterThanOrEqual(2);
      expect(exchanges(x)).toBeLessThanOrEqual(4);
      expect(x.turns!.map((t) => t.role)).toEqual(Array.from({ length: x.turns!.length }, (_, i) => (i % 2 ? 'assistant' : 'user')));
      expect(x.turns!.slice(0, 2)).toEqual([{ role: 'user', content: x.instruction }, { role: 'assistant', content: x.output }]);
      expect(lineageOf(x).stopped).toBeNull();
    }
    expect(new Set(planned).size).toBeGreaterThan(1); // a range, not a constant
    // One follow-up per added turn, no more.
    expect(generator.calls).toHaveLength(planned.reduce((a, n) => a + n - 1, 0));
    // The same seed and recipe draw the same lengths.
    const again = await run({ ...mt({ minTurns: 2, maxTurns: 4 }), copiesPerSeed: 4 }, rolesWith().engines, seeds.slice(0, 2));
    expect(again.samples.map((x) => lineageOf(x).planned)).toEqual(planned);
  });

  it('min = max gives that many exchanges; a seed\'s conversation is no longer the seed', async () => {
    const store = await run(mt({ minTurns: 3, maxTurns: 3 }), rolesWith().engines, seeds.slice(0, 1));
    const [x] = store.samples;
    expect(x!.turns).toHaveLength(6);
    expect(x!.operation).toBe('multiTurn');
    expect(x!.score).toBe(5); // the whole conversation's verdict
    expect(x!.verdict?.reason).toBe('a coherent conversation');
  });
});

describe('multi-turn: elimination', () => {
  it('a follow-up that repeats an earlier question ends the conversation there: too short is rejected with the reason, and the repeat is never answered', async () => {
    const { engines, responder } = rolesWith({ followUp: () => 'Explain how compound interest works, please.' });
    const store = await run(mt(), engines, seeds.slice(0, 1));
    const [x] = store.samples;
    expect(x).toMatchObject({ status: 'rejected', rejectReason: 'multiTurn:repeat' });
    expect(lineageOf(x!).stopped).toEqual({ turn: 2, reason: 'multiTurn:repeat' });
    const t2 = lineageOf(x!).turns[1]!;
    expect(t2.eliminated).toMatchObject({ reason: 'multiTurn:repeat', user: 'Explain how compound interest works, please.', assistant: null });
    expect(t2.rougeL!.score).toBeGreaterThan(0.7);
    expect(t2.rougeL!.match).toBe('Explain how compound interest works.');
    expect(responder.calls).toHaveLength(0);
    expect(x!.turns).toHaveLength(2);
  });

  it('an answer that copies an earlier answer is a repeat too; past minTurns the conversation is kept up to the last good turn', async () => {
    // Turn 2 is fine; turn 3's answer copies turn 2's.
    const copy = `A careful answer to: ${FRESH[0]}`;
    const roles = () => rolesWith({ answer: (last) => (last === FRESH[1] ? copy : `A careful answer to: ${last}`) });
    const fixed = (await run(mt({ minTurns: 3, maxTurns: 3 }), roles().engines, seeds.slice(0, 1))).samples[0]!;
    expect(fixed).toMatchObject({ status: 'rejected', rejectReason: 'multiTurn:repeat' });
    expect(lineageOf(fixed).turns[2]!.eliminated).toMatchObject({ reason: 'multiTurn:repeat', user: FRESH[1], assistant: copy });
    expect(lineageOf(fixed).turns[2]!.rougeL).toEqual({ score: 1, match: copy });
    expect(exchanges(fixed)).toBe(2);
    // With 2–3 turns drawn: those that drew 3 stop at turn 3 and are kept with 2; those that drew 2 never meet it.
    const store = await run({ ...mt({ minTurns: 2, maxTurns: 3 }), copiesPerSeed: 6 }, roles().engines, seeds.slice(0, 1));
    const drew = (n: number) => store.samples.filter((x) => lineageOf(x).planned === n);
    expect(drew(3).length).toBeGreaterThan(0);
    expect(drew(2).length).toBeGreaterThan(0);
    for (const x of store.samples) expect([x.status, exchanges(x)]).toEqual(['accepted', 2]);
    for (const x of drew(3)) expect(lineageOf(x).stopped).toEqual({ turn: 3, reason: 'multiTurn:repeat' });
    for (const x of drew(2)) expect(lineageOf(x).stopped).toBeNull();
  });

  it('a turn the judge calls off-topic ends the conversation (drift); with drift off the verdict is only recorded', async () => {
    const offTopic = '{"onTopic": false, "accuracy": 4, "completeness": 4, "usefulness": 4, "score": 4, "reason": "asks about football"}';
    const { engines } = rolesWith({ turnJudge: () => offTopic });
    const x = (await run(mt(), engines, seeds.slice(0, 1))).samples[0]!;
    expect(x).toMatchObject({ status: 'rejected', rejectReason: 'multiTurn:drift' });
    expect(lineageOf(x).turns[1]!.verdict).toMatchObject({ onTopic: false, score: 4, reason: 'asks about football' });
    expect(lineageOf(x).turns[1]!.eliminated!.assistant).toMatch(/^A careful answer/);
    const kept = (await run(mt({ drift: false }), rolesWith({ turnJudge: () => offTopic }).engines, seeds.slice(0, 1))).samples[0]!;
    expect(kept.status).toBe('accepted');
    expect(lineageOf(kept).turns[1]!.verdict!.onTopic).toBe(false);
  });

  it('a turn verdict that does not say whether it is on topic is unreadable: retried, then the conversation stops (never guessed)', async () => {
    const { engines, judge } = rolesWith({ turnJudge: () => '{"accuracy": 4, "completeness": 4, "usefulness": 4, "score": 4, "reason": "ok"}' });
    const x = (await run(mt({ retries: 1 }), engines, seeds.slice(0, 1))).samples[0]!;
    expect(x).toMatchObject({ status: 'rejected', rejectReason: 'multiTurn:judgeFailed' });
    expect(judge.calls.filter((c) => TURN_JUDGE.test(c.prompt))).toHaveLength(2);
    expect(lineageOf(x).turns[1]!.eliminated!.judgeRaw).toHaveLength(2);
    expect(parseTurnVerdict('Score: 4. The question is off-topic.')).toMatchObject({ ok: true, verdict: { score: 4, onTopic: false } });
    expect(parseTurnVerdict('{"onTopic": "yes", "score": 3, "reason": "x"}')).toMatchObject({ ok: true, verdict: { onTopic: true } });
  });

  it('a low conversation score rejects the sample as lowScore', async () => {
    const { engines } = rolesWith();
    const x = (await run(mt({ minScore: 5 }), engines, seeds.slice(0, 1))).samples[0]!;
    expect(x.status).toBe('accepted'); // 5 ≥ 5
    const low = new ScriptedEngine([{ match: TURN_JUDGE, reply: '{"onTopic": true, "accuracy": 4, "completeness": 4, "usefulness": 4, "score": 4, "reason": "fine"}' }, { match: WHOLE_JUDGE, reply: '{"accuracy": 2, "completeness": 2, "usefulness": 2, "score": 2, "reason": "rambling"}' }], 'judge');
    const y = (await run(mt(), { ...engines, judge: low }, seeds.slice(0, 1))).samples[0]!;
    expect(y).toMatchObject({ status: 'rejected', rejectReason: 'lowScore', score: 2 });
  });
});

describe('multi-turn: language and persona', () => {
  it("writes a Chinese seed's follow-up prompt, quotes and judges in Chinese, an English seed's in English", async () => {
    const { engines, generator, judge } = rolesWith();
    const store = await run(mt({ minTurns: 2, maxTurns: 2 }), engines);
    const zhAsk = generator.calls.find((c) => c.prompt.includes('解释光合作用'))!;
    expect(zhAsk.prompt).toMatch(/请写出用户的下一条消息/);
    expect(zhAsk.prompt).toMatch(/用中文写/);
    expect(zhAsk.prompt).toContain('用户：解释光合作用的基本过程。');
    expect(zhAsk.prompt).toContain('助手：植物利用光能');
    const enAsk = generator.calls.find((c) => c.prompt.includes('compound interest'))!;
    expect(enAsk.prompt).toMatch(/Write in English/);
    expect(enAsk.prompt).not.toMatch(/[\u4e00-\u9fff]/);
    const zh = store.samples.find((x) => x.seedId === 's3')!;
    expect(lineageOf(zh).lang).toBe('zh');
    expect(zh.turns![2]).toEqual({ role: 'user', content: FRESH_ZH[0] });
    expect(judge.calls.filter((c) => c.prompt.includes('解释光合作用')).every((c) => /评分员/.test(c.prompt))).toBe(true);
  });

  it('the follow-up is written as the task\'s persona where the recipe has personas', async () => {
    const { engines, generator } = rolesWith();
    await run({ ...mt({ minTurns: 2, maxTurns: 2 }), personas: { enabled: true, builtIn: false, custom: ['a retired sailor'] } }, engines, seeds.slice(0, 1));
    expect(generator.calls[0]!.prompt).toContain('Write it as a retired sailor would ask it.');
  });

  it('cleans the speaker label, quotes and a run-on answer off a follow-up', () => {
    expect(cleanFollowUp('User: "How long does it take?"')).toBe('How long does it take?');
    expect(cleanFollowUp('用户：需要多长时间？\n助手：大约一天。')).toBe('需要多长时间？');
    expect(cleanFollowUp('  What about taxes?\nAssistant: Taxes are…')).toBe('What about taxes?');
  });
});

describe('multi-turn: lineage and storage', () => {
  it('keeps each turn\'s calls and verdict, and the sample stores the conversation', async () => {
    const store = await run(mt({ minTurns: 3, maxTurns: 3 }), rolesWith().engines, seeds.slice(0, 1));
    const x = store.samples[0]!;
    const lin = lineageOf(x);
    expect(lin.turns.map((t) => t.turn)).toEqual([1, 2, 3]);
    expect(lin.turns[0]!.calls).toEqual([]); // the first exchange is the seed's
    for (const t of lin.turns.slice(1)) {
      expect(t.calls.map((i) => x.calls[i]!.op)).toEqual(['multiTurn:followUp', 'multiTurn:answer', 'multiTurn:judgeTurn']);
      expect(t.calls.map((i) => x.calls[i]!.role)).toEqual(['generator', 'responder', 'judge']);
      expect(t.verdict).toMatchObject({ onTopic: true, score: 4 });
      expect(t.rougeL!.score).toBeLessThan(0.7);
    }
    expect(x.calls.at(-1)).toMatchObject({ op: 'multiTurn:judge', template: 'multiTurn.judge', schema: 'verdict' });
    expect(x.calls.find((c) => c.op === 'multiTurn:judgeTurn')).toMatchObject({ schema: 'turnVerdict', template: 'multiTurn.judgeTurn' });
    // The answer call saw the whole conversation as chat messages.
    expect(x.calls.filter((c) => c.op === 'multiTurn:answer').map((c) => c.raw)).toEqual([`A careful answer to: ${FRESH[0]}`, `A careful answer to: ${FRESH[1]}`]);
    const s = toSample('r1', 'p1', x, 1);
    expect(s.turns).toEqual(x.turns);
    expect(s.lineage.notes?.multiTurn).toEqual(lin);
  });

  it('a task is one conversation: a run stopped mid-conversation and resumed ends with the same items as one that was not', async () => {
    const input = { ...mt({ minTurns: 2, maxTurns: 4 }), copiesPerSeed: 2 };
    const whole = await run(input, rolesWith().engines);
    const ctrl = new AbortController();
    let asked = 0;
    // Stop inside task 2's conversation (its first follow-up), after tasks 0 and 1 committed.
    const stopping = rolesWith({
      followUp: (p, k) => {
        if (p.includes('water cycle') && ++asked === 1) ctrl.abort();
        return (/用户：/.test(p) ? FRESH_ZH : FRESH)[k - 1] ?? 'One more thing?';
      },
    });
    const store = new MemoryRunStore();
    await run(input, stopping.engines, seeds, store, ctrl.signal).catch(() => {});
    const before = store.samples.length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(whole.samples.length);
    expect(store.samples.every((x) => x.seedId === 's1')).toBe(true); // no half conversation was committed
    await run(input, rolesWith().engines, seeds, store);
    const view = (xs: SampleDraft[]) => [...xs].sort((a, b) => a.key.localeCompare(b.key)).map((x) => [x.key, x.status, x.rejectReason, x.turns, lineageOf(x).planned, x.calls.map((c) => c.op)]);
    expect(view(store.samples)).toEqual(view(whole.samples));
  });
});

describe('multi-turn: recipe checks and estimate', () => {
  it('needs an answered exchange before it, one step, min ≤ max, and nothing after it that rewrites the first exchange', () => {
    const problems = (steps: unknown[]) => {
      const v = validateRecipe({ version: 1, name: 'x', steps });
      return v.ok ? [] : v.problems.map((p) => p.path);
    };
    expect(problems([{ op: 'respond' }, { op: 'multiTurn' }, { op: 'judge' }, { op: 'filter' }])).toEqual([]);
    expect(problems([{ op: 'multiTurn' }])).toEqual([]); // seeds carry their answers
    expect(problems([{ op: 'selfInstruct', instances: false }, { op: 'multiTurn' }])).toEqual(['steps.1']);
    expect(problems([{ op: 'respond' }, { op: 'multiTurn', minTurns: 4, maxTurns: 3 }])).toEqual(['steps.1.minTurns']);
    expect(problems([{ op: 'multiTurn' }, { op: 'respond' }])).toEqual(['steps.1']);
    expect(problems([{ op: 'multiTurn' }, { op: 'multiTurn' }])).toEqual(['steps.1']);
  });

  it('counts a follow-up, an answer and a verdict per added turn, and the conversation verdict', () => {
    const e = estimateCalls(recipeOf({ version: 1, name: 'x', steps: [{ op: 'respond' }, { op: 'multiTurn', minTurns: 2, maxTurns: 3 }] }), 10);
    expect(e.byRole).toEqual({ generator: 20, responder: 10 + 20, judge: 30 });
  });
});

describe('multi-turn: export with every turn', () => {
  const P = 'p1';
  const project: Project = { id: P, name: 'Multi-turn', createdAt: 1, updatedAt: 1 };
  const turns: ChatTurn[] = [
    { role: 'user', content: 'Explain how compound interest works.' },
    { role: 'assistant', content: 'Interest is added to the principal.' },
    { role: 'user', content: 'Could you give a worked example with numbers?' },
    { role: 'assistant', content: '100 at 10% gives 110, then 121.' },
    { role: 'user', content: '那三十年呢？' },
    { role: 'assistant', content: '大约 1745。' },
  ];
  const sample: Sample = {
    id: 'r1:0.0', projectId: P, runId: 'r1', seedId: 's1', parentId: null, operation: 'multiTurn', round: 0, persona: null, instruction: turns[0]!.content, input: '',
    output: turns[1]!.content, status: 'accepted', rejectReason: null, score: 5, duplicateOf: null, turns, lineage: { calls: [] }, createdAt: 1, updatedAt: 1,
  };
  const src = new MemoryDatasetSource();
  src.put('projects', [project]);
  src.put('samples', [sample]);
  async function write(format: ExportFormat) {
    const sink = new BlobSink('application/octet-stream');
    await exportDataset(src, P, { ...DEFAULT_FILTERS, format, provenance: false }, sink);
    return sink.blob();
  }

  /** LLaMA-Factory's sharegpt layout, strictly: human at odd positions, gpt at even ones, after an optional system. */
  function llamaFactorySharegpt(rec: { conversations: { from: string; value: string }[] }): void {
    const conv = rec.conversations[0]?.from === 'system' ? rec.conversations.slice(1) : rec.conversations;
    expect(conv.length % 2).toBe(0);
    conv.forEach((m, i) => {
      expect(Object.keys(m)).toEqual(['from', 'value']);
      expect(m.from).toBe(i % 2 === 0 ? 'human' : 'gpt');
      expect(m.value.length).toBeGreaterThan(0);
    });
  }

  it('a Review edit of the first exchange reaches the conversation the file writes', () => {
    const edited = sampleItem({ ...sample, instruction: 'Explain compound interest simply.', output: 'Interest earns interest.' });
    expect(edited.turns).toEqual([{ role: 'user', content: 'Explain compound interest simply.' }, { role: 'assistant', content: 'Interest earns interest.' }, ...turns.slice(2)]);
    expect(sampleItem(sample).turns).toEqual(turns);
  });

  it('ShareGPT (LLaMA-Factory sharegpt layout) and OpenAI messages carry every turn, in order; the file imports back as the conversation', async () => {
    const sg = JSON.parse(await (await write('sharegpt-json')).text()) as { conversations: { from: string; value: string }[] }[];
    expect(sg).toHaveLength(1);
    llamaFactorySharegpt(sg[0]!);
    expect(sg[0]!.conversations).toEqual(turns.map((t) => ({ from: t.role === 'user' ? 'human' : 'gpt', value: t.content })));
    const oaText = await (await write('openai-jsonl')).text();
    expect(checkOpenAiJsonl(oaText)).toEqual([]);
    expect(oaText.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ messages: turns }]);
    for (const format of ['sharegpt-json', 'openai-jsonl'] as const) {
      const s = new ImportSession();
      const blob = await write(format);
      const [a] = await s.analyse([new File([blob], format === 'sharegpt-json' ? 'd.sharegpt.json' : 'd.openai.jsonl')]);
      expect(a!.issueCount).toBe(0);
      s.plan([a!.mapping], new Set());
      const [d] = s.drafts(false);
      expect(d!.turns).toEqual(turns);
    }
  });
});

describe('multi-turn: several answers to the last turn, and its preference pairs', () => {
  /** The last turn's answers in call order: the usual one, a better one, a worse one (their turn scores 4, 5, 2). */
  const VARIANTS = [(q: string) => `A careful answer to: ${q}`, (q: string) => `Thorough: ${q} Step by step, with a worked example and the numbers spelled out.`, () => 'Wrong: nobody can know that.'];
  const responseOf = (p: string) => /The assistant's answer to it:\n([\s\S]*?)\n\nDoes/.exec(p)?.[1] ?? '';
  const SCORES: [RegExp, number][] = [[/^Thorough/, 5], [/^Wrong/, 2]];
  const verdict = (score: number, onTopic = true) => `{"onTopic": ${onTopic}, "accuracy": ${score}, "completeness": ${score}, "usefulness": ${score}, "score": ${score}, "reason": "read"}`;

  /** One seed's conversation of exactly 3 exchanges whose last is answered `n` times; `score` rates an answer. */
  async function lastTurnRun(n: number, score: (answer: string) => number = (a) => SCORES.find(([m]) => m.test(a))?.[1] ?? 4) {
    const { engines, generator, judge } = rolesWith({ turnJudge: (p) => verdict(score(responseOf(p))) });
    // The same messages asked again get the next variant (a scripted stand-in for another sampling seed).
    const responder = new ScriptedEngine([{ match: /./, reply: (p, k) => VARIANTS[k]!(p.split('\n').at(-1)!) }], 'resp');
    const input = mt({ minTurns: 3, maxTurns: 3, lastTurnAnswers: n });
    const store = await run(input, { ...engines, responder }, seeds.slice(0, 1));
    expect(store.samples).toHaveLength(1);
    return { store, sample: store.samples[0]!, input, generator, responder, judge };
  }

  const pairsOf = (x: SampleDraft, o: Partial<PairOptions> = {}) => buildPairs([toSample('r1', 'p1', x, 1000)], { ...DEFAULT_PAIR_OPTIONS, sources: ['turn'], ...o });

  it('answers the last exchange N times with distinct seeds, keeps the best in the conversation and the others in lineage; the estimate counts every call', async () => {
    const { sample, input, generator, responder, judge } = await lastTurnRun(3);
    expect(sample.status).toBe('accepted');
    expect(exchanges(sample)).toBe(3);
    const q = sample.turns![4]!.content;
    expect(sample.turns!.at(-1)).toEqual({ role: 'assistant', content: VARIANTS[1]!(q) });
    expect(lineageOf(sample).turns.at(-1)!.verdict!.score).toBe(5);
    const alts = lineageOf(sample).lastTurnAlternatives!;
    expect(alts.map((a) => [a.text, a.score])).toEqual([[VARIANTS[0]!(q), 4], [VARIANTS[2]!(''), 2]]);
    for (const a of alts) expect(a.calls.map((i) => sample.calls[i]!.op)).toEqual(['multiTurn:answer', 'multiTurn:judgeTurn']);
    // Turn 3's calls: the follow-up, then each answer with its verdict.
    expect(lineageOf(sample).turns.at(-1)!.calls.map((i) => sample.calls[i]!.op)).toEqual(['multiTurn:followUp', ...Array(3).fill(['multiTurn:answer', 'multiTurn:judgeTurn']).flat()]);
    const lastSeeds = responder.calls.slice(-3).map((c) => c.seed);
    expect(new Set(lastSeeds).size).toBe(3);
    // min = max turns: the estimate is exact — 2 follow-ups, 2 + 2 extra answers, 2 + 2 extra turn verdicts and the whole one.
    const e = estimateCalls(recipeOf(input), 1);
    expect(e.byRole).toEqual({ generator: generator.calls.length, responder: responder.calls.length, judge: judge.calls.length });
    expect(e.byRole).toEqual({ generator: 2, responder: 4, judge: 5 });
  });

  it('one answer (the default) records no alternatives and builds no turn pair', async () => {
    const { sample, responder } = await lastTurnRun(1);
    expect(responder.calls).toHaveLength(2);
    expect(lineageOf(sample).lastTurnAlternatives).toBeUndefined();
    expect(pairsOf(sample)).toEqual([]);
  });

  it('builds the turn pair: the kept answer against the worst (or each one the margin below), the prompt the conversation before it, the same ids every time', async () => {
    const { sample } = await lastTurnRun(3);
    const id = toSample('r1', 'p1', sample, 1000).id;
    const [pair, ...more] = pairsOf(sample);
    expect(more).toEqual([]);
    expect(pair).toMatchObject({ id: `turn:${id}>1`, source: 'turn', sampleId: id, gap: 3 });
    expect(pair!.chosen).toMatchObject({ text: sample.turns!.at(-1)!.content, score: 5 });
    expect(pair!.rejected).toMatchObject({ text: 'Wrong: nobody can know that.', score: 2 });
    expect(pair!.prompt.turns).toEqual(sample.turns!.slice(0, -1));
    expect(pair!.prompt.turns!.at(-1)!.role).toBe('user');
    expect(pairsOf(sample)).toEqual([pair]);
    expect(pairsOf(sample, { mode: 'margin', margin: 1 }).map((p) => [p.id, p.rejected.score])).toEqual([[`turn:${id}>0`, 4], [`turn:${id}>1`, 2]]);
    expect(pairsOf(sample, { mode: 'margin', margin: 2 }).map((p) => p.rejected.score)).toEqual([2]);
    // A conversation the whole-conversation judge rejected gives no chosen side.
    expect(pairsOf({ ...sample, status: 'rejected', rejectReason: 'lowScore' })).toEqual([]);
  });

  it('equal scores keep the first answer and pair nothing; an off-topic answer is never kept nor paired', async () => {
    const tie = await lastTurnRun(3, () => 4);
    const q = tie.sample.turns![4]!.content;
    expect(tie.sample.turns!.at(-1)!.content).toBe(VARIANTS[0]!(q));
    expect(lineageOf(tie.sample).lastTurnAlternatives!.map((a) => a.score)).toEqual([4, 4]);
    expect(pairsOf(tie.sample)).toEqual([]);
    expect(pairsOf(tie.sample, { mode: 'margin', margin: 0 })).toEqual([]);

    // The best-scored answer judged off-topic (drift on): it is an alternative without a score.
    const { engines } = rolesWith({ turnJudge: (p) => (/^Thorough/.test(responseOf(p)) ? verdict(5, false) : verdict(/^Wrong/.test(responseOf(p)) ? 2 : 4)) });
    const responder = new ScriptedEngine([{ match: /./, reply: (p, k) => VARIANTS[k]!(p.split('\n').at(-1)!) }], 'resp');
    const store = await run(mt({ minTurns: 3, maxTurns: 3, lastTurnAnswers: 3 }), { ...engines, responder }, seeds.slice(0, 1));
    const x = store.samples[0]!;
    expect(x.status).toBe('accepted');
    expect(x.turns!.at(-1)!.content).toMatch(/^A careful answer/);
    expect(lineageOf(x).lastTurnAlternatives!.map((a) => a.score)).toEqual([null, 2]);
    expect(pairsOf(x).map((p) => [p.chosen.score, p.rejected.score])).toEqual([[4, 2]]);
  });

  it('a turn pair exports as TRL conversational and LLaMA-Factory ShareGPT ranking records that pass the strict checkers', async () => {
    const { sample } = await lastTurnRun(3);
    const pairs = pairsOf(sample, { mode: 'margin', margin: 1 }).map((p): PreferencePair => ({ ...p, status: 'accepted', createdAt: 1, updatedAt: 1 }));
    expect(pairs).toHaveLength(2);
    const trl = pairs.flatMap((p) => pairRecords('trl-chat-jsonl', p));
    expect(checkPairFile('trl-chat-jsonl', trl.map((r) => JSON.stringify(r)).join('\n') + '\n')).toEqual([]);
    expect(trl[0]!.prompt).toEqual(sample.turns!.slice(0, -1));
    const sharegpt = pairs.flatMap((p) => pairRecords('llamafactory-sharegpt-json', p));
    expect(checkPairFile('llamafactory-sharegpt-json', JSON.stringify(sharegpt))).toEqual([]);
    expect(sharegpt[0]).toMatchObject({ chosen: { from: 'gpt', value: sample.turns!.at(-1)!.content }, rejected: { from: 'gpt', value: lineageOf(sample).lastTurnAlternatives![0]!.text } });
    expect((sharegpt[0]!.conversations as { from: string }[]).map((m) => m.from)).toEqual(['human', 'gpt', 'human', 'gpt', 'human']);
  });
});
