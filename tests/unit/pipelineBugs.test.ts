import { describe, expect, it } from 'vitest';
import { askedFormat } from '../../src/lib/pipeline/filters';
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
