import * as Comlink from 'comlink';
import { installErrorTransfer } from '../errors';
import { PARTIAL_DIR, type DownloadApi, type DownloadOutcome, type DownloadRequest } from './downloadApi';
import type { PartialMeta } from './resumableDownload';

/**
 * The page's side of a model download: runs ./downloadApi.ts in its own worker (OPFS sync access
 * handles exist only in workers) and lists the partial downloads a reload left behind.
 */
export interface DownloadHandle {
  done: Promise<DownloadOutcome>;
  /** Stops the download; the bytes so far stay for a resume. */
  cancel(): void;
}

export function startModelDownload(req: DownloadRequest, onProgress?: (loaded: number, total: number) => void): DownloadHandle {
  installErrorTransfer();
  const worker = new Worker(new URL('../../../../workers/download.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<DownloadApi>(worker);
  const progress = Comlink.proxy((loaded: number, total: number) => onProgress?.(loaded, total));
  const done = api.download(req, progress).finally(() => {
    api[Comlink.releaseProxy]();
    worker.terminate();
  });
  return { done, cancel: () => void api.cancel().catch(() => undefined) };
}

export interface PartialDownload {
  name: string;
  url: string;
  have: number;
  total: number | null;
}

/** Downloads that stopped before the end (cancelled, dropped, or cut by a reload). */
export async function listPartialDownloads(): Promise<PartialDownload[]> {
  if (!navigator.storage?.getDirectory) return [];
  const root = await navigator.storage.getDirectory();
  const parts = await root.getDirectoryHandle(PARTIAL_DIR, { create: true });
  const out: PartialDownload[] = [];
  for await (const [name, h] of parts as unknown as AsyncIterable<[string, FileSystemHandle]>) {
    if (h.kind !== 'file' || !name.endsWith('.json')) continue;
    const file = name.slice(0, -'.json'.length);
    try {
      const meta = JSON.parse(await (await (h as FileSystemFileHandle).getFile()).text()) as PartialMeta;
      const have = (await (await parts.getFileHandle(file)).getFile()).size;
      out.push({ name: file, url: meta.url, have, total: meta.total });
    } catch {
      /* a partial without its bytes or with unreadable metadata: it starts over when downloaded again */
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Deletes a partial download's bytes and metadata. */
export async function discardPartialDownload(name: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const parts = await root.getDirectoryHandle(PARTIAL_DIR, { create: true });
  await parts.removeEntry(name).catch(() => undefined);
  await parts.removeEntry(`${name}.json`).catch(() => undefined);
}
