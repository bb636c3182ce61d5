import { describe, expect, it } from 'vitest';
import { askedFormat, instructionProblem, isRefusal, responseProblem } from '../../src/lib/pipeline/filters';
import { copiesScaffolding, hardToAnswer, onlyPunctuationAndStopwords, parseEquality } from '../../src/lib/pipeline/operators/eliminate';
import { cleanEvolved } from '../../src/lib/pipeline/operators/evolve';
import { firstTask, parseInstance } from '../../src/lib/pipeline/operators/selfInstruct';
import { BUILT_IN_PERSONAS, personaFor } from '../../src/lib/pipeline/personas';
import { mulberry32 } from '../../src/lib/random';
import { PRESETS, validateRecipe } from '../../src/lib/pipeline/recipe';
import { lcs, maxRougeL, rougeL } from '../../src/lib/pipeline/rouge';
import { checkTemplates, render, TEMPLATES, varsOf } from '../../src/lib/pipeline/templates';
import { lengthUnits } from '../../src/lib/text/language';

describe('ROUGE-L', () => {
  it('matches values computed by hand', () => {
    // LCS(the cat sat on the mat, the cat lay on the mat) = 5 of 6 and 6 tokens: F = 5/6.
    expect(rougeL('the cat sat on the mat', 'the cat lay on the mat')).toBeCloseTo(5 / 6, 10);
    // Characters for Chinese: LCS(我喜欢吃苹果, 我喜欢苹果) = 5; P = 5/6, R = 5/5, F = 10/11.
    expect(rougeL('我喜欢吃苹果', '我喜欢苹果')).toBeCloseTo(10 / 11, 10);
    // Case and punctuation are ignored, as rouge_score's tokenizer does.
    expect(rougeL('Write a poem!', 'write a POEM')).toBe(1);
    expect(rougeL('alpha beta', 'gamma delta')).toBe(0);
    expect(lcs(['a', 'b', 'c', 'd'], ['b', 'd'])).toBe(2);
    expect(maxRougeL('the cat sat', ['a dog ran', 'the cat sat down'])).toMatchObject({ match: 'the cat sat down' });
  });
});

describe('Self-Instruct filters', () => {
  it('drops short, long, unsuitable and punctuation-led instructions; counts characters for Chinese', () => {
    expect(instructionProblem('Write a haiku.')).toBe('tooShort');
    expect(instructionProblem('Write a haiku about autumn leaves.')).toBeNull();
    expect(instructionProblem('word '.repeat(151))).toBe('tooLong');
    expect(instructionProblem('Draw a picture of a cat sitting on a mat.')).toBe('unsuitable');
    expect(instructionProblem('"Explain how vaccines train the immune system.')).toBe('startsWithPunctuation');
    expect(instructionProblem('写一首诗')).toBe('tooShort');
    expect(instructionProblem('写一首关于秋天落叶的七言绝句。')).toBeNull();
    expect(instructionProblem('请画出一张流程图说明审批过程。')).toBe('unsuitable');
    expect(lengthUnits('解释复利的概念')).toBe(7);
    expect(lengthUnits('Explain compound interest briefly')).toBe(4);
  });

  it('reads the first new task and an Input/Output instance', () => {
    expect(firstTask(' Suggest three names for a bakery.\nTask 10: something else')).toBe('Suggest three names for a bakery.');
    expect(firstTask('任务 9：给面包店起三个名字。\n\n任务 10：别的')).toBe('给面包店起三个名字。');
    expect(parseInstance('Input: <noinput>\nOutput: Sweet Rise, Crumb & Co, Daily Loaf')).toEqual({ input: '', output: 'Sweet Rise, Crumb & Co, Daily Loaf' });
    expect(parseInstance('输入：3, 1, 2\n输出：1, 2, 3')).toEqual({ input: '3, 1, 2', output: '1, 2, 3' });
    expect(parseInstance('no format at all')).toBeNull();
  });
});

describe('Evol-Instruct elimination criteria', () => {
  it('1: equality verdicts, in English and Chinese', () => {
    expect(parseEquality('Equal')).toBe('equal');
    expect(parseEquality('Not Equal')).toBe('notEqual');
    expect(parseEquality('They are not equal.')).toBe('notEqual');
    expect(parseEquality('相同')).toBe('equal');
    expect(parseEquality('不相同')).toBe('notEqual');
    expect(parseEquality('maybe')).toBeNull();
  });
  it('2: "sorry" and short is hard to answer; long answers that apologise once are not', () => {
    expect(hardToAnswer("I'm sorry, but I can't help with that.")).toBe(true);
    expect(hardToAnswer('抱歉，我无法回答这个问题。')).toBe(true);
    expect(hardToAnswer(`Sorry for the long answer. ${'word '.repeat(90)}`)).toBe(false);
    expect(hardToAnswer('Paris is the capital of France.')).toBe(false);
  });
  it('3: only punctuation and stop words', () => {
    expect(onlyPunctuationAndStopwords('... the, and; it is!')).toBe(true);
    expect(onlyPunctuationAndStopwords('。。。的了')).toBe(true);
    expect(onlyPunctuationAndStopwords('Paris.')).toBe(false);
  });
  it('4: scaffolding words copied from the rewrite prompt', () => {
    expect(copiesScaffolding('#Rewritten Prompt#: explain X')).toBe(true);
    expect(copiesScaffolding('Rewrite the given prompt to be harder')).toBe(true);
    expect(copiesScaffolding('请根据给定提示回答')).toBe(true);
    expect(copiesScaffolding('Explain compound interest with a worked example.')).toBe(false);
    expect(cleanEvolved('#Rewritten Prompt#: Explain X in detail.')).toBe('Explain X in detail.');
  });
});

