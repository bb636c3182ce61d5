import type { Sample } from '../db/types';

/**
 * What the Review screen keeps of a sample: everything it filters, sorts, searches and charts —
 * the lineage stays in IndexedDB and is read when one sample is opened. 100k of these fit in a tab.
 */
export interface ReviewRow {
  id: string;
  runId: string;
  seedId: string | null;
  parentId: string | null;
  status: Sample['status'];
  score: number | null;
  operation: string;
  round: number;
  persona: string | null;
  /** Model of the generator (the call that wrote the instruction), '' when none was called. */
  model: string;
  judgeModel: string;
  rejectReason: string | null;
  duplicateOf: string | null;
  similarity: number | null;
  /** The sample repeats an eval item (a contamination check marked it; the drawer reads the evidence). */
  contaminated: boolean;
  instruction: string;
  input: string;
  output: string;
  edited: boolean;
  createdAt: number;
  /** Lower-cased text a search looks in. */
  hay: string;
}

export function toRow(s: Sample): ReviewRow {
  const calls = s.lineage.calls ?? [];
  const gen = calls.find((c) => c.role === 'generator') ?? calls.find((c) => c.role === 'responder');
  const judge = calls.find((c) => c.role === 'judge');
  const { dedup, human = [] } = s.lineage;
  return {
    id: s.id,
    runId: s.runId,
    seedId: s.seedId,
    parentId: s.parentId,
    status: s.status,
    score: s.score,
    operation: s.operation,
    round: s.round,
    persona: s.persona,
    model: gen?.model ?? '',
    judgeModel: judge?.model ?? '',
    rejectReason: s.rejectReason,
    duplicateOf: s.duplicateOf,
    similarity: s.duplicateOf ? (dedup?.similarity ?? null) : null,
    contaminated: !!s.contamination,
    instruction: s.instruction,
    input: s.input,
    output: s.output,
    edited: human.some((h) => h.kind === 'edit'),
    createdAt: s.createdAt,
    hay: `${s.instruction}\n${s.input}\n${s.output}`.toLowerCase(),
  };
}
