import { errorInfo } from './engines.svelte';
import type { AppDb } from '../db/db';
import { samplePages, sampleIdsByStatus, seedIdsInOrder, seedPages, type RestoreResult } from '../db/backupRepo';
import { datasetSource } from '../db/datasetSource';
import { listRunsWithTasks } from '../db/runsRepo';
import { getProjectSetting } from '../db/settingsRepo';
import { readPrivacy } from '../privacy/settings';
import { exportPrivacy, recipeRedacts } from '../privacy/exportPolicy';
import type { Project, ProjectCard } from '../db/types';
import type { BackupCounts } from '../io/export/backup';
import { DEFAULT_LICENSE, datasetCard } from '../io/export/card';
import { exportDataset, fileStem } from '../io/export/exportDataset';
import { BACKUP_SUFFIX, restoreBackupFile, writeBackup, type BackupProgress } from '../io/export/projectBackup';
import { FORMAT_FILES } from '../io/export/records';
import { balanceEligible, planMix, sampleLeftOut, seedUsable, type BalanceFacts, type SampleFacts } from '../io/export/select';
import type { LabelTree } from '../documents/labelTree';
import { BlobSink, canPickFile, downloadBlob, pickFileSink, type ByteSink } from '../io/export/sink';
import type { ExportFormat, ExportProgress, ExportSummary, MixPlan, PerLabel, SourceMode } from '../io/export/types';
import { handoffFileName, handoffText, type HandoffFile } from '../io/export/handoff';
import type { SplitBy } from '../io/export/split';
import type { ReasoningMode } from '../pipeline/reasoning';

/** What the screen's index keeps per sample: what the filters and the balance read, and whether it came from a document. */
type IndexFacts = SampleFacts & BalanceFacts & { document: boolean };

/** An error as the screen shows it (typed errors keep their name; see the catalogue's export.error.*). */
export interface ShownError {
  /** Which action failed: the error shows next to its buttons. */
  from: 'export' | 'backup' | 'restore';
  name: string;
  message: string;
  /** For BackupFormatError: each problem with its line and field. */
  problems?: { line: number; field: string; message: string }[];
}

function shown(from: ShownError['from'], e: unknown): ShownError {
  return { from, ...errorInfo(e), problems: (e as { problems?: ShownError['problems'] } | null)?.problems };
}

/**
 * The Export screen: the options, live counts of what the file will hold (from a light index of
 * the project's samples, read once), the export itself with its progress, the dataset card, and
 * backup/restore. Created by the screen (not app-wide): it lives as long as the screen.
 */
export class ExportState {
  #db: AppDb;
  format = $state<ExportFormat>('alpaca-jsonl');
  acceptedOnly = $state(true);
  useMinScore = $state(false);
  minScore = $state(4);
  skipDuplicates = $state(true);
  /** Keep samples a contamination check marked (off: they are left out). */
  includeContaminated = $state(false);
  realPercent = $state(0);
  selectionSeed = $state(1);
  provenance = $state(false);
  /** Write document-made items' grounding text (off by default), and where (README "Source documents"). */
  includeSource = $state(false);
  sourcePlace = $state<Exclude<SourceMode, 'none'>>('context');
  /** How reasoning traces are written (pipeline/reasoning.ts): dropped by default. */
  reasoning = $state<ReasoningMode>('drop');
  /** Balance per label: at most `perLabel` per label, or the smallest label's count. */
  balance = $state(false);
  balanceMin = $state(false);
  perLabel = $state(50);
  card = $state(true);
  /** Scan the written items for personal data (the card says so either way); redact it in the file. */
  scanPrivacy = $state(true);
  redactPrivacy = $state(false);
  /** The card's licence and description (the project's stored choice; the screen loads and saves them). */
  license = $state<string>(DEFAULT_LICENSE);
  description = $state('');
  /** Stream into a picked file (File System Access API) instead of downloading. */
  usePicker = $state(canPickFile());
  /**
   * A train/validation split (io/export/split.ts, seeded by the selection seed): the train file goes
   * where the export goes, the validation file is downloaded beside it (a second picker would need a
   * second click).
   */
  split = $state(false);
  validationShare = $state(0.1);
  splitBy = $state<SplitBy>('operation');
  /** LLaMA-Factory's dataset_info.json for the files written (io/export/handoff.ts); null: none for this format. */
  handoffText = $state<string | null>(null);
  readonly canPick = canPickFile();

  /** Per sample, only what the filters read; `$state.raw`: 100k entries are never made reactive one by one. */
  #facts = $state.raw<IndexFacts[]>([]);
  /** The project's label tree (balancing resolves merged labels through it). */
  #labels = $state.raw<LabelTree | undefined>(undefined);
  /** Samples (not rejected) made from documents, and those of them with a label: the source and balance options show only when there are some. */
  documentSamples = $state(0);
  labelledSamples = $state(0);
  #otherSamples = $state(0);
  seedsUsable = $state(0);
  seedsWithoutOutput = $state(0);
  indexReady = $state(false);
  loading = $state(false);

