import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/lib/documents/chunk';
import {
  addLabel,
  buildLabelTree,
  childrenOf,
  fromOutline,
  labelPath,
  LabelTreeError,
  mergeLabels,
  moveLabel,
  renameLabel,
  resolveLabel,
  toOutline,
  type LabelTree,
} from '../../src/lib/documents/labelTree';
import { buildDoc, docFromMarkdown } from './documentsFixtures';

const semverDoc = docFromMarkdown(readFileSync('tests/fixtures/documents/semver-README.md', 'utf8'), 'semver');
const semver = chunkDocument(semverDoc, { maxTokens: 200, overlapTokens: 20 }).chunks;
const zhDoc = buildDoc(
  [
    { h: 1, title: '第一章 总则' },
    { p: '本规范适用于全院各病区。' },
    { h: 2, title: '第一节 适用范围' },
    { p: '门诊与住院部均须执行。' },
    { h: 1, title: '第二章 手卫生' },
    { h: 2, title: '第一节 洗手指征' },
    { p: '接触患者前后均须洗手。' },
  ],
  '护理规范',
);
const zh = chunkDocument(zhDoc, { maxTokens: 200, overlapTokens: 0 }).chunks;

/** Every node's parent exists and comes first; ids are unique. */
function wellFormed(tree: LabelTree) {
  const seen = new Set<string>();
  for (const n of tree.nodes) {
    expect(seen.has(n.id)).toBe(false);
    if (n.parent !== null) expect(seen.has(n.parent)).toBe(true);
    seen.add(n.id);
  }
}

describe('label tree', () => {
  const { tree, labels } = buildLabelTree([
    { title: 'semver', chunks: semver },
    { title: '护理规范', chunks: zh },
  ]);

  it('is built from the headings, each chunk tagged with its deepest heading', () => {
    wellFormed(tree);
    expect(childrenOf(tree, null).map((n) => n.title)).toEqual(['semver', '护理规范']);
    [semver, zh].forEach((chunks, d) =>
      chunks.forEach((c, i) => {
        const path = labelPath(tree, labels[d]![i]!);
        expect(path).toEqual([d ? '护理规范' : 'semver', ...c.headingPath]);
      }),
    );
    // Headings with the same title under different parents are different labels.
    const sections = tree.nodes.filter((n) => n.title === '第一节 适用范围' || n.title === '第一节 洗手指征');
    expect(new Set(sections.map((n) => n.parent)).size).toBe(2);
    expect(toOutline(tree).split('\n').slice(-5)).toEqual(['- 护理规范', '  - 第一章 总则', '    - 第一节 适用范围', '  - 第二章 手卫生', '    - 第一节 洗手指征']);
  });

  it('round-trips through its outline text, keeping ids', () => {
    const back = fromOutline(toOutline(tree), tree);
    expect(back).toEqual(tree);
    // Read without the old tree: same shape and titles, fresh ids.
    const fresh = fromOutline(toOutline(tree));
    expect(toOutline(fresh)).toBe(toOutline(tree));
    // A model or a person may write "*" or "1." markers and tabs; unknown titles get new ids.
    const edited = fromOutline('1. semver\n\t* Usage\n* 新主题', tree);
    expect(edited.nodes.map((n) => n.title)).toEqual(['semver', 'Usage', '新主题']);
    expect(edited.nodes[0]!.id).toBe(tree.nodes[0]!.id);
    expect(edited.nodes[2]!.id).toBe(`L${tree.next}`);
    expect(() => fromOutline('- a\nnot an item')).toThrow(LabelTreeError);
  });

  it('renames, merges and moves as pure functions', () => {
    const before = JSON.stringify(tree);
    const ch1 = tree.nodes.find((n) => n.title === '第一章 总则')!.id;
    const ch2 = tree.nodes.find((n) => n.title === '第二章 手卫生')!.id;
    const renamed = renameLabel(tree, ch1, '  第一章 总 则 ');
    expect(labelPath(renamed, ch1)).toEqual(['护理规范', '第一章 总 则']);
    expect(() => renameLabel(tree, ch1, '  ')).toThrow(/needs a name/);

    const merged = mergeLabels(tree, ch2, ch1);
    wellFormed(merged);
    expect(merged.nodes.some((n) => n.id === ch2)).toBe(false);
    expect(resolveLabel(merged, ch2)).toBe(ch1);
    expect(childrenOf(merged, ch1).map((n) => n.title)).toEqual(['第一节 适用范围', '第一节 洗手指征']);
    // Every old tag still resolves to a label.
    for (const l of labels.flat()) expect(resolveLabel(merged, l)).toBeDefined();
    const ch1root = tree.nodes.find((n) => n.id === ch1)!.parent!;
    expect(() => mergeLabels(tree, ch1root, ch1)).toThrow(LabelTreeError);

    const moved = moveLabel(tree, ch2, null, 0);
    wellFormed(moved);
    expect(childrenOf(moved, null).map((n) => n.title)).toEqual(['第二章 手卫生', 'semver', '护理规范']);
    expect(labelPath(moved, tree.nodes.find((n) => n.title === '第一节 洗手指征')!.id)).toEqual(['第二章 手卫生', '第一节 洗手指征']);
    expect(() => moveLabel(tree, ch1root, ch1)).toThrow(/under itself or one of its own sub-labels/);
    expect(() => moveLabel(tree, 'L999', null)).toThrow(LabelTreeError);

    const added = addLabel(tree, '感染控制', ch1root);
    expect(labelPath(added.tree, added.id)).toEqual(['护理规范', '感染控制']);
    expect(JSON.stringify(tree)).toBe(before);
  });
});
