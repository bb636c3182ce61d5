import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { formatBytes, StorageState } from '../../src/lib/state/storage.svelte';
import { isQuotaError, storageFull } from '../../src/lib/db/quota';

/**
 * The Storage panel's state against the real StorageManager of Chromium. (Filling the quota needs
 * an on-disk profile: that is tests/e2e/storage.test.ts.)
 */
describe('StorageState (real navigator.storage)', () => {
  it('reports what estimate() and persisted() report', async () => {
    const s = new StorageState();
    expect(s.usage).toBeNull();
    await s.refresh();
    const est = await navigator.storage.estimate();
    expect(s.quota).toBe(est.quota);
    expect(s.usage).toBeGreaterThanOrEqual(0);
    expect(s.share).toBeGreaterThanOrEqual(0);
    expect(s.share).toBeLessThan(1);
    expect(s.persisted).toBe(await navigator.storage.persisted());
    expect(s.error).toBeNull();
  });

  it('asks persist() and shows the browser’s own answer', async () => {
    const s = new StorageState();
    expect(s.canPersist).toBe(true);
    const answer = await s.requestPersist();
    expect(answer).toBe(s.answer);
    // Whatever this Chromium decides, the state says the same as the browser.
    const now = await navigator.storage.persisted();
    expect(answer).toBe(now ? 'granted' : 'denied');
    expect(s.persisted).toBe(now);
  });

  it('without a StorageManager says so instead of failing', async () => {
    const s = new StorageState(null);
    await s.refresh();
    expect(s.usage).toBeNull();
    expect(s.canPersist).toBe(false);
    expect(await s.requestPersist()).toBe('unsupported');
  });

  it('a StorageManager that throws is shown as an error, not swallowed', async () => {
    const broken = { estimate: () => Promise.reject(new DOMException('denied by policy', 'SecurityError')) } as unknown as StorageManager;
    const s = new StorageState(broken);
    await s.refresh();
    expect(s.error).toEqual({ name: 'SecurityError', message: 'denied by policy' });
  });

  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10 GB');
    expect(formatBytes(123.4 * 1024 ** 2)).toBe('123.4 MB');
  });
});

describe('quota errors as Dexie and IndexedDB report them', () => {
  it('recognises QuotaExceededError directly, inside an aborted transaction, and not other errors', () => {
    expect(isQuotaError(new Dexie.QuotaExceededError('full'))).toBe(true);
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('Transaction aborted', new DOMException('full', 'QuotaExceededError')))).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('Transaction aborted'))).toBe(false);
    expect(isQuotaError(new Dexie.ConstraintError('duplicate key'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    const e = storageFull(new Dexie.QuotaExceededError('full'));
    expect(e.name).toBe('QuotaExceededError');
    expect(e.message).toMatch(/paused/);
  });
});
