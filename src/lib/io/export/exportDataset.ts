import type { Sample, Seed, StoredDocument } from '../../db/types';
import { keptGrounding } from '../../documents/cite';
import type { ChunkRef } from '../../documents/types';
import { placeReasoning } from '../../pipeline/reasoning';
import { detectLang } from '../../text/language';
import { acceptedHow } from './card';
import { ExportScanner } from '../../privacy/exportScan';
import { encodeItems } from './encode';
import { splitItems, type SplitItem, type SplitSummary } from './split';
import { balanceEligible, planMix, pickSeeds, realSlot, sampleItem, sampleLeftOut, seedItem, seedUsable, type BalanceFacts } from './select';
import type { ByteSink } from './sink';
import { PAGE_SIZE, type DatasetSource } from './source';
import { NothingToExportError, type AcceptanceSummary, type DedupCheckSummary, type ExportedDocument, type ExportItem, type ExportOptions, type ExportProgress, type ExportSummary, type RecordLayout } from './types';

/**
 * Exports a project's dataset into a sink, streaming: samples and seeds are read a page at a time,
 * encoded, and written chunk by chunk.
 *
 * Two passes: the first reads the candidate samples and the seeds to count what passes the
 * filters (the real share depends on that count) and keeps only their ids; the second reads those
 * rows again and writes them, real items spread evenly among the synthetic ones (./select.ts).
 * On any failure the sink is aborted and the error rethrown. The store is read through `source`
 * (the app's IndexedDB, or the command line's SQLite store): nothing here needs a browser.
 * @throws NothingToExportError, the store's errors, the sink's errors.
 */
export async function exportDataset(source: DatasetSource, projectId: string, opts: ExportOptions, sink: ByteSink, onProgress?: (p: ExportProgress) => void): Promise<ExportSummary> {
  try {
    const summary = await run(source, projectId, opts, sink, onProgress);
    await sink.close();
    onProgress?.({ type: 'done', bytes: summary.bytes });
    return summary;
  } catch (e) {
    await sink.abort().catch(() => {});
    throw e;
  }
}

