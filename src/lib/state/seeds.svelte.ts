import type { AppDb } from '../db/db';
import { deleteSeeds, listSeeds, restoreSeeds, retagSeeds, updateSeed, type SeedPatch } from '../db/seedsRepo';
import type { Seed } from '../db/types';

/** Lower-cased text a search looks in. */
function haystack(s: Seed): string {
  return `${s.instruction}\n${s.input}\n${s.output}\n${s.system}\n${s.tags.join(' ')}`.toLowerCase();
}

/**
 * The current project's seeds, as one raw list (100k rows stay cheap: nothing is proxied), with
 * search, tag filter and selection. Writes go through the repository, then the list is patched
 * in place so that a 100k list is not re-read for one edit.
 */
export class SeedsState {
  #db: AppDb;
  #projectId: string | null = null;
  #all = $state.raw<Seed[]>([]);
  #hay = $derived(this.#all.map(haystack));
  #loading = $state(false);
  query = $state('');
  tag = $state<string | null>(null);
  #selected = $state.raw<Set<string>>(new Set());

  constructor(db: AppDb) {
    this.#db = db;
  }

  get all(): Seed[] {
    return this.#all;
  }

  get loading(): boolean {
    return this.#loading;
  }

  /** The seeds shown: matching the search words (all of them) and the tag filter. */
  shown = $derived.by(() => {
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    const tag = this.tag;
    if (!words.length && !tag) return this.#all;
    const hay = this.#hay;
    return this.#all.filter((s, i) => (!tag || s.tags.includes(tag)) && words.every((w) => hay[i]!.includes(w)));
  });

  /** Every tag in the project with its count, most used first. */
  tags = $derived.by(() => {
    const counts = new Map<string, number>();
    for (const s of this.#all) for (const t of s.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  });

  get selected(): Set<string> {
    return this.#selected;
  }

  async load(projectId: string): Promise<void> {
    this.#projectId = projectId;
    this.#loading = true;
    try {
      const rows = await listSeeds(this.#db, projectId);
      if (this.#projectId === projectId) this.#all = rows;
    } finally {
      this.#loading = false;
    }
    this.#selected = new Set();
  }

  async reload(): Promise<void> {
    if (this.#projectId) await this.load(this.#projectId);
  }

  toggle(id: string): void {
    const next = new Set(this.#selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.#selected = next;
  }

  selectShown(on: boolean): void {
    this.#selected = on ? new Set(this.shown.map((s) => s.id)) : new Set();
  }

  async edit(id: string, patch: SeedPatch): Promise<void> {
    const next = await updateSeed(this.#db, id, patch);
    this.#all = this.#all.map((s) => (s.id === id ? next : s));
  }

  /** Deletes seeds; returns an undo that puts them back where they were. */
  async remove(ids: string[]): Promise<() => Promise<void>> {
    const removed = await deleteSeeds(this.#db, ids);
    const gone = new Set(ids);
    this.#all = this.#all.filter((s) => !gone.has(s.id));
    this.#selected = new Set([...this.#selected].filter((id) => !gone.has(id)));
    return async () => {
      await restoreSeeds(this.#db, removed);
      await this.reload();
    };
  }

  async retag(ids: string[], add: string[], remove: string[] = []): Promise<void> {
    const changed = new Map((await retagSeeds(this.#db, ids, add, remove)).map((s) => [s.id, s]));
    this.#all = this.#all.map((s) => changed.get(s.id) ?? s);
  }
}
