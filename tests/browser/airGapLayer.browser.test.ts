import { afterEach, describe, expect, it, vi } from 'vitest';
import { publishAirGap } from '../../src/lib/net/airGap';

// The page's half of the service worker's air-gap layer (the worker's half runs in the built app:
// tests/e2e/offline.test.ts). What matters here is that nothing is claimed that did not happen:
// a refused write or a worker that never answers is reported, not swallowed (issue 18, item 4).

const FLAG = () => new URL('__seedforge/air-gap', document.baseURI).href;

/** Puts a stand-in worker in `navigator.serviceWorker.controller` for one test. */
function controller(onMessage: (data: unknown, port: MessagePort | undefined) => void) {
  const sw = navigator.serviceWorker;
  const before = Object.getOwnPropertyDescriptor(sw, 'controller');
  Object.defineProperty(sw, 'controller', { configurable: true, get: () => ({ postMessage: (data: unknown, ports?: MessagePort[]) => onMessage(data, ports?.[0]) }) });
  return () => (before ? Object.defineProperty(sw, 'controller', before) : delete (sw as unknown as Record<string, unknown>).controller);
}

let restore: (() => unknown) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
  vi.restoreAllMocks();
});

describe('publishAirGap', () => {
  it('stores the flag and, with no worker controlling the page, says ok (the panel says only the app guards then)', async () => {
    expect(navigator.serviceWorker.controller).toBeNull();
    expect(await publishAirGap(true)).toBe('ok');
    expect(await (await (await caches.open('seedforge-flags')).match(FLAG()))!.text()).toBe('on');
    expect(await publishAirGap(false)).toBe('ok');
    expect(await (await (await caches.open('seedforge-flags')).match(FLAG()))!.text()).toBe('off');
  });

  it('waits for the worker to confirm the flag it was sent', async () => {
    const seen: unknown[] = [];
    restore = controller((data, port) => {
      seen.push(data);
      port?.postMessage({ airGapped: (data as { on: boolean }).on });
    });
    expect(await publishAirGap(true)).toBe('ok');
    expect(seen).toEqual([{ type: 'AIR_GAP', on: true }]);
  });

  it('says noAnswer when the worker never confirms, or confirms something else', async () => {
    restore = controller(() => {});
    expect(await publishAirGap(true, 50)).toBe('noAnswer');
    restore();
    restore = controller((_, port) => port?.postMessage({ airGapped: false }));
    expect(await publishAirGap(true, 1000)).toBe('noAnswer');
  });

  it('says notStored when Cache Storage refuses the write, without asking the worker', async () => {
    const seen: unknown[] = [];
    restore = controller((data) => seen.push(data));
    vi.spyOn(caches, 'open').mockRejectedValue(Object.assign(new Error('quota'), { name: 'QuotaExceededError' }));
    expect(await publishAirGap(true)).toBe('notStored');
    expect(seen).toEqual([]);
  });
});
