/**
 * The label tree: topics built from the documents' headings (their table of contents), which
 * every chunk — and later every question — is tagged with, so coverage can be shown and an
 * export balanced per topic. Plain data and pure functions: every operation returns a new tree.
 */
import type { Chunk } from './types';

export interface LabelNode {
  /** Stable id ("L1", "L2", …); chunks store it in `Chunk.label`. */
  id: string;
  title: string;
  /** `null` for a top-level label. */
  parent: string | null;
}

export interface LabelTree {
  /** Parents before children; siblings in their order. */
  nodes: LabelNode[];
  /** Ids merged away, mapped to the label that absorbed them, so old tags still resolve. */
  merged: Record<string, string>;
  /** The next id number to hand out. */
  next: number;
}

/** An operation on the label tree that cannot be done (names an unknown label, or makes a cycle). */
export class LabelTreeError extends Error {
  override name = 'LabelTreeError' as const;
}

export interface LabelSource {
  /** The document's title: its top-level label. */
  title: string;
  chunks: readonly Pick<Chunk, 'headingPath'>[];
}

export const emptyLabelTree = (): LabelTree => ({ nodes: [], merged: {}, next: 1 });

/**
 * Builds the tree from documents: one top-level label per document, below it one label per
 * heading (nested as the headings are) that has chunks, and returns each document's chunks'
 * labels (its deepest heading's label; the document's own label before its first heading).
 *
 * Rebuilt over a `previous` tree, ids are never handed out again (samples keep the label their
 * chunk had when they were made): a previous label whose title path is in the new tree resolves
 * to that label, one that is not resolves to nothing. (Ids once restarted at L1, so an old
 * sample's label named another topic after a rebuild.)
 */
export function buildLabelTree(sources: readonly LabelSource[], previous?: LabelTree): { tree: LabelTree; labels: string[][] } {
  let tree: LabelTree = previous ? { nodes: [], merged: { ...previous.merged }, next: previous.next } : emptyLabelTree();
  const labels: string[][] = [];
  for (const src of sources) {
    const added = addLabel(tree, src.title, null);
    tree = added.tree;
    const root = added.id;
    const byPath = new Map<string, string>();
    labels.push(
      src.chunks.map((c) => {
        let parent = root;
        for (let d = 0; d < c.headingPath.length; d++) {
          const key = c.headingPath.slice(0, d + 1).join('\u0001');
          let id = byPath.get(key);
          if (!id) {
            const a = addLabel(tree, c.headingPath[d]!, parent);
            tree = a.tree;
            id = a.id;
            byPath.set(key, id);
          }
          parent = id;
        }
        return parent;
      }),
    );
  }
  if (previous) {
    const byPath = new Map(tree.nodes.map((n) => [labelPath(tree, n.id).join('\u0001'), n.id]));
    for (const n of previous.nodes) {
      const to = byPath.get(labelPath(previous, n.id).join('\u0001'));
      if (to) tree.merged[n.id] = to;
    }
  }
  return { tree, labels };
}

/** The title path of the label an id (possibly merged away) stands for now; null when it is gone. */
export function resolvedLabelPath(tree: LabelTree, id: string): string[] | null {
  const at = resolveLabel(tree, id);
  return at === undefined ? null : labelPath(tree, at);
}

function find(tree: LabelTree, id: string): LabelNode {
  const n = tree.nodes.find((x) => x.id === id);
  if (!n) throw new LabelTreeError(`There is no label "${id}" in the label tree; it may have been merged or deleted — rebuild the tree from the documents.`);
  return n;
}

/** The label a (possibly merged-away) id now stands for, or undefined if it is gone. */
export function resolveLabel(tree: LabelTree, id: string): string | undefined {
  let cur = id;
  for (let guard = 0; guard <= tree.nodes.length + Object.keys(tree.merged).length; guard++) {
    if (tree.nodes.some((n) => n.id === cur)) return cur;
    const to = tree.merged[cur];
    if (to === undefined) return undefined;
    cur = to;
  }
  return undefined;
}

export function childrenOf(tree: LabelTree, id: string | null): LabelNode[] {
  return tree.nodes.filter((n) => n.parent === id);
}

/** The titles from the top-level label down to this one. */
export function labelPath(tree: LabelTree, id: string): string[] {
  const out: string[] = [];
  for (let n: LabelNode | undefined = find(tree, id); n; n = n.parent ? find(tree, n.parent) : undefined) out.unshift(n.title);
  return out;
}

