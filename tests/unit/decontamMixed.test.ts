import { describe, expect, it } from 'vitest';
import { checkContamination, type EvalSet } from '../../src/lib/decontam/decontam';

const mk = (texts: string[]): EvalSet => ({ name: 'ceval', sha256: '0', count: texts.length, shape: 'text', items: texts.map((text) => ({ text })) });
const ZH = '某公司今年的营业收入比去年增长了百分之二十，去年的营业收入是五百万元，今年是多少';
const EN = 'A farmer has seventeen sheep and buys nine more at the market on a rainy Tuesday morning, how many sheep are there now';

describe('decontam on text with both scripts', () => {
  it('finds a Chinese eval item quoted inside a mostly English sample', async () => {
    const english = 'Translate the following question into English and then solve it step by step, showing every intermediate result and explaining the reasoning behind each of the steps you take along the way: ';
    const f = await checkContamination([{ id: 'mixed', text: english + ZH + '. Give the final answer in yuan.' }], [mk([ZH])]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ sampleId: 'mixed', evalIndex: 0, method: 'ngram', share: 1 });
    expect(f[0]!.evidence).toMatch(/^[\u4e00-\u9fff]{13}$/);
  });

  it('finds an English eval item quoted inside a mostly Chinese sample', async () => {
    const chinese = '请把下面这道英文应用题翻译成中文，并且一步一步地给出详细的解题过程和最终答案，注意单位和计算的准确性：';
    const f = await checkContamination([{ id: 'mixed', text: chinese + EN + '。谢谢！' }], [mk([EN])]);
    expect(f.map((x) => [x.sampleId, x.method, x.share])).toEqual([['mixed', 'ngram', 1]]);
    expect(f[0]!.evidence.split(' ')).toHaveLength(13);
  });

  it('does not join a Chinese run and the English around it into one false gram', async () => {
    // 12 Chinese characters of the item only: below charN, so no finding, whatever the English says.
    const f = await checkContamination([{ id: 'short', text: 'Please answer: ' + ZH.slice(0, 12) + ' and explain.' }], [mk([ZH])]);
    expect(f).toEqual([]);
  });
});
