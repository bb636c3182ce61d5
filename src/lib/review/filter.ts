import type { ReviewRow } from './rows';

/** The Review screen's filter. `null` / 'all' / '' mean "any". */
export interface ReviewFilter {
  status: 'all' | 'accepted' | 'rejected' | 'pending';
  scoreMin: number | null;
  scoreMax: number | null;
  /** Include samples that have no score when a score bound is set. */
  unscored: boolean;
  operation: string | null;
  round: number | null;
  persona: string | null;
  model: string | null;
  reason: string | null;
  duplicates: 'all' | 'duplicates' | 'unique';
  /** Samples a contamination check marked, or those it did not. */
  contaminated: 'all' | 'contaminated' | 'clean';
  query: string;
  /** One run's samples (the Done card's "Review these samples"). */
  run: string | null;
}

export const ANY_FILTER: ReviewFilter = {
  status: 'all',
  scoreMin: null,
  scoreMax: null,
  unscored: false,
  operation: null,
  round: null,
  persona: null,
  model: null,
  reason: null,
  duplicates: 'all',
  contaminated: 'all',
  query: '',
  run: null,
};

/** One predicate per filter; searching needs every word (case-insensitive) somewhere in the text. */
export function matcher(f: ReviewFilter): (r: ReviewRow) => boolean {
  const words = f.query.toLowerCase().split(/\s+/).filter(Boolean);
  const scored = f.scoreMin !== null || f.scoreMax !== null;
  return (r) => {
    if (f.status !== 'all' && r.status !== f.status) return false;
    if (scored) {
      if (r.score === null) {
        if (!f.unscored) return false;
      } else if ((f.scoreMin !== null && r.score < f.scoreMin) || (f.scoreMax !== null && r.score > f.scoreMax)) return false;
    }
    if (f.run !== null && r.runId !== f.run) return false;
    if (f.operation !== null && r.operation !== f.operation) return false;
    if (f.round !== null && r.round !== f.round) return false;
    if (f.persona !== null && (r.persona ?? '') !== f.persona) return false;
    if (f.model !== null && r.model !== f.model) return false;
    if (f.reason !== null && (r.rejectReason ?? '') !== f.reason) return false;
    if (f.duplicates === 'duplicates' && !r.duplicateOf) return false;
    if (f.duplicates === 'unique' && r.duplicateOf) return false;
    if (f.contaminated !== 'all' && r.contaminated !== (f.contaminated === 'contaminated')) return false;
    for (const w of words) if (!r.hay.includes(w)) return false;
    return true;
  };
}

export function applyFilter(rows: ReviewRow[], f: ReviewFilter): ReviewRow[] {
  const m = matcher(f);
  return rows.filter(m);
}

export function isAny(f: ReviewFilter): boolean {
  return (Object.keys(ANY_FILTER) as (keyof ReviewFilter)[]).every((k) => f[k] === ANY_FILTER[k]);
}

/** The values a filter can take, each with its count, most frequent first. */
export interface Facets {
  operation: [string, number][];
  round: [number, number][];
  persona: [string, number][];
  model: [string, number][];
  reason: [string, number][];
  run: [string, number][];
}

export function facets(rows: ReviewRow[]): Facets {
  const count = <K>(get: (r: ReviewRow) => K | null | undefined) => {
    const m = new Map<K, number>();
    for (const r of rows) {
      const v = get(r);
      if (v === null || v === undefined || v === '') continue;
      m.set(v, (m.get(v) ?? 0) + 1);
    }
    return [...m].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  };
  return {
    operation: count((r) => r.operation),
    round: count((r) => r.round).sort((a, b) => a[0] - b[0]),
    persona: count((r) => r.persona),
    model: count((r) => r.model),
    reason: count((r) => r.rejectReason),
    run: count((r) => r.runId),
  };
}
