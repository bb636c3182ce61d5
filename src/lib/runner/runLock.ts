import type { RunnerEvent } from './runnerApi';

/**
 * One pipeline per project across every tab of this browser: the tab that runs a project's
 * pipeline holds the Web Lock `seedforge-run-<projectId>` for as long as the run lasts (a closed
 * or crashed tab releases it), and tells the other tabs how it goes on a BroadcastChannel.
 */

export const runLockName = (projectId: string): string => `seedforge-run-${projectId}`;

const locks = (): LockManager | null => (typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null);

/**
 * Runs `fn` while holding the project's run lock. Resolves `{ acquired: false }` at once, without
 * calling `fn`, when the lock is held (by another tab, or by this one). Where the browser has no
 * Web Locks, `fn` runs unguarded.
 */
export async function withRunLock<T>(projectId: string, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const lm = locks();
  if (!lm) return { acquired: true, value: await fn() };
  return lm.request(runLockName(projectId), { ifAvailable: true }, async (lock) => (lock ? { acquired: true as const, value: await fn() } : { acquired: false as const }));
}

/** Whether some tab (this one included) holds the project's run lock now. */
export async function runLockHeld(projectId: string): Promise<boolean> {
  const lm = locks();
  if (!lm) return false;
  const { held } = await lm.query();
  return !!held?.some((l) => l.name === runLockName(projectId));
}

/** What the running tab broadcasts: its run's events, as plain data. */
export interface RunBroadcast {
  projectId: string;
  runId: string;
  event: RunnerEvent;
}

export const RUN_CHANNEL = 'seedforge-runs';

/** The channel the tabs share, or null where BroadcastChannel is missing. */
export function openRunChannel(onMessage: (m: RunBroadcast) => void): { post: (m: RunBroadcast) => void; close: () => void } | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  const ch = new BroadcastChannel(RUN_CHANNEL);
  ch.onmessage = (e: MessageEvent<RunBroadcast>) => onMessage(e.data);
  return { post: (m) => ch.postMessage(m), close: () => ch.close() };
}
