import * as Comlink from 'comlink';
import type { ImportApi } from '../io/importApi';
import type { FileAnalysis, ImportPlan } from '../io/importSession';
import { suggestMapping, type FieldMapping, type ShapeId } from '../io/shapes';
import type { Delimiter, EncodingId, FormatId, ReadProgress } from '../io/types';

export type ImportStep = 'idle' | 'reading' | 'review' | 'writing' | 'done' | 'failed';

/**
 * The import dialog's state: files → analysis (in the worker) → mapping and preview → one
 * transaction. Nothing is stored before `confirm()`.
 */
export class ImporterState {
  #api: Comlink.Remote<ImportApi>;
  #projectId: () => string | null;
  #onStored: (n: number) => void;
  #files: File[] = [];

  step = $state<ImportStep>('idle');
  progress = $state<ReadProgress | null>(null);
  analyses = $state.raw<FileAnalysis[]>([]);
  mappings = $state<FieldMapping[]>([]);
  formats = $state<(FormatId | 'auto')[]>([]);
  /** The user's encoding and delimiter per file ('auto': detected); the preview re-reads with them. */
  encodings = $state<(EncodingId | 'auto')[]>([]);
  delimiters = $state<(Delimiter | 'auto')[]>([]);
  plan = $state.raw<ImportPlan | null>(null);
  planning = $state(false);
  skipDuplicates = $state(true);
  error = $state<string | null>(null);
  stored = $state(0);

  constructor(api: Comlink.Remote<ImportApi>, projectId: () => string | null, onStored: (n: number) => void) {
    this.#api = api;
    this.#projectId = projectId;
    this.#onStored = onStored;
  }

  get open(): boolean {
    return this.step !== 'idle';
  }

  /** Issues of reading plus issues of mapping, over all files. */
  get issueCount(): number {
    const read = this.analyses.reduce((n, a) => n + a.issueCount, 0);
    const mapped = this.plan?.files.reduce((n, f) => n + f.issueCount, 0) ?? 0;
    return read + mapped;
  }

  /** How many seeds a click on Import would store. */
  get toStore(): number {
    const p = this.plan;
    if (!p) return 0;
    return this.skipDuplicates ? p.total - p.duplicateExisting - p.duplicateInImport : p.total;
  }

  async start(files: File[], formats: (FormatId | 'auto')[] = []): Promise<void> {
    if (!files.length || this.step === 'reading' || this.step === 'writing') return;
    this.#files = files;
    this.formats = files.map((_, i) => formats[i] ?? 'auto');
    this.encodings = files.map(() => 'auto');
    this.delimiters = files.map(() => 'auto');
    await this.#analyse();
  }

  async setFormat(i: number, format: FormatId | 'auto'): Promise<void> {
    this.formats[i] = format;
    await this.#analyse();
  }

  async setEncoding(i: number, encoding: EncodingId | 'auto'): Promise<void> {
    this.encodings[i] = encoding;
    await this.#analyse();
  }

  async setDelimiter(i: number, delimiter: Delimiter | 'auto'): Promise<void> {
    this.delimiters[i] = delimiter;
    await this.#analyse();
  }

  async #analyse(): Promise<void> {
    this.step = 'reading';
    this.error = null;
    this.plan = null;
    this.progress = { phase: 'read', done: 0, total: this.#files.reduce((n, f) => n + f.size, 0) };
    try {
      const onProgress = Comlink.proxy((p: ReadProgress) => (this.progress = p));
      const choices = this.formats.map((format, i) => ({ format, encoding: this.encodings[i] ?? 'auto', delimiter: this.delimiters[i] ?? 'auto' }));
      const analyses = await this.#api.analyse(this.#files, $state.snapshot(choices), onProgress);
      this.analyses = analyses;
      this.mappings = analyses.map((a) => a.mapping);
      this.step = 'review';
      await this.replan();
    } catch (e) {
      this.#fail(e);
    }
  }

  setShape(i: number, shape: ShapeId): void {
    const a = this.analyses[i];
    if (!a) return;
    this.mappings[i] = suggestMapping(shape, a.keys, a.sample);
    void this.replan();
  }

  setField(i: number, field: keyof Omit<FieldMapping, 'shape'>, key: string | null): void {
    const m = this.mappings[i];
    if (!m) return;
    m[field] = key;
    void this.replan();
  }

  /** Re-maps every row with the current mappings (in the worker) and refreshes the preview. */
  async replan(): Promise<void> {
    const projectId = this.#projectId();
    if (!projectId) return;
    this.planning = true;
    try {
      this.plan = await this.#api.plan(projectId, $state.snapshot(this.mappings));
    } catch (e) {
      this.#fail(e);
    } finally {
      this.planning = false;
    }
  }

  async confirm(): Promise<void> {
    const projectId = this.#projectId();
    if (!projectId || !this.plan || this.planning) return;
    this.step = 'writing';
    this.progress = { phase: 'write', done: 0, total: this.toStore };
    try {
      const onProgress = Comlink.proxy((p: ReadProgress) => (this.progress = p));
      const n = await this.#api.commit(projectId, this.skipDuplicates, onProgress);
      this.stored = n;
      this.step = 'done';
      this.#onStored(n);
      this.close();
    } catch (e) {
      this.#fail(e);
    }
  }

  close(): void {
    void this.#api.cancel();
    this.#files = [];
    this.analyses = [];
    this.mappings = [];
    this.plan = null;
    this.progress = null;
    this.error = null;
    this.step = 'idle';
  }

  /** The worker itself failed (script error, out of memory): whatever was in progress is lost. */
  workerFailed(message: string): void {
    if (this.step === 'idle') return;
    this.#fail(Object.assign(new Error(message), { name: 'WorkerError' }));
  }

  #fail(e: unknown): void {
    const err = e as Error;
    this.error = err.name === 'QuotaExceededError' ? 'quota' : `${err.name}: ${err.message}`;
    this.step = 'failed';
  }
}
