import type { LoadProgress } from '../types';

/**
 * Turns a backend's `{loaded, total}` callbacks into our download events with speed (bytes/s over
 * the last few seconds) and an ETA. `estimated`: the bytes are a guess (a fraction × a listed
 * size), so the speed and ETA built on them are too; the UI marks them with ≈.
 */
export function downloadTracker(model: string, onProgress?: (p: LoadProgress) => void) {
  const window: { t: number; loaded: number }[] = [];
  return ({ loaded, total, estimated }: { loaded: number; total: number; estimated?: boolean }) => {
    const t = performance.now();
    window.push({ t, loaded });
    while (window.length > 2 && t - window[0]!.t > 5000) window.shift();
    const first = window[0]!;
    const dt = (t - first.t) / 1000;
    const bytesPerSecond = dt > 0 ? (loaded - first.loaded) / dt : 0;
    const etaSeconds = bytesPerSecond > 0 && total > 0 ? Math.max(0, (total - loaded) / bytesPerSecond) : null;
    onProgress?.({ status: 'download', model, loaded, total, bytesPerSecond, etaSeconds, ...(estimated ? { estimated: true } : {}) });
  };
}

/**
 * The download line's message and figures (MB, MB/s, s): an estimated download takes the message
 * that marks every figure with ≈ and says it is an estimate.
 */
export function downloadLine(p: Extract<LoadProgress, { status: 'download' }>): { key: 'load.download' | 'load.downloadEstimated'; params: { done: string; total: string; speed: string; eta: string } } {
  const mb = (b: number) => (b / 1048576).toFixed(0);
  return {
    key: p.estimated ? 'load.downloadEstimated' : 'load.download',
    params: { done: mb(p.loaded), total: mb(p.total), speed: (p.bytesPerSecond / 1048576).toFixed(1), eta: p.etaSeconds === null ? '–' : String(Math.round(p.etaSeconds)) },
  };
}
