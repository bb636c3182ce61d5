import { describe, expect, it } from 'vitest';
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
