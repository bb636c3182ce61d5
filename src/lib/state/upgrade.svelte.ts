import type { AppDb } from '../db/db';

/**
 * Another tab opened a newer version of Seedforge: this tab's connection to the database has
 * closed for the upgrade (db/versionChange.ts; a run in the pipeline worker paused first) and the
 * page has to be reloaded to go on. The banner (ui/shell/UpgradeBanner.svelte) reads `closed`.
 */
export class UpgradeState {
  #closed = $state(false);

  constructor(db: AppDb) {
    // A request that came between the open and this state (the page's first reads) counts too.
    this.#closed = db.versionChange.requested;
    db.versionChange.beforeClose(() => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  reload(): void {
    location.reload();
  }
}
