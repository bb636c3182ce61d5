import type { SealedSecret } from '../crypto/secretBox';
import type { AppDb } from './db';

/**
 * API keys, one per endpoint: plain, or sealed with the user's passphrase. The only code that
 * reads or writes the secrets table; nothing else (exports, backups, logs) touches it.
 */
export type SecretRow = { id: string; sealed: SealedSecret; plain?: undefined } | { id: string; plain: string; sealed?: undefined };

export async function getSecret(db: AppDb, endpointId: string): Promise<SecretRow | undefined> {
  return db.secrets.get(endpointId);
}

export async function putSecret(db: AppDb, row: SecretRow): Promise<void> {
  await db.secrets.put(row);
}

export async function listSecrets(db: AppDb): Promise<SecretRow[]> {
  return db.secrets.toArray();
}

/** Replaces every stored key at once (turning encryption on or off). */
export async function replaceSecrets(db: AppDb, rows: SecretRow[]): Promise<void> {
  await db.transaction('rw', db.secrets, async () => {
    await db.secrets.clear();
    await db.secrets.bulkPut(rows);
  });
}

export async function clearSecrets(db: AppDb): Promise<void> {
  await db.secrets.clear();
}
