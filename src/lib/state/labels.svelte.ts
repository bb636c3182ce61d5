import type { AppDb } from '../db/db';
import { countDocuments, listDocuments, listChunks, listProjectChunks, saveLabelTree } from '../db/documentsRepo';
import { buildLabelTree, emptyLabelTree, type LabelTree } from '../documents/labelTree';

/**
 * A project's label tree as the label editor shows and edits it. Every edit is a pure function
 * of the tree (documents/labelTree.ts), stored at once with the chunks' labels brought in line
 * (saveLabelTree, one transaction); a failed edit changes nothing, here or stored.
 */
export class LabelsState {
  #db: AppDb;
  #projectId: string;
  #tree = $state.raw<LabelTree>(emptyLabelTree());
  /** Chunks tagged with each label (the label alone, not its sub-labels). */
  #counts = $state.raw<Map<string, number>>(new Map());
  #documents = $state(0);
  #loading = $state(true);
  #busy = $state(false);

  constructor(db: AppDb, projectId: string) {
    this.#db = db;
    this.#projectId = projectId;
  }

  get tree(): LabelTree {
    return this.#tree;
  }
  get counts(): Map<string, number> {
    return this.#counts;
  }
  get documents(): number {
    return this.#documents;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get busy(): boolean {
    return this.#busy;
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      // The documents are counted, not read: their texts can be megabytes.
      const [project, documents, chunks] = await Promise.all([
        this.#db.projects.get(this.#projectId),
        countDocuments(this.#db, this.#projectId),
        listProjectChunks(this.#db, this.#projectId),
      ]);
      this.#tree = project?.labels ?? emptyLabelTree();
      this.#documents = documents;
      const counts = new Map<string, number>();
      for (const c of chunks) if (c.label !== undefined) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
      this.#counts = counts;
    } finally {
      this.#loading = false;
    }
  }

  async #save(tree: LabelTree, assign?: Map<string, string>): Promise<void> {
    this.#busy = true;
    try {
      await saveLabelTree(this.#db, this.#projectId, tree, assign);
      await this.load();
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Builds the tree from every document's headings (one top-level label per document) and tags
   * every chunk with its deepest heading's label. Returns the number of labels.
   */
  async build(): Promise<number> {
    const docs = await listDocuments(this.#db, this.#projectId);
    const perDoc = await Promise.all(docs.map((d) => listChunks(this.#db, d.id)));
    // Over the stored tree: new ids, and the old ones (held by samples) resolve to the same headings.
    const stored = (await this.#db.projects.get(this.#projectId))?.labels;
    const { tree, labels } = buildLabelTree(
      docs.map((d, i) => ({ title: d.title.trim() || d.name, chunks: perDoc[i]! })),
      stored,
    );
    const assign = new Map<string, string>();
    perDoc.forEach((chunks, i) => chunks.forEach((c, j) => assign.set(c.id, labels[i]![j]!)));
    await this.#save(tree, assign);
    return tree.nodes.length;
  }

  /** Applies an edit (a pure function of the tree) and stores the result. @throws LabelTreeError from the edit, with nothing changed. */
  edit(fn: (tree: LabelTree) => LabelTree): Promise<void> {
    const next = fn(this.#tree);
    if (next === this.#tree) return Promise.resolve();
    return this.#save(next);
  }
}
