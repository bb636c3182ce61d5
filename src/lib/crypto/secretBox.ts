/**
 * API keys at rest: AES-GCM with a key derived from the user's passphrase (PBKDF2-SHA-256).
 * WebCrypto only; the passphrase and derived key live in memory, never in storage.
 */
export interface SealedSecret {
  v: 1;
  iter: number;
  salt: string;
  iv: string;
  data: string;
}

export const PBKDF2_ITERATIONS = 310_000;

export class WrongPassphraseError extends Error {
  override name = 'WrongPassphraseError';
  constructor() {
    super('the passphrase does not open the stored keys');
  }
}

const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function deriveKey(passphrase: string, salt: Uint8Array, iter: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations: iter },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function seal(plain: string, passphrase: string, iter = PBKDF2_ITERATIONS): Promise<SealedSecret> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, iter);
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plain)));
  return { v: 1, iter, salt: b64(salt), iv: b64(iv), data: b64(data) };
}

/** @throws WrongPassphraseError when the passphrase is wrong (AES-GCM's tag does not verify). */
export async function open(box: SealedSecret, passphrase: string): Promise<string> {
  const key = await deriveKey(passphrase, unb64(box.salt), box.iter);
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(box.iv) as BufferSource }, key, unb64(box.data) as BufferSource);
    return new TextDecoder().decode(plain);
  } catch {
    throw new WrongPassphraseError();
  }
}

/** A key as the UI shows it: never more than its last four characters. */
export function maskKey(key: string): string {
  if (!key) return '';
  return key.length <= 8 ? '••••' : `••••••••${key.slice(-4)}`;
}
