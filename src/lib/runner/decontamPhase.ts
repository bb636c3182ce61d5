import type { EvalSetDraft } from '../db/evalSetsRepo';
import type { ContaminationMark, ContaminationMethod, DecontamMethods, DecontamReport, EvalSetRow, Sample, Seed, StoredChunk } from '../db/types';
import { checkContamination, evalItemsFrom, type EvalItem } from '../decontam/decontam';
import { embeddingMatches } from '../decontam/embedding';
import { sha256Hex } from '../documents/draft';
import { aborted } from '../engines/errors';
import type { ModelSource } from '../engines/modelSource';
import { ImportSession } from '../io/importSession';
import type { ImportIssue, RawRecord } from '../io/types';
import type { DatasetSource, DedupTarget } from '../io/export/source';
import { allRows } from '../io/export/source';

// ---- Eval files -----------------------------------------------------------------------------

/** An eval file could not be used: `issues` name its lines. Nothing was stored. */
export class EvalFileError extends Error {
  override name = 'EvalFileError' as const;
  constructor(
    message: string,
    readonly issues: ImportIssue[] = [],
    /** The records' fields, when the file was read but its items had no text: choose text fields among them. */
    readonly keys?: string[],
  ) {
    super(message);
  }
}

/** Issues listed in an EvalFileError's message before the rest are only counted. */
const LISTED = 5;

/** Each record's text from the chosen fields, joined by a line break ("any text fields"). */
export function evalItemsMapped(records: RawRecord[], fields: readonly string[]): EvalItem[] {
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v && typeof v === 'object' ? JSON.stringify(v) : '');
  return records.map((r) => ({ text: fields.map((f) => str(r[f])).filter(Boolean).join('\n') }));
}

/**
 * Reads a benchmark file (JSONL, JSON, CSV, TSV, Parquet — the seed importer's readers) into an
 * eval set: its shape is recognised by evalItemsFrom, or its text is the `fields` the user chose.
 * Any record the importer cannot read, or an item with no text, is an error naming the file and
 * line: an eval set that silently lost items would let contamination through.
 * @throws EvalFileError
 */
export async function readEvalFile(file: File, fields?: readonly string[]): Promise<EvalSetDraft & { keys: string[] }> {
  const session = new ImportSession();
  const [analysis] = await session.analyse([file]);
  if (!analysis) throw new EvalFileError(`${file.name}: nothing was read`);
  const issues = [...analysis.issues];
  if (analysis.issueCount) {
    const shown = issues.slice(0, LISTED).map((i) => `${i.file}${i.line > 0 ? `:${i.line}` : ''}: ${i.code}${i.detail ? ` (${i.detail})` : ''}`);
    const more = analysis.issueCount - shown.length;
    throw new EvalFileError(`${file.name} has ${analysis.issueCount} unreadable record${analysis.issueCount === 1 ? '' : 's'}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}. Fix the file and add it again.`, issues);
  }
  const rows = session.records(0);
  const records = rows.map((r) => r.record);
  const mapped = fields?.length ? { shape: 'text' as const, items: evalItemsMapped(records, fields) } : evalItemsFrom(records);
  const empty = mapped.items.findIndex((it) => !it.text.trim());
  if (empty >= 0) {
    const line = rows[empty]!.line;
    throw new EvalFileError(`${file.name}:${line}: this record has no text to compare${fields?.length ? ` in the fields ${fields.join(', ')}` : ` as a ${mapped.shape} item`}: choose the text fields, or fix the record.`, [{ file: file.name, line, code: 'noInstruction' }], analysis.keys);
  }
  return {
    name: file.name,
    shape: mapped.shape,
    ...(fields?.length ? { fields: [...fields] } : {}),
    count: mapped.items.length,
    bytes: file.size,
    sha256: await sha256Hex(file),
    items: mapped.items,
    keys: analysis.keys,
  };
}

// ---- The check ------------------------------------------------------------------------------

