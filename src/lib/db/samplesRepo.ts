import Dexie from 'dexie';
import type { AppDb } from './db';
import type { Sample, SampleLineage } from './types';
import { duplicateMarked } from '../io/export/source';

/** Reads and curation writes of generated samples (the runs repository writes them first). */

export async function acceptedSamples(db: AppDb, projectId: string): Promise<Sample[]> {
  return db.samples.where('[projectId+status]').equals([projectId, 'accepted']).toArray();
}

export interface DuplicateMark {
  id: string;
  /**
   * The item it was matched against: the kept item of its cluster, or, for an exact or lexical
   * copy, an item a later pass may itself mark (follow its mark to the item kept).
   */
  duplicateOf: string;
  similarity: number | null;
  /** Which dedup pass found it (the Dedup step's exact / lexical / semantic passes). */
  pass?: 'exact' | 'lexical' | 'semantic';
}

/**
 * Marks samples as near-duplicates (they stay stored, with `duplicateOf` and the similarity) and
 * clears the marks of the other samples in `scope` — in one transaction, so a dedup applied twice
 * or with another threshold never leaves stale marks.
 */
/** How a semantic dedup was run, kept on every sample it looked at (the dataset card reports it). */
export interface DedupCheck {
  threshold: number;
  model: string;
  againstSeeds: boolean;
  /** How pairs were found: every pair, or LSH buckets with this planned pair recall. */
  method?: 'exact' | 'approximate';
  recall?: number;
  /** The lexical first pass's Jaccard threshold (0 = none); absent: the check had no cheap passes (the Dedup panel). */
  lexical?: number;
}

export async function applyDuplicates(db: AppDb, scope: string[], marks: DuplicateMark[], check?: DedupCheck): Promise<void> {
  const byId = new Map(marks.map((m) => [m.id, m]));
  await db.transaction('rw', db.samples, async () => {
    const rows = (await db.samples.bulkGet(scope)).filter((s): s is Sample => !!s);
    const now = Date.now();
    await db.samples.bulkPut(rows.map((s) => duplicateMarked(s, byId.get(s.id), check, now)));
  });
}

/**
 * Reads a project's samples page by page in id order, handing each page to `onPage` — a 100k
 * project with its lineage is never one read, and the page in between lets the UI paint.
 */
export async function forEachSamplePage(db: AppDb, projectId: string, onPage: (rows: Sample[]) => void, pageSize = 2000): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const lower: [string, string | typeof Dexie.minKey] = [projectId, after ?? Dexie.minKey];
    const rows: Sample[] = await db.samples
      .where('[projectId+id]')
      .between(lower, [projectId, Dexie.maxKey], after === null, true)
      .limit(pageSize)
      .toArray();
    if (!rows.length) return;
    onPage(rows);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** A person's decision or edit, kept in `lineage.human` (oldest first). */
export interface HumanAction {
  kind: 'accept' | 'reject' | 'edit' | 'redact';
  at: number;
  /** The status before a decision. */
  from?: string;
  /** The reject reason before a decision, when it had one (`judgeFailed`, `lowScore`, …): the dataset card says what a person overruled. */
  reason?: string;
  /** The text before an edit. */
  before?: { instruction: string; input: string; output: string };
}

/** What a curation write changed, so that an undo can put it back exactly. */
export interface SamplePrev {
  id: string;
  status: Sample['status'];
  rejectReason: string | null;
  instruction: string;
  input: string;
  output: string;
  human: HumanAction[] | undefined;
  updatedAt: number;
}

/** A sample's curation fields, as an undo step or a row patch keeps them. */
export const prevOfSample = (s: Sample): SamplePrev => ({
  id: s.id,
  status: s.status,
  rejectReason: s.rejectReason,
  instruction: s.instruction,
  input: s.input,
  output: s.output,
  human: s.lineage.human,
  updatedAt: s.updatedAt,
});

/** Rows per IndexedDB request: each request's rows are cloned in one main-thread task. */
const CHUNK = 1000;

/**
 * Accepts or rejects samples by hand, in ONE transaction (a bulk action on 100k samples is all or
 * nothing), recording the decision in each sample's lineage. Samples already in that state are
 * left alone. Returns what changed, for `restoreSamples`.
 * @throws Dexie errors (e.g. `QuotaExceededError`) with nothing written.
 */
export async function setSamplesStatus(
  db: AppDb,
  ids: string[],
  status: 'accepted' | 'rejected',
  reason: string | null = null,
  onProgress?: (done: number, total: number) => void,
): Promise<{ prev: SamplePrev[]; next: SamplePrev[] }> {
  const rejectReason = status === 'rejected' ? (reason ?? 'human:rejected') : null;
  return db.transaction('rw', db.samples, async () => {
    const prev: SamplePrev[] = [];
    const next: SamplePrev[] = [];
    const now = Date.now();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = (await db.samples.bulkGet(ids.slice(i, i + CHUNK))).filter((s): s is Sample => !!s);
      const changed = rows.filter((s) => s.status !== status);
      const updated = changed.map((s) => {
        const human = [...(s.lineage.human ?? []), { kind: status === 'accepted' ? 'accept' : 'reject', at: now, from: s.status, ...(s.rejectReason ? { reason: s.rejectReason } : {}) } satisfies HumanAction];
        return { ...s, status, rejectReason, lineage: { ...s.lineage, human }, updatedAt: now };
      });
      if (updated.length) await db.samples.bulkPut(updated);
      prev.push(...changed.map(prevOfSample));
      // Only the light before/after states leave the transaction: 100k full rows with their
      // lineage held for the UI made the page stall for a second in garbage collection.
      next.push(...updated.map(prevOfSample));
      onProgress?.(Math.min(ids.length, i + CHUNK), ids.length);
    }
    return { prev, next };
  });
}

