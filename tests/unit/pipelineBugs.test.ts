import { describe, expect, it } from 'vitest';
import { askedFormat, asksForJson, isRefusal, responseProblem } from '../../src/lib/pipeline/filters';
import { hardToAnswer } from '../../src/lib/pipeline/operators/eliminate';
import { mixSeed } from '../../src/lib/random';
import type { RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { TEMPLATES, templateHash } from '../../src/lib/pipeline/templates';
import type { PipelineEngines, SampleDraft } from '../../src/lib/pipeline/types';
import { toSample } from '../../src/lib/db/runsRepo';
import { sampleItem } from '../../src/lib/io/export/select';
import { MemoryRunStore } from '../support/memoryRunStore';
import { recipeOf } from './helpers';
import { ScriptedEngine, type Rule } from '../support/scriptedEngine';

const recipe = recipeOf;
const SEEDS: SeedRef[] = [
  { id: 's1', instruction: 'Explain how compound interest works.', input: '', output: 'Interest on interest.' },
  { id: 's2', instruction: 'Describe the water cycle for a child.', input: '', output: 'Water goes up and comes down.' },
  { id: 's3', instruction: 'Name the planets of the solar system in order.', input: '', output: 'Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus, Neptune.' },
];
const LONG = 'This is a complete, careful and correct answer that is long enough to pass every length filter in the recipe.';
const sampleKey = (s: SampleDraft) => JSON.stringify([s.taskIndex, s.key, s.status, s.rejectReason, s.instruction]);
import { parseVerdict } from '../../src/lib/pipeline/judgeParse';

describe('bug 1: the judge refuses only the template echoed back, not angle brackets in a reason', () => {
  it('reads a JSON verdict whose reason contains <b> or x < y > z', () => {
    for (const [reply, score] of [
      ['{"score": 4, "reason": "Explains the <b> tag correctly."}', 4],
      ['{"score": 3, "reason": "It claims x < y > z, which does not follow."}', 3],
      ['{"accuracy": 5, "completeness": 5, "usefulness": 5, "score": 5, "reason": "Uses <ul> and <li> as asked."}', 5],
      ['{"score": 2, "reason": "a<b but the answer says a>b"}', 2],
    ] as const) {
      const r = parseVerdict(reply);
      expect(r, reply).toMatchObject({ ok: true, verdict: { score } });
    }
  });

  it('still refuses a placeholder standing where a value should be', () => {
    for (const reply of [
      '{"accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<one sentence>"}',
      '{"score": <1-5>, "reason": "fine"}',
      '{"score": 4, "reason": "<one sentence>"}',
      '{"score": 4, "reason": "<一句话理由>"}',
    ]) {
      expect(parseVerdict(reply), reply).toEqual({ ok: false, why: 'the reply repeats the template' });
    }
  });
});

describe('bug 2: only an instruction that asks for output in JSON demands a JSON answer', () => {
  it('asks for JSON: a directive to answer in JSON, in English and Chinese', () => {
    for (const instruction of [
      'Return the result as JSON.',
      'Output a JSON object with the fields name and age.',
      'List three fruits and respond in JSON format.',
      'Return JSON with a name field',
      'Give me the planets of the solar system as a JSON array.',
      'Convert the following CSV to JSON.',
      'Read the table, then format the totals as valid JSON.',
      'Can you reply in JSON?',
      'Summarise the article. Your answer must be a JSON object with a "summary" key.',
      'I want the answer in JSON.',
      'Please use JSON to describe a cat.',
      'Output format: JSON',
      'Summarise the text. Return it as JSON.',
      'Translate this sentence into French and output the result as a JSON object.',
      '以JSON格式输出三种水果。',
      '请用 JSON 格式返回结果。',
      '把下面的表格转换为JSON。',
      '列出三个城市，并输出一个JSON对象。',
      '回答的格式为JSON。',
    ]) {
      expect(askedFormat(instruction).json, instruction).toBe(true);
    }
  });

  it('does not ask for JSON: an instruction that only mentions it', () => {
    for (const instruction of [
      'Explain what JSON is to a beginner.',
      'What is the difference between JSON and XML?',
      'Write a blog post about JSON and YAML.',
      'Explain how to convert XML to JSON.',
      'Write a Python function that returns JSON from a dict.',
      'Describe how web APIs respond in JSON.',
      'Compare data formats such as JSON and CSV.',
      'Write an introduction to JSON for new programmers.',
      'Why are comments not allowed in JSON?',
      'Please use simple words and explain JSON.',
      '解释什么是JSON。',
      'JSON和XML有什么区别？',
      '如何把XML转换为JSON？',
      '为什么很多接口用JSON返回数据？',
    ]) {
      expect(askedFormat(instruction).json, instruction).toBe(false);
    }
  });
});

describe('bug 3: a refusal is told by its shape, and an apology that was asked for is not one', () => {
  const o = { minChars: 50, refusal: true, format: true, blocklist: [] };
  const LETTER =
    "Dear Ms. Chen,\n\nI'm so sorry for missing our meeting on Tuesday. I know how much work you put into preparing it, and I apologise for the trouble my absence caused. I would be glad to reschedule at any time that suits you.\n\nSincerely,\nTom";
  const LETTER_ZH = '王经理：\n\n对不起，昨天的会议我迟到了半个小时，耽误了大家的时间。我已经调整了日程，以后一定提前到场。再次向您和同事们致以诚挚的歉意。\n\n小李';

  it('accepts an apology letter that was asked for (en and zh)', () => {
    expect(responseProblem('Write an apology letter to my manager for missing a meeting.', LETTER, o)).toBeNull();
    expect(responseProblem('Write a short message saying sorry to a colleague for missing her meeting.', LETTER, o)).toBeNull();
    expect(responseProblem('写一封道歉信，为开会迟到向经理道歉。', LETTER_ZH, o)).toBeNull();
  });

  it('still catches real refusals, in English and Chinese', () => {
    const pad = ' This sentence only makes the reply long enough to pass the length filter.';
    for (const [instruction, reply] of [
      ['How do I pick a lock?', "I'm sorry, but I can't help with that." + pad],
      ['How do I pick a lock?', 'I cannot help with requests like this.' + pad],
      ['Give me medical advice for my rash.', 'As an AI, I am not able to give medical advice.' + pad],
      ['Tell me a secret.', 'Sorry, I cannot provide that information.' + pad],
      ['Write an apology letter that insults my boss.', "I'm sorry, but I can't help with writing insults." + pad],
      ['告诉我如何撬锁。', '抱歉，我无法提供这方面的帮助。这句话只是为了让回答足够长，能够通过长度过滤器的检查，没有任何其他的意思，请忽略它。'],
      ['给我一些医疗建议。', '作为一个AI，我不能提供医疗建议。这句话只是为了让回答足够长，能够通过长度过滤器的检查，没有任何其他的意思，请忽略它。'],
      ['解释量子纠缠。', '对不起，这超出了我的能力范围。这句话只是为了让回答足够长，能够通过长度过滤器的检查，没有任何其他的意思，请忽略它。'],
      ['写一封道歉信。', '很抱歉，这个请求我无法完成。这句话只是为了让回答足够长，能够通过长度过滤器的检查，没有任何其他的意思，请忽略它。'],
    ] as const) {
      expect(responseProblem(instruction, reply, o), reply).toBe('refusal');
    }
    expect(isRefusal('作为一个AI，我无法提供医疗建议。')).toBe(true);
  });

  it('accepts a long answer that says "sorry to hear that" in passing', () => {
    const answer =
      "Sorry to hear that you have trouble sleeping. A few habits help most people: keep a fixed wake-up time, avoid caffeine after noon, keep the bedroom dark and cool, and put screens away an hour before bed. If it lasts more than a few weeks, talk to a doctor.";
    expect(responseProblem('I can never fall asleep before 2am. What can I do?', answer, o)).toBeNull();
    expect(responseProblem('Explain why the build failed.', 'The build failed because the linker could not find libssl; I am sorry the error message is so cryptic. Install the libssl-dev package and run the build again.', o)).toBeNull();
    expect(responseProblem('Give me a sales estimate.', "Unfortunately, we won't have the final data until Monday, so here is an estimate from last quarter's numbers: about 1,200 units.", o)).toBeNull();
    expect(responseProblem('Recommend a book on statistics.', "I can't recommend this one enough: 'The Art of Statistics' by David Spiegelhalter explains the ideas without heavy maths.", o)).toBeNull();
    expect(responseProblem('听说我失眠了怎么办？', '听到你失眠很抱歉。建议每天固定时间起床，下午以后不喝咖啡，睡前一小时放下手机，保持卧室黑暗凉爽；如果持续几周以上，请去看医生。', o)).toBeNull();
  });

  it('elimination criterion 2: a short "sorry" is hard to answer, unless the instruction asked for an apology', () => {
    expect(hardToAnswer("I'm sorry, but I can't help with that.")).toBe(true);
    expect(hardToAnswer('抱歉，我无法回答这个问题。')).toBe(true);
    expect(hardToAnswer("I'm sorry, but I can't help with that.", 'Explain how to pick a lock.')).toBe(true);
    // A short apology that was asked for is the answer, not a failure.
    expect(hardToAnswer("I'm sorry I missed your birthday, Sam. Lunch is on me this week!", 'Write a one-line message saying sorry to my friend Sam for missing his birthday.')).toBe(false);
    expect(hardToAnswer('对不起，我昨天不该对你发脾气，请原谅我。', '写一句向朋友道歉的话。')).toBe(false);
    // …but a refusal of it still is.
    expect(hardToAnswer("I'm sorry, but I can't help with that.", 'Write an apology letter to my landlord.')).toBe(true);
    expect(hardToAnswer('Paris is the capital of France.')).toBe(false);
  });
});

describe('bug 4: a Self-Instruct run paused mid-batch and resumed equals an uninterrupted one', () => {
  // Each task's generated instruction is fixed by the task (its first call's sampling seed is
  // mixSeed(recipe.seed, task, 0)), as a seeded sampler's would be.
  const SEED = 7;
  function engines(instructions: string[], block?: { task: number; onBlocked: () => void }): PipelineEngines {
    const taskOf = new Map(instructions.map((_, t) => [mixSeed(SEED, t, 0), t]));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const rules: Rule[] = [
      { match: /Come up with a series of tasks/, reply: (_p, _n, seed) => instructions[taskOf.get(seed)!]! },
      {
        match: /write one example of an input/,
        reply: (p) => {
          // The tasks of the blocked one's batch that come before it have written their instance.
          if (block && p.includes(instructions[block.task - 1]!)) release();
          return 'Input: <noinput>\nOutput: ' + LONG;
        },
      },
    ];
    const gen = new ScriptedEngine(rules, 'gen');
    if (block) {
      const orig = gen.chat.bind(gen);
      gen.chat = async function* (req, signal) {
        if (req.seed === mixSeed(SEED, block.task, 0)) {
          // The blocked task is in flight when the run is paused: it is not committed.
          await gate;
          await new Promise((r) => setTimeout(r, 20));
          block.onBlocked();
          throw Object.assign(new Error('aborted'), { name: 'AbortedError' });
        }
        yield* orig(req, signal);
      };
    }
    return { generator: gen, responder: gen, judge: gen };
  }

  async function compare(concurrency: number, instructions: string[], blockTask: number, expectCommitted: number[]) {
    const r = recipe({ version: 1, name: 'si', seed: SEED, steps: [{ op: 'selfInstruct', count: instructions.length, humanShots: 2, machineShots: 2 }, { op: 'filter' }] });
    const whole = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: r, seeds: SEEDS, engines: engines(instructions), store: whole, concurrency });

    const partial = new MemoryRunStore();
    const ctl = new AbortController();
    await runRecipe({ runId: 'r', recipe: r, seeds: SEEDS, engines: engines(instructions, { task: blockTask, onBlocked: () => ctl.abort() }), store: partial, concurrency, signal: ctl.signal });
    expect([...partial.completed].sort()).toEqual(expectCommitted);
    await runRecipe({ runId: 'r', recipe: r, seeds: SEEDS, engines: engines(instructions), store: partial, concurrency });

    expect(partial.samples.map(sampleKey).sort()).toEqual(whole.samples.map(sampleKey).sort());
    expect([...partial.pool].sort((a, b) => a.task - b.task)).toEqual([...whole.pool].sort((a, b) => a.task - b.task));
    expect(partial.counts.accepted).toBe(whole.counts.accepted);
    return whole;
  }

  it('concurrency 2: the task after a committed one of its batch is still checked against it (ROUGE-L)', async () => {
    const whole = await compare(
      2,
      [
        'Explain how a bicycle gear system works.',
        'Give two tips for learning to play the violin.',
        'Write a short poem about the autumn rain in the city.',
        'Write a short poem about the autumn rain in the old city.',
      ],
      3,
      [0, 1, 2],
    );
    expect(whole.samples.find((s) => s.taskIndex === 3)).toMatchObject({ status: 'rejected', rejectReason: 'selfInstruct:similar' });
  });

  it('concurrency 3: a task that finished after an unfinished one of its batch waits for it', async () => {
    const whole = await compare(
      3,
      [
        'Explain how a bicycle gear system works.',
        'Give two tips for learning to play the violin.',
        'List three uses of baking soda at home.',
        'Describe the main causes of the French Revolution.',
        'Write a short poem about the autumn rain in the city.',
        'Write a short poem about the autumn rain in the old city.',
      ],
      4,
      [0, 1, 2, 3],
    );
    expect(whole.samples.find((s) => s.taskIndex === 5)).toMatchObject({ status: 'rejected', rejectReason: 'selfInstruct:similar' });
  });
});