/** Parents before children, siblings kept in order (the stored order of `nodes`). */
function ordered(nodes: LabelNode[]): LabelNode[] {
  const out: LabelNode[] = [];
  const walk = (parent: string | null) => {
    for (const n of nodes) if (n.parent === parent) {
      out.push(n);
      walk(n.id);
    }
  };
  walk(null);
  return out;
}

/** A new label under `parent` (null: top level), last among its siblings. */
export function addLabel(tree: LabelTree, title: string, parent: string | null): { tree: LabelTree; id: string } {
  if (parent !== null) find(tree, parent);
  const id = `L${tree.next}`;
  const node: LabelNode = { id, title: title.trim() || '—', parent };
  return { tree: { ...tree, nodes: ordered([...tree.nodes, node]), next: tree.next + 1 }, id };
}

/** @throws {LabelTreeError} when there is no such label or the title is blank. */
export function renameLabel(tree: LabelTree, id: string, title: string): LabelTree {
  find(tree, id);
  const t = title.trim();
  if (!t) throw new LabelTreeError('A label needs a name: type at least one character, or merge the label into another.');
  return { ...tree, nodes: tree.nodes.map((n) => (n.id === id ? { ...n, title: t } : n)) };
}

/**
 * Merges `from` into `into`: `from`'s children move under `into` (after its own), `from` goes, and
 * its tag resolves to `into` from now on (`resolveLabel`).
 * @throws {LabelTreeError} for an unknown label, merging a label into itself or into its own descendant.
 */
export function mergeLabels(tree: LabelTree, from: string, into: string): LabelTree {
  find(tree, from);
  find(tree, into);
  if (from === into || isDescendant(tree, into, from))
    throw new LabelTreeError('A label cannot be merged into itself or into one of its own sub-labels: pick a label outside it.');
  const kept = tree.nodes.filter((n) => n.id !== from);
  const moved = kept.map((n) => (n.parent === from ? { ...n, parent: into } : n));
  // Children of `from` go after `into`'s own children: move them to the end of the list.
  const fromKids = moved.filter((n) => n.parent === into && tree.nodes.find((o) => o.id === n.id)!.parent === from);
  const rest = moved.filter((n) => !fromKids.includes(n));
  const merged = { ...tree.merged, [from]: into };
  for (const [k, v] of Object.entries(merged)) if (v === from) merged[k] = into;
  return { ...tree, nodes: ordered([...rest, ...fromKids]), merged };
}

/** Whether `id` lies below `ancestor`. */
export function isDescendant(tree: LabelTree, id: string, ancestor: string): boolean {
  for (let n = find(tree, id); n.parent; n = find(tree, n.parent)) if (n.parent === ancestor) return true;
  return false;
}

/**
 * Moves a label (with its sub-labels) under `parent` (null: top level), at `index` among its new
 * siblings (default: last).
 * @throws {LabelTreeError} for an unknown label or a move under itself or its own sub-label.
 */
export function moveLabel(tree: LabelTree, id: string, parent: string | null, index?: number): LabelTree {
  const node = find(tree, id);
  if (parent !== null) {
    find(tree, parent);
    if (parent === id || isDescendant(tree, parent, id))
      throw new LabelTreeError('A label cannot be moved under itself or one of its own sub-labels: pick a label outside it.');
  }
  const others = tree.nodes.filter((n) => n.id !== id);
  const siblings = others.filter((n) => n.parent === parent);
  const at = Math.max(0, Math.min(index ?? siblings.length, siblings.length));
  const moved = { ...node, parent };
  // Insert before the sibling now at `at` (or after the last sibling); `ordered` regroups by parent.
  const anchor = siblings[at];
  const list = [...others];
  if (anchor) list.splice(list.indexOf(anchor), 0, moved);
  else list.push(moved);
  return { ...tree, nodes: ordered(list) };
}

/**
 * The tree as an indented Markdown list, two spaces a level ("- Title"): what the label editor
 * shows as text and what a model is asked to refine.
 */
export function toOutline(tree: LabelTree): string {
  const depth = new Map<string, number>();
  return tree.nodes
    .map((n) => {
      const d = n.parent ? depth.get(n.parent)! + 1 : 0;
      depth.set(n.id, d);
      return `${'  '.repeat(d)}- ${n.title}`;
    })
    .join('\n');
}

/**
 * Reads an outline written by `toOutline` (or by a person or model in its format: "-", "*" or
 * "1." markers, any consistent indentation). Labels whose title path matches one in `previous`
 * keep their id, so existing tags stay valid; new ones get new ids.
 * @throws {LabelTreeError} for a line that is not a list item, or one indented deeper than its parent allows.
 */
