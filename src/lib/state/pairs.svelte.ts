import type { AppDb } from '../db/db';
import { buildProjectPairs, countPairs, listPairs, setPairsStatus, type PairsBuilt } from '../db/pairsRepo';
import type { SampleStatus } from '../db/types';
import { DEFAULT_PAIR_OPTIONS, PAIR_SOURCES, type PairOptions } from '../preference/build';
import type { PairSource, PreferencePair } from '../preference/types';
import { errorInfo } from './engines.svelte';

/** Pairs drawn on one page: each shows two answers in full, so a page stays short. */
export const PAIRS_PAGE = 20;

/** The sources a person can build from here (the builder's; conversation pairs come with their step). */
export const BUILD_SOURCES: readonly PairSource[] = PAIR_SOURCES;

/**
 * Review's Pairs tab: the build options, the last build's outcome, the project's pair counts and
 * one page of pairs (read page by page on the [projectId+id] index: a project with 100k pairs never
 * holds them all), with accept and reject of one pair or of the page shown. Writes go through the
 * pairs repository; the page's rows are then patched in place, so a decision never moves a pair
 * off the page under the reader's eyes.
 */
export class PairsState {
  #db: AppDb;
  #projectId: string | null = null;
  options = $state<{ mode: PairOptions['mode']; margin: number; sources: PairSource[] }>({ mode: DEFAULT_PAIR_OPTIONS.mode, margin: DEFAULT_PAIR_OPTIONS.margin, sources: [...BUILD_SOURCES] });
  /** The statuses listed: all, or one. */
  status = $state<SampleStatus | 'all'>('all');
  page = $state.raw<PreferencePair[]>([]);
  /** Zero-based; `#starts[k]` is the id page k starts after (null: the first page). */
  pageIndex = $state(0);
  #starts: (string | null)[] = [null];
  counts = $state.raw<Record<SampleStatus, number> & { total: number }>({ pending: 0, accepted: 0, rejected: 0, total: 0 });
  built = $state.raw<PairsBuilt | null>(null);
  busy = $state(false);
  error = $state.raw<{ name: string; message: string } | null>(null);

  constructor(db: AppDb) {
    this.#db = db;
  }

  /** Pairs the listed status has (all of them, or one status's). */
  get listed(): number {
    return this.status === 'all' ? this.counts.total : this.counts[this.status];
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.listed / PAIRS_PAGE));
  }

  get hasNext(): boolean {
    return this.pageIndex + 1 < this.pages && this.page.length === PAIRS_PAGE;
  }

  async load(projectId: string): Promise<void> {
    this.#projectId = projectId;
    this.built = null;
    this.error = null;
    await this.#first();
  }

  /** Lists from the first page again (after a build, or another status chosen). */
  async #first(): Promise<void> {
    this.#starts = [null];
    this.pageIndex = 0;
    await this.#read();
  }

  async #read(): Promise<void> {
    const projectId = this.#projectId;
    if (!projectId) return;
    const status = this.status === 'all' ? undefined : this.status;
    const [page, counts] = await Promise.all([listPairs(this.#db, projectId, { after: this.#starts[this.pageIndex] ?? null, limit: PAIRS_PAGE, status }), countPairs(this.#db, projectId)]);
    if (projectId !== this.#projectId) return;
    this.page = page;
    this.counts = counts;
  }

  async showStatus(status: SampleStatus | 'all'): Promise<void> {
    this.status = status;
    await this.#first();
  }

  async next(): Promise<void> {
    const last = this.page.at(-1);
    if (!last || !this.hasNext) return;
    this.#starts[this.pageIndex + 1] = last.id;
    this.pageIndex++;
    await this.#read();
  }

  async prev(): Promise<void> {
    if (this.pageIndex === 0) return;
    this.pageIndex--;
    await this.#read();
  }

  /**
   * Builds the project's pairs with the options (a decided pair keeps its decision) and lists them
   * from the first page. Bad options (a negative margin) come back in `error` with nothing written.
   */
  async build(): Promise<void> {
    const projectId = this.#projectId;
    if (!projectId) return;
    this.busy = true;
    this.error = null;
    this.built = null;
    try {
      const o = $state.snapshot(this.options);
      this.built = await buildProjectPairs(this.#db, projectId, { mode: o.mode, margin: Number(o.margin), sources: o.sources });
      await this.#first();
    } catch (e) {
      this.error = errorInfo(e);
    } finally {
      this.busy = false;
    }
  }

  /** Accepts or rejects pairs; returns how many changed. The page's rows are patched, the counts read again. */
  async setStatus(ids: readonly string[], status: 'accepted' | 'rejected'): Promise<number> {
    this.busy = true;
    try {
      const n = await setPairsStatus(this.#db, ids, status);
      const changed = new Set(ids);
      this.page = this.page.map((p) => (changed.has(p.id) ? { ...p, status } : p));
      if (this.#projectId) this.counts = await countPairs(this.#db, this.#projectId);
      return n;
    } finally {
      this.busy = false;
    }
  }

  setStatusOfShown(status: 'accepted' | 'rejected'): Promise<number> {
    return this.setStatus(this.page.map((p) => p.id), status);
  }
}
