import type { AppDb } from '../db/db';
import { getSetting, setSetting } from '../db/settingsRepo';
import { lockDocumentConnections, publishAirGap, type AirGapLayer } from '../net/airGap';

/**
 * Air-gapped mode as the app holds it: the stored switch, and the page's layers that enforce it
 * (the document's connect-src lock and the service worker's flag, ../net/airGap.ts). The engine
 * checks read `on` through the model source; what a switch means for loaded engines (remote ones
 * are unloaded) stays with EnginesState, which owns them.
 */
export class AirGapState {
  #db: AppDb;
  on = $state(false);
  /**
   * Whether the service worker's layer holds the air gap (see AirGapLayer); anything but 'ok'
   * while `on` is shown as a partial air gap, never as the whole guard.
   */
  layer = $state<AirGapLayer>('ok');

  constructor(db: AppDb) {
    this.#db = db;
  }

  async load(): Promise<void> {
    this.on = (await getSetting(this.#db, 'airGapped')) ?? false;
    // Not awaited: the worker's answer can take a moment (or never come from a worker of an older
    // deploy), and the app must not wait for it to open; the badge follows when it arrives.
    void this.#apply();
  }

  /** Stores the switch and applies it to the page's layers. */
  async set(on: boolean): Promise<void> {
    this.on = on;
    await setSetting(this.#db, 'airGapped', on);
    await this.#apply();
  }

  async #apply(): Promise<void> {
    if (this.on) lockDocumentConnections();
    const on = this.on;
    const layer = await publishAirGap(on).catch((): AirGapLayer => 'notStored');
    // A later toggle may have overtaken this one: only the latest answer counts.
    if (this.on === on) this.layer = layer;
  }
}
