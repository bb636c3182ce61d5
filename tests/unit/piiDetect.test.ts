import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectPii, redact, type PiiFinding } from '../../src/lib/privacy/pii';

const only = (text: string) => detectPii(text).map((f) => [f.type, f.text]);

describe('detectPii: each type, English and Chinese', () => {
  it('finds IDs, phones, cards, IBANs and names in a Chinese medical note', () => {
    const t = '患者张伟，出生日期：1980年3月5日，身份证号11010519491231002X，住院号ZY20240315，电话 138-0013-8000，护照号码：E12345678。';
    expect(only(t)).toEqual([
      ['name', '张伟'], ['dob', '1980年3月5日'], ['cnId', '11010519491231002X'], ['medicalId', 'ZY20240315'],
      ['phone', '138-0013-8000'], ['passport', 'E12345678'],
    ]);
    expect(detectPii(t).find((f) => f.type === 'cnId')!.confidence).toBe(0.99);
  });
  it('finds the English forms', () => {
    const t = 'Patient John Smith, DOB 1975-04-12, MRN 88231234, SSN 123-45-6789, card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, mail john@example.com, phone +1 415 555 0132.';
    expect(only(t)).toEqual([
      ['name', 'John Smith'], ['dob', '1975-04-12'], ['medicalId', '88231234'], ['usSsn', '123-45-6789'],
      ['bankCard', '4111 1111 1111 1111'], ['iban', 'GB82 WEST 1234 5698 7654 32'], ['email', 'john@example.com'], ['phone', '+1 415 555 0132'],
    ]);
  });
  it('finds IPs, credential URLs, token URLs and API keys', () => {
    const t = 'host 192.168.10.2 and 2001:db8::8a2e:370:7334; https://admin:hunter22@db.example.com/x and https://x.example.com/a?token=abcdef123456; key sk-ant-api03-abcdefghijklmnopqrstuv, AKIAABCDEFGHIJKLMNOP.';
    expect(detectPii(t).map((f) => f.type)).toEqual(['ipv4', 'ipv6', 'url', 'url', 'apiKey', 'apiKey']);
  });
  it('finds Hong Kong and Taiwan numbers, landlines and names before 先生/女士', () => {
    expect(only('联系王建国先生，电话 +852 2123 4567 或 +886 912 345 678，座机 010-62345678。')).toEqual([
      ['name', '王建国'], ['phone', '+852 2123 4567'], ['phone', '+886 912 345 678'], ['phone', '010-62345678'],
    ]);
  });
  it('finds supplied names and terms (case-insensitive for Latin) and respects `types`', () => {
    const t = 'Dr Zhou met ALICE at 协和医院; alice agreed.';
    expect(detectPii(t, { names: ['Alice'], terms: ['协和医院'] }).map((f) => [f.type, f.text])).toEqual([['name', 'Zhou'], ['name', 'ALICE'], ['term', '协和医院'], ['name', 'alice']]);
    expect(detectPii('mail a@example.com 138 0013 8000', { types: ['phone'] }).map((f) => f.type)).toEqual(['phone']);
  });
});

describe('hard negatives', () => {
  it('reports nothing in order numbers, ISBNs, bad-check IDs, timestamps, versions, prices and plain dates', () => {
    for (const t of [
      '订单号 45219195227147360 已发货。',
      'ISBN 978-7-111-54742-6，定价 ¥59.00。',
      'Reference 110105194912310021 was not found.',
      '日志时间戳 20240315123045，任务完成。',
      'Upgraded to version 1.2.3.4 and v2.0.1.',
      'The total was $1,234.56, paid on 2024-03-15.',
      '会议定于2024年3月15日召开。',
      'Patient education materials were updated on 03/15/2024.',
      'Lunch at 12:30:45, meeting 13:00.',
    ]) expect(detectPii(t), t).toEqual([]);
  });
  it('keeps offsets right in mixed Chinese–English text and never overlaps', () => {
    const t = '客户 email 是 li.wei@example.cn，手机13800138000，card卡号6222021234567890128? no: 4111111111111111。';
    const found = detectPii(t);
    for (const f of found) expect(t.slice(f.start, f.end)).toBe(f.text);
    for (let i = 1; i < found.length; i++) expect(found[i]!.start).toBeGreaterThanOrEqual(found[i - 1]!.end);
    expect(found.map((f) => f.type)).toContain('email');
    expect(found.map((f) => f.text)).toContain('13800138000');
    expect(found.map((f) => f.text)).toContain('4111111111111111');
  });
  it('runs in linear time on adversarial input', () => {
    const t = 'a'.repeat(20000) + '@' + '1'.repeat(20000) + ':'.repeat(5000) + '-'.repeat(5000);
    expect(detectPii(t)).toEqual([]);
  });
});

describe('redact', () => {
  const t = '患者张伟，电话13800138000；复诊时张伟再次留下13800138000，另一号码13900139000。';
  const found: PiiFinding[] = detectPii(t, { names: ['张伟'] });
  it('gives the same value the same placeholder, across fields with one numbering map', () => {
    const numbering = new Map<string, string>();
    const a = redact(t, found, { mode: 'placeholder', numbering });
    expect(a.text).toBe('患者[NAME_1]，电话[PHONE_1]；复诊时[NAME_1]再次留下[PHONE_1]，另一号码[PHONE_2]。');
    const second = '回电 13900139000 给 张伟';
    const b = redact(second, detectPii(second, { names: ['张伟'] }), { mode: 'placeholder', numbering });
    expect(b.text).toBe('回电 [PHONE_2] 给 [NAME_1]');
  });
  it('masks keeping only the last 4 digits and never leaves the original', () => {
    const m = redact(t, found, { mode: 'mask' }).text;
    expect(m).toContain('*******8000');
    expect(m).not.toContain('13800138000');
    expect(m).not.toContain('张伟');
  });
});

describe('corpus', () => {
  it('meets the issue targets on tests/fixtures/pii/corpus.jsonl', () => {
    const lines = readFileSync(resolve(import.meta.dirname, '../fixtures/pii/corpus.jsonl'), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; spans: { type: string; start: number; end: number }[] });
    expect(lines.length).toBeGreaterThanOrEqual(300);
    let tp = 0, fp = 0, goldChecksum = 0, hitChecksum = 0;
    for (const { text, spans } of lines) {
      const got = detectPii(text);
      const gold = new Set(spans.map((s) => `${s.type}:${s.start}:${s.end}`));
      for (const f of got) gold.has(`${f.type}:${f.start}:${f.end}`) ? tp++ : fp++;
      for (const s of spans.filter((s) => ['cnId', 'bankCard', 'iban'].includes(s.type))) {
        goldChecksum++;
        if (got.some((f) => f.type === s.type && f.start === s.start && f.end === s.end)) hitChecksum++;
      }
    }
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.95);
    expect(hitChecksum / goldChecksum).toBeGreaterThanOrEqual(0.98);
  });
});
