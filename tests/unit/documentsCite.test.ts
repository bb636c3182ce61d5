import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/lib/documents/chunk';
import { alignAnswer, checkCitations, extractQuotes, findCitation } from '../../src/lib/documents/cite';
import { buildDoc, docFromMarkdown } from './documentsFixtures';

const zhDoc = buildDoc([
  { h: 1, title: '消毒' },
  { p: '使用含氯消毒剂时，浓度应为500毫克每升，作用时间不少于30分钟。擦拭后应保持表面湿润直至作用时间结束。' },
]);
const zhChunk = chunkDocument(zhDoc).chunks[0]!;
const enDoc = docFromMarkdown(readFileSync('tests/fixtures/documents/semver-README.md', 'utf8'));
const enChunks = chunkDocument(enDoc, { maxTokens: 150, overlapTokens: 20 }).chunks;

describe('span citations', () => {
  it('an exact quote: offsets point at the quote in the chunk and in the document', () => {
    const q = '作用时间不少于30分钟';
    const r = findCitation(zhChunk, q, zhDoc.text);
    expect(r.supported && r.how).toBe('exact');
    const [s] = r.spans;
    expect(zhChunk.text.slice(s!.start, s!.end)).toBe(q);
    expect(zhDoc.text.slice(s!.doc![0], s!.doc![1])).toBe(q);
  });

  it('full-width/half-width, spacing and punctuation differences still match, at the original text', () => {
    // Full-width digits, a half-width comma, spaces between characters.
    const q = '浓度应为５００毫克每升, 作用时间 不少于 ３０ 分钟';
    const r = findCitation(zhChunk, q, zhDoc.text);
    expect(r.supported && r.how).toBe('normalised');
    const s = r.spans[0]!;
    expect(zhChunk.text.slice(s.start, s.end)).toBe('浓度应为500毫克每升，作用时间不少于30分钟');
    expect(zhDoc.text.slice(s.doc![0], s.doc![1])).toBe('浓度应为500毫克每升，作用时间不少于30分钟');

    const chunk = enChunks.find((c) => c.text.includes('A "version" is described by the `v2.0.0`'))!;
    expect(chunk).toBeDefined();
    const e = findCitation(chunk, '  a “VERSION” is described by the   v2.0.0 ', enDoc.text);
    expect(e.supported && e.how).toBe('normalised');
    expect(chunk.text.slice(e.spans[0]!.start, e.spans[0]!.end)).toBe('A "version" is described by the `v2.0.0');
    expect(enDoc.text.slice(...e.spans[0]!.doc!)).toBe('A "version" is described by the `v2.0.0');
  });

  it('an elided quote matches its pieces in order; a made-up quote is reported', () => {
    const r = findCitation(zhChunk, '使用含氯消毒剂时……擦拭后应保持表面湿润');
    expect(r.supported).toBe(true);
    expect(r.spans.map((s) => zhChunk.text.slice(s.start, s.end))).toEqual(['使用含氯消毒剂时', '擦拭后应保持表面湿润']);
    expect(r.spans[0]!.doc).toBeNull();
    expect(findCitation(zhChunk, '擦拭后应保持表面湿润……使用含氯消毒剂时').supported).toBe(false);
    expect(findCitation(zhChunk, '浓度应为1000毫克每升')).toEqual({ quote: '浓度应为1000毫克每升', supported: false, spans: [] });
  });

  it('checks every quote of an answer and lists the unsupported ones', () => {
    const answer =
      '根据文本，“浓度应为500毫克每升”，并且「作用时间不少于30分钟」。文中还说“消毒后须通风两小时”。术语“氯”太短，不算引用。';
    expect(extractQuotes(answer)).toEqual(['浓度应为500毫克每升', '作用时间不少于30分钟', '消毒后须通风两小时']);
    const check = checkCitations(zhChunk, answer, { docText: zhDoc.text });
    expect(check.unsupported).toEqual(['消毒后须通风两小时']);
    for (const r of check.results.filter((x) => x.supported))
      for (const s of r.spans) expect(zhDoc.text.slice(...s.doc!)).toBe(zhChunk.text.slice(s.start, s.end));
    expect(checkCitations(zhChunk, 'no quotes here').results).toEqual([]);
    expect(checkCitations(zhChunk, '', { quotes: ['<quote>x'] }).unsupported).toEqual(['<quote>x']);
    expect(extractQuotes('As the text says, <quote>Any string that fails to parse</quote>.')).toEqual(['Any string that fails to parse']);
  });

  it('in a table chunk with its header repeated, document offsets are still right', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`Drug ${i + 1}`, `${(i + 1) * 5} mg`]);
    const doc = buildDoc([{ table: [['Drug', 'Dose'], ...rows] }]);
    const chunks = chunkDocument(doc, { maxTokens: 20, overlapTokens: 0 }).chunks;
    const later = chunks[chunks.length - 1]!;
    expect(later.text.startsWith('| Drug | Dose |')).toBe(true);
    const r = findCitation(later, '| Drug 20 | 100 mg |', doc.text);
    expect(r.supported).toBe(true);
    expect(doc.text.slice(...r.spans[0]!.doc!)).toBe('| Drug 20 | 100 mg |');
  });
});

describe('alignAnswer: the sentences an answer restates, when it quotes none', () => {
  const chunk =
    '# Tenancy deposits\n\nA landlord must return the deposit within 14 days after the tenancy ends. Deductions are allowed only for unpaid rent and for damage beyond normal wear and tear. The landlord must give the tenant a written list of every deduction.';
  const slice = (text: string, spans: { start: number; end: number }[]) => spans.map((s) => text.slice(s.start, s.end));

  it('finds the sentences a small model paraphrased (a real TinyLlama answer), in text order, and leaves out the ones it did not use', () => {
    const answer =
      'The tenancy deposit is the amount of money that the landlord has to give to the tenant after the tenancy has ended. The landlord is allowed to give the tenant a written list of every deduction, which includes the deduction for unpaid rent and for damage beyond normal wear and tear. The answer is given by the text, which answers the question.';
    expect(slice(chunk, alignAnswer(chunk, answer))).toEqual([
      'Deductions are allowed only for unpaid rent and for damage beyond normal wear and tear.',
      'The landlord must give the tenant a written list of every deduction.',
    ]);
  });

  it('in Chinese, by character pairs', () => {
    const zh = '未开封的胰岛素应在2至8摄氏度冷藏保存，不可冷冻。开封后的胰岛素可在室温下保存28天。不要把胰岛素放在阳光直射的地方。';
    expect(slice(zh, alignAnswer(zh, '开封后的胰岛素可以在室温下保存28天。'))).toEqual(['开封后的胰岛素可在室温下保存28天。']);
  });

  it('cites nothing for an answer the chunk does not say, an empty answer, or one that shares only common words', () => {
    expect(alignAnswer(chunk, 'Paris is the capital of France.')).toEqual([]);
    expect(alignAnswer(chunk, '')).toEqual([]);
    expect(alignAnswer(chunk, 'It is what it is, and the tenant must.')).toEqual([]);
  });

  it('keeps at most `max` sentences, the best restated, and honours minOverlap', () => {
    const answer = 'A landlord must return the deposit within 14 days after the tenancy ends, deductions only for unpaid rent and damage beyond normal wear and tear, with a written list of every deduction given to the tenant.';
    expect(alignAnswer(chunk, answer).length).toBe(3);
    expect(alignAnswer(chunk, answer, { max: 1 }).length).toBe(1);
    expect(alignAnswer(chunk, 'The landlord must give a list.', { minOverlap: 0.9 })).toEqual([]);
  });
});
