import { describe, expect, it } from 'vitest';
import { parseVerdict } from '../../src/lib/pipeline/judgeParse';

// Replies as small models actually write them (collected from Qwen2.5-0.5B/1.5B, Llama-3.2-1B,
// SmolLM2 and TinyStories-style outputs), with the score a careful reader takes from each, or
// null where no single score can be read.
const TABLE: [string, number | null][] = [
  ['4', 4],
  ['5', 5],
  ['4.', 4],
  ['**4**', 4],
  ['4/5', 4],
  ['Score: 4', 4],
  ['score: 3/5', 3],
  ['Rating: 2', 2],
  ['Overall score: 5/5. The answer is complete.', 5],
  ['I would give this response a 4 out of 5.', 4],
  ['8/10', 4],
  ['7/10', 3.5],
  ['{"accuracy": 4, "completeness": 5, "usefulness": 4, "score": 4, "reason": "Good."}', 4],
  ['```json\n{"accuracy": 3, "completeness": 3, "usefulness": 4, "score": 3, "reason": "ok"}\n```', 3],
  ['{"accuracy": 5, "completeness": 4, "usefulness": 3, "reason": "fine"}', 4],
  ['Here is my rating: {"score": "4", "reason": "clear"}', 4],
  ['{"score": 4/5}', null],
  ['Between 3 and 4, say 3-4/5', null],
  ['评分：4分', 4],
  ['评分：4', 4],
  ['得分为3分。回答基本正确。', 3],
  ['我给这个回答打4分。', 4],
  ['总分：五分', 5],
  ['4分（满分5分）', 4],
  ['{"准确性": 4, "完整性": 4, "实用性": 5, "总分": 4, "理由": "回答准确"}', 4],
  ['The response is accurate and helpful. Score: 5', 5],
  ['3 - the answer misses a key step.', 3],
  ['Rating - 1. The response is wrong.', 1],
  ['The response is good.', null],
  ['', null],
  ['Once upon a time, there was a little girl named Lily.', null],
  ['Score: 4 or maybe 5', null],
  ['Accuracy: 4, Completeness: 3, Usefulness: 5', null],
  ['Score: 9', null],
  ['{"score": 0, "reason": "empty"}', null],
  ['{"score": 6}', null],
  ['这个回答很好。', null],
  ['I would rate it 3.', 3],
  ['{"accuracy": <1-5>, "completeness": <1-5>, "usefulness": <1-5>, "score": <1-5>, "reason": "<one sentence>"}', null],
  ['1. Accuracy: 4\n2. Completeness: 5\n3. Usefulness: 4', null],
  ['2 of 5 steps are wrong. Score: 1', 1],
  ["I wouldn't give it a 5.", null],
  ['{"score": 4, "reason": "a"} {"score": 2, "reason": "b"}', null],
  ['On a scale of 1 to 5, I give it a 4.', 4],
];

describe('the judge parser (what small models write)', () => {
  it.each(TABLE)('%j → %s', (reply, score) => {
    const r = parseVerdict(reply);
    if (score === null) expect(r.ok, JSON.stringify(r)).toBe(false);
    else {
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) expect(r.verdict.score).toBe(score);
    }
  });

  it('has a table of at least 30 replies in both languages', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
    expect(TABLE.filter(([r]) => /[\u4e00-\u9fff]/.test(r)).length).toBeGreaterThanOrEqual(7);
  });

  it('keeps the sub-scores and the reason from JSON', () => {
    const r = parseVerdict('{"accuracy": 4, "completeness": 5, "usefulness": 3, "score": 4, "reason": "Mostly right."}');
    expect(r).toEqual({ ok: true, verdict: { score: 4, accuracy: 4, completeness: 5, usefulness: 3, reason: 'Mostly right.' } });
  });
});
