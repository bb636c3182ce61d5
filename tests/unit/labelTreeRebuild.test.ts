import { describe, expect, it } from 'vitest';
import { buildLabelTree, deleteLabel, labelPath, LabelTreeError, mergeLabels, resolveLabel, resolvedLabelPath } from '../../src/lib/documents/labelTree';

/**
 * Review of issue 14: samples keep the label id their chunk had when they were made. Rebuilding
 * the tree from the headings restarted ids at L1, so an old sample's label named another topic;
 * and the drawer read a merged or deleted label's path with labelPath, which throws.
 */
const guide = { title: 'Guide', chunks: [{ headingPath: ['Install'] }, { headingPath: ['Install', 'Windows'] }, { headingPath: ['Remove'] }] };
const policy = { title: 'Policy', chunks: [{ headingPath: ['Scope'] }] };

describe('rebuilding the label tree', () => {
  it('hands out new ids, and an old id resolves to the label with the same headings (or to nothing)', () => {
    const first = buildLabelTree([guide]).tree;
    const windows = first.nodes.find((n) => n.title === 'Windows')!.id;
    const remove = first.nodes.find((n) => n.title === 'Remove')!.id;
    // The document lost its "Remove" section; another document came first.
    const { tree } = buildLabelTree([policy, { ...guide, chunks: guide.chunks.slice(0, 2) }], first);
    const oldIds = new Set(first.nodes.map((n) => n.id));
    expect(tree.nodes.some((n) => oldIds.has(n.id))).toBe(false);
    expect(resolvedLabelPath(tree, windows)).toEqual(['Guide', 'Install', 'Windows']);
    expect(resolveLabel(tree, remove)).toBeUndefined();
    // Without the previous tree (the old behaviour) the same id names another topic.
    expect(labelPath(buildLabelTree([policy, guide]).tree, windows)).not.toEqual(['Guide', 'Install', 'Windows']);
  });

  it('a merged or deleted label is shown as the label it stands for now, a gone one as null — never thrown', () => {
    const t = buildLabelTree([guide]).tree;
    const [install, windows, remove] = ['Install', 'Windows', 'Remove'].map((x) => t.nodes.find((n) => n.title === x)!.id);
    const merged = mergeLabels(t, windows!, install!);
    expect(() => labelPath(merged, windows!)).toThrow(LabelTreeError);
    expect(resolvedLabelPath(merged, windows!)).toEqual(['Guide', 'Install']);
    const root = t.nodes.find((n) => n.parent === null)!.id;
    expect(resolvedLabelPath(deleteLabel(deleteLabel(t, remove!), root), remove!)).toBeNull();
  });
});
