import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectPii } from '../../src/lib/privacy/pii';

/**
 * The detector targets held on both labelled corpora (bench:pii prints the per-type
 * table): recall ≥ 0.98 on the checksum types, precision ≥ 0.95 overall. heldout.jsonl was written
 * by hand after the detectors, in other phrasings, with its own hard negatives.
 */

const CHECKSUM = new Set(['cnId', 'bankCard', 'iban', 'usSsn']);

function score(file: string) {
  const lines = readFileSync(resolve(import.meta.dirname, '../fixtures/pii', file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; spans: { type: string; start: number; end: number }[] });
  let tp = 0, fp = 0, ckTp = 0, ckFn = 0;
  for (const { text, spans } of lines) {
    const key = (s: { type: string; start: number; end: number }) => `${s.type}:${s.start}:${s.end}`;
    const gold = new Set(spans.map(key));
    const got = new Set(detectPii(text).map(key));
    for (const k of got) {
      if (gold.has(k)) tp++;
      else fp++;
    }
    for (const s of spans.filter((x) => CHECKSUM.has(x.type))) {
      if (got.has(key(s))) ckTp++;
      else ckFn++;
    }
  }
  return { precision: tp / (tp + fp), checksumRecall: ckTp / (ckTp + ckFn), checksumSpans: ckTp + ckFn };
}

describe('PII detector targets', () => {
  it.each(['corpus.jsonl', 'heldout.jsonl'])('%s: checksum recall ≥ 0.98, precision ≥ 0.95', (file) => {
    const s = score(file);
    expect(s.checksumSpans).toBeGreaterThanOrEqual(30);
    expect(s.checksumRecall).toBeGreaterThanOrEqual(0.98);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
  });

  it('takes relatives and representatives as name cues, and stops a name at a negation', () => {
    expect(detectPii('请联系家属周文斌，电话见上。').map((f) => [f.type, f.text])).toEqual([['name', '周文斌']]);
    expect(detectPii('被告马强未到庭。').map((f) => f.text)).toEqual(['马强']);
    expect(detectPii('监护人：王芳').map((f) => f.text)).toEqual(['王芳']);
  });
});
