/**
 * Coverage of a project's documents by accepted samples: per label of the label tree, per document
 * and per chunk — which chunks and topics have accepted samples and which have none — and a
 * per-label balance for export. Pure: plain rows in, plain numbers out (no Dexie, no DOM).
 */
import { labelDepths, resolveLabel, type LabelTree } from './labelTree';
import type { ChunkExclusion, SampleSource } from './types';

/** The chunk fields coverage reads (a StoredChunk fits). */
export interface CoverageChunk {
  id: string;
  documentId: string;
  index: number;
  label?: string;
  excluded?: ChunkExclusion;
  /** Where the chunk lies in its document's text: samples are matched to chunks by position when both have one. */
  span?: [number, number];
}

/** The sample fields coverage and balancing read (a stored Sample fits). */
export interface CoverageSample {
  id: string;
  status: string;
  score?: number | null;
  createdAt?: number;
  source?: Pick<SampleSource, 'documentId' | 'chunkId' | 'label'> & Partial<Pick<SampleSource, 'span'>> & { moreChunks?: { id: string }[] };
}

/**
 * The chunks of its document a sample covers. By position where the sample and the chunks have
 * spans: the chunks that lie mostly in the sample's grounding span (or hold most of it) — so that
 * after a merge, a split or a re-chunk (new chunk ids) the sample still counts for the chunk(s)
 * now holding its text, and a neighbour sharing only the chunks' overlap does not. Without spans
 * (rows from before them): the chunk ids it names.
 */
function coveredBy(s: NonNullable<CoverageSample['source']>, docChunks: readonly CoverageChunk[] | undefined): string[] {
  const named = [s.chunkId, ...(s.moreChunks ?? []).map((c) => c.id)];
  if (!s.span || !docChunks?.length || docChunks.some((c) => !c.span)) return named;
  const [a, b] = s.span;
  // Chunks are sorted by span start, their ends too (they overlap, never nest): the first that ends after `a`.
  let lo = 0;
  let hi = docChunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (docChunks[mid]!.span![1] > a) hi = mid;
    else lo = mid + 1;
  }
  const out: string[] = [];
  for (let i = lo; i < docChunks.length && docChunks[i]!.span![0] < b; i++) {
    const [cs, ce] = docChunks[i]!.span!;
    const shared = Math.min(b, ce) - Math.max(a, cs);
    if (shared > 0 && 2 * shared > Math.min(b - a, ce - cs)) out.push(docChunks[i]!.id);
  }
  return out;
}

/** Counts for one label, one document or the whole project. Excluded chunks are not counted. */
export interface CoverageCounts {
  /** Chunks that questions are generated from (not excluded). */
  chunks: number;
  /** Of those, chunks with at least one accepted sample grounded on them. */
  covered: number;
  /** Accepted samples. */
  accepted: number;
}

export interface LabelCoverage extends CoverageCounts {
  id: string;
  title: string;
  parent: string | null;
  depth: number;
  /** Counts of the label alone (without its sub-labels); the top-level fields include the sub-labels. */
  own: CoverageCounts;
  /** The label's share of all accepted document samples (with its sub-labels), 0 to 1. */
  share: number;
}

export interface DocumentCoverage extends CoverageCounts {
  documentId: string;
  /** Ids of the document's included chunks with no accepted sample, in document order. */
  uncovered: string[];
}

export interface Coverage {
  /** Every label in the tree's order (parents before children). */
  labels: LabelCoverage[];
  /** Chunks and samples with no label, or a label no longer in the tree. */
  unlabelled: CoverageCounts & { share: number };
  documents: DocumentCoverage[];
  /** Accepted samples per chunk id (chunks with none are absent). */
  perChunk: Map<string, number>;
  total: CoverageCounts;
  /** Labels (in the tree) with included chunks but no accepted sample, counting sub-labels. */
  uncoveredLabels: string[];
}

const zero = (): CoverageCounts => ({ chunks: 0, covered: 0, accepted: 0 });

function add(to: CoverageCounts, from: CoverageCounts): void {
  to.chunks += from.chunks;
  to.covered += from.covered;
  to.accepted += from.accepted;
}

/**
 * Coverage of the project's chunks by its accepted samples. A sample counts for the chunk it was
 * asked from and for each further chunk of a multi-chunk question — found by position once the
 * chunks were edited (see coveredBy); its label is
 * `sample.source.label`, resolved through the tree (a merged-away label counts for the one that
 * absorbed it). Samples not made from documents (no `source`) are left out.
 */
