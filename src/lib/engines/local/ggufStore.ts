import { readGguf } from './gguf';

/**
 * GGUF files the user picked or dropped, kept in the Origin Private File System so that they load
 * again after a reload without being picked again. Listed and deletable from the Models screen.
 */
export interface StoredGguf {
  name: string;
  size: number;
  architecture: string;
  contextLength: number | null;
  hasChatTemplate: boolean;
}

/**
 * A file in the store that the GGUF reader refused (wrong magic bytes, truncated, a partial
 * download): listed with the reason and deletable, never hidden (issue 13: a model that silently
 * left the list left its roles pointing at nothing).
 */
export interface RejectedGguf {
  name: string;
  size: number;
  /** `notGguf`: wrong magic / not a model; `truncated`: shorter than its header says; `partial`: an unfinished download or save; `unreadable`: the browser could not read it. */
  reason: 'notGguf' | 'truncated' | 'partial' | 'unreadable';
  /** The reader's or the browser's own words. */
  detail: string;
}

const DIR = 'gguf';
/** Suffix of a file being written by `saveGguf`: renamed to its real name only once it is whole. */
const SAVING = '.saving';

async function dir(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw Object.assign(new Error('this browser has no Origin Private File System'), { name: 'NotSupportedError' });
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR, { create: true });
}

/** A file name safe for OPFS and for display. */
export function safeName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 200) || 'model.gguf';
}

export async function describeGguf(name: string, blob: Blob): Promise<StoredGguf> {
  const info = await readGguf(blob);
  const arch = String(info.metadata['general.architecture'] ?? '');
  const ctx = info.metadata[`${arch}.context_length`];
  return {
    name,
    size: blob.size,
    architecture: arch,
    contextLength: typeof ctx === 'number' ? ctx : null,
    hasChatTemplate: typeof info.metadata['tokenizer.chat_template'] === 'string',
  };
}

/**
 * Checks and stores a GGUF file (streamed to disk, never held whole in memory). The bytes go to a
 * temporary name that becomes the real one only once the write is closed, so a failed write
 * (a full disk, a reload mid-write) never touches a model already stored under that name.
 * Incident (issue 13, "the added GGUF model was gone, OPFS held an empty gguf/ folder"): the
 * old code wrote straight over the stored file and, when the write failed, removed the entry —
 * adding the same model again on a nearly full disk (QuotaExceededError) deleted the model.
 * @throws GgufFormatError for a file that is not a whole GGUF model; nothing is stored then.
 * @throws QuotaExceededError when the disk is full; what was stored before stays.
 */
export async function saveGguf(file: Blob & { name: string }): Promise<StoredGguf> {
  const name = safeName(file.name);
  const meta = await describeGguf(name, file);
  const d = await dir();
  const existing = await d.getFileHandle(name).then((h) => h.getFile(), () => null);
  // The same model again: it is there and whole, nothing to write (and no second copy's space needed).
  if (existing && existing.size === file.size) {
    const same = await describeGguf(name, existing).then((m) => JSON.stringify(m) === JSON.stringify(meta), () => false);
    if (same) return meta;
  }
  const tmpName = name + SAVING;
  const tmp = await d.getFileHandle(tmpName, { create: true });
  try {
    const writable = await tmp.createWritable();
    await file.stream().pipeTo(writable);
    await moveInto(d, tmp, tmpName, name);
  } catch (e) {
    await d.removeEntry(tmpName).catch(() => {});
    throw e;
  }
  return meta;
}

/** Renames a whole file to its real name (OPFS `move`, in every current engine), replacing an older one. */
async function moveInto(d: FileSystemDirectoryHandle, handle: FileSystemFileHandle, from: string, to: string): Promise<void> {
  const movable = handle as FileSystemFileHandle & { move?: (dir: FileSystemDirectoryHandle, name: string) => Promise<void> };
  if (typeof movable.move === 'function') {
    // Replaces `to` without removing it first where the engine allows (the caller has already
    // checked the new file; the old model goes only once the new one is in place).
    try {
      await movable.move(d, to);
    } catch {
      await d.removeEntry(to).catch(() => {});
      await movable.move(d, to);
    }
    return;
  }
  // No move(): copy, then drop the temporary file.
  const target = await (await d.getFileHandle(to, { create: true })).createWritable();
  await (await handle.getFile()).stream().pipeTo(target);
  await d.removeEntry(from);
}

