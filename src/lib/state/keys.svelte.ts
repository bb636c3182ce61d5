import { open, seal, WrongPassphraseError } from '../crypto/secretBox';
import type { AppDb } from '../db/db';
import { clearSecrets, getSecret, listSecrets, putSecret, replaceSecrets, type SecretRow } from '../db/secretsRepo';

export class KeysLockedError extends Error {
  override name = 'KeysLockedError';
  constructor() {
    super('the API keys are encrypted: enter the passphrase in Settings first');
  }
}

/**
 * API keys: stored only in this browser, plain or sealed with a passphrase. The passphrase stays
 * in memory for the session; keys are decrypted only when an engine needs one.
 */
export class KeysState {
  #db: AppDb;
  #passphrase: string | null = null;
  #encrypted = $state(false);
  #unlocked = $state(false);
  #ids = $state.raw<Set<string>>(new Set());

  constructor(db: AppDb) {
    this.#db = db;
  }

  get encrypted(): boolean {
    return this.#encrypted;
  }
  /** Keys can be read now (not encrypted, or the passphrase was given). */
  get unlocked(): boolean {
    return !this.#encrypted || this.#unlocked;
  }
  /** How many API keys are stored (encrypted or not). */
  get count(): number {
    return this.#ids.size;
  }
  has(endpointId: string): boolean {
    return this.#ids.has(endpointId);
  }

  async load(): Promise<void> {
    const rows = await listSecrets(this.#db);
    this.#ids = new Set(rows.map((r) => r.id));
    this.#encrypted = rows.some((r) => r.sealed);
  }

  /** @throws WrongPassphraseError */
  async unlock(passphrase: string): Promise<void> {
    const rows = await listSecrets(this.#db);
    const sealed = rows.find((r) => r.sealed);
    if (sealed?.sealed) await open(sealed.sealed, passphrase);
    this.#passphrase = passphrase;
    this.#unlocked = true;
  }

  lock(): void {
    this.#passphrase = null;
    this.#unlocked = false;
  }

  async set(endpointId: string, key: string): Promise<void> {
    if (this.#encrypted && !this.#passphrase) throw new KeysLockedError();
    const row: SecretRow = this.#passphrase ? { id: endpointId, sealed: await seal(key, this.#passphrase) } : { id: endpointId, plain: key };
    await putSecret(this.#db, row);
    await this.load();
  }

  /** @throws KeysLockedError, WrongPassphraseError */
  async get(endpointId: string): Promise<string> {
    const row = await getSecret(this.#db, endpointId);
    if (!row) return '';
    if (row.plain !== undefined) return row.plain;
    if (!this.#passphrase) throw new KeysLockedError();
    return open(row.sealed, this.#passphrase);
  }

  /** Encrypts every stored key with a new passphrase (or re-encrypts with another one). */
  async setPassphrase(passphrase: string): Promise<void> {
    const rows = await listSecrets(this.#db);
    const plain = await Promise.all(rows.map(async (r) => ({ id: r.id, key: r.plain ?? (await this.#openRow(r)) })));
    const sealed = await Promise.all(plain.map(async (p) => ({ id: p.id, sealed: await seal(p.key, passphrase) })));
    await replaceSecrets(this.#db, sealed);
    this.#passphrase = passphrase;
    this.#unlocked = true;
    this.#encrypted = true;
    await this.load();
  }

  /** Stores the keys unencrypted again (needs the passphrase). */
  async removePassphrase(): Promise<void> {
    const rows = await listSecrets(this.#db);
    const plain = await Promise.all(rows.map(async (r) => ({ id: r.id, plain: r.plain ?? (await this.#openRow(r)) })));
    await replaceSecrets(this.#db, plain);
    this.#passphrase = null;
    this.#unlocked = false;
    await this.load();
  }

  async clear(): Promise<void> {
    await clearSecrets(this.#db);
    this.lock();
    await this.load();
  }

  async #openRow(r: SecretRow): Promise<string> {
    if (!r.sealed) return r.plain ?? '';
    if (!this.#passphrase) throw new KeysLockedError();
    return open(r.sealed, this.#passphrase);
  }
}

export { WrongPassphraseError };
