import * as Comlink from 'comlink';
import type { AppDb } from '../db/db';
import { deleteEvalSet, listEvalSets, type EvalSetSummary } from '../db/evalSetsRepo';
import type { DecontamMethods } from '../db/types';
import type { ModelSource } from '../engines/modelSource';
import { DecontamSchema, DEFAULT_DECONTAM } from '../pipeline/recipe';
import type { DecontamOutcome, DecontamProgress } from '../runner/decontamPhase';
import type { RunnerApi } from '../runner/runnerApi';
import { errorInfo } from './engines.svelte';

/** A file that needs its text fields chosen before it can be added. */
export interface PendingFields {
  file: File;
  keys: string[];
  message: string;
}

/**
 * Review's Eval sets panel: the project's eval sets (add by file, remove), the methods and their
 * parameters, and the on-demand check. Reading a benchmark and the check itself run in a pipeline
 * worker of the panel's own (started on first use, ended with the panel): never on the page.
 */
export class DecontamState {
  #db: AppDb;
  #api: Comlink.Remote<RunnerApi>;
  #ready: Promise<void> | null = null;
  sets = $state.raw<EvalSetSummary[]>([]);
  /** Comma-separated field names for "any text fields"; empty: the shape is recognised. */
  fields = $state('');
  methods = $state<DecontamMethods>(structuredClone(withoutEnabled()));
  adding = $state<string | null>(null);
  pending = $state.raw<PendingFields | null>(null);
  checking = $state(false);
  progress = $state.raw<DecontamProgress | null>(null);
  outcome = $state.raw<DecontamOutcome | null>(null);
  error = $state.raw<{ name: string; message: string } | null>(null);
  /** What the last add said: the file's name and whether it was already stored. */
  notice = $state.raw<{ file: string; n: number; existing: boolean } | null>(null);

  /** @param runner the app's pipeline worker (the check runs there, beside any run: never on the page). */
  constructor(db: AppDb, runner: Comlink.Remote<RunnerApi>) {
    this.#db = db;
    this.#api = runner;
  }

  async #remote(): Promise<Comlink.Remote<RunnerApi>> {
    this.#ready ??= this.#api.useDatabase(this.#db.name);
    await this.#ready;
    return this.#api;
  }

  async load(projectId: string): Promise<void> {
    this.sets = await listEvalSets(this.#db, projectId);
    this.outcome = null;
  }

  /** Adds each file in turn; stops at the first that cannot be used (its error, or its fields to choose). */
  async add(projectId: string, files: File[], fields = this.fields): Promise<void> {
    const chosen = fields.split(',').map((f) => f.trim()).filter(Boolean);
    this.error = null;
    this.pending = null;
    try {
      const api = await this.#remote();
      for (const file of files) {
        this.adding = file.name;
        const r = await api.addEvalSet(projectId, file, chosen.length ? chosen : undefined);
        if (!r.ok) {
          if (r.error.keys?.length) this.pending = { file, keys: r.error.keys, message: r.error.message };
          else this.error = { name: r.error.name, message: r.error.message };
          break;
        }
        this.notice = { file: file.name, n: r.set.count, existing: r.existing };
      }
    } catch (e) {
      this.error = errorInfo(e);
    } finally {
      this.adding = null;
      await this.load(projectId);
    }
  }

  async remove(projectId: string, id: string): Promise<void> {
    await deleteEvalSet(this.#db, id);
    await this.load(projectId);
  }

  /** Runs the check; resolves when it ended, was stopped or failed (`error` says which). */
  async check(projectId: string, source: ModelSource): Promise<void> {
    this.error = null;
    this.outcome = null;
    this.checking = true;
    this.progress = { stage: 'read' };
    try {
      const api = await this.#remote();
      // The panel's number fields are not bounded by the browser: an n of 0 would match every item,
      // a cleared field is null. The recipe's schema bounds them, and names the field when it refuses.
      const parsed = DecontamSchema.safeParse({ ...$state.snapshot(this.methods), enabled: true });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw Object.assign(new Error(`${issue.path.join('.')}: ${issue.message}`), { name: 'DecontamSettingsError' });
      }
      const { enabled: _, ...methods } = parsed.data;
      this.outcome = await api.checkContamination(projectId, methods, { appBase: new URL('./', document.baseURI).href, source }, Comlink.proxy((p: DecontamProgress) => (this.progress = p)));
    } catch (e) {
      this.error = errorInfo(e);
    } finally {
      this.checking = false;
      this.progress = null;
    }
  }

  abort(): void {
    void this.#api.abortCheck();
  }

  /** Leaving the panel stops a check in progress (the worker is the app's and stays). */
  dispose(): void {
    if (this.checking) this.abort();
  }
}

function withoutEnabled(): DecontamMethods {
  const { enabled: _enabled, ...methods } = DEFAULT_DECONTAM;
  return methods;
}
