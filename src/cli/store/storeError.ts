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
