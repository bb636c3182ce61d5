import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isContentsListing } from '../../src/lib/documents/boilerplate';
import { chunkDocument, ChunkOptionsError } from '../../src/lib/documents/chunk';
import { extractMarkdown } from '../../src/lib/documents/extract/markdown';
import { estimateTextTokens, splitSentences } from '../../src/lib/documents/sentences';
import { buildDoc, checkInvariants, docFromMarkdown, POLICY_LINES, runningHeaderPages, type Part } from './documentsFixtures';

// Real Markdown no one here wrote (semver's README, ISC licence alongside).
const semver = docFromMarkdown(readFileSync('tests/fixtures/documents/semver-README.md', 'utf8'), 'semver');

// A Chinese guideline-style text (written for this test): long sentences, full-width punctuation.
const zhParagraphs = [
  '夜班护士在交接班前应当核对每一位患者的用药记录，确认剂量、给药时间和给药途径均与医嘱一致。若发现记录缺失或存在疑问，应立即联系值班医生，不得自行补录！交接时须当面说明危重患者的生命体征变化；对于使用镇静药物的患者，还应说明最近一次评估的结果。',
  '病房的消毒工作每日进行两次，分别在上午八点和下午四点。消毒范围包括床栏、床头柜、输液架以及呼叫按钮等高频接触表面？不，呼叫按钮须每四小时擦拭一次。使用含氯消毒剂时，浓度应为五百毫克每升，作用时间不少于三十分钟……擦拭后应保持表面湿润直至作用时间结束。',
  '患者跌倒风险评估采用标准量表，入院时、转科时和病情变化时均须重新评估。评分达到高风险的患者，床头应悬挂醒目标识，床栏保持拉起，呼叫器放在患者伸手可及之处。家属陪护时，护士应向家属说明防跌倒的注意事项，并请家属签字确认。',
];