/** Where a check reads the eval sets and writes its marks (the app's IndexedDB: evalSetsRepo). */
export interface DecontamTarget {
  evalSets(projectId: string): Promise<EvalSetRow[]>;
  /** See evalSetsRepo.applyContamination: marks `scope` and keeps the report, in one transaction. */
  applyContamination(projectId: string, scope: readonly string[], marks: ReadonlyMap<string, ContaminationMark>, report: DecontamReport): Promise<void>;
}

export interface DecontamPhaseOptions extends DecontamMethods {
  appBase: string;
  source: ModelSource;
}

export type DecontamProgress = { stage: 'read' } | { stage: 'ngram'; done: number; total: number } | { stage: 'embed'; done: number; total: number } | { stage: 'apply' };

/** A finding on a seed or a chunk: reported, never marked (they are the user's own material). */
export interface MaterialFinding {
  kind: 'seed' | 'chunk';
  id: string;
  mark: ContaminationMark;
}

export interface DecontamOutcome {
  report: DecontamReport;
  /** Findings on seeds and chunks (the first 200): the panel lists them. */
  material: MaterialFinding[];
}

const MATERIAL_LISTED = 200;
const EVIDENCE_CHARS = 300;
const clip = (s: string) => (s.length > EVIDENCE_CHARS ? `${s.slice(0, EVIDENCE_CHARS)}…` : s);

/** The text a sample or seed is checked by: instruction and input, and the answer when asked. */
export function decontamText(x: { instruction: string; input: string; output: string }, includeOutputs: boolean): string {
  return [x.instruction, x.input, includeOutputs ? x.output : ''].filter(Boolean).join('\n');
}

const RANK: Record<ContaminationMethod, number> = { exact: 3, ngram: 2, embedding: 1 };

/** Keeps, per item, the strongest match (exact over n-gram over embedding, then the larger share) and counts them all. */
function keepStrongest(marks: Map<string, ContaminationMark>, id: string, m: Omit<ContaminationMark, 'matches'>): void {
  const old = marks.get(id);
  if (!old) return void marks.set(id, { ...m, matches: 1 });
  const better = RANK[m.method] > RANK[old.method] || (RANK[m.method] === RANK[old.method] && m.share > old.share);
  marks.set(id, { ...(better ? m : old), matches: old.matches + 1 });
}

/**
 * Checks the project's samples (every status), seeds and document chunks against its eval sets by
 * the chosen methods, marks contaminated samples (`contamination`, clearing old marks) and keeps
 * the report on the project. Runs in the pipeline worker (after a recipe's generation, or from
 * Review's panel), over any DatasetSource; where the store has no embedder the embedding method
 * is skipped and the report says so. With no eval set it writes nothing and says so.
 */
