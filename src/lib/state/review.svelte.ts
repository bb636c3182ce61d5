import type { AppDb } from '../db/db';
import { editSample, forEachSamplePage, prevOfSample, redactSample, restoreSamples, sampleChain, setSamplesStatus, type SampleEdit, type SamplePrev } from '../db/samplesRepo';
import type { Sample } from '../db/types';
import { keptGrounding } from '../documents/cite';
import { ANY_FILTER, applyFilter, facets, type ReviewFilter } from '../review/filter';
import { toRow, type ReviewRow } from '../review/rows';

/** One undoable curation step: what it was (for the button's label) and what to put back. */
interface UndoStep {
  kind: 'accept' | 'reject' | 'edit';
  count: number;
  prev: SamplePrev[];
}

const UNDO_DEPTH = 20;

/**
 * The text a document-made sample was grounded on, as the drawer shows it: the stored document's
 * text over `source.span` (`offset`: where it starts in the document, so that `source.cited`
 * offsets can be placed in it); once the document is deleted, the chunks its run kept (`kept`, as
 * the export's source falls back to them, `cited` as offsets of that text); `deleted` when neither
 * is left.
 */
export type Grounding = { state: 'found'; text: string; offset: number } | { state: 'kept'; text: string; cited: [number, number][] } | { state: 'deleted' };

/** Reads a sample's grounding text from the documents table, else its run's chunk snapshot (null for samples not made from a document). */
export async function readGrounding(db: AppDb, sample: Pick<Sample, 'source'> & Partial<Pick<Sample, 'runId'>>): Promise<Grounding | null> {
  const src = sample.source;
  if (!src) return null;
  const doc = await db.documents.get(src.documentId);
  const [start, end] = src.span;
  if (doc && 0 <= start && start <= end && end <= doc.text.length) return { state: 'found', text: doc.text.slice(start, end), offset: start };
  const snapshot = sample.runId ? (await db.runSeeds.get(sample.runId))?.chunks : undefined;
  const kept = snapshot ? keptGrounding(new Map(snapshot.map((c) => [c.id, c])), src) : null;
  return kept ? { state: 'kept', ...kept } : { state: 'deleted' };
}

/**
 * The Review screen: the project's samples as light rows (lineage stays in IndexedDB until a
 * sample is opened), the filter, the cursor the keyboard moves, the open sample with its lineage
 * chain, and curation with an undo stack. Every write goes through the samples repository in one
 * transaction, then the rows are patched in place.
 */
export class ReviewState {
  #db: AppDb;
  #projectId: string | null = null;
  rows = $state.raw<ReviewRow[]>([]);
  loading = $state<{ done: number } | null>(null);
  filter = $state<ReviewFilter>({ ...ANY_FILTER });
  /** How long the last filter took to apply, in ms (shown, and read by the benchmark). */
  filterMs = $state(0);
  cursor = $state(0);
  opened = $state.raw<{ sample: Sample; chain: Sample[]; seed: { id: string; instruction: string; input: string; output: string } | null; grounding: Grounding | null } | null>(null);
  undoStack = $state.raw<UndoStep[]>([]);
  busy = $state(false);
  /** Progress of a bulk write (accept/reject of a filter, undo). */
  progress = $state<{ done: number; total: number } | null>(null);

  /** Called after each curation write by a person (a decision, an edit, an undo): the getting-started checklist asks again. */
  #onWrite: () => void;

  constructor(db: AppDb, onWrite: () => void = () => {}) {
    this.#db = db;
    this.#onWrite = onWrite;
  }

  shown = $derived.by(() => {
    const f = $state.snapshot(this.filter) as ReviewFilter;
    const t0 = performance.now();
    const out = applyFilter(this.rows, f);
    this.#recordFilterTime(performance.now() - t0);
    return out;
  });

  facets = $derived(facets(this.rows));

