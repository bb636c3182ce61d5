import type { ChatModelEntry } from '../engines/catalogue';
import { describeGguf, openGguf, safeName, type StoredGguf } from '../engines/local/ggufStore';
import { discardPartialDownload, listPartialDownloads, startModelDownload, type DownloadHandle, type PartialDownload } from '../engines/local/modelDownload';
import { downloadTracker } from '../engines/local/progress';
import { hfFileUrl, type ModelSource } from '../engines/modelSource';
import type { EngineRef } from '../engines/roles';
import type { ErrorDetail } from '../engines/errors';
import type { LoadProgress } from '../engines/types';

/** What the downloads need from the Models screen's state (EnginesState). */
export interface DownloadHost {
  readonly source: ModelSource;
  readonly airGapped: boolean;
  refreshGgufs(): Promise<void>;
  autoAssign(ref: EngineRef): Promise<void>;
  /** Asks the browser to keep stored models when the disk runs low. */
  keepStored(): Promise<boolean | null>;
}

/**
 * One-click downloads of catalogue models into the GGUF store: one at a time, resumable (the
 * partial survives a cancel, a dropped connection and a reload), with bytes, speed and ETA.
 */
export class ModelDownloads {
  #host: DownloadHost;
  #handle: DownloadHandle | null = null;
  /** The download in progress: the catalogue entry's id and its progress. */
  active = $state.raw<{ id: string; name: string; progress: LoadProgress | null } | null>(null);
  partials = $state.raw<PartialDownload[]>([]);
  error = $state.raw<{ id: string; name: string; message: string; detail?: ErrorDetail } | null>(null);

  constructor(host: DownloadHost) {
    this.#host = host;
  }

  async refresh(): Promise<void> {
    this.partials = await listPartialDownloads().catch(() => []);
  }

  /**
   * The partial download of an entry from the current source. A partial fetched from another
   * source (Hugging Face, then a mirror) is not offered as a resume: the download starts over.
   */
  partialOf(entry: ChatModelEntry): PartialDownload | undefined {
    let url: string;
    try {
      url = hfFileUrl(entry.gguf.repo, entry.gguf.file, this.#host.source);
    } catch {
      return undefined;
    }
    return this.partials.find((p) => p.name === safeName(entry.gguf.file) && p.url === url);
  }

  /**
   * Downloads (or resumes) an entry's GGUF from Hugging Face or the configured mirror/folder,
   * checks it, adds it to the GGUF store and gives it the roles that are empty.
   * Errors land in `error` (AbortedError when cancelled: the bytes stay for a resume).
   */
  async download(entry: ChatModelEntry): Promise<StoredGguf | null> {
    if (this.active) return null;
    const name = safeName(entry.gguf.file);
    this.error = null;
    this.active = { id: entry.id, name, progress: null };
    try {
      // Through the model source; while air-gapped this throws AirGappedError for another origin.
      const url = hfFileUrl(entry.gguf.repo, entry.gguf.file, this.#host.source);
      await assertRoom(entry.gguf.bytes - (this.partialOf(entry)?.have ?? 0));
      const track = downloadTracker(entry.label, (p) => {
        if (this.active?.id === entry.id) this.active = { ...this.active, progress: p };
      });
      this.#handle = startModelDownload({ url, name, sameOrigin: this.#host.airGapped ? location.origin : undefined }, (loaded, total) => track({ loaded, total }));
      await this.#handle.done;
      // The worker checked the file before it replaced anything in the store (InvalidModelError
      // otherwise, with the model stored before left as it was); this reads its facts.
      const stored = await describeGguf(name, await openGguf(name));
      await this.#host.refreshGgufs();
      await this.#host.autoAssign({ kind: 'wllama', file: name });
      void this.#host.keepStored().catch(() => undefined);
      return stored;
    } catch (e) {
      const err = e as Error & { detail?: ErrorDetail };
      this.error = { id: entry.id, name: err?.name ?? 'Error', message: err?.message ?? String(e), detail: err?.detail };
      return null;
    } finally {
      this.#handle = null;
      this.active = null;
      await this.refresh();
    }
  }

  /** Stops the download in progress; its bytes stay for a resume. */
  cancel(): void {
    this.#handle?.cancel();
  }

  async discard(name: string): Promise<void> {
    await discardPartialDownload(name);
    if (this.error) this.error = null;
    await this.refresh();
  }
}

/**
 * Refuses a download that cannot fit in the storage the browser grants this site (the file is
 * gigabytes: better said before than at 90 %).
 * @throws Error named QuotaExceededError, with a `detail` the UI translates.
 */
async function assertRoom(bytes: number): Promise<void> {
  const est = await navigator.storage?.estimate?.().catch(() => null);
  if (!est?.quota) return;
  const free = est.quota - (est.usage ?? 0);
  if (free < bytes) {
    const gb = (n: number) => Math.round(n / 1e7) / 100;
    const detail: ErrorDetail = { key: 'download.error.quota', params: { need: gb(bytes), free: gb(free) } };
    throw Object.assign(new Error(`the model needs about ${gb(bytes)} GB, and this browser lets this site store ${gb(free)} GB more`), { name: 'QuotaExceededError', detail });
  }
}
