/**
 * The offline app's life cycle as the page sees it: registers the service worker (production
 * builds only — the dev server's modules change on every edit), tells when a new version is
 * waiting, and switches to it only when the user asks (an update never reloads the page by
 * itself: it could interrupt a run).
 */
/** The files kept offline only on request (the bundled embedding model): how many this version keeps. */
export interface OfflineFiles {
  kept: number;
  total: number;
  /** Their size in bytes, all of them. */
  bytes: number;
}

export class PwaState {
  /** A new version is installed and waiting for the user. */
  updateReady = $state(false);
  /** The service worker controls this page (offline works, the air gap is guarded). */
  controlled = $state(false);
  #reg: ServiceWorkerRegistration | null = null;
  /** The optional offline files (null until the worker answered, or with no worker). */
  offline = $state.raw<OfflineFiles | null>(null);
  /** Bytes fetched so far while keeping them offline; null when not fetching. */
  offlineProgress = $state<number | null>(null);
  offlineError = $state<string | null>(null);

  /** Asks the controlling worker about the optional offline files, or to keep or drop them. */
  async #offlineFiles(action: 'status' | 'keep' | 'drop'): Promise<void> {
    const worker = navigator.serviceWorker?.controller;
    if (!worker) return;
    const ch = new MessageChannel();
    const done = new Promise<OfflineFiles & { error?: string }>((resolve) => {
      ch.port1.onmessage = (e) => {
        const m = e.data as { done?: boolean; progress?: number } & OfflineFiles & { error?: string };
        if (m.done) resolve(m);
        else if (typeof m.progress === 'number') this.offlineProgress = m.progress;
      };
    });
    worker.postMessage({ type: 'OFFLINE_FILES', action }, [ch.port2]);
    const m = await done;
    this.offline = { kept: m.kept, total: m.total, bytes: m.bytes };
    this.offlineError = m.error ?? null;
  }

  refreshOffline(): Promise<void> {
    return this.#offlineFiles('status');
  }

  /** Keeps the bundled embedding model offline now (with progress), instead of on its first use. */
  async keepOffline(): Promise<void> {
    this.offlineProgress = 0;
    try {
      await this.#offlineFiles('keep');
    } finally {
      this.offlineProgress = null;
    }
  }

  dropOffline(): Promise<void> {
    return this.#offlineFiles('drop');
  }

  async register(url = new URL('sw.js', document.baseURI).href): Promise<void> {
    const sw = navigator.serviceWorker;
    if (!sw) return;
    this.controlled = !!sw.controller;
    sw.addEventListener('controllerchange', () => {
      // The first install claims the page (nothing to reload); a switch the user asked for reloads.
      if (this.#switching) location.reload();
      this.controlled = true;
    });
    const reg = await sw.register(url, { scope: './' });
    this.#reg = reg;
    const watch = (w: ServiceWorker | null) => {
      if (!w) return;
      const check = () => {
        // A waiting worker while another one controls the page is an update; the very first
        // install has no controller and activates at once.
        if (w.state === 'installed' && sw.controller) this.updateReady = true;
      };
      check();
      w.addEventListener('statechange', check);
    };
    if (reg.waiting && sw.controller) this.updateReady = true;
    watch(reg.installing);
    reg.addEventListener('updatefound', () => watch(reg.installing));
  }

  #switching = false;

  /** Activates the waiting version; the page reloads once it has taken over. */
  applyUpdate(): void {
    const w = this.#reg?.waiting;
    if (!w) return;
    this.#switching = true;
    w.postMessage({ type: 'SKIP_WAITING' });
  }

  /** Asks the server for a newer version now (the browser also checks on each navigation). */
  async checkForUpdate(): Promise<void> {
    await this.#reg?.update();
  }
}
