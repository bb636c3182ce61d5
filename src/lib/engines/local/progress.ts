import type { LoadProgress } from '../types';

/**
 * Turns a backend's `{loaded, total}` callbacks into our download events with speed (bytes/s over
 * the last few seconds) and an ETA.
 */
export function downloadTracker(model: string, onProgress?: (p: LoadProgress) => void) {
  const window: { t: number; loaded: number }[] = [];
  return ({ loaded, total }: { loaded: number; total: number }) => {
    const t = performance.now();
    window.push({ t, loaded });
    while (window.length > 2 && t - window[0]!.t > 5000) window.shift();
    const first = window[0]!;
    const dt = (t - first.t) / 1000;
    const bytesPerSecond = dt > 0 ? (loaded - first.loaded) / dt : 0;
    const etaSeconds = bytesPerSecond > 0 && total > 0 ? Math.max(0, (total - loaded) / bytesPerSecond) : null;
    onProgress?.({ status: 'download', model, loaded, total, bytesPerSecond, etaSeconds });
  };
}