describe('response filters', () => {
  const o = { minChars: 50, refusal: true, format: true, blocklist: ['lorem'] };
  const long = (s: string) => s + ' '.repeat(0) + ' This sentence makes the answer long enough to pass the length filter.';
  it('checks length, refusals, JSON, language, word limits and the blocklist', () => {
    expect(responseProblem('Say hi', 'Hi!', o)).toBe('tooShort');
    expect(responseProblem('Do X', long("I'm sorry, I cannot do that."), o)).toBe('refusal');
    expect(responseProblem('Return JSON with a name field', long('name: Bob'), o)).toBe('formatJson');
    expect(responseProblem('Return JSON with a name field', '```json\n{"name": "Bob", "note": "padding padding padding padding"}\n```', o)).toBeNull();
    expect(responseProblem('Answer in Chinese: what is tea?', long('Tea is a drink made from leaves.'), o)).toBe('formatLanguage');
    expect(responseProblem('用英文回答：什么是茶？', long('Tea is a drink made from leaves.'), o)).toBeNull();
    expect(responseProblem('Describe tea in under 10 words', long('Tea is a drink made from leaves.'), o)).toBe('formatLength');
    expect(responseProblem('Write filler', long('lorem ipsum dolor sit amet, consectetur.'), o)).toBe('blocked');
    expect(isRefusal('作为一个AI，我无法提供医疗建议。')).toBe(true);
    expect(askedFormat('请用中文回答，不超过100字')).toEqual({ json: false, lang: 'zh', maxWords: 100 });
  });
});

describe('templates and recipes', () => {
  it('every built-in template uses exactly its declared variables, in both languages', () => {
    for (const t of Object.values(TEMPLATES)) {
      for (const lang of ['en', 'zh'] as const) expect(varsOf(t[lang]).sort(), `${t.id} ${lang}`).toEqual([...t.vars].sort());
    }
    expect(varsOf('JSON like {"a": 1} is not a variable; {x} is')).toEqual(['x']);
  });

  it('reports missing and unknown variables in a user template before a run', () => {
    expect(checkTemplates({ 'judge.score': { en: 'Rate {response} now {mood}' } })).toEqual([
      { id: 'judge.score', lang: 'en', missing: ['instruction'], unknown: ['mood'] },
    ]);
    const bad = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'respond' }], templates: { 'respond.answer': { zh: '只有{input}' } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]!.message).toMatch(/missing \{instruction\}/);
    expect(render('respond.answer', 'en', { instruction: 'Hi', input: '' })).toBe('Hi');
  });

  it('validates structure and order, and every preset is valid', () => {
    for (const [k, p] of Object.entries(PRESETS)) expect(validateRecipe(p).ok, k).toBe(true);
    const r = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'respond' }, { op: 'selfInstruct' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.message)).toContain('Self-Instruct must be the first step');
    const noResp = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'selfInstruct', instances: false }, { op: 'judge' }] });
    expect(noResp.ok).toBe(false);
    const typeErr = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'bestOfN', n: 50 }] });
    expect(typeErr.ok).toBe(false);
    if (!typeErr.ok) expect(typeErr.problems[0]!.path).toBe('steps.0.n');
    expect(validateRecipe({ version: 2, name: 'x', steps: [] }).ok).toBe(false);
  });
});

describe('personas', () => {
  it('has at least 40 built-in personas in both languages, dealt evenly', () => {
    expect(BUILT_IN_PERSONAS.length).toBeGreaterThanOrEqual(40);
    for (const p of BUILT_IN_PERSONAS) expect(p.en && p.zh).toBeTruthy();
    const counts = new Map<unknown, number>();
    for (let t = 0; t < 100; t++) {
      const p = personaFor(t, BUILT_IN_PERSONAS, mulberry32(7));
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const n = [...counts.values()];
    expect(counts.size).toBe(BUILT_IN_PERSONAS.length);
    expect(Math.max(...n) - Math.min(...n)).toBeLessThanOrEqual(1);
  });
});

describe('Evol rewrites from small models', () => {
  it('takes the text after the last output label, so an echoed prompt tail is not the rewrite', async () => {
    const { cleanEvolved } = await import('../../src/lib/pipeline/operators/evolve');
    expect(cleanEvolved('#Rewritten Prompt#: Explain compound interest with a worked example.')).toBe('Explain compound interest with a worked example.');
    expect(cleanEvolved('#The Given Prompt#:\nExplain compound interest.\n#Rewritten Prompt#:\n"Explain compound interest to a teenager."')).toBe('Explain compound interest to a teenager.');
    expect(cleanEvolved('改写后的提示：用三个例子解释复利。')).toBe('用三个例子解释复利。');
    expect(cleanEvolved('Explain compound interest, citing the given prompt.')).toBe('Explain compound interest, citing the given prompt.');
  });
});