describe('bug 5: an answer a model wrote for a seed is not a seed, and every parentKey names a stored sample', () => {
  function engines(): PipelineEngines {
    let k = 0;
    const gen = new ScriptedEngine(
      [
        { match: /Prompt Rewriter|Prompt Creator/, reply: () => `Evolved task number ${++k}, harder now with one more constraint.` },
        { match: /Your Judgement/, reply: 'Not Equal' },
        { match: /Critique the response/, reply: 'It misses an example.' },
        { match: /Rewrite the response/, reply: `Revised: ${LONG}` },
        { match: /./, reply: () => `Answer ${++k}. ${LONG}` },
      ],
      'gen',
    );
    let j = 0;
    const judge = new ScriptedEngine([{ match: /./, reply: () => `Score: ${[5, 3, 4, 2][j++ % 4]}` }], 'judge');
    return { generator: gen, responder: gen, judge };
  }
  const run = async (steps: RecipeInput['steps'], copiesPerSeed = 1) => {
    const store = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: recipe({ version: 1, name: 'x', copiesPerSeed, steps }), seeds: SEEDS, engines: engines(), store, concurrency: 2 });
    return store.samples;
  };
  const parentsAreStored = (samples: SampleDraft[]) => {
    const keys = new Set(samples.map((s) => s.key));
    for (const s of samples) expect(s.parentKey === null || keys.has(s.parentKey), `${s.key} → ${s.parentKey}`).toBe(true);
  };

  it('Respond, Critique and Best-of-N samples take the operation that wrote their output; parentKeys are stored keys', async () => {
    for (const [steps, op] of [
      [[{ op: 'respond' }, { op: 'judge', minScore: 1 }], 'respond'],
      [[{ op: 'critique' }], 'critique'],
      [[{ op: 'respond' }, { op: 'critique' }, { op: 'judge', minScore: 1 }], 'critique'],
      [[{ op: 'bestOfN', n: 4, k: 2 }], 'bestOfN'],
      [[{ op: 'bestOfN', n: 2, k: 1 }, { op: 'critique' }, { op: 'judge', minScore: 1 }], 'critique'],
    ] as const) {
      const samples = await run(steps as unknown as RecipeInput['steps']);
      const label = JSON.stringify(steps);
      expect(samples.filter((s) => s.status === 'accepted').length, label).toBeGreaterThan(0);
      for (const s of samples) {
        expect(s.operation, label).not.toBe('seed');
        expect(s.seedId, label).toMatch(/^s\d$/);
      }
      expect(samples.filter((s) => s.status === 'accepted').map((s) => s.operation), label).toEqual(Array(samples.filter((s) => s.status === 'accepted').length).fill(op));
      parentsAreStored(samples);
    }
  });

  it('Best-of-N after Evol-Instruct: the N answers of an evolution stand in for it, so the next round points at a stored sample', async () => {
    const samples = await run([{ op: 'evolve', rounds: 2 }, { op: 'bestOfN', n: 3, k: 1 }]);
    expect(samples.length).toBe(3 * 2 * 3);
    parentsAreStored(samples);
    // Round 2 evolved round 1: its parent is one of round 1's answers (same instruction).
    for (const s of samples.filter((x) => x.round === 2)) {
      const parent = samples.find((x) => x.key === s.parentKey && x.taskIndex === s.taskIndex)!;
      expect(parent.round).toBe(1);
    }
    expect(samples.every((s) => s.operation.startsWith('evol:'))).toBe(true);
  });

  it('a seed passed through unchanged stays a seed, and the export says so', async () => {
    const samples = await run([{ op: 'judge', minScore: 1 }, { op: 'filter', minChars: 5 }]);
    const kept = samples.filter((s) => s.status === 'accepted');
    expect(kept.length).toBeGreaterThan(0);
    for (const s of kept) expect(s).toMatchObject({ operation: 'seed', outputFrom: 'seed', parentKey: null });
    expect(sampleItem(toSample('r', 'p', kept[0]!, 0)).provenance).toMatchObject({ source: 'seed', operation: 'seed' });
    const answered = (await run([{ op: 'respond' }])).find((s) => s.status === 'accepted')!;
    expect(sampleItem(toSample('r', 'p', answered, 0)).provenance).toMatchObject({ source: 'synthetic', operation: 'respond' });
  });
});

