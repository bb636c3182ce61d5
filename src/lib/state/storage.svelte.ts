import { errorInfo } from './engines.svelte';

/** What the browser answered when asked to keep this site's data. */
export type PersistAnswer = 'granted' | 'denied' | 'unsupported';

/**
 * This site's storage as the browser reports it (`navigator.storage`): how much is used, the
 * quota, and whether the data is persistent (not evicted when the disk runs low), with a way to
 * ask for persistence. Read by the Settings screen's Storage panel.
 */
export class StorageState {
  #usage = $state<number | null>(null);
  #quota = $state<number | null>(null);
  #persisted = $state<boolean | null>(null);
  #answer = $state<PersistAnswer | null>(null);
  #error = $state.raw<{ name: string; message: string } | null>(null);
  #storage: StorageManager | null;

  /** `storage`: the browser's StorageManager (null where there is none). */
  constructor(storage: StorageManager | null = globalThis.navigator?.storage ?? null) {
    this.#storage = storage;
  }

  get usage(): number | null {
    return this.#usage;
  }
  get quota(): number | null {
    return this.#quota;
  }
  /** Share of the quota in use, 0–1, or null when the browser does not say. */
  get share(): number | null {
    return this.#usage !== null && this.#quota ? this.#usage / this.#quota : null;
  }
  get persisted(): boolean | null {
    return this.#persisted;
  }
  /** The answer to the last request in this session, or null before one. */
  get answer(): PersistAnswer | null {
    return this.#answer;
  }
  get error(): { name: string; message: string } | null {
    return this.#error;
  }
  get canPersist(): boolean {
    return typeof this.#storage?.persist === 'function';
  }

  /** Reads usage, quota and persistence again. */
  async refresh(): Promise<void> {
    this.#error = null;
    try {
      const est = await this.#storage?.estimate?.();
      this.#usage = est?.usage ?? null;
      this.#quota = est?.quota ?? null;
      this.#persisted = (await this.#storage?.persisted?.()) ?? null;
    } catch (e) {
      this.#error = errorInfo(e);
    }
  }

  /**
   * Asks the browser to keep this site's data (`navigator.storage.persist()`). Chromium decides
   * without a prompt (site engagement, bookmarks, an installed app); Firefox asks the user.
   */
  async requestPersist(): Promise<PersistAnswer> {
    if (!this.canPersist) return (this.#answer = 'unsupported');
    this.#error = null;
    try {
      const ok = await this.#storage!.persist();
      this.#answer = ok ? 'granted' : 'denied';
    } catch (e) {
      this.#error = errorInfo(e);
      this.#answer = 'denied';
    }
    await this.refresh();
    return this.#answer;
  }
}

/** Bytes in the largest unit that keeps the number at or above 1 (B, KB, MB, GB, TB; 1024-based). */
export function formatBytes(n: number, locale = 'en-US'): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toLocaleString(locale, { maximumFractionDigits: i === 0 ? 0 : x < 10 ? 2 : 1 })} ${units[i]}`;
}
