import { describe, expect, it } from 'vitest';
import { checkContamination, evalItemsFrom, type EvalSet } from '../../src/lib/decontam/decontam';

const mk = (name: string, texts: string[]): EvalSet => ({ name, sha256: '0', count: texts.length, shape: 'text', items: texts.map((text) => ({ text })) });
const Q = 'A farmer has seventeen sheep and buys nine more at the market on a rainy Tuesday morning, how many sheep are there now';

describe('decontam', () => {
  it('recognises benchmark shapes', () => {
    expect(evalItemsFrom([{ question: 'q?', answer: '#### 4' }]).shape).toBe('gsm8k');
    const mc = evalItemsFrom([{ question: '中国的首都是？', A: '北京', B: '上海', C: '广州', D: '深圳', answer: 'A' }]);
    expect(mc.shape).toBe('multipleChoice');
    expect(mc.items[0]!).toEqual({ text: '中国的首都是？\n北京\n上海\n广州\n深圳', answer: 'A' });
    expect(evalItemsFrom([{ prompt: 'def f():' }]).shape).toBe('code');
    expect(evalItemsFrom([{ question: { stem: 'Why?', choices: [{ text: 'x' }] }, answerKey: 'A' }]).items[0]!.text).toBe('Why?\nx');
    expect(evalItemsFrom([{ ctx: 'He runs', endings: ['fast', 'slow'], label: 0 }]).shape).toBe('hellaswag');
  });

  it('finds exact copies, shared 13-grams with share, Chinese copies; ignores 12-gram near misses', async () => {
    const set = mk('gsm', [Q, '某公司今年的营业收入比去年增长了百分之二十，去年的营业收入是五百万元，今年是多少']);
    const words = Q.split(' ');
    const f = await checkContamination([
      { id: 'exact', text: Q.toUpperCase().replace(/,/g, ' ,  ') },
      { id: 'reword', text: 'Consider this: ' + words.slice(0, 13).join(' ') + ' and then stop.' },
      { id: 'miss', text: words.slice(0, 12).join(' ') + ' unrelated ending here' },
      { id: 'zh', text: '请回答下面的问题：某公司今年的营业收入比去年增长了百分之二十，去年的营业收入是五百万元，今年是多少？谢谢' },
    ], [set]);
    expect(f.find((x) => x.sampleId === 'exact')?.method).toBe('exact');
    const rw = f.find((x) => x.sampleId === 'reword')!;
    expect(rw.method).toBe('ngram');
    expect(rw.evidence).toBe(words.slice(0, 13).join(' ').toLowerCase());
    expect(rw.share).toBeCloseTo(1 / (words.length - 12));
    expect(f.some((x) => x.sampleId === 'miss')).toBe(false);
    expect(f.find((x) => x.sampleId === 'zh')).toMatchObject({ method: 'ngram', evalIndex: 1, share: 1 });
  });

  it('applies the share threshold and ignores short common phrases', async () => {
    const words = Q.split(' ');
    const sample = [{ id: 'part', text: words.slice(0, 14).join(' ') }, { id: 'common', text: 'how many sheep are there now' }];
    const total = words.length - 12;
    const low = await checkContamination(sample, [mk('gsm', [Q])], { minShare: 2 / total });
    expect(low.map((x) => [x.sampleId, x.share])).toEqual([['part', 2 / total]]);
    expect(await checkContamination(sample, [mk('gsm', [Q])], { minShare: 3 / total })).toEqual([]);
    const n5 = await checkContamination(sample, [mk('gsm', [Q])], { wordN: 5 });
    expect(n5.some((x) => x.sampleId === 'common')).toBe(true);
  });

  it('scales: 20k eval items x 10k samples', async () => {
    const w = (i: number) => `w${i % 997}`;
    const items = Array.from({ length: 20000 }, (_, i) => Array.from({ length: 20 }, (_, j) => w(i * 31 + j * 7) + 'e' + i).join(' '));
    const samples = Array.from({ length: 10000 }, (_, i) => ({ id: String(i), text: i % 1000 === 0 ? items[i]! : Array.from({ length: 30 }, (_, j) => w(i + j)).join(' ') }));
    const f = await checkContamination(samples, [mk('big', items)]);
    expect(f.length).toBe(10);
  }, 120000);
});