describe('chunkDocument invariants', () => {
  for (const [maxTokens, overlapTokens] of [
    [60, 0],
    [60, 20],
    [120, 30],
    [400, 40],
  ] as const) {
    it(`semver README, ${maxTokens} tokens, overlap ${overlapTokens}`, () => {
      const r = chunkDocument(semver, { maxTokens, overlapTokens });
      expect(r.chunks.length).toBeGreaterThan(semver.blocks.filter((b) => b.kind === 'heading').length / 2);
      checkInvariants(semver, r, maxTokens, overlapTokens);
      // Overlap is used where a section needs several chunks.
      const overlapping = r.chunks.filter((c, i) => i > 0 && r.chunks[i - 1]!.span[1] > c.span[0]).length;
      if (overlapTokens > 0) expect(overlapping).toBeGreaterThan(0);
    });
  }

  it("the app's Markdown extractor's blocks (semver README, and Chinese with a table) keep the invariants", () => {
    const en = extractMarkdown(readFileSync('tests/fixtures/documents/semver-README.md', 'utf8'), 'README.md');
    for (const [max, overlap] of [
      [80, 20],
      [300, 40],
    ] as const)
      checkInvariants(en, chunkDocument(en, { maxTokens: max, overlapTokens: overlap }), max, overlap);
    const rows = Array.from({ length: 25 }, (_, i) => `| 药品${i + 1} | ${(i + 1) * 5}毫克 | 口服，每日${(i % 3) + 1}次 |`);
    const md = `# 护理规范\n\n## 交接班\n\n${zhParagraphs[0]}\n\n## 用药\n\n| 药品 | 剂量 | 用法 |\n|---|---|---|\n${rows.join('\n')}\n\n- ${zhParagraphs[1]}\n- ${zhParagraphs[2]}\n`;
    const zh = extractMarkdown(md, '护理规范.md');
    expect(zh.blocks.map((b) => b.kind)).toEqual(['heading', 'heading', 'paragraph', 'heading', 'table', 'list']);
    const r = chunkDocument(zh, { maxTokens: 60, overlapTokens: 20 });
    checkInvariants(zh, r, 60, 20);
    const tableChunks = r.chunks.filter((c) => c.text.includes('| 药品'));
    expect(tableChunks.length).toBeGreaterThan(1);
    expect(tableChunks[0]!.text.startsWith('## 用药\n\n| 药品 | 剂量 | 用法 |\n|---|---|---|\n')).toBe(true);
    for (const c of tableChunks.slice(1)) expect(c.text.startsWith('| 药品 | 剂量 | 用法 |\n|---|---|---|\n'), c.text).toBe(true);
  });

  it('a Chinese document: sentences intact, sizes counted in characters', () => {
    const doc = buildDoc([{ h: 1, title: '护理规范' }, { h: 2, title: '交接班' }, { p: zhParagraphs[0]! }, { h: 2, title: '消毒与防跌倒' }, { p: zhParagraphs[1]! }, { p: zhParagraphs[2]! }], '护理规范');
    const maxTokens = 80;
    const r = chunkDocument(doc, { maxTokens, overlapTokens: 30 });
    checkInvariants(doc, r, maxTokens, 30);
    expect(estimateTextTokens('夜班护士在交接班前')).toBe(9);
    // Every chunk starts at a heading or a sentence start, and ends at a sentence end.
    const sentences = doc.blocks.filter((b) => b.kind === 'paragraph').flatMap((b) => splitSentences(doc.text.slice(b.start, b.end), b.start));
    const starts = new Set([...sentences.map((s) => s.start), ...doc.blocks.map((b) => b.start)]);
    const ends = new Set([...sentences.map((s) => s.end), ...doc.blocks.map((b) => b.end)]);
    for (const c of r.chunks) {
      expect(starts.has(c.span[0]), c.text).toBe(true);
      expect(ends.has(c.span[1]), c.text).toBe(true);
      expect(c.text).toMatch(/[。！？；…]$/u);
    }
    expect(r.chunks.map((c) => c.headingPath[1])).toContain('消毒与防跌倒');
    expect(r.chunks.length).toBeGreaterThanOrEqual(4);
  });

  it('one sentence longer than a chunk is cut at clause marks, then between characters', () => {
    const long = `${'患者入院后应完成护理评估，'.repeat(12)}并记录在案。`;
    const doc = buildDoc([{ p: long }, { p: 'Short one. Another short sentence here.' }]);
    const r = chunkDocument(doc, { maxTokens: 30, overlapTokens: 0 });
    checkInvariants(doc, r, 30, 0);
    const pieces = r.chunks.filter((c) => c.span[1] <= long.length);
    expect(pieces.length).toBeGreaterThan(1);
    // Cut after a clause mark (，) wherever the piece does not end the sentence.
    for (const p of pieces.slice(0, -1)) expect(p.text).toMatch(/，$/u);
    const cjk = buildDoc([{ p: '无标点的超长句子'.repeat(10) }]);
    const rc = chunkDocument(cjk, { maxTokens: 25, overlapTokens: 0 });
    checkInvariants(cjk, rc, 25, 0);
    expect(rc.chunks.map((c) => c.text).join('')).toBe(cjk.text);
  });

  it('English sentence boundaries: abbreviations, initials and decimals do not end a sentence', () => {
    const s = 'Dr. J. Smith measured 3.14 mm at 9 a.m. on Monday, e.g. in ward B. The result was normal! Was it repeated? Yes… see Fig. 2 for details.';
    expect(splitSentences(s).map((x) => s.slice(x.start, x.end))).toEqual([
      'Dr. J. Smith measured 3.14 mm at 9 a.m. on Monday, e.g. in ward B.',
      'The result was normal!',
      'Was it repeated?',
      'Yes… see Fig. 2 for details.',
    ]);
    const z = '他说：“今天不去了。”我们只好改天再来！真的吗？是的……明天见；';
    expect(splitSentences(z).map((x) => z.slice(x.start, x.end))).toEqual(['他说：“今天不去了。”', '我们只好改天再来！', '真的吗？', '是的……', '明天见；']);
  });

  it('a long table is split between rows, each part under its header row', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`Drug ${i + 1}`, `${(i + 1) * 5} mg`, i % 2 ? 'oral' : 'intravenous infusion over thirty minutes']);
    const doc = buildDoc([{ h: 1, title: 'Dosing' }, { p: 'The table lists the usual adult doses.' }, { table: [['Drug', 'Dose', 'Route'], ...rows] }, { p: 'Doses for children differ.' }]);
    const r = chunkDocument(doc, { maxTokens: 50, overlapTokens: 0 });
    checkInvariants(doc, r, 50, 0);
    const tableChunks = r.chunks.filter((c) => c.text.includes('| Drug '));
    expect(tableChunks.length).toBeGreaterThan(2);
    for (const c of tableChunks) expect(c.text).toMatch(/\| Drug \| Dose \| Route \|\n\|---\|---\|---\|\n/);
    // Every body row is in some chunk, whole.
    for (const row of rows) expect(r.chunks.some((c) => c.text.includes(`| ${row.join(' | ')} |`))).toBe(true);
  });

  it('a table row longer than a chunk stays whole (the one allowed excess)', () => {
    const doc = buildDoc([{ table: [['Term', 'Meaning'], ['Consent', 'word '.repeat(40).trim()], ['Short', 'row']] }]);
    const r = chunkDocument(doc, { maxTokens: 20, overlapTokens: 0 });
    const big = r.chunks.find((c) => c.text.includes('| Consent |'))!;
    expect(big.text).toContain(`| Consent | ${'word '.repeat(40).trim()} |`);
    expect(big.tokens).toBeGreaterThan(20);
    expect(r.chunks.filter((c) => c.tokens > 20)).toHaveLength(1);
  });

  it('list items are kept whole, and heading-only sections join the next section', () => {
    const items = Array.from({ length: 12 }, (_, i) => `Step ${i + 1}: check the patient's identity band against the chart before giving any medicine.`);
    const doc = buildDoc([{ h: 1, title: 'Chapter 1' }, { h: 2, title: '1.1 Checks' }, { list: items, ordered: true }, { h: 2, title: '1.2 Notes' }, { p: 'Nothing else.' }]);
    const r = chunkDocument(doc, { maxTokens: 45, overlapTokens: 15 });
    checkInvariants(doc, r, 45, 15);
    expect(r.chunks[0]!.text.startsWith('# Chapter 1\n\n## 1.1 Checks\n\n1. Step 1')).toBe(true);
    expect(r.chunks[0]!.headingPath).toEqual(['Chapter 1', '1.1 Checks']);
    expect(r.chunks[r.chunks.length - 1]!.headingPath).toEqual(['Chapter 1', '1.2 Notes']);
  });

  it('pages come from the blocks, a paragraph across a page break included', () => {
    const parts: Part[] = [
      { h: 1, title: 'Scope', page: 1 },
      { p: 'This policy applies to all wards. It covers day and night shifts.', page: 1 },
      { p: 'Staff must read it once a year. Managers keep the signed forms.', pages: [1, 2] },
      { h: 1, title: 'Duties', page: 3 },
      { p: 'Nurses record every dose.', page: 3 },
    ];
    const doc = buildDoc(parts);
    const r = chunkDocument(doc, { maxTokens: 14, overlapTokens: 0 });
    checkInvariants(doc, r, 14, 0);
    expect(r.chunks.map((c) => c.pages)).toEqual([
      [1, 1],
      [1, 2],
      [3, 3],
    ]);
    expect(chunkDocument(semver).chunks.every((c) => c.pages === null)).toBe(true);
  });

  it('rejects sizes that cannot work, with a message saying the allowed range', () => {
    expect(() => chunkDocument(semver, { maxTokens: 0 })).toThrow(ChunkOptionsError);
    try {
      chunkDocument(semver, { maxTokens: 100, overlapTokens: 80 });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('ChunkOptionsError');
      expect((e as Error).message).toContain('between 0 and half the chunk size (50 tokens)');
      // The UI words it in its own language from these (issue 14: English in the Chinese UI).
      expect((e as ChunkOptionsError).kind).toBe('overlap');
      expect((e as ChunkOptionsError).params).toEqual({ max: 50, got: 80 });
    }
    try {
      chunkDocument(semver, { maxTokens: 2.5 });
      expect.unreachable();
    } catch (e) {
      expect((e as ChunkOptionsError).kind).toBe('size');
      expect((e as ChunkOptionsError).params).toEqual({ got: 2.5 });
    }
  });
});