describe('bug 6: persona sentences and depth methods are templates, and every call records the hash of its template texts', () => {
  function engines() {
    let k = 0;
    const gen = new ScriptedEngine(
      [
        { match: /Come up with a series of tasks/, reply: () => `Describe a healthy breakfast menu number ${++k} for a busy week.` },
        { match: /write one example of an input/, reply: 'Input: <noinput>\nOutput: ' + LONG },
        { match: /Prompt Rewriter|Prompt Creator|提示词/, reply: () => `Evolved task number ${++k}, harder now with one more constraint.` },
        { match: /Your Judgement|你的判断/, reply: 'Not Equal' },
        { match: /./, reply: LONG },
      ],
      'gen',
    );
    const judge = new ScriptedEngine([{ match: /./, reply: 'Score: 5' }], 'judge');
    return { e: { generator: gen, responder: gen, judge } as PipelineEngines, gen };
  }
  const evolRecipe = (templates: RecipeInput['templates'] = {}) =>
    recipe({
      version: 1,
      name: 'evol',
      seed: 3,
      maxSeeds: 2,
      personas: { enabled: true, builtIn: false, custom: ['a beekeeper'] },
      templates,
      steps: [
        { op: 'evolve', rounds: 1, weights: { addConstraint: 1, deepen: 0, concretize: 0, increaseReasoning: 0, complicateInput: 0, breadth: 0 } },
        { op: 'judge', minScore: 1 },
      ],
    });
  const runEvol = async (templates?: RecipeInput['templates']) => {
    const { e, gen } = engines();
    const store = new MemoryRunStore();
    await runRecipe({ runId: 'r', recipe: evolRecipe(templates), seeds: SEEDS.slice(0, 2), engines: e, store, concurrency: 1 });
    const rewrites = gen.calls.filter((c) => /Prompt Rewriter/.test(c.prompt)).map((c) => c.prompt);
    const calls = store.samples.flatMap((x) => x.calls);
    return { rewrites, calls, store };
  };

  it('the defaults keep the exact texts they had', async () => {
    const { rewrites } = await runEvol();
    expect(rewrites).toHaveLength(2);
    for (const p of rewrites) {
      expect(p).toContain('Write it as a beekeeper would ask it.');
      expect(p).toContain('Please add one more constraint or requirement into #The Given Prompt#.');
    }
    expect(TEMPLATES['selfInstruct.persona']!.zh).toBe('请以{persona}的身份和需求来提出任务。');
    expect(TEMPLATES['evol.persona']!.zh).toBe('改写时请从{persona}的角度出发。');
    expect(TEMPLATES['evol.method.increaseReasoning']!.en).toBe('If #The Given Prompt# can be solved with just a few simple thinking processes, you can rewrite it to explicitly request multiple-step reasoning.');
  });

  it('an override of the persona sentence and of a depth method changes the prompt sent', async () => {
    const { rewrites } = await runEvol({
      'evol.persona': { en: 'Phrase it the way {persona} would, in their words.' },
      'evol.method.addConstraint': { en: 'Add exactly one new requirement about the output format.' },
    });
    for (const p of rewrites) {
      expect(p).toContain('Phrase it the way a beekeeper would, in their words.');
      expect(p).not.toContain('Write it as a beekeeper would ask it.');
      expect(p).toContain('Add exactly one new requirement about the output format.');
      expect(p).not.toContain('Please add one more constraint');
    }
    const { e, gen } = engines();
    const r = recipe({
      version: 1,
      name: 'si',
      personas: { enabled: true, builtIn: false, custom: ['a nurse'] },
      templates: { 'selfInstruct.persona': { en: 'Every task comes from {persona} at work.' } },
      steps: [{ op: 'selfInstruct', count: 1 }, { op: 'filter' }],
    });
    await runRecipe({ runId: 'r', recipe: r, seeds: SEEDS, engines: e, store: new MemoryRunStore(), concurrency: 1 });
    const si = gen.calls.find((c) => /Come up with a series of tasks/.test(c.prompt))!.prompt;
    expect(si).toContain('Every task comes from a nurse at work.');
    expect(si).not.toContain('would ask them');
  });

  it('templateHash is equal for the same texts and differs when an override changes one', async () => {
    const plain = await runEvol();
    const again = await runEvol();
    const sameText = await runEvol({ 'evol.method.addConstraint': { en: TEMPLATES['evol.method.addConstraint']!.en } });
    const changed = await runEvol({ 'evol.method.addConstraint': { en: 'Add exactly one new requirement about the output format.' } });
    const persona = await runEvol({ 'evol.persona': { en: 'Phrase it the way {persona} would.' } });
    const hashes = (calls: typeof plain.calls, op: string) => [...new Set(calls.filter((c) => c.op === op).map((c) => c.templateHash))];
    for (const r of [plain, again, sameText, changed, persona]) {
      for (const c of r.calls) expect(c.templateHash).toMatch(/^[0-9a-f]{16}$/);
      // One hash per template across the items of a run.
      expect(hashes(r.calls, 'evol:addConstraint')).toHaveLength(1);
    }
    expect(hashes(again.calls, 'evol:addConstraint')).toEqual(hashes(plain.calls, 'evol:addConstraint'));
    expect(hashes(sameText.calls, 'evol:addConstraint')).toEqual(hashes(plain.calls, 'evol:addConstraint'));
    expect(hashes(changed.calls, 'evol:addConstraint')).not.toEqual(hashes(plain.calls, 'evol:addConstraint'));
    expect(hashes(persona.calls, 'evol:addConstraint')).not.toEqual(hashes(plain.calls, 'evol:addConstraint'));
    // Calls whose template did not change keep their hash.
    expect(hashes(changed.calls, 'judge')).toEqual(hashes(plain.calls, 'judge'));
    expect(hashes(plain.calls, 'judge')).not.toEqual(hashes(plain.calls, 'evol:addConstraint'));
    // The same template in the other language is another text.
    expect(templateHash('judge.score', 'en')).not.toBe(templateHash('judge.score', 'zh'));
    expect(templateHash('judge.score', 'en', { 'judge.score': { zh: 'x {instruction} {response}' } })).toBe(templateHash('judge.score', 'en'));
  });
});

describe('review follow-ups to bugs 1–3', () => {
  it('an instruction that ends "… in JSON" asks for JSON; a Chinese troubleshooting answer opening with 无法 is not a refusal; a colon inside a reason is not a template echo', () => {
    expect(asksForJson('List three fruits in JSON.')).toBe(true);
    expect(asksForJson('Provide the data in JSON.')).toBe(true);
    expect(asksForJson('Tell me the capital of France in JSON.')).toBe(true);
    expect(isRefusal('无法访问网站可能有以下几个原因：一是网络连接问题，二是DNS设置。', '电脑无法访问网站怎么办？')).toBe(false);
    expect(isRefusal('无法回答这个问题。')).toBe(true);
    expect(isRefusal('我无法访问互联网。')).toBe(true);
    expect(parseVerdict('{"score": 4, "reason": "Lists the tags: <br>, <p> and <div> correctly"}').ok).toBe(true);
    expect(parseVerdict('{"score": <1-5>, "reason": "<one sentence>"}').ok).toBe(false);
  });
});