async function run(store: DatasetSource, projectId: string, opts: ExportOptions, sink: ByteSink, onProgress?: (p: ExportProgress) => void): Promise<ExportSummary> {
  const realOnly = Math.round(opts.realPercent) >= 100;
  const statuses = opts.acceptedOnly ? (['accepted'] as const) : (['accepted', 'pending'] as const);
  const candidates = realOnly ? [] : await store.sampleIdsByStatus(projectId, statuses);
  const seedIds = opts.realPercent > 0 ? await store.seedIdsInOrder(projectId) : [];
  const leftOut: Record<string, number> = {};
  const count = (reason: string, n = 1) => n && (leftOut[reason] = (leftOut[reason] ?? 0) + n);
  if (!realOnly) {
    const others = await store.countSamples(projectId);
    count('status', others - candidates.length);
  }

  // Pass 1: what passes.
  const scanTotal = candidates.length + seedIds.length;
  let scanned = 0;
  const eligible: (BalanceFacts & { document: boolean })[] = [];
  /** With a split: what it needs of each eligible sample and usable seed (their instruction and stratum). */
  const splitFacts = new Map<string, SplitItem>();
  let contaminatedKept = 0;
  for await (const page of store.pages('samples', candidates)) {
    for (const s of page) {
      const why = sampleLeftOut(s, opts);
      if (why) count(why);
      else {
        eligible.push({ id: s.id, score: s.score, createdAt: s.createdAt, ...(s.source?.label !== undefined ? { label: s.source.label } : {}), document: !!s.source });
        if (opts.split) splitFacts.set(s.id, { id: s.id, instruction: s.instruction, stratum: opts.split.by === 'label' ? String(s.source?.label ?? '') : s.operation });
      }
    }
    onProgress?.({ type: 'scan', done: (scanned += page.length), total: scanTotal });
  }
  const balanced = opts.balance === undefined || opts.balance === null ? eligible : balanceEligible(eligible, opts.balance, (await store.project(projectId))?.labels);
  count('balance', eligible.length - balanced.length);
  const passing = balanced.map((f) => f.id);
  const usable: string[] = [];
  for await (const page of store.pages('seeds', seedIds)) {
    for (const s of page) {
      if (seedUsable(s)) {
        usable.push(s.id);
        if (opts.split) splitFacts.set(`seed:${s.id}`, { id: `seed:${s.id}`, instruction: s.instruction, stratum: opts.split.by === 'label' ? (s.tags[0] ?? '') : 'seed' });
      } else count('seedNoOutput');
    }
    onProgress?.({ type: 'scan', done: (scanned += page.length), total: scanTotal });
  }
  const plan = planMix(passing.length, usable.length, opts.realPercent);
  if (plan.synthetic + plan.real === 0) throw new NothingToExportError();
  let synthIds = plan.synthetic ? passing : [];
  let chosen = pickSeeds(usable.length, plan.real, opts.selectionSeed).map((i) => usable[i]!);
  // The split covers the real items too: a seed's instruction is often a sample's (Answer + judge).
  let split: SplitSummary | undefined;
  if (opts.split) {
    const { part, ...o } = opts.split;
    const sides = splitItems([...synthIds.map((id) => splitFacts.get(id)!), ...chosen.map((id) => splitFacts.get(`seed:${id}`)!)], o);
    const items = { train: 0, validation: 0 };
    for (const side of sides.values()) items[side]++;
    split = { ...o, part, items };
    synthIds = synthIds.filter((id) => sides.get(id) === part);
    chosen = chosen.filter((id) => sides.get(`seed:${id}`) === part);
  }
  // One schema per file: with document-made items in it, every record carries the document fields.
  const layout: RecordLayout = { provenance: opts.provenance, source: opts.source ?? 'none', documents: plan.synthetic > 0 && balanced.some((f) => f.document), ...(opts.reasoning === 'field' ? { reasoning: true } : {}) };
  const sources = new SourceTexts(store);
  const perDocument = new Map<string, { name: string; items: number }>();
  let sourceMissing = 0;
  /** Items written with a reasoning trace (none under `drop`). */
  let reasoningWritten = 0;
  let systemWritten = false;

  // Pass 2: write.
  const languages = { en: 0, zh: 0 };
  const operations: Record<string, number> = {};
  const runIds = new Set<string>();
  const models = new Map<string, { role: string; model: string; engine: string }>();
  const dedupChecks = new Map<string, DedupCheckSummary>();
  const acceptance: AcceptanceSummary = { judge: 0, recipe: 0, byHand: {}, pending: 0, edited: 0 };
  const total = synthIds.length + chosen.length;
  let written = 0;
  const privacy = opts.privacy ? new ExportScanner(opts.privacy) : null;

  async function* pages(): AsyncGenerator<ExportItem[]> {
    const real = store.pages('seeds', chosen)[Symbol.asyncIterator]();
    let buf: Seed[] = [];
    let k = 0;
    let j = 0;
    const nextReal = async (): Promise<Seed | undefined> => {
      while (k >= buf.length) {
        const r = await real.next();
        if (r.done) return undefined;
        buf = r.value;
        k = 0;
      }
      return buf[k++];
    };
    const R = chosen.length;
    const S = synthIds.length;
    let i = 0;
    const note = (written: ExportItem) => {
      // Reasoning placed first: where it goes into the file, the privacy scan sees it there.
      const placed = placeReasoning(written, opts.reasoning ?? 'drop');
      if (placed.reasoning || placed.output !== written.output) reasoningWritten++;
      const item = privacy ? privacy.item(placed) : placed;
      systemWritten ||= !!(item.system || item.turns?.some((t) => t.role === 'system') || (layout.source === 'system' && item.source?.text));
      languages[detectLang(`${item.instruction}\n${item.input}\n${item.output}`)]++;
      return item;
    };
    for await (const page of store.pages('samples', synthIds)) {
      const out: ExportItem[] = [];
      for (const s of page) {
        for (; j < R && realSlot(j, R, S) <= i; j++) {
          const seed = await nextReal();
          if (seed) out.push(note(seedItem(seed)));
        }
        let text = '';
        if (s.source) {
          const d = perDocument.get(s.source.documentId) ?? { name: s.source.documentName, items: 0 };
          d.items++;
          perDocument.set(s.source.documentId, d);
          if (layout.source !== 'none') {
            text = await sources.text(s);
            if (!text) sourceMissing++;
          }
        }
        out.push(note(sampleItem(s, text)));
        // Counted where written: balancing may still have left an eligible one out.
        if (s.contamination) contaminatedKept++;
        operations[s.operation] = (operations[s.operation] ?? 0) + 1;
        runIds.add(s.runId);
        const how = acceptedHow(s);
        if (how.by === 'hand') acceptance.byHand[how.over] = (acceptance.byHand[how.over] ?? 0) + 1;
        else acceptance[how.by]++;
        if (how.edited) acceptance.edited++;
        const dc = s.lineage.dedupCheck;
        if (dc && typeof dc.threshold === 'number' && typeof dc.model === 'string') {
          const approximate = dc.method === 'approximate' && typeof dc.recall === 'number';
          const check: DedupCheckSummary = {
            threshold: dc.threshold,
            model: dc.model,
            againstSeeds: !!dc.againstSeeds,
            ...(approximate ? { method: 'approximate' as const, recall: dc.recall } : {}),
            ...(typeof dc.lexical === 'number' ? { lexical: dc.lexical } : {}),
          };
          dedupChecks.set(`${check.threshold}\u0000${check.model}\u0000${check.againstSeeds}\u0000${check.recall ?? ''}\u0000${check.lexical ?? ''}`, check);
        }
        for (const c of Array.isArray(s.lineage.calls) ? s.lineage.calls : []) models.set(`${c.role}\u0000${c.model}\u0000${c.engine}`, { role: c.role, model: c.model, engine: c.engine });
        i++;
      }
      written += out.length;
      yield out;
      onProgress?.({ type: 'write', done: written, total });
    }
    // Real items after the last synthetic one (all of them when there is none).
    while (j < R) {
      const out: ExportItem[] = [];
      for (; j < R && out.length < PAGE_SIZE; j++) {
        const seed = await nextReal();
        if (seed) out.push(note(seedItem(seed)));
      }
      written += out.length;
      yield out;
      onProgress?.({ type: 'write', done: written, total });
    }
  }

  let bytes = 0;
  for await (const chunk of encodeItems(opts.format, pages(), layout)) {
    await sink.write(chunk);
    bytes += chunk.byteLength;
  }
  const byRole = [...models.values()].sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model));
  const documents: ExportedDocument[] = [];
  for (const [id, d] of perDocument) {
    const doc = await sources.document(id);
    documents.push(doc ? { id, name: doc.name, type: doc.type, pages: doc.pages, sha256: doc.sha256, bytes: doc.bytes, items: d.items } : { id, name: d.name, type: null, pages: null, sha256: null, bytes: null, items: d.items });
  }
  documents.sort((a, b) => b.items - a.items || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  const report = (await store.project(projectId))?.decontam;
  return {
    format: opts.format,
    // The user's names and terms are personal data themselves: the summary keeps only the choice.
    options: opts.privacy ? { ...opts, privacy: { ...opts.privacy, names: [], terms: [], ignored: [] } } : { ...opts },
    plan,
    languages,
    operations,
    runIds: [...runIds].sort(),
    models: byRole,
    leftOut,
    dedupChecks: [...dedupChecks.values()].sort((a, b) => a.threshold - b.threshold),
    acceptance,
    ...(documents.length ? { documents } : {}),
    ...(sourceMissing ? { sourceMissing } : {}),
    ...(opts.reasoning && opts.reasoning !== 'drop' ? { reasoning: { mode: opts.reasoning, items: reasoningWritten } } : {}),
    ...(split ? { split } : {}),
    ...(systemWritten ? { systemWritten } : {}),
    ...(privacy ? { privacy: privacy.summary() } : {}),
    ...(report ? { decontam: { report, excluded: leftOut.contaminated ?? 0, kept: contaminatedKept } } : {}),
    bytes,
  };
}