export function computeCoverage(tree: LabelTree | undefined, chunks: readonly CoverageChunk[], samples: readonly CoverageSample[]): Coverage {
  const t = tree ?? { nodes: [], merged: {}, next: 1 };
  const resolve = (id: string | undefined): string | null => (id === undefined ? null : (resolveLabel(t, id) ?? null));
  const perChunk = new Map<string, number>();
  const acceptedPerLabel = new Map<string | null, number>();
  const byDocument = new Map<string, CoverageChunk[]>();
  for (const c of chunks) {
    const list = byDocument.get(c.documentId);
    if (list) list.push(c);
    else byDocument.set(c.documentId, [c]);
  }
  for (const list of byDocument.values()) list.sort((a, b) => (a.span?.[0] ?? 0) - (b.span?.[0] ?? 0) || a.index - b.index);
  let accepted = 0;
  for (const s of samples) {
    if (s.status !== 'accepted' || !s.source) continue;
    accepted++;
    const ids = new Set(coveredBy(s.source, byDocument.get(s.source.documentId)));
    for (const id of ids) perChunk.set(id, (perChunk.get(id) ?? 0) + 1);
    const label = resolve(s.source.label);
    acceptedPerLabel.set(label, (acceptedPerLabel.get(label) ?? 0) + 1);
  }

  const own = new Map<string | null, CoverageCounts>();
  const docs = new Map<string, DocumentCoverage>();
  // Documents in the order their first chunk comes; chunks in document order within each.
  const docOrder = new Map<string, number>();
  for (const c of chunks) if (!docOrder.has(c.documentId)) docOrder.set(c.documentId, docOrder.size);
  const ordered = [...chunks].sort((a, b) => docOrder.get(a.documentId)! - docOrder.get(b.documentId)! || a.index - b.index);
  for (const c of ordered) {
    let d = docs.get(c.documentId);
    if (!d) docs.set(c.documentId, (d = { documentId: c.documentId, ...zero(), uncovered: [] }));
    if (c.excluded) continue;
    const label = resolve(c.label);
    let o = own.get(label);
    if (!o) own.set(label, (o = zero()));
    const hit = (perChunk.get(c.id) ?? 0) > 0;
    o.chunks++;
    d.chunks++;
    if (hit) {
      o.covered++;
      d.covered++;
    } else d.uncovered.push(c.id);
  }
  for (const [label, n] of acceptedPerLabel) {
    let o = own.get(label);
    if (!o) own.set(label, (o = zero()));
    o.accepted += n;
  }
  for (const s of samples) {
    if (s.status !== 'accepted' || !s.source) continue;
    const d = docs.get(s.source.documentId);
    if (d) d.accepted++;
  }

  // Roll each label's own counts up to every ancestor: children come after parents, so walk backwards.
  const depth = labelDepths(t);
  const byId = new Map<string, LabelCoverage>();
  const labels: LabelCoverage[] = t.nodes.map((n) => {
    const o = own.get(n.id) ?? zero();
    const row: LabelCoverage = { id: n.id, title: n.title, parent: n.parent, depth: depth.get(n.id) ?? 0, own: { ...o }, ...o, share: 0 };
    byId.set(n.id, row);
    return row;
  });
  for (let i = labels.length - 1; i >= 0; i--) {
    const row = labels[i]!;
    if (row.parent) add(byId.get(row.parent)!, row);
  }
  for (const row of labels) row.share = accepted ? row.accepted / accepted : 0;
  const u = own.get(null) ?? zero();
  const total = zero();
  for (const o of own.values()) add(total, o);
  return {
    labels,
    unlabelled: { ...u, share: accepted ? u.accepted / accepted : 0 },
    documents: [...docs.values()],
    perChunk,
    total,
    uncoveredLabels: labels.filter((l) => l.chunks > 0 && l.covered === 0).map((l) => l.id),
  };
}

/**
 * Picks at most `perLabel` accepted samples per label, for an export balanced across topics.
 *
 * A sample's label is `sample.source.label`, resolved through `tree` when one is given (a label
 * merged into another counts as that one); samples with no label (seed-made samples, unlabelled
 * chunks) form one group of their own. `'min'` takes as many from each label as the smallest
 * label has, so every label (and the unlabelled group, when it has any) ends up with the same
 * count. Within a label the best are kept: highest `score` first (no score counts as lowest), then
 * the earliest `createdAt`, then the smaller `id` — so the same samples always give the same pick.
 * Rejected and pending samples are never picked.
 *
 * @returns the picked samples, in their input order.
 * @throws {RangeError} when `perLabel` is not a whole number ≥ 0 nor `'min'`.
 */
export function balancePerLabel<S extends CoverageSample>(samples: readonly S[], perLabel: number | 'min', tree?: LabelTree): S[] {
  if (perLabel !== 'min' && !(Number.isInteger(perLabel) && perLabel >= 0))
    throw new RangeError(`Samples per label must be a whole number of 0 or more, or "min" (got ${String(perLabel)}).`);
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    if (s.status !== 'accepted') return;
    const raw = s.source?.label;
    const key = raw === undefined ? '' : tree ? (resolveLabel(tree, raw) ?? '') : raw;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  });
  if (!groups.size) return [];
  const k = perLabel === 'min' ? Math.min(...[...groups.values()].map((g) => g.length)) : perLabel;
  const keep = new Set<number>();
  for (const g of groups.values()) {
    g.sort((a, b) => {
      const x = samples[a]!;
      const y = samples[b]!;
      const sx = x.score ?? -Infinity;
      const sy = y.score ?? -Infinity;
      if (sx !== sy) return sy - sx;
      const cx = x.createdAt ?? 0;
      const cy = y.createdAt ?? 0;
      if (cx !== cy) return cx - cy;
      return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    });
    for (const i of g.slice(0, k)) keep.add(i);
  }
  return samples.filter((_, i) => keep.has(i));
}
