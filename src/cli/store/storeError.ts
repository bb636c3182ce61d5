/**
 * The command line's store could not be opened, read or written. `path` is the SQLite file, so the
 * message can say which store to check (another process holding it, a full disk, a newer schema).
 */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly path: string,
    message: string,
    /** The SQLite error's code when there was one (SQLITE_BUSY, SQLITE_FULL, …). */
    readonly code?: string,
  ) {
    super(`${message} (store ${path})`);
  }
}

/** A row the caller named does not exist; the same name as the app's repositories throw. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** SQLite's errors become StoreError (with the path and the code); ours pass through unchanged. */
export function toStoreError(path: string, what: string, err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const e = err as { name?: string; code?: unknown; message?: string };
  if (e?.name === 'SqliteError' || (typeof e?.code === 'string' && e.code.startsWith('SQLITE_'))) {
    const code = String(e.code);
    const hint =
      code === 'SQLITE_BUSY'
        ? ': another process held the store too long; wait for it or stop it, then try again'
        : code === 'SQLITE_FULL'
          ? ': the disk is full; free space and try again'
          : code === 'SQLITE_READONLY'
            ? ': the store cannot be written; check the permissions of its directory'
            : '';
    return new StoreError(path, `${what} failed: ${e.message}${hint}`, code);
  }
  return err;
}
