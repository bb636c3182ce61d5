import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ByteSink } from '../lib/io/export/sink';

/**
 * The command line's ByteSink: the shared exporters and backup writer stream their chunks to a
 * file on disk, as the app's WritableSink does to a picked file. The bytes go to a temporary file
 * beside the target and are renamed over it on close, so an export that fails (or a process
 * killed half-way) never leaves a half file where a complete one was expected — and the old file,
 * if there was one, stays until the new one is whole.
 */
export class FileSink implements ByteSink {
  readonly path: string;
  readonly #tmp: string;
  #fh: Promise<FileHandle> | null = null;

  constructor(path: string) {
    this.path = path;
    this.#tmp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  }

  #handle(): Promise<FileHandle> {
    this.#fh ??= open(this.#tmp, 'w');
    return this.#fh;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const fh = await this.#handle();
    let off = 0;
    while (off < chunk.byteLength) off += (await fh.write(chunk, off)).bytesWritten;
  }

  async close(): Promise<void> {
    const fh = await this.#handle();
    await fh.sync();
    await fh.close();
    await rename(this.#tmp, this.path);
  }

  async abort(): Promise<void> {
    if (this.#fh) await (await this.#fh).close().catch(() => {});
    await rm(this.#tmp, { force: true });
  }
}