export async function runDecontamPhase(
  source: DatasetSource & Partial<Pick<DedupTarget, 'embed'>>,
  target: DecontamTarget,
  projectId: string,
  o: DecontamPhaseOptions,
  onProgress?: (p: DecontamProgress) => void,
  signal?: AbortSignal,
): Promise<DecontamOutcome | null> {
  const check = () => {
    if (signal?.aborted) throw aborted('the contamination check');
  };
  onProgress?.({ stage: 'read' });
  const sets = await target.evalSets(projectId);
  if (!sets.length) return null;
  const samples = await allRows(source, 'samples', projectId);
  const seeds: Seed[] = [];
  for await (const page of source.pages('seeds', await source.seedIdsInOrder(projectId))) seeds.push(...page);
  const chunks: StoredChunk[] = (await allRows(source, 'chunks', projectId)).filter((c) => !c.excluded);
  check();
  // One list of queries, prefixed by kind so that ids of different tables never meet.
  const queries = [
    ...samples.map((s: Sample) => ({ id: `sample:${s.id}`, text: decontamText(s, o.includeOutputs) })),
    ...seeds.map((s) => ({ id: `seed:${s.id}`, text: decontamText(s, o.includeOutputs) })),
    ...chunks.map((c) => ({ id: `chunk:${c.id}`, text: c.text })),
  ];
  const byId = new Map(sets.map((s) => [s.id, s]));
  const marks = new Map<string, ContaminationMark>();
  const skipped: string[] = [];
  if (o.exact || o.ngram.enabled) {
    // checkContamination keys sets by name; ids keep two files of the same name apart.
    // The core stops with the signal's own reason; the phase says what was stopped, like dedup's.
    const findings = await checkContamination(
      queries,
      sets.map((s) => ({ name: s.id, sha256: s.sha256, count: s.count, shape: s.shape, items: s.items })),
      o.ngram.enabled ? { wordN: o.ngram.wordN, charN: o.ngram.charN, minShare: o.ngram.minShare } : { wordN: Number.MAX_SAFE_INTEGER, charN: Number.MAX_SAFE_INTEGER },
      (done, total) => onProgress?.({ stage: 'ngram', done, total }),
      signal,
    ).catch((e: unknown) => {
      check();
      throw e;
    });
    for (const f of findings) {
      // checkContamination always looks for exact copies first (and then skips their n-grams):
      // with exact off, a copy is still a full n-gram overlap.
      if (f.method === 'exact' && !o.exact && !o.ngram.enabled) continue;
      const method = f.method === 'exact' && !o.exact ? 'ngram' : f.method;
      const set = byId.get(f.evalSet)!;
      keepStrongest(marks, f.sampleId, { evalSet: set.name, evalSetId: set.id, evalIndex: f.evalIndex, method, evidence: clip(f.method === 'exact' ? (set.items[f.evalIndex]?.text ?? f.evidence) : f.evidence), share: f.share ?? 1 });
    }
    check();
  }
  if (o.embedding.enabled) {
    if (!source.embed) skipped.push('embedding: no embedding model can run here');
    else {
      const request = { model: o.embedding.model, source: o.source, appBase: o.appBase };
      const evalTexts = sets.flatMap((s) => s.items.map((it) => it.text));
      const owner = sets.flatMap((s) => s.items.map((_, i) => ({ set: s, index: i })));
      const q = await source.embed(queries.map((x) => x.text), request, (done, total) => onProgress?.({ stage: 'embed', done, total }));
      check();
      const e = await source.embed(evalTexts, request, (done, total) => onProgress?.({ stage: 'embed', done: queries.length + done, total: queries.length + total }));
      check();
      const hits = await embeddingMatches(q, e, o.embedding.threshold, signal).catch((err: unknown) => {
        check();
        throw err;
      });
      for (const h of hits) {
        const { set, index } = owner[h.evalIndex]!;
        keepStrongest(marks, queries[h.query]!.id, { evalSet: set.name, evalSetId: set.id, evalIndex: index, method: 'embedding', evidence: clip(set.items[index]!.text), share: h.similarity });
      }
    }
  }
  check();
  onProgress?.({ stage: 'apply' });
  const sampleMarks = new Map<string, ContaminationMark>();
  const material: MaterialFinding[] = [];
  const found = { samples: 0, seeds: 0, chunks: 0 };
  for (const [key, mark] of marks) {
    const cut = key.indexOf(':');
    const kind = key.slice(0, cut);
    const id = key.slice(cut + 1);
    if (kind === 'sample') {
      sampleMarks.set(id, mark);
      found.samples++;
    } else {
      found[kind === 'seed' ? 'seeds' : 'chunks']++;
      if (material.length < MATERIAL_LISTED) material.push({ kind: kind as 'seed' | 'chunk', id, mark });
    }
  }
  const report: DecontamReport = {
    at: Date.now(),
    sets: sets.map((s) => ({ id: s.id, name: s.name, sha256: s.sha256, count: s.count, bytes: s.bytes })),
    methods: { exact: o.exact, ngram: { ...o.ngram }, embedding: { ...o.embedding }, includeOutputs: o.includeOutputs },
    checked: { samples: samples.length, seeds: seeds.length, chunks: chunks.length },
    found,
    ...(skipped.length ? { skipped } : {}),
  };
  await target.applyContamination(projectId, samples.map((s) => s.id), sampleMarks, report);
  return { report, material };
}