  #recordFilterTime(ms: number): void {
    // Written after the derivation, never inside it (a derived must not write state).
    queueMicrotask(() => (this.filterMs = Math.round(ms * 10) / 10));
  }

  get current(): ReviewRow | null {
    return this.shown[this.cursor] ?? null;
  }

  async load(projectId: string): Promise<void> {
    this.#projectId = projectId;
    this.loading = { done: 0 };
    this.opened = null;
    this.undoStack = [];
    const rows: ReviewRow[] = [];
    try {
      await forEachSamplePage(this.#db, projectId, (page) => {
        if (this.#projectId !== projectId) return;
        for (const s of page) rows.push(toRow(s));
        this.loading = { done: rows.length };
      });
      if (this.#projectId !== projectId) return;
      rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      this.rows = rows;
      this.cursor = 0;
    } finally {
      if (this.#projectId === projectId) this.loading = null;
    }
  }

  async reload(): Promise<void> {
    if (this.#projectId) await this.load(this.#projectId);
  }

  resetFilter(): void {
    this.filter = { ...ANY_FILTER };
    this.cursor = 0;
  }

  move(delta: number): void {
    const n = this.shown.length;
    if (!n) return;
    this.cursor = Math.max(0, Math.min(n - 1, this.cursor + delta));
    if (this.opened) void this.open(this.shown[this.cursor]!.id);
  }

  #openToken = 0;

  async open(id: string): Promise<void> {
    const k = this.shown.findIndex((r) => r.id === id);
    if (k >= 0) this.cursor = k;
    // Holding j with the drawer open starts several reads: only the last one may land.
    const token = ++this.#openToken;
    const { chain, seed } = await sampleChain(this.#db, id);
    if (token !== this.#openToken) return;
    const sample = chain[chain.length - 1];
    const grounding = sample ? await readGrounding(this.#db, sample) : null;
    if (token !== this.#openToken) return;
    this.opened = sample ? { sample, chain, seed, grounding } : null;
  }

  close(): void {
    this.#openToken++;
    this.opened = null;
  }

  /** Applies the new state of changed samples to the rows (and to the open sample). */
  #patch(changed: SamplePrev[]): void {
    if (!changed.length) return;
    const by = new Map(changed.map((c) => [c.id, c]));
    this.rows = this.rows.map((r) => {
      const c = by.get(r.id);
      if (!c) return r;
      const textChanged = c.instruction !== r.instruction || c.input !== r.input || c.output !== r.output;
      return {
        ...r,
        status: c.status,
        rejectReason: c.rejectReason,
        instruction: c.instruction,
        input: c.input,
        output: c.output,
        edited: (c.human ?? []).some((h) => h.kind === 'edit'),
        hay: textChanged ? `${c.instruction}\n${c.input}\n${c.output}`.toLowerCase() : r.hay,
      };
    });
    const o = this.opened;
    const c = o && by.get(o.sample.id);
    if (o && c) {
      const lineage = { ...o.sample.lineage };
      if (c.human) lineage.human = c.human;
      else delete lineage.human;
      const sample: Sample = { ...o.sample, status: c.status, rejectReason: c.rejectReason, instruction: c.instruction, input: c.input, output: c.output, lineage, updatedAt: c.updatedAt };
      this.opened = { ...o, sample, chain: [...o.chain.slice(0, -1), sample] };
    }
  }

  #push(step: UndoStep): void {
    if (!step.prev.length) return;
    this.undoStack = [...this.undoStack.slice(-(UNDO_DEPTH - 1)), step];
  }

  /**
   * Runs one curation write at a time. A second one while the first is in flight is refused (the
   * buttons and keys are off meanwhile): an undo racing a decision could otherwise restore the
   * wrong step and drop the newest one from the stack.
   */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw Object.assign(new Error('another change is still being saved: try again in a moment'), { name: 'BusyError' });
    this.busy = true;
    try {
      const out = await fn();
      this.#onWrite();
      return out;
    } finally {
      this.busy = false;
      this.progress = null;
    }
  }

  /** Accepts or rejects samples by hand; returns how many changed. */
  setStatus(ids: string[], status: 'accepted' | 'rejected'): Promise<number> {
    return this.#guard(async () => {
      const { prev, next } = await setSamplesStatus(this.#db, ids, status, null, (done, total) => (this.progress = { done, total }));
      this.#push({ kind: status === 'accepted' ? 'accept' : 'reject', count: prev.length, prev });
      this.#patch(next);
      return prev.length;
    });
  }

  /** The bulk action: every sample the filter shows. */
  setStatusOfShown(status: 'accepted' | 'rejected'): Promise<number> {
    return this.setStatus(this.shown.map((r) => r.id), status);
  }

  edit(id: string, patch: SampleEdit): Promise<void> {
    return this.#guard(async () => {
      const { prev, next } = await editSample(this.#db, id, patch);
      this.#push({ kind: 'edit', count: 1, prev: [prev] });
      this.#patch([{ ...prev, ...patch, human: next.lineage.human, updatedAt: next.updatedAt }]);
    });
  }

  /**
   * Writes a redaction (see redactSample): no undo step, as an undo would bring the values back;
   * earlier undo steps of this sample are dropped for the same reason.
   */
  redact(id: string, patch: Partial<SampleEdit>, scrub: (text: string) => string): Promise<void> {
    return this.#guard(async () => {
      const next = await redactSample(this.#db, id, patch, scrub);
      this.undoStack = this.undoStack.filter((step) => !step.prev.some((p) => p.id === id));
      this.#patch([prevOfSample(next)]);
    });
  }

  get lastUndo(): UndoStep | null {
    return this.undoStack[this.undoStack.length - 1] ?? null;
  }

  /** Undoes the last curation step; returns how many samples it put back. */
  undo(): Promise<number> {
    return this.#guard(async () => {
      const step = this.lastUndo;
      if (!step) return 0;
      const restored = await restoreSamples(this.#db, step.prev, (done, total) => (this.progress = { done, total }));
      this.undoStack = this.undoStack.filter((x) => x !== step);
      this.#patch(restored);
      return restored.length;
    });
  }
}