/** Documents kept in memory at once while reading grounding texts (a document's text can be megabytes). */
const DOCUMENTS_CACHED = 4;

/**
 * The grounding texts of document-made samples: the stored document's text over the sample's
 * span; when the document was deleted (or no longer holds the span), the chunks of the run's
 * snapshot (`runSeeds.chunks`) joined by a blank line; '' when neither is left.
 */
export class SourceTexts {
  #store: DatasetSource;
  /** The last few documents read, most recent last; null: not in the store. */
  #docs = new Map<string, StoredDocument | null>();
  #snapshots = new Map<string, Map<string, ChunkRef>>();
  constructor(store: DatasetSource) {
    this.#store = store;
  }

  async document(id: string): Promise<StoredDocument | null> {
    if (this.#docs.has(id)) {
      const doc = this.#docs.get(id)!;
      this.#docs.delete(id);
      this.#docs.set(id, doc);
      return doc;
    }
    const doc = (await this.#store.get('documents', id)) ?? null;
    this.#docs.set(id, doc);
    if (this.#docs.size > DOCUMENTS_CACHED) this.#docs.delete(this.#docs.keys().next().value!);
    return doc;
  }

  async text(s: Pick<Sample, 'runId' | 'source'>): Promise<string> {
    const src = s.source;
    if (!src) return '';
    const doc = await this.document(src.documentId);
    const [start, end] = src.span;
    if (doc && Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= doc.text.length) return doc.text.slice(start, end);
    let chunks = this.#snapshots.get(s.runId);
    if (!chunks) {
      chunks = new Map(((await this.#store.get('runSeeds', s.runId))?.chunks ?? []).map((c) => [c.id, c]));
      this.#snapshots.set(s.runId, chunks);
    }
    return keptGrounding(chunks, src)?.text ?? '';
  }
}

/** The project's name for file names: letters, digits, CJK, dashes; never empty. */
export function fileStem(name: string): string {
  const s = name.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return s || 'dataset';
}