export type SampleEdit = Pick<Sample, 'instruction' | 'input' | 'output'>;

/**
 * Edits a sample's text. The edit is a human revision: the text before it goes into
 * `lineage.human`, so the lineage still shows what the model wrote.
 * @throws NotFoundError when the sample is gone.
 */
export async function editSample(db: AppDb, id: string, patch: SampleEdit): Promise<{ prev: SamplePrev; next: Sample }> {
  return db.transaction('rw', db.samples, async () => {
    const s = await db.samples.get(id);
    if (!s) throw new Dexie.NotFoundError(`sample ${id} does not exist`);
    const now = Date.now();
    const human = [...(s.lineage.human ?? []), { kind: 'edit', at: now, before: { instruction: s.instruction, input: s.input, output: s.output } } satisfies HumanAction];
    const next: Sample = { ...s, ...patch, lineage: { ...s.lineage, human }, updatedAt: now };
    await db.samples.put(next);
    return { prev: prevOfSample(s), next };
  });
}

/**
 * Redacts a sample's personal data (Review → Personal data): `patch` is the redacted text, and
 * `scrub` (the same detectors, lists and mode) is applied to every other copy of the text the
 * sample keeps — earlier edits' `before`, each model call's reply and reasoning, string notes —
 * so that no value survives in the row, a backup or an undo. Recorded as a 'redact' action that
 * carries no text; there is no undo (nothing of the original is kept).
 * @throws NotFoundError when the sample is gone.
 */
export async function redactSample(db: AppDb, id: string, patch: Partial<SampleEdit>, scrub: (text: string) => string): Promise<Sample> {
  return db.transaction('rw', db.samples, async () => {
    const s = await db.samples.get(id);
    if (!s) throw new Dexie.NotFoundError(`sample ${id} does not exist`);
    const now = Date.now();
    const human: HumanAction[] = (s.lineage.human ?? []).map((h) =>
      h.before ? { ...h, before: { instruction: scrub(h.before.instruction), input: scrub(h.before.input), output: scrub(h.before.output) } } : h,
    );
    human.push({ kind: 'redact', at: now });
    const calls = Array.isArray(s.lineage.calls)
      ? s.lineage.calls.map((c) => ({
          ...c,
          ...(typeof c.raw === 'string' ? { raw: scrub(c.raw) } : {}),
          ...(typeof c.reasoning === 'string' ? { reasoning: scrub(c.reasoning) } : {}),
        }))
      : s.lineage.calls;
    // The other texts the lineage keeps (notes such as a critique, the judge's verdict and reason):
    // strings at any depth, scrubbed the same way. Ids and keys are left alone.
    // The one assertion: a deep scrub keeps the value's shape (strings stay strings), which TypeScript cannot follow.
    const deep = <T>(v: T): T => (typeof v === 'string' ? scrub(v) : Array.isArray(v) ? v.map(deep) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v) as T;
    const rest: Pick<SampleLineage, 'notes' | 'verdict'> = {
      ...('notes' in s.lineage ? { notes: deep(s.lineage.notes) } : {}),
      ...('verdict' in s.lineage ? { verdict: deep(s.lineage.verdict) } : {}),
    };
    const next: Sample = { ...s, ...patch, lineage: { ...s.lineage, ...rest, human, ...(calls !== undefined ? { calls } : {}) }, updatedAt: now };
    await db.samples.put(next);
    return next;
  });
}

/** Puts back what `setSamplesStatus` or `editSample` changed (the undo), in one transaction. */
export async function restoreSamples(db: AppDb, prev: SamplePrev[], onProgress?: (done: number, total: number) => void): Promise<SamplePrev[]> {
  return db.transaction('rw', db.samples, async () => {
    const out: SamplePrev[] = [];
    for (let i = 0; i < prev.length; i += CHUNK) {
      const part = prev.slice(i, i + CHUNK);
      const rows = await db.samples.bulkGet(part.map((p) => p.id));
      const restored = rows.flatMap((s, k) => {
        if (!s) return [];
        const p = part[k]!;
        const lineage = { ...s.lineage };
        if (p.human) lineage.human = p.human;
        else delete lineage.human;
        return [{ ...s, status: p.status, rejectReason: p.rejectReason, instruction: p.instruction, input: p.input, output: p.output, lineage, updatedAt: p.updatedAt }];
      });
      await db.samples.bulkPut(restored);
      out.push(...restored.map(prevOfSample));
      onProgress?.(Math.min(prev.length, i + CHUNK), prev.length);
    }
    return out;
  });
}

/**
 * A sample's ancestry, oldest first, ending with the sample itself, and the seed it started from
 * (from the run's seed snapshot, so a seed edited or deleted since still shows as it was).
 */
export async function sampleChain(db: AppDb, id: string): Promise<{ chain: Sample[]; seed: { id: string; instruction: string; input: string; output: string } | null }> {
  const chain: Sample[] = [];
  const seen = new Set<string>();
  let cur = await db.samples.get(id);
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    chain.unshift(cur);
    cur = cur.parentId ? await db.samples.get(cur.parentId) : undefined;
  }
  const first = chain[0];
  let seed: { id: string; instruction: string; input: string; output: string } | null = null;
  if (first?.seedId) {
    const snap = await db.runSeeds.get(first.runId);
    seed = snap?.seeds.find((s) => s.id === first.seedId) ?? null;
    if (!seed) {
      const live = await db.seeds.get(first.seedId);
      if (live) seed = { id: live.id, instruction: live.instruction, input: live.input, output: live.output };
    }
  }
  return { chain, seed };
}
