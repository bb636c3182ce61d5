import { describe, expect, it } from 'vitest';
import { downloadLine, downloadTracker } from '../../src/lib/engines/local/progress';
import type { LoadProgress } from '../../src/lib/engines/types';
import { webllmDownloadBytes } from '../../src/lib/engines/webllm/progressText';
import { en } from '../../src/lib/i18n/en';
import { zh } from '../../src/lib/i18n/zh';

const MB = 1048576;
const size = 900 * MB;

/** Runs WebLLM-shaped reports through the engine's conversion and returns the download events. */
function track(reports: { progress: number; text: string }[]): Extract<LoadProgress, { status: 'download' }>[] {
  const out: LoadProgress[] = [];
  const t = downloadTracker('m', (p) => out.push(p));
  for (const r of reports) t(webllmDownloadBytes(r.text, r.progress, size));
  return out.filter((p): p is Extract<LoadProgress, { status: 'download' }> => p.status === 'download');
}

describe('WebLLM download figures', () => {
  it("takes the bytes WebLLM counts itself ('NMB fetched') as measured", () => {
    // web-llm's fetchTensorCacheInternal sentence, verbatim in shape.
    const text = 'Fetching param cache[3/24]: 312MB fetched. 25% completed, 14 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.';
    expect(webllmDownloadBytes(text, 0.25, size)).toEqual({ loaded: 312 * MB, total: 1248 * MB, estimated: false });
    const [p] = track([{ progress: 0.25, text }]);
    expect(p!.estimated).toBeUndefined();
    expect(downloadLine(p!)).toMatchObject({ key: 'load.download', params: { done: '312', total: '1248' } });
  });

  it('marks fraction × listed size as an estimate, and the line says ≈ for bytes and speed in both languages', () => {
    const events = track([
      { progress: 0.1, text: 'Start to fetch params' },
      { progress: 0.2, text: 'Fetching the tokenizer from the cache' },
    ]);
    expect(events).toHaveLength(2);
    for (const p of events) expect(p.estimated).toBe(true);
    expect(events[1]!.loaded).toBe(Math.round(0.2 * size));
    const line = downloadLine(events[1]!);
    expect(line.key).toBe('load.downloadEstimated');
    expect(line.params).toMatchObject({ done: '180', total: '900' });
    for (const words of [en, zh]) {
      const text = words[line.key];
      // Every figure built on the guessed bytes carries ≈.
      for (const f of ['done', 'total', 'speed']) expect(text).toContain(`≈{${f}}`);
    }
    // A measured download keeps the plain line (no ≈).
    expect(en['load.download']).not.toContain('≈');
  });

  it("counts the bytes read back from WebLLM's cache ('NMB loaded') too", () => {
    expect(webllmDownloadBytes('Loading model from cache[5/24]: 100MB loaded. 50% completed, 2 secs elapsed.', 0.5, size)).toEqual({ loaded: 100 * MB, total: 200 * MB, estimated: false });
  });

  it('a report with a count but no fraction yet falls back to the estimate', () => {
    expect(webllmDownloadBytes('Fetching param cache[0/24]: 0MB fetched. 0% completed', 0, size)).toEqual({ loaded: 0, total: size, estimated: true });
  });
});
