import { EngineError } from '../errors';
import { GgufFormatError, readGguf } from './gguf';
import { downloadResumable, type ByteSink, type DownloadResult, type PartialMeta } from './resumableDownload';

/**
 * The download worker's API (workers/download.worker.ts exposes it): fetches a model file into
 * OPFS through a sync access handle, which writes straight to the file — unlike a writable
 * stream, whose bytes land only when it closes, so a reload mid-download would keep nothing.
 * Partials live in `gguf-partial/` (not in the GGUF store's `gguf/`, which lists whole models)
 * beside `<name>.json` with the URL, size and ETag; the finished file moves into `gguf/`.
 */
export const PARTIAL_DIR = 'gguf-partial';
export const STORE_DIR = 'gguf';

export interface DownloadRequest {
  url: string;
  /** The file name in the GGUF store (already made safe). */
  name: string;
  /** Set while air-gapped: the origin every response must come from. */
  sameOrigin?: string;
  retries?: number;
  retryDelayMs?: number;
}

export type DownloadOutcome = DownloadResult & { name: string };

/** The part of FileSystemSyncAccessHandle used here (it exists in dedicated workers only). */
interface SyncHandle {
  getSize(): number;
  read(buf: Uint8Array, opts: { at: number }): number;
  write(buf: Uint8Array, opts: { at: number }): number;
  truncate(n: number): void;
  flush(): void;
  close(): void;
}
type SyncFileHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncHandle> };

export function sinkOf(h: SyncHandle): ByteSink {
  return {
    size: () => h.getSize(),
    write: (bytes, at) => {
      let off = 0;
      while (off < bytes.byteLength) off += h.write(bytes.subarray(off), { at: at + off });
    },
    truncate: (n) => h.truncate(n),
    flush: () => h.flush(),
  };
}

async function readMeta(dir: FileSystemDirectoryHandle, name: string): Promise<PartialMeta | null> {
  try {
    const text = await (await (await dir.getFileHandle(name)).getFile()).text();
    const m = JSON.parse(text) as PartialMeta;
    return typeof m.url === 'string' ? m : null;
  } catch {
    return null;
  }
}

async function writeMeta(dir: FileSystemDirectoryHandle, name: string, meta: PartialMeta): Promise<void> {
  const h = await ((await dir.getFileHandle(name, { create: true })) as SyncFileHandle).createSyncAccessHandle();
  try {
    const bytes = new TextEncoder().encode(JSON.stringify(meta));
    h.truncate(0);
    h.write(bytes, { at: 0 });
    h.flush();
  } finally {
    h.close();
  }
}

/** Copies a file into another folder, for browsers without FileSystemHandle.move(). */
async function copyInto(file: File, dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await file.stream().pipeTo(w);
}

export function createDownloadApi() {
  let ctl: AbortController | null = null;
  return {
    /**
     * Downloads (or resumes) one file, checks it with the GGUF reader and moves it into the GGUF store.
     * @throws EngineError as downloadResumable; the partial stays for a later resume unless the
     * server said the file does not exist.
     * @throws EngineError InvalidModelError when the finished file is not a whole GGUF model: the
     * partial is discarded and a model stored before under the same name stays.
     */
    async download(req: DownloadRequest, onProgress?: (loaded: number, total: number) => void): Promise<DownloadOutcome> {
      const root = await navigator.storage.getDirectory();
      const parts = await root.getDirectoryHandle(PARTIAL_DIR, { create: true });
      const metaName = `${req.name}.json`;
      const fh = (await parts.getFileHandle(req.name, { create: true })) as SyncFileHandle;
      const meta = await readMeta(parts, metaName);
      const access = await fh.createSyncAccessHandle();
      ctl = new AbortController();
      let last = 0;
      let result: DownloadResult;
      try {
        result = await downloadResumable({
          url: req.url,
          sink: sinkOf(access),
          meta,
          saveMeta: (m) => writeMeta(parts, metaName, m),
          // Progress crosses to the page at most ten times a second (and always at the end).
          onProgress: (loaded, total) => {
            const t = performance.now();
            if (t - last < 100 && loaded !== total) return;
            last = t;
            onProgress?.(loaded, total);
          },
          signal: ctl.signal,
          sameOrigin: req.sameOrigin,
          retries: req.retries,
          retryDelayMs: req.retryDelayMs,
        });
      } catch (e) {
        access.close();
        if ((e as Error).name === 'ModelNotFoundError') await discard(parts, req.name);
        throw e;
      } finally {
        ctl = null;
      }
      access.close();
      // Checked while still in gguf-partial/, before anything in gguf/ is touched. Review of issue 13:
      // the stored model used to be removed first and the new file deleted afterwards when the
      // reader refused it (an HTML error page, a wrong file on a mirror), which left no model at all.
      try {
        await readGguf(await fh.getFile());
      } catch (e) {
        await discard(parts, req.name);
        if (e instanceof GgufFormatError) throw new EngineError('InvalidModelError', `${req.url}: ${e.message}`, { cause: e });
        throw e;
      }
      const store = await root.getDirectoryHandle(STORE_DIR, { create: true });
      const movable = fh as FileSystemFileHandle & { move?: (dir: FileSystemDirectoryHandle, name: string) => Promise<void> };
      if (typeof movable.move === 'function') await replaceBy(() => movable.move!(store, req.name), store, req.name);
      else await copyInto(await fh.getFile(), store, req.name);
      await discard(parts, req.name);
      return { ...result, name: req.name };
    },
    /** Stops the running download; its bytes stay for a resume. */
    cancel(): void {
      ctl?.abort();
    },
  };
}

/**
 * Moves a file over an older one of the same name. `move()` replaces the target in current
 * Chromium; where it refuses, the older file is removed only then, so a failed move of a
 * checked file is the one moment the old model can be lost (never a rejected download).
 */
async function replaceBy(move: () => Promise<void>, dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  try {
    await move();
  } catch {
    await dir.removeEntry(name).catch(() => undefined);
    await move();
  }
}

async function discard(parts: FileSystemDirectoryHandle, name: string): Promise<void> {
  await parts.removeEntry(name).catch(() => undefined);
  await parts.removeEntry(`${name}.json`).catch(() => undefined);
}

export type DownloadApi = ReturnType<typeof createDownloadApi>;