describe('boilerplate and duplicates', () => {
  // A 6-page "PDF": each page opens with a running header and closes with a page number.
  const pages = runningHeaderPages();
  const body = POLICY_LINES;
  const doc = buildDoc(pages);

  it('running headers and page numbers are removed before chunking', () => {
    const r = chunkDocument(doc, { maxTokens: 30, overlapTokens: 0 });
    expect(r.removed).toHaveLength(12);
    for (const s of r.removed) expect(doc.text.slice(s.start, s.end)).toMatch(/^(St Mary Hospital|Page \d of 6)/);
    checkInvariants(doc, r, 30, 0);
    const all = r.chunks.map((c) => c.text).join('\n');
    expect(all).not.toContain('St Mary Hospital');
    expect(all).not.toMatch(/Page \d of 6/);
    for (const line of body) expect(all).toContain(line);
    // Off: the lines stay.
    const kept = chunkDocument(doc, { maxTokens: 30, overlapTokens: 0, removeRepeatedLines: false });
    expect(kept.removed).toEqual([]);
    expect(kept.chunks.map((c) => c.text).join('\n')).toContain('Page 3 of 6');
  });

  it('a line on only a few pages is not boilerplate', () => {
    const few = buildDoc([...pages.slice(0, 3), { p: 'Appendix A', page: 7 }, { p: 'Appendix A', page: 8 }, { p: 'x', page: 20 }]);
    const r = chunkDocument(few);
    expect(r.removed.map((s) => few.text.slice(s.start, s.end))).toEqual([]);
  });

  it('exact and near-duplicate chunks are excluded; text repeated three times or more is boilerplate', () => {
    const notice = 'This document is confidential and intended only for staff of the hospital. Do not copy or forward it.';
    const d = buildDoc([
      { h: 1, title: 'A' },
      { p: 'Visiting hours are from two to eight in the afternoon and evening.' },
      { h: 1, title: 'B' },
      { p: 'Visiting hours are from two to eight in the afternoon and evening!' },
      { h: 1, title: 'C' },
      { p: notice },
      { h: 1, title: 'D' },
      { p: notice },
      { h: 1, title: 'E' },
      { p: notice.replace('hospital', 'Hospital') },
      { h: 1, title: 'F' },
      { p: '每位访客须在前台登记姓名和联系电话。' },
      { h: 1, title: 'G' },
      { p: '每位访客须在前台登记姓名和联系电话！' },
    ]);
    const r = chunkDocument(d, { maxTokens: 100, overlapTokens: 0 });
    expect(r.chunks.map((c) => c.excluded)).toEqual([undefined, 'duplicate', 'boilerplate', 'boilerplate', 'boilerplate', undefined, 'duplicate']);
    // Near-copies of a templated section (names differ) are duplicates at most, never boilerplate.
    const tpl = (alg: string) => ({ p: `The function hmac_${alg}_digest writes the ${alg} MAC of the message to the digest buffer; the context must have been keyed with hmac_${alg}_set_key first.` });
    const t = chunkDocument(buildDoc([{ h: 2, title: 'MD5' }, tpl('md5'), { h: 2, title: 'SHA1' }, tpl('sha1'), { h: 2, title: 'SHA256' }, tpl('sha256')]), { maxTokens: 100, overlapTokens: 0, markDuplicates: { threshold: 0.5 } });
    expect(t.chunks.map((c) => c.excluded)).toEqual([undefined, 'duplicate', 'duplicate']);
    expect(chunkDocument(d, { maxTokens: 100, overlapTokens: 0, markDuplicates: false }).chunks.every((c) => !c.excluded)).toBe(true);
  });
});

