/**
 * Findings on rows (seeds, chunks, samples, exported items) and their redaction (issue 17, item 4).
 *
 * Pure: no Dexie, no DOM. A row is scanned field by field with detectPii; the user's decisions
 * are kept as value keys (`valueKey`: a hash of the normalised value, never the value itself), so a
 * decision survives a rescan and can travel in a run record or a setting without carrying the
 * personal data it is about.
 */
import { hash64 } from '../text/normalize';
import { detectPii, redact, type DetectOptions, type PiiFinding, type PiiType } from './pii';

/** The text fields of a row that are scanned and redacted, by name (`instruction`, `output`, `text`…). */
export type RowFields = Record<string, string>;

export interface RowFinding {
  rowId: string;
  field: string;
  /** Index among the row's findings (stable for the same text): the review view's key. */
  index: number;
  type: PiiType;
  start: number;
  end: number;
  confidence: number;
  why: string;
  /** Hash of the normalised value: what an "ignore" decision stores. */
  key: string;
  /** The value and up to `CONTEXT` characters on each side, shown as text (never as HTML). */
  before: string;
  value: string;
  after: string;
}

/** Characters of text shown on each side of a finding. */
export const CONTEXT = 30;

/** What the user told the detectors: names and terms to find, values ruled not personal. */
export interface PrivacyLists {
  names: string[];
  terms: string[];
  /** Value keys the user ignored (not personal data here): never reported again, never held by the guard. */
  ignored: string[];
}

export type RedactMode = 'placeholder' | 'mask';

/**
 * A short, stable hash of a finding's normalised value (the project's 64-bit text hash, hash64):
 * the same value, however spaced or cased, gives the same key. Not a secret-keeping hash — it only
 * keeps the value itself out of stored decisions; a hash of an 11-digit phone number can be found
 * by trying them all, so keys are not exported either.
 */
export function valueKey(f: Pick<PiiFinding, 'type' | 'text'>): string {
  return hash64(`${f.type}\u0000${f.text.replace(/[\s-]/g, '').toLowerCase()}`);
}

export function detectOptions(lists: Pick<PrivacyLists, 'names' | 'terms'>): DetectOptions {
  const clean = (xs: string[]) => xs.map((x) => x.trim()).filter(Boolean);
  return { names: clean(lists.names), terms: clean(lists.terms) };
}

/** The findings of one text that the user has not ignored. */
export function findingsIn(text: string, lists: PrivacyLists, ignored: ReadonlySet<string> = new Set(lists.ignored)): PiiFinding[] {
  if (!text) return [];
  return detectPii(text, detectOptions(lists)).filter((f) => !ignored.has(valueKey(f)));
}

/** Every finding in a row's fields, in field order then text order. */
export function scanRow(rowId: string, fields: RowFields, lists: PrivacyLists, ignored: ReadonlySet<string> = new Set(lists.ignored)): RowFinding[] {
  const out: RowFinding[] = [];
  for (const [field, text] of Object.entries(fields)) {
    for (const f of findingsIn(text, lists, ignored)) {
      out.push({
        rowId,
        field,
        index: out.length,
        type: f.type,
        start: f.start,
        end: f.end,
        confidence: f.confidence,
        why: f.why,
        key: valueKey(f),
        before: text.slice(Math.max(0, f.start - CONTEXT), f.start),
        value: f.text,
        after: text.slice(f.end, f.end + CONTEXT),
      });
    }
  }
  return out;
}

/**
 * The row's fields with the given findings redacted. One numbering for the whole row, so a value
 * that appears in the instruction and the output gets the same placeholder in both. Findings whose
 * span no longer holds their value (the text changed since the scan) are skipped, never guessed.
 */
export function redactRow(fields: RowFields, findings: readonly Pick<RowFinding, 'field' | 'type' | 'start' | 'end' | 'value' | 'confidence' | 'why'>[], mode: RedactMode): { fields: RowFields; redacted: number } {
  const numbering = new Map<string, string>();
  const next: RowFields = {};
  let redacted = 0;
  for (const [field, text] of Object.entries(fields)) {
    const here: PiiFinding[] = findings
      .filter((f) => f.field === field && text.slice(f.start, f.end) === f.value)
      .map((f) => ({ type: f.type, start: f.start, end: f.end, text: f.value, confidence: f.confidence, why: f.why }));
    redacted += here.length;
    next[field] = here.length ? redact(text, here, { mode, numbering }).text : text;
  }
  return { fields: next, redacted };
}

/** Scans a row and redacts every finding not ignored, in one step (export, recipe's "redact before"). */
export function redactAll(fields: RowFields, lists: PrivacyLists, mode: RedactMode, ignored?: ReadonlySet<string>): { fields: RowFields; findings: RowFinding[] } {
  const findings = scanRow('', fields, lists, ignored);
  return { fields: findings.length ? redactRow(fields, findings, mode).fields : fields, findings };
}

/** Finding counts per type, sorted by type: what a card or a held item reports (never values). */
export function countByType(findings: readonly { type: PiiType }[]): Partial<Record<PiiType, number>> {
  const out: Partial<Record<PiiType, number>> = {};
  for (const f of [...findings].sort((a, b) => a.type.localeCompare(b.type))) out[f.type] = (out[f.type] ?? 0) + 1;
  return out;
}
