import { normalise } from '../../decontam/decontam';
import { mixSeed, mulberry32 } from '../../random';
import { hash64 } from '../../text/normalize';

/**
 * The train/validation split of an export (issue 16 item 6). Three properties, each tested
 * (tests/unit/handoff.test.ts):
 * - no leakage: items whose instructions are equal after normalisation (decontam's `normalise`:
 *   NFKC, case, punctuation and spaces ignored) go to the same side — Evol rounds, Best-of-N
 *   answers and a seed's own answers share an instruction, and a validation set that holds a
 *   training instruction measures memory, not learning;
 * - stratified: each stratum (the item's operation, or its label) gives about `validation` of its
 *   items to validation, so a rare operation is in both sides instead of all in one;
 * - seeded and order-free: the same items and seed give the same split whatever order they come
 *   in (groups are ordered by a hash of their key, then drawn by the seed).
 */
export const SPLIT_BY = ['operation', 'label'] as const;
export type SplitBy = (typeof SPLIT_BY)[number];

export interface SplitOptions {
  /** Share of the items for validation, 0 < share < 1. */
  validation: number;
  seed: number;
  by: SplitBy;
}

/** One item as the split sees it. */
export interface SplitItem {
  id: string;
  instruction: string;
  /** The item's operation or label (by SplitOptions.by); '' for none (one stratum of its own). */
  stratum: string;
}

export type SplitPart = 'train' | 'validation';

/** The validation share a user may ask for: at least one item in a hundred, at most half. */
export const MIN_VALIDATION = 0.01;
export const MAX_VALIDATION = 0.5;

/** A split asked for with a share outside (0, 1): the export does not start. */
export class SplitOptionsError extends Error {
  override name = 'SplitOptionsError' as const;
}

/**
 * Which side each item goes to, by id. A group of equal instructions takes the stratum of its
 * first item (in hash order, so not by input order). Within a stratum, groups are shuffled by the
 * seed and given to validation while that brings the stratum's validation count closer to
 * share × its items; a stratum of one group stays in train.
 * @throws SplitOptionsError for a share outside (0, 1)
 */
export function splitItems(items: readonly SplitItem[], o: SplitOptions): Map<string, SplitPart> {
  if (!(o.validation > 0 && o.validation < 1)) throw new SplitOptionsError(`validation share ${o.validation}: give a share between 0 and 1 (e.g. 0.1 for 10 %)`);
  const groups = new Map<string, { hash: string; ids: string[]; stratum: string }>();
  for (const it of items) {
    const key = normalise(it.instruction) || it.instruction;
    const g = groups.get(key);
    if (g) g.ids.push(it.id);
    else groups.set(key, { hash: hash64(key), ids: [it.id], stratum: it.stratum });
  }
  const strata = new Map<string, { hash: string; ids: string[] }[]>();
  for (const g of groups.values()) {
    const list = strata.get(g.stratum) ?? [];
    list.push(g);
    strata.set(g.stratum, list);
  }
  const out = new Map<string, SplitPart>();
  for (const [stratum, list] of [...strata].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    list.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    const rng = mulberry32(mixSeed(o.seed, parseInt(hash64(stratum).slice(0, 8), 16)));
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const size = list.reduce((n, g) => n + g.ids.length, 0);
    const target = o.validation * size;
    let val = 0;
    list.forEach((g, i) => {
      // The last group stays in train: a stratum never goes to validation whole.
      const take = i < list.length - 1 && Math.abs(val + g.ids.length - target) < Math.abs(val - target);
      if (take) val += g.ids.length;
      for (const id of g.ids) out.set(id, take ? 'validation' : 'train');
    });
  }
  return out;
}

/** How an export was split, for the summary and the dataset card. */
export interface SplitSummary extends SplitOptions {
  /** The side this file holds. */
  part: SplitPart;
  /** Items on each side (both files together). */
  items: Record<SplitPart, number>;
}

/** The dataset card's words on the split (absent: none). */
export function splitLines(s: { split?: SplitSummary }): string[] {
  const sp = s.split;
  if (!sp) return [];
  return [
    '## Split',
    '',
    `This file is the **${sp.part}** side of a train/validation split: ${sp.items.train} train and ${sp.items.validation} validation items (validation share asked: ${Math.round(sp.validation * 1000) / 10} %), seed ${sp.seed}, stratified by ${sp.by === 'label' ? 'label (seeds: their first tag)' : 'operation (seeds: one stratum)'}.`,
    'Items with the same instruction after normalisation (NFKC, case, punctuation and spaces ignored) are on the same side: no instruction is in both files.',
    '',
  ];
}
