import type { AppDb } from '../db/db';
import { getProjectSetting, setProjectSetting } from '../db/settingsRepo';
import { redactAll, redactRow, scanRow, type RowFields, type RowFinding } from '../privacy/scan';
import { DEFAULT_PRIVACY, readPrivacy, type PrivacySettings } from '../privacy/settings';

/** A row the findings view scans: its id and its text fields by name. */
export interface PrivacyRow {
  id: string;
  fields: RowFields;
}

/** Rows scanned between two yields to the event loop (a 100k-seed library never blocks the page for long). */
const SCAN_SLICE = 200;

const findingId = (f: Pick<RowFinding, 'rowId' | 'index'>) => `${f.rowId}\u0000${f.index}`;

/**
 * The findings view of one screen (Seeds, Documents, Review): the project's privacy settings, the
 * findings of the last scan, and the user's decision on each (redact by default, or ignore).
 * "Redact all accepted" writes the redacted fields through the screen's own writer (its
 * repository), so the rows stay the only store; ignored values go to the project's settings, so
 * they are not reported again and the remote-call guard lets them pass.
 */
export class PrivacyState {
  #db: AppDb;
  #projectId: string;
  settings = $state.raw<PrivacySettings>(DEFAULT_PRIVACY);
  findings = $state.raw<RowFinding[]>([]);
  /** Finding ids the user chose to ignore (all others are redacted). */
  #ignoring = $state.raw<Set<string>>(new Set());
  scanned = $state<number | null>(null);
  progress = $state.raw<{ done: number; total: number } | null>(null);
  busy = $state(false);
  /** The last redaction: findings and rows changed. */
  done = $state.raw<{ findings: number; items: number } | null>(null);
  error = $state<string | null>(null);

  constructor(db: AppDb, projectId: string) {
    this.#db = db;
    this.#projectId = projectId;
  }

  async load(): Promise<void> {
    this.settings = readPrivacy(await getProjectSetting(this.#db, this.#projectId, 'privacy'));
  }

  async save(patch: Partial<PrivacySettings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    await setProjectSetting(this.#db, this.#projectId, 'privacy', $state.snapshot(this.settings) as PrivacySettings);
  }

  /** The user's "allow for this run": the run's remote engines are not guarded when it resumes. */
  async allowRun(runId: string): Promise<void> {
    await this.load();
    if (!this.settings.allowedRuns.includes(runId)) await this.save({ allowedRuns: [...this.settings.allowedRuns, runId] });
  }

  ignored(f: RowFinding): boolean {
    return this.#ignoring.has(findingId(f));
  }

  decide(f: RowFinding, ignore: boolean): void {
    const next = new Set(this.#ignoring);
    if (ignore) next.add(findingId(f));
    else next.delete(findingId(f));
    this.#ignoring = next;
  }

  decideAll(ignore: boolean): void {
    this.#ignoring = ignore ? new Set(this.findings.map(findingId)) : new Set();
  }

  get accepted(): number {
    return this.findings.length - this.#ignoring.size;
  }

  get items(): number {
    return new Set(this.findings.map((f) => f.rowId)).size;
  }

  async scan(rows: readonly PrivacyRow[]): Promise<void> {
    this.busy = true;
    this.done = null;
    this.error = null;
    try {
      await this.load();
      const ignored = new Set(this.settings.ignored);
      const out: RowFinding[] = [];
      for (let i = 0; i < rows.length; i += SCAN_SLICE) {
        for (const r of rows.slice(i, i + SCAN_SLICE)) out.push(...scanRow(r.id, r.fields, this.settings, ignored));
        this.progress = { done: Math.min(rows.length, i + SCAN_SLICE), total: rows.length };
        await new Promise((res) => setTimeout(res, 0));
      }
      this.findings = out;
      this.#ignoring = new Set();
      this.scanned = rows.length;
    } finally {
      this.progress = null;
      this.busy = false;
    }
  }

  /**
   * Redacts the accepted findings row by row (one numbering per row) and writes each row through
   * `write`; the ignored values are remembered in the project's settings. Rows whose text changed
   * since the scan keep the findings that no longer match (redactRow skips them).
   */
  /**
   * `write` gets the redacted fields and a scrub (the same detectors, lists, ignored values and
   * mode) for any other copy of the row's text it keeps (a sample's lineage).
   */
  async redactAccepted(rows: ReadonlyMap<string, RowFields>, write: (id: string, fields: RowFields, scrub: (text: string) => string) => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    let findings = 0;
    let items = 0;
    try {
      const ignoredKeys = new Set(this.settings.ignored);
      const byRow = new Map<string, RowFinding[]>();
      for (const f of this.findings) {
        if (this.ignored(f)) ignoredKeys.add(f.key);
        else byRow.set(f.rowId, [...(byRow.get(f.rowId) ?? []), f]);
      }
      if (ignoredKeys.size !== this.settings.ignored.length) await this.save({ ignored: [...ignoredKeys] });
      for (const [id, fs] of byRow) {
        const fields = rows.get(id);
        if (!fields) continue;
        const r = redactRow(fields, fs, this.settings.mode);
        if (!r.redacted) continue;
        const changed: RowFields = {};
        for (const k of Object.keys(r.fields)) if (r.fields[k] !== fields[k]) changed[k] = r.fields[k]!;
        await write(id, changed, (text) => (text ? redactAll({ text }, this.settings, this.settings.mode, ignoredKeys).fields.text! : text));
        findings += r.redacted;
        items++;
      }
      this.findings = [];
      this.#ignoring = new Set();
      this.done = { findings, items };
    } catch (e) {
      this.error = (e as Error).message;
      this.done = { findings, items };
    } finally {
      this.busy = false;
    }
  }
}
