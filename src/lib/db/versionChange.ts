import type Dexie from 'dexie';

/**
 * The name of the stop when another tab upgrades the database: the paused run's stored error
 * starts with it (the Run list reads it), and the banner says the same in the user's language.
 */
export const VERSION_CHANGE_ERROR = 'VersionChangeError';

const MESSAGE = "another tab opened a newer version of Seedforge, which upgrades the stored data: this tab's connection to it is closed. Reload this tab, then Resume the run";

/** The paused run's stored reason. */
export const VERSION_CHANGE_REASON = `${VERSION_CHANGE_ERROR}: ${MESSAGE}`;

/** What a call on a connection that is closing for another tab's upgrade throws. */
export function versionChangeError(): Error {
  return Object.assign(new Error(MESSAGE), { name: VERSION_CHANGE_ERROR });
}

/**
 * How long the hooks may hold the connection open before it closes anyway: the new tab waits
 * that long at most (a run pauses in well under a second; a hook that hangs must not keep the
 * other tab waiting for ever).
 */
export const VERSION_CHANGE_GRACE_MS = 10_000;

/** What another tab's upgrade looks like to a hook: the version asked for. */
export interface VersionChange {
  oldVersion: number;
  newVersion: number;
}

/**
 * One connection's answer to another tab's upgrade. Installed on every AppDb (./db.ts), so every
 * realm that opens the database — the page and each worker — handles it.
 */
export interface VersionChangeGuard {
  /** True once another tab asked this connection to close for an upgrade. */
  readonly requested: boolean;
  /**
   * Runs `fn` when another tab asks this connection to close for an upgrade; the connection closes
   * once every such `fn` has settled (at most VERSION_CHANGE_GRACE_MS), so a run can pause and
   * record that it did before the data changes under it. Returns the unsubscribe.
   */
  beforeClose(fn: (change: VersionChange) => void | Promise<void>): () => void;
  /**
   * Runs `fn` when this connection's open waits because an older tab still holds one (the older
   * tab has been asked to close it). Returns the unsubscribe.
   */
  onBlocked(fn: (change: VersionChange) => void): () => void;
}

/**
 * Makes `db` step aside for another tab's upgrade instead of Dexie's default. Dexie closes the
 * connection at once and lets it reopen on the next query: a run in the pipeline worker then
 * failed mid-commit with DatabaseClosedError (its status write failed too and was swallowed), and a
 * reopened old tab would write the old schema's rows into the upgraded store. Here the hooks run
 * first, then the connection closes for good (`disableAutoOpen`: a later query throws
 * DatabaseClosedError; the tab must be reloaded to run the new version). IndexedDB lets the
 * transactions already begun finish, so a commit in flight is either whole or absent.
 *
 * A deletion (newVersion null: tests delete their databases between cases) keeps Dexie's default:
 * the store that comes back is this code's own schema.
 */
export function guardVersionChange(db: Dexie): VersionChangeGuard {
  const closers = new Set<(change: VersionChange) => void | Promise<void>>();
  const blockers = new Set<(change: VersionChange) => void>();
  let requested = false;

  // Dexie asks IndexedDB for ten times the declared version (room for its own schema patches).
  const changeOf = (e: IDBVersionChangeEvent): VersionChange | null => (e.newVersion ? { oldVersion: e.oldVersion / 10, newVersion: e.newVersion / 10 } : null);

  db.on('versionchange', (ev) => {
    const change = changeOf(ev);
    if (!change) return undefined; // a deletion: Dexie's default
    if (requested) return false;
    requested = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, VERSION_CHANGE_GRACE_MS)));
    const hooks = Promise.allSettled([...closers].map(async (fn) => fn(change)));
    void Promise.race([hooks, grace]).then(() => {
      clearTimeout(timer);
      db.close({ disableAutoOpen: true });
    });
    return false; // stops Dexie's default (an immediate close that reopens on the next query)
  });

  db.on('blocked', (ev) => {
    const change = changeOf(ev);
    if (change) for (const fn of blockers) fn(change);
  });

  return {
    get requested() {
      return requested;
    },
    beforeClose(fn) {
      closers.add(fn);
      return () => void closers.delete(fn);
    },
    onBlocked(fn) {
      blockers.add(fn);
      return () => void blockers.delete(fn);
    },
  };
}
