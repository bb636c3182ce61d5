import type { AppDb } from './db';
import { newId } from './db';
import type { ContaminationMark, DecontamReport, EvalSetRow, Sample } from './types';

/**
 * A project's eval sets, and the marks a contamination check leaves on its samples. Eval sets are
 * stored once per project: the same bytes again are found by their SHA-256 and not stored twice.
 */

/** An eval set as read from a file, before it has an id and a project. */
export type EvalSetDraft = Omit<EvalSetRow, 'id' | 'projectId' | 'createdAt'>;

/** An eval set in a list: everything but its items (a benchmark can hold tens of thousands). */
export type EvalSetSummary = Omit<EvalSetRow, 'items'>;

/**
 * Stores an eval set, unless the project already has one with the same SHA-256: then that one is
 * returned with `existing: true` and nothing is written.
 */
export async function addEvalSet(db: AppDb, projectId: string, draft: EvalSetDraft, now = Date.now()): Promise<{ set: EvalSetSummary; existing: boolean }> {
  return db.transaction('rw', db.evalSets, async () => {
    const same = await db.evalSets.where('[projectId+sha256]').equals([projectId, draft.sha256]).first();
    if (same) return { set: summary(same), existing: true };
    const row: EvalSetRow = { ...draft, id: newId(), projectId, createdAt: now };
    await db.evalSets.add(row);
    return { set: summary(row), existing: false };
  });
}

function summary(row: EvalSetRow): EvalSetSummary {
  const { items: _items, ...rest } = row;
  return rest;
}

/** The project's eval sets without their items, in the order they were added. */
export async function listEvalSets(db: AppDb, projectId: string): Promise<EvalSetSummary[]> {
  const rows = await db.evalSets.where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map(summary);
}

/** The project's eval sets with their items (what a check compares against), in the order they were added. */
export async function getEvalSets(db: AppDb, projectId: string): Promise<EvalSetRow[]> {
  const rows = await db.evalSets.where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Removes an eval set. Marks it left on samples stay until the next check (they name the set). */
export async function deleteEvalSet(db: AppDb, id: string): Promise<void> {
  await db.evalSets.delete(id);
}

/**
 * Writes a check's outcome in ONE transaction: each sample of `scope` gets its mark, or loses an
 * old one (a check run again with other sets or thresholds never leaves stale marks), and the
 * project keeps the report (the dataset card reads it). An id of `scope` with no row is skipped.
 */
export async function applyContamination(db: AppDb, projectId: string, scope: readonly string[], marks: ReadonlyMap<string, ContaminationMark>, report: DecontamReport): Promise<void> {
  await db.transaction('rw', db.samples, db.projects, async () => {
    const rows = (await db.samples.bulkGet([...scope])).filter((s): s is Sample => !!s);
    const now = Date.now();
    const changed = rows.filter((s) => (s.contamination ?? null) !== null || marks.has(s.id)).map((s) => ({ ...s, contamination: marks.get(s.id) ?? null, updatedAt: now }));
    if (changed.length) await db.samples.bulkPut(changed);
    await db.projects.update(projectId, { decontam: report });
  });
}

/** The app's store as a contamination check reads eval sets from and writes marks to (runner/decontamPhase.ts). */
export function dexieDecontamTarget(db: AppDb) {
  return {
    evalSets: (projectId: string) => getEvalSets(db, projectId),
    applyContamination: (projectId: string, scope: readonly string[], marks: ReadonlyMap<string, ContaminationMark>, report: DecontamReport) => applyContamination(db, projectId, scope, marks, report),
  };
}