/** Why the reader refused a stored file, as a code the UI translates. */
export function rejectionOf(name: string, e: unknown): RejectedGguf['reason'] {
  const msg = (e as Error)?.message ?? '';
  if (/\.(saving|part|partial|download)$/i.test(name)) return 'partial';
  if ((e as Error)?.name !== 'GgufFormatError') return 'unreadable';
  if (/truncated|ends at byte|too small/i.test(msg)) return 'truncated';
  return 'notGguf';
}

/**
 * Every file in the store: the models the reader accepts, and the files it refused with the
 * reason. Never hides a file, and an unreadable store is an error, not an empty list.
 * @throws NotSupportedError without OPFS, or the browser's error when the store cannot be read.
 */
export async function scanGguf(): Promise<{ models: StoredGguf[]; rejected: RejectedGguf[] }> {
  const d = await dir();
  const models: StoredGguf[] = [];
  const rejected: RejectedGguf[] = [];
  for await (const [name, h] of d as unknown as AsyncIterable<[string, FileSystemHandle]>) {
    if (h.kind !== 'file') continue;
    let size = 0;
    try {
      const file = await (h as FileSystemFileHandle).getFile();
      size = file.size;
      if (name.endsWith(SAVING)) throw new Error('an unfinished save');
      models.push(await describeGguf(name, file));
    } catch (e) {
      rejected.push({ name, size, reason: rejectionOf(name, e), detail: (e as Error)?.message ?? String(e) });
    }
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { models: models.sort(byName), rejected: rejected.sort(byName) };
}

/** The models the reader accepts (see `scanGguf` for the refused files too). */
export async function listGgufs(): Promise<StoredGguf[]> {
  return (await scanGguf()).models;
}

/**
 * Asks the browser to keep this site's data when the disk runs low (`navigator.storage.persist()`):
 * without it a stored model (gigabytes) is the first thing eviction takes. Chromium answers at once
 * from site engagement (no prompt); Firefox asks the user, so `ask: false` only reads the state
 * (at start-up, where no one asked for anything). Returns the answer, or null where there is no API.
 */
export async function keepStored(ask = true): Promise<boolean | null> {
  const s = globalThis.navigator?.storage;
  if (typeof s?.persisted !== 'function') return null;
  try {
    if (await s.persisted()) return true;
    return ask && typeof s.persist === 'function' ? await s.persist() : false;
  } catch {
    return false;
  }
}

export async function openGguf(name: string): Promise<File> {
  const d = await dir();
  return (await d.getFileHandle(name)).getFile();
}

export async function deleteGguf(name: string): Promise<void> {
  const d = await dir();
  await d.removeEntry(name);
}

/**
 * Downloads a GGUF file straight into OPFS (streamed, with progress), checks it, and lists it
 * like a picked file. A failed or cancelled download leaves nothing behind.
 * @throws Error with `name` NetworkError / ModelNotFoundError for HTTP failures, GgufFormatError for a bad file.
 */
export async function downloadGguf(
  url: string,
  onProgress?: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<StoredGguf> {
  const name = safeName(decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || 'model.gguf'));
  let resp: Response;
  try {
    resp = await fetch(url, { signal });
  } catch (e) {
    throw Object.assign(new Error(`${url}: ${(e as Error).message}`), { name: signal?.aborted ? 'AbortedError' : 'NetworkError' });
  }
  if (!resp.ok || !resp.body) {
    throw Object.assign(new Error(`${url}: HTTP ${resp.status}`), { name: resp.status === 404 ? 'ModelNotFoundError' : 'NetworkError' });
  }
  const total = Number(resp.headers.get('content-length')) || 0;
  const d = await dir();
  // Written under a temporary name, like saveGguf: a failed download never removes a stored model.
  const tmpName = name + SAVING;
  const handle = await d.getFileHandle(tmpName, { create: true });
  const writable = await handle.createWritable();
  let loaded = 0;
  try {
    await resp.body
      .pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctl) {
            loaded += chunk.byteLength;
            onProgress?.(loaded, total);
            ctl.enqueue(chunk);
          },
        }),
      )
      .pipeTo(writable, { signal });
    const meta = await describeGguf(name, await handle.getFile());
    await moveInto(d, handle, tmpName, name);
    return meta;
  } catch (e) {
    await d.removeEntry(tmpName).catch(() => {});
    if (signal?.aborted) throw Object.assign(new Error('download cancelled'), { name: 'AbortedError' });
    throw e;
  }
}