export function fromOutline(outline: string, previous: LabelTree = emptyLabelTree()): LabelTree {
  const oldByPath = new Map<string, string>();
  for (const n of previous.nodes) oldByPath.set(labelPath(previous, n.id).join('\u0001'), n.id);
  let next = previous.next;
  const nodes: LabelNode[] = [];
  const stack: { indent: number; id: string; title: string }[] = [];
  outline.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^(\s*)(?:[-*+]|\d+[.)])\s+(.*\S)\s*$/u.exec(line);
    if (!m) throw new LabelTreeError(`Line ${i + 1} of the outline is not a list item ("- Title"): ${line.trim().slice(0, 60)}`);
    const indent = m[1]!.replace(/\t/g, '  ').length;
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (!stack.length && indent > 0 && nodes.length === 0)
      throw new LabelTreeError(`Line ${i + 1} of the outline is indented, but the outline must start at the left margin.`);
    const title = m[2]!;
    const path = [...stack.map((s) => s.title), title].join('\u0001');
    const id = oldByPath.get(path) ?? `L${next++}`;
    oldByPath.delete(path);
    nodes.push({ id, title, parent: stack.length ? stack[stack.length - 1]!.id : null });
    stack.push({ indent, id, title });
  });
  return { nodes, merged: { ...previous.merged }, next };
}

/**
 * Deletes a label. Its sub-labels take its place under its parent; what was tagged with it (chunks,
 * questions) resolves to the parent from now on (`resolveLabel`), or to nothing for a top-level label.
 * @throws {LabelTreeError} for an unknown label.
 */
export function deleteLabel(tree: LabelTree, id: string): LabelTree {
  const node = find(tree, id);
  const list: LabelNode[] = [];
  for (const n of tree.nodes) {
    if (n.id === id) continue;
    list.push(n.parent === id ? { ...n, parent: node.parent } : n);
  }
  // The children go where the label was among its siblings: before the sibling that followed it.
  const siblings = tree.nodes.filter((n) => n.parent === node.parent);
  const after = siblings[siblings.indexOf(node) + 1];
  const kids = list.filter((n) => tree.nodes.find((o) => o.id === n.id)!.parent === id);
  const rest = list.filter((n) => !kids.includes(n));
  if (after) rest.splice(rest.indexOf(after), 0, ...kids);
  else rest.push(...kids);
  const merged = { ...tree.merged };
  if (node.parent) {
    merged[id] = node.parent;
    for (const [k, v] of Object.entries(merged)) if (v === id) merged[k] = node.parent;
  } else {
    for (const [k, v] of Object.entries(merged)) if (v === id) delete merged[k];
  }
  return { ...tree, nodes: ordered(rest), merged };
}

/** A one-step move the label editor's buttons make (no drag needed). */
export type LabelShift = 'up' | 'down' | 'indent' | 'outdent';

/**
 * Moves a label one step: before its previous sibling ('up'), after its next one ('down'), under
 * its previous sibling as the last sub-label ('indent'), or up a level just after its parent
 * ('outdent'). A step that cannot be taken (the first sibling moving up, a top-level label
 * outdented) returns the tree unchanged.
 * @throws {LabelTreeError} for an unknown label.
 */
export function shiftLabel(tree: LabelTree, id: string, shift: LabelShift): LabelTree {
  const node = find(tree, id);
  const siblings = childrenOf(tree, node.parent);
  const i = siblings.findIndex((n) => n.id === id);
  switch (shift) {
    case 'up':
      return i > 0 ? moveLabel(tree, id, node.parent, i - 1) : tree;
    case 'down':
      return i < siblings.length - 1 ? moveLabel(tree, id, node.parent, i + 1) : tree;
    case 'indent':
      return i > 0 ? moveLabel(tree, id, siblings[i - 1]!.id) : tree;
    case 'outdent': {
      if (node.parent === null) return tree;
      const parent = find(tree, node.parent);
      const at = childrenOf(tree, parent.parent).findIndex((n) => n.id === parent.id);
      return moveLabel(tree, id, parent.parent, at + 1);
    }
  }
}

/** Depth of every label (0 for top level), in the tree's order. */
export function labelDepths(tree: LabelTree): Map<string, number> {
  const depth = new Map<string, number>();
  for (const n of tree.nodes) depth.set(n.id, n.parent ? (depth.get(n.parent) ?? 0) + 1 : 0);
  return depth;
}
