import type { Sample, Seed } from '../../db/types';
import { balancePerLabel } from '../../documents/coverage';
import type { LabelTree } from '../../documents/labelTree';
import { answerReasoning } from '../../pipeline/reasoning';
import type { CallRecord } from '../../pipeline/types';
import { mulberry32 } from '../../random';
import { userText } from './records';
import type { ExportFilters, ExportItem, MixPlan, PerLabel } from './types';

/**
 * Which items go into an export. Pure functions, shared by the screen's live counts and the
 * export itself, so what the bar shows is what the file gets.
 */

/** Why a sample stays out, or null when it goes in. */
export type LeftOutReason = 'status' | 'score' | 'duplicate' | 'contaminated' | 'noOutput';

/** The fields of a sample the filters read (the screen's index keeps only these). */
export type SampleFacts = Pick<Sample, 'status' | 'score' | 'duplicateOf' | 'output'> & Partial<Pick<Sample, 'contamination'>>;

export function sampleLeftOut(s: SampleFacts, f: Pick<ExportFilters, 'acceptedOnly' | 'minScore' | 'skipDuplicates' | 'includeContaminated'>): LeftOutReason | null {
  // Rejected samples are never training data; pending ones only when asked for.
  if (s.status === 'rejected' || (f.acceptedOnly && s.status !== 'accepted')) return 'status';
  if (f.minScore !== null && (s.score === null || s.score < f.minScore)) return 'score';
  if (f.skipDuplicates && s.duplicateOf) return 'duplicate';
  // A sample that repeats an eval item would inflate that benchmark's score: out unless asked for.
  if (!f.includeContaminated && s.contamination) return 'contaminated';
  // A fine-tuning example needs an answer.
  if (!s.output.trim()) return 'noOutput';
  return null;
}

/** What per-label balancing reads of a sample that passes the other filters. */
export interface BalanceFacts {
  id: string;
  score: number | null;
  createdAt: number;
  /** `source.label`; absent for seed-made samples and unlabelled chunks. */
  label?: string;
}

/**
 * The samples that pass the other filters, balanced per label (documents/coverage.ts
 * balancePerLabel, in their input order). Every one of them is a candidate, pending ones too when
 * the export takes pending samples. A cap that is not a whole number ≥ 0 is read as its floor, at least 0.
 */
export function balanceEligible<T extends BalanceFacts>(eligible: readonly T[], perLabel: PerLabel, tree?: LabelTree): T[] {
  const k = perLabel === 'min' ? 'min' : Math.max(0, Math.floor(Number.isFinite(perLabel) ? perLabel : 0));
  const rows = eligible.map((f) => ({ id: f.id, status: 'accepted', score: f.score, createdAt: f.createdAt, source: f.label === undefined ? undefined : { documentId: '', chunkId: '', label: f.label }, f }));
  return balancePerLabel(rows, k, tree).map((r) => r.f);
}

/** A seed can be real training data only with both an instruction and an answer. */
export function seedUsable(s: Pick<Seed, 'instruction' | 'output'>): boolean {
  return !!s.instruction.trim() && !!s.output.trim();
}

/**
 * The mix rule. With p = realPercent / 100 and S eligible synthetic items, every synthetic item is
 * kept and R = round(p·S / (1 − p)) seeds are added, so that R / (R + S) = p (as near as whole
 * items allow). When fewer seeds are usable than R, all of them are used and `short` is set; the
 * share reached is then below p. At 100 % the export is real data only: every usable seed and no
 * synthetic item.
 */
export function planMix(synthetic: number, seedsAvailable: number, realPercent: number): MixPlan {
  const p = Math.min(100, Math.max(0, Math.round(realPercent)));
  if (p === 100) {
    const real = seedsAvailable;
    return { synthetic: 0, seedsAvailable, realWanted: real, real, share: real ? 1 : NaN, short: false };
  }
  const realWanted = Math.round((p * synthetic) / (100 - p));
  const real = Math.min(realWanted, seedsAvailable);
  const total = real + synthetic;
  return { synthetic, seedsAvailable, realWanted, real, share: total ? real / total : NaN, short: real < realWanted };
}

/**
 * Picks `k` of `n` seeds (by their position in import order) with mulberry32(seed): a partial
 * Fisher–Yates shuffle, then the picks in import order. The same seed, seeds and k pick the same
 * seeds, and a larger k picks a superset only by chance — not a promise.
 */
export function pickSeeds(n: number, k: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, take).sort((a, b) => a - b);
}

/**
 * Where real item j goes among S synthetic ones: before synthetic item ⌊j·S/R⌋, so that real items
 * are spread evenly through the file instead of forming a block (a head of the file, or a
 * trainer that does not shuffle, still sees the asked mix).
 */
export function realSlot(j: number, real: number, synthetic: number): number {
  return Math.floor((j * synthetic) / real);
}

function modelsOf(calls: CallRecord[], roles: string[]): string | null {
  const models = [...new Set(calls.filter((c) => roles.includes(c.role)).map((c) => c.model))];
  return models.length ? models.join(', ') : null;
}

/**
 * A sample as an export item, with its provenance read from its lineage and, for a document-made
 * sample, its source with `sourceText` (the grounding text the caller read from the document).
 */
export function sampleItem(s: Sample, sourceText = ''): ExportItem {
  const calls = Array.isArray(s.lineage.calls) ? s.lineage.calls : [];
  const item: ExportItem = {
    instruction: s.instruction,
    input: s.input,
    output: s.output,
    system: '',
    provenance: {
      id: s.id,
      // A seed passed through a run unchanged (judged, filtered) is real data; an answer a model
      // wrote for a seed is not (its operation is respond, critique or bestOfN).
      source: s.operation === 'seed' && s.lineage.outputFrom === 'seed' ? 'seed' : 'synthetic',
      operation: s.operation,
      round: s.round,
      generator: modelsOf(calls, ['generator']),
      responder: modelsOf(calls, ['responder']),
      judge: modelsOf(calls, ['judge']),
      score: s.score,
    },
  };
  const src = s.source;
  if (src) item.source = { documentId: src.documentId, document: src.documentName, pages: src.pages, headingPath: src.headingPath, chunkId: src.chunkId, text: sourceText };
  // A multi-turn sample: the chat formats write its whole conversation, as they do a seed's. Its
  // first exchange is the sample's instruction(+input) and output as they are now: an edit made
  // in Review (which changes those fields) reaches the file.
  if (s.turns) item.turns = [{ role: 'user', content: userText(s) }, { role: 'assistant', content: s.output }, ...s.turns.slice(2)];
  const reasoning = answerReasoning(calls, s.output);
  if (reasoning) item.reasoning = reasoning;
  return item;
}

/** A seed as a real export item. */
export function seedItem(s: Seed): ExportItem {
  const item: ExportItem = {
    instruction: s.instruction,
    input: s.input,
    output: s.output,
    system: s.system,
    provenance: { id: s.id, source: 'seed', operation: 'seed', round: 0, generator: null, responder: null, judge: null, score: null },
  };
  if (s.turns) item.turns = s.turns;
  return item;
}
