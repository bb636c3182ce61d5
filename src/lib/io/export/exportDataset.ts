import type { AppDb } from '../../db/db';
import { samplePages, sampleIdsByStatus, seedIdsInOrder, seedPages, PAGE_SIZE } from '../../db/backupRepo';
import type { Seed } from '../../db/types';
import type { CallRecord } from '../../pipeline/types';
import { detectLang } from '../../pipeline/text';
import { acceptedHow } from './card';
import { encodeItems } from './encode';
import { planMix, pickSeeds, realSlot, sampleItem, sampleLeftOut, seedItem, seedUsable } from './select';
import type { ByteSink } from './sink';
import { NothingToExportError, type AcceptanceSummary, type DedupCheckSummary, type ExportItem, type ExportOptions, type ExportProgress, type ExportSummary } from './types';

/**
 * Exports a project's dataset into a sink, streaming: samples and seeds are read a page at a time,
 * encoded, and written chunk by chunk.
 *
 * Two passes: the first reads the candidate samples and the seeds to count what passes the
 * filters (the real share depends on that count) and keeps only their ids; the second reads those
 * rows again and writes them, real items spread evenly among the synthetic ones (./select.ts).
 * On any failure the sink is aborted and the error rethrown.
 * @throws NothingToExportError, Dexie errors, the sink's errors.
 */
export async function exportDataset(db: AppDb, projectId: string, opts: ExportOptions, sink: ByteSink, onProgress?: (p: ExportProgress) => void): Promise<ExportSummary> {
  try {
    const summary = await run(db, projectId, opts, sink, onProgress);
    await sink.close();
    onProgress?.({ type: 'done', bytes: summary.bytes });
    return summary;
  } catch (e) {
    await sink.abort().catch(() => {});
    throw e;
  }
}

async function run(db: AppDb, projectId: string, opts: ExportOptions, sink: ByteSink, onProgress?: (p: ExportProgress) => void): Promise<ExportSummary> {
  const realOnly = Math.round(opts.realPercent) >= 100;
  const statuses = opts.acceptedOnly ? (['accepted'] as const) : (['accepted', 'pending'] as const);
  const candidates = realOnly ? [] : await sampleIdsByStatus(db, projectId, [...statuses]);
  const seedIds = opts.realPercent > 0 ? await seedIdsInOrder(db, projectId) : [];
  const leftOut: Record<string, number> = {};
  const count = (reason: string, n = 1) => n && (leftOut[reason] = (leftOut[reason] ?? 0) + n);
  if (!realOnly) {
    const others = await db.samples.where('projectId').equals(projectId).count();
    count('status', others - candidates.length);
  }

  // Pass 1: what passes.
  const scanTotal = candidates.length + seedIds.length;
  let scanned = 0;
  const passing: string[] = [];
  for await (const page of samplePages(db, candidates)) {
    for (const s of page) {
      const why = sampleLeftOut(s, opts);
      if (why) count(why);
      else passing.push(s.id);
    }
    onProgress?.({ type: 'scan', done: (scanned += page.length), total: scanTotal });
  }
  const usable: string[] = [];
  for await (const page of seedPages(db, seedIds)) {
    for (const s of page) {
      if (seedUsable(s)) usable.push(s.id);
      else count('seedNoOutput');
    }
    onProgress?.({ type: 'scan', done: (scanned += page.length), total: scanTotal });
  }
  const plan = planMix(passing.length, usable.length, opts.realPercent);
  if (plan.synthetic + plan.real === 0) throw new NothingToExportError();
  const synthIds = plan.synthetic ? passing : [];
  const chosen = pickSeeds(usable.length, plan.real, opts.selectionSeed).map((i) => usable[i]!);

  // Pass 2: write.
  const languages = { en: 0, zh: 0 };
  const operations: Record<string, number> = {};
  const runIds = new Set<string>();
  const models = new Map<string, { role: string; model: string; engine: string }>();
  const dedupChecks = new Map<string, DedupCheckSummary>();
  const acceptance: AcceptanceSummary = { judge: 0, recipe: 0, byHand: {}, pending: 0, edited: 0 };
  const total = synthIds.length + chosen.length;
  let written = 0;

  async function* pages(): AsyncGenerator<ExportItem[]> {
    const real = seedPages(db, chosen);
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
    const note = (item: ExportItem) => {
      languages[detectLang(`${item.instruction}\n${item.input}\n${item.output}`)]++;
      return item;
    };
    for await (const page of samplePages(db, synthIds)) {
      const out: ExportItem[] = [];
      for (const s of page) {
        for (; j < R && realSlot(j, R, S) <= i; j++) {
          const seed = await nextReal();
          if (seed) out.push(note(seedItem(seed)));
        }
        out.push(note(sampleItem(s)));
        operations[s.operation] = (operations[s.operation] ?? 0) + 1;
        runIds.add(s.runId);
        const how = acceptedHow(s);
        if (how.by === 'hand') acceptance.byHand[how.over] = (acceptance.byHand[how.over] ?? 0) + 1;
        else acceptance[how.by]++;
        if (how.edited) acceptance.edited++;
        const dc = s.lineage.dedupCheck as { threshold?: unknown; model?: unknown; againstSeeds?: unknown; method?: unknown; recall?: unknown; lexical?: unknown } | undefined;
        if (dc && typeof dc.threshold === 'number' && typeof dc.model === 'string') {
          const approximate = dc.method === 'approximate' && typeof dc.recall === 'number';
          const check: DedupCheckSummary = {
            threshold: dc.threshold,
            model: dc.model,
            againstSeeds: !!dc.againstSeeds,
            ...(approximate ? { method: 'approximate' as const, recall: dc.recall as number } : {}),
            ...(typeof dc.lexical === 'number' ? { lexical: dc.lexical } : {}),
          };
          dedupChecks.set(`${check.threshold}\u0000${check.model}\u0000${check.againstSeeds}\u0000${check.recall ?? ''}\u0000${check.lexical ?? ''}`, check);
        }
        for (const c of (Array.isArray(s.lineage.calls) ? s.lineage.calls : []) as CallRecord[]) models.set(`${c.role}\u0000${c.model}\u0000${c.engine}`, { role: c.role, model: c.model, engine: c.engine });
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
  for await (const chunk of encodeItems(opts.format, pages(), opts.provenance)) {
    await sink.write(chunk);
    bytes += chunk.byteLength;
  }
  const byRole = [...models.values()].sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model));
  return { format: opts.format, options: { ...opts }, plan, languages, operations, runIds: [...runIds].sort(), models: byRole, leftOut, dedupChecks: [...dedupChecks.values()].sort((a, b) => a.threshold - b.threshold), acceptance, bytes };
}

/** The project's name for file names: letters, digits, CJK, dashes; never empty. */
export function fileStem(name: string): string {
  const s = name.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return s || 'dataset';
}