  busy = $state<'export' | 'backup' | 'restore' | null>(null);
  progress = $state.raw<ExportProgress | BackupProgress | null>(null);
  error = $state.raw<ShownError | null>(null);
  summary = $state.raw<ExportSummary | null>(null);
  fileName = $state('');
  cardText = $state<string | null>(null);
  backupDone = $state.raw<{ counts: BackupCounts; bytes: number } | null>(null);
  restored = $state.raw<(RestoreResult & { name: string }) | null>(null);

  constructor(db: AppDb) {
    this.#db = db;
  }

  /** The balance cap as the export takes it: a whole number ≥ 0, or 'min'; null when balancing is off. */
  get perLabelCap(): PerLabel | null {
    if (!this.balance) return null;
    return this.balanceMin ? 'min' : Math.max(0, Math.floor(Number(this.perLabel) || 0));
  }

  get filters() {
    return { acceptedOnly: this.acceptedOnly, minScore: this.useMinScore ? this.minScore : null, skipDuplicates: this.skipDuplicates, includeContaminated: this.includeContaminated, realPercent: this.realPercent, selectionSeed: this.selectionSeed, balance: this.perLabelCap };
  }

  /** Samples left out per reason, and how many pass — recomputed as the options change. */
  tally = $derived.by(() => {
    const f = this.filters;
    const left: Record<'status' | 'score' | 'duplicate' | 'contaminated' | 'noOutput' | 'balance', number> = { status: this.#otherSamples, score: 0, duplicate: 0, contaminated: 0, noOutput: 0, balance: 0 };
    const eligible: IndexFacts[] = [];
    for (const s of this.#facts) {
      const why = sampleLeftOut(s, f);
      if (why) left[why]++;
      else eligible.push(s);
    }
    const pass = f.balance === null ? eligible.length : balanceEligible(eligible, f.balance, this.#labels).length;
    left.balance = eligible.length - pass;
    return { pass, left };
  });

  plan = $derived<MixPlan>(planMix(this.tally.pass, this.seedsUsable, this.realPercent));

  /**
   * Reads the project's samples and seeds once, a page at a time, keeping only what the filters
   * need. Rejected samples are only counted.
   */
  #indexToken = 0;

  async loadIndex(projectId: string): Promise<void> {
    // A quick project switch (or the switch after a restore) starts a second load: only the
    // latest may write its counts.
    const token = ++this.#indexToken;
    this.loading = true;
    this.indexReady = false;
    this.error = null;
    try {
      const ids = await sampleIdsByStatus(this.#db, projectId, ['accepted', 'pending']);
      const facts: IndexFacts[] = [];
      let documentSamples = 0;
      let labelledSamples = 0;
      for await (const page of samplePages(this.#db, ids)) {
        // The duplicate mark and the answer reduced to what the filter reads (no text kept).
        for (const s of page) {
          const f: IndexFacts = { id: s.id, status: s.status, score: s.score, createdAt: s.createdAt, duplicateOf: s.duplicateOf ? '1' : null, output: s.output.trim() ? 'x' : '', document: !!s.source };
          if (s.contamination) f.contamination = s.contamination;
          if (s.source?.label !== undefined) f.label = s.source.label;
          if (s.source) documentSamples++;
          if (f.label !== undefined) labelledSamples++;
          facts.push(f);
        }
      }
      const labels = (await this.#db.projects.get(projectId))?.labels;
      const all = await this.#db.samples.where('projectId').equals(projectId).count();
      let usable = 0;
      let without = 0;
      for await (const page of seedPages(this.#db, await seedIdsInOrder(this.#db, projectId))) {
        for (const s of page) seedUsable(s) ? usable++ : without++;
      }
      if (token !== this.#indexToken) return;
      this.#facts = facts;
      this.#labels = labels;
      this.documentSamples = documentSamples;
      this.labelledSamples = labelledSamples;
      this.#otherSamples = all - ids.length;
      this.seedsUsable = usable;
      this.seedsWithoutOutput = without;
      this.indexReady = true;
    } catch (e) {
      if (token === this.#indexToken) this.error = shown('export', e);
    } finally {
      if (token === this.#indexToken) this.loading = false;
    }
  }

  /**
   * A sink for `name`: the picked file, or a blob to download. Null when the user cancelled the
   * picker, or when it failed (then `error` says why, as an error of `kind`).
   */
  async #sink(kind: 'export' | 'backup', name: string, mime: string): Promise<ByteSink | null> {
    this.error = null;
    try {
      // The picker needs the click's user activation: nothing may be awaited before it.
      if (this.usePicker && this.canPick) return await pickFileSink(name, mime);
      return new BlobSink(mime);
    } catch (e) {
      this.error = shown(kind, e);
      return null;
    }
  }

  /** Exports with the current options. Must be called from a click (the file picker needs it). */
  async export(project: Project): Promise<void> {
    if (this.busy) return;
    const { extension, mime } = FORMAT_FILES[this.format];
    const stem = fileStem(project.name);
    const split = this.split ? { validation: this.validationShare, seed: this.selectionSeed, by: this.splitBy } : null;
    const name = handoffFileName(stem, extension, split ? 'train' : undefined);
    const sink = await this.#sink('export', name, mime);
    if (!sink) return;
    this.busy = 'export';
    this.summary = null;
    this.cardText = null;
    this.handoffText = null;
    this.progress = null;
    try {
      // A run whose recipe asks for redacted outputs (recipe.privacy.redactOutputs) redacts the file whatever the box says.
      const runs = await listRunsWithTasks(this.#db, project.id);
      const privacy = exportPrivacy(readPrivacy(await getProjectSetting(this.#db, project.id, 'privacy')), { scan: this.scanPrivacy, redact: this.redactPrivacy, forced: recipeRedacts(runs) });
      const opts = {
        ...this.filters,
        format: this.format,
        provenance: this.provenance,
        source: this.includeSource ? this.sourcePlace : ('none' as const),
        ...(this.reasoning !== 'drop' ? { reasoning: this.reasoning } : {}),
        ...(privacy ? { privacy } : {}),
      };
      const summary = await exportDataset(datasetSource(this.#db), project.id, split ? { ...opts, split: { ...split, part: 'train' } } : opts, sink, (p) => (this.progress = p));
      if (sink instanceof BlobSink) downloadBlob(sink.blob(), name);
      const files: HandoffFile[] = [{ ...(split ? { part: 'train' as const } : {}), fileName: name, system: summary.systemWritten }];
      if (split) {
        const valName = handoffFileName(stem, extension, 'validation');
        const valSink = new BlobSink(mime);
        const val = await exportDataset(datasetSource(this.#db), project.id, { ...opts, split: { ...split, part: 'validation' } }, valSink, (p) => (this.progress = p));
        downloadBlob(valSink.blob(), valName);
        files.push({ part: 'validation', fileName: valName, system: val.systemWritten });
      }
      this.handoffText = handoffText(this.format, stem, files);
      this.fileName = name;
      this.summary = summary;
      if (this.card) this.cardText = datasetCard({ projectName: project.name, summary, runs, dataFile: name, createdAt: Date.now(), license: this.license, description: this.description });
    } catch (e) {
      this.error = shown('export', e);
    } finally {
      this.busy = null;
    }
  }

  downloadCard(): void {
    if (this.cardText) downloadBlob(new Blob([this.cardText], { type: 'text/markdown' }), 'README.md');
  }

  /** Writes the project's backup. Must be called from a click. */
  async backup(project: Project): Promise<void> {
    if (this.busy) return;
    const name = `${fileStem(project.name)}${BACKUP_SUFFIX}`;
    const sink = await this.#sink('backup', name, 'application/jsonl');
    if (!sink) return;
    this.busy = 'backup';
    this.backupDone = null;
    this.progress = null;
    try {
      let bytes = 0;
      const counting: ByteSink = { write: (c) => ((bytes += c.byteLength), sink.write(c)), close: () => sink.close(), abort: () => sink.abort() };
      const counts = await writeBackup(datasetSource(this.#db), project.id, counting, (p) => (this.progress = p));
      if (sink instanceof BlobSink) downloadBlob(sink.blob(), name);
      this.backupDone = { counts, bytes };
    } catch (e) {
      this.error = shown('backup', e);
    } finally {
      this.busy = null;
    }
  }

  /** Restores a backup file. Returns the restored project's id, or null when it failed (see `error`). */
  async restore(file: File): Promise<string | null> {
    if (this.busy) return null;
    this.busy = 'restore';
    this.error = null;
    this.restored = null;
    this.progress = null;
    try {
      const r = await restoreBackupFile(datasetSource(this.#db), file, (p) => (this.progress = p));
      const name = (await this.#db.projects.get(r.projectId))?.name ?? '';
      this.restored = { ...r, name };
      return r.projectId;
    } catch (e) {
      this.error = shown('restore', e);
      return null;
    } finally {
      this.busy = null;
    }
  }
}

/**
 * The dataset card's page-hide copy (see ExportScreen): written synchronously to localStorage as
 * the page hides with a description not yet stored, taken on the next open when it is newer than
 * the project's row.
 */
const CARD_STASH = 'seedforge.card.';

export function stashCard(projectId: string, card: ProjectCard): void {
  try {
    globalThis.localStorage?.setItem(CARD_STASH + projectId, JSON.stringify({ card, at: Date.now() }));
  } catch {
    // Storage full or blocked: the IndexedDB write started beside it is all there is.
  }
}

/** The copy when it is newer than `storedAt` (the project row's updatedAt), else null; it is removed either way. */
export function takeCardStash(projectId: string, storedAt: number): ProjectCard | null {
  try {
    const raw = globalThis.localStorage?.getItem(CARD_STASH + projectId);
    if (!raw) return null;
    globalThis.localStorage.removeItem(CARD_STASH + projectId);
    const { card, at } = JSON.parse(raw) as { card?: ProjectCard; at?: number };
    return card && typeof card.description === 'string' && typeof card.license === 'string' && typeof at === 'number' && at > storedAt ? card : null;
  } catch {
    return null;
  }
}
