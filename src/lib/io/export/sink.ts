/**
 * Where an export's bytes go. With the File System Access API the user picks a file and chunks
 * are written to it as they come (the browser holds only the chunk in flight); elsewhere the
 * chunks are kept as a list and become one Blob at the end, which the browser may keep on disk —
 * never one JavaScript string.
 */
export interface ByteSink {
  /** @throws the file system's error (e.g. QuotaExceededError, NotAllowedError). */
  write(chunk: Uint8Array): Promise<void>;
  /** Finishes the file. */
  close(): Promise<void>;
  /** Drops what was written (a failed export leaves no half file behind where the API allows). */
  abort(): Promise<void>;
}

/** Collects chunks; `blob()` after `close()` is the file. */
export class BlobSink implements ByteSink {
  #chunks: BlobPart[] = [];
  #blob: Blob | null = null;
  constructor(readonly type: string) {}
  async write(chunk: Uint8Array): Promise<void> {
    this.#chunks.push(chunk as Uint8Array<ArrayBuffer>);
  }
  async close(): Promise<void> {
    this.#blob = new Blob(this.#chunks, { type: this.type });
    this.#chunks = [];
  }
  async abort(): Promise<void> {
    this.#chunks = [];
  }
  blob(): Blob {
    if (!this.#blob) throw new Error('the export is not finished');
    return this.#blob;
  }
}

/** Writes to a file the user picked (or an OPFS file in tests). */
export class WritableSink implements ByteSink {
  constructor(readonly stream: FileSystemWritableFileStream) {}
  async write(chunk: Uint8Array): Promise<void> {
    await this.stream.write(chunk as Uint8Array<ArrayBuffer>);
  }
  async close(): Promise<void> {
    await this.stream.close();
  }
  async abort(): Promise<void> {
    // abort() discards the swap file: the picked file keeps what it had before.
    await this.stream.abort();
  }
}

interface SavePickerWindow {
  showSaveFilePicker?: (opts: { suggestedName: string; types?: { description?: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;
}

/** Whether this browser can stream to a file the user picks (Chromium on desktop). */
export function canPickFile(): boolean {
  return typeof (globalThis as SavePickerWindow).showSaveFilePicker === 'function';
}

/**
 * Asks where to save (must run in the click's task: the picker needs the user's gesture).
 * Returns null when the user cancels.
 */
export async function pickFileSink(suggestedName: string, mime: string): Promise<WritableSink | null> {
  const pick = (globalThis as SavePickerWindow).showSaveFilePicker!;
  const ext = '.' + suggestedName.split('.').pop();
  try {
    const handle = await pick({ suggestedName, types: [{ accept: { [mime]: [ext] } }] });
    return new WritableSink(await handle.createWritable());
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    throw e;
  }
}

/** Hands a finished Blob to the browser as a download. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started reading the blob; keep the URL a moment for slow starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
