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

const DIR = 'gguf';

async function dir(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System');
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
 * Checks and stores a GGUF file (streamed to disk, never held whole in memory).
 * @throws GgufFormatError for a file that is not a whole GGUF model; nothing is stored then.
 */
export async function saveGguf(file: File): Promise<StoredGguf> {
  const name = safeName(file.name);
  const meta = await describeGguf(name, file);
  const d = await dir();
  const handle = await d.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  try {
    await file.stream().pipeTo(writable);
  } catch (e) {
    await d.removeEntry(name).catch(() => {});
    throw e;
  }
  return meta;
}

export async function listGgufs(): Promise<StoredGguf[]> {
  const d = await dir();
  const out: StoredGguf[] = [];
  for await (const [name, h] of d as unknown as AsyncIterable<[string, FileSystemHandle]>) {
    if (h.kind !== 'file') continue;
    const file = await (h as FileSystemFileHandle).getFile();
    try {
      out.push(await describeGguf(name, file));
    } catch {
      /* a half-written file from a crash: not listed, removed on the next save of that name */
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
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
  const handle = await d.getFileHandle(name, { create: true });
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
    return await describeGguf(name, await handle.getFile());
  } catch (e) {
    await d.removeEntry(name).catch(() => {});
    if (signal?.aborted) throw Object.assign(new Error('download cancelled'), { name: 'AbortedError' });
    throw e;
  }
}