describe('tables of contents', () => {
  // As pdf.js reads the Nettle manual's contents page (dot leaders, then the page number).
  const toc =
    '1 Introduction . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 1 2 Copyright . . . . . . . . . . . . . . . . . . . . . . . . . 2 3 Conventions . . . . . . . . . . . . . . . . . . . . . . 3 4 Example . . . . . . . . . . . . . . . . 4';
  const zhToc = '第一章 总则……………………1\n第二章 储存……………………5\n第三章 运输……………………9';

  it('recognises a contents listing in English and Chinese, and not prose with an ellipsis or a short dotted line', () => {
    expect(isContentsListing(toc)).toBe(true);
    expect(isContentsListing(zhToc)).toBe(true);
    expect(isContentsListing('Wait.... what? The ratio is 3.5 and the list goes on... and on.')).toBe(false);
    expect(isContentsListing('See chapter 3 . . . . 12 for the details, which explain at length how keys are made and kept, and why.')).toBe(false);
  });

  it('excludes the contents chunk as boilerplate and keeps the chapters', () => {
    const doc = buildDoc([
      { h: 1, title: 'Contents' },
      { p: toc },
      { h: 1, title: 'Introduction' },
      { p: 'Nettle is a cryptographic library that is designed to fit easily in any context.' },
    ]);
    const { chunks } = chunkDocument(doc, { maxTokens: 60, overlapTokens: 0 });
    expect(chunks.map((c) => [c.headingPath.join('/'), c.excluded ?? null])).toEqual([
      ['Contents', 'boilerplate'],
      ['Introduction', null],
    ]);
    expect(chunkDocument(doc, { maxTokens: 60, overlapTokens: 0, markDuplicates: false }).chunks.every((c) => !c.excluded)).toBe(true);
  });
});
