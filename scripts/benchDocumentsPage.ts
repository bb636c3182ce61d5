// The page scripts/bench-documents.mjs drives. One case = one generated file, read the way the app
// reads it: addInWorker (the real documents worker: extraction, SHA-256, chunkDocument with
// duplicate and boilerplate marking, then the document, its chunks and the file written to
// IndexedDB in one transaction, only a summary coming back), while this page watches its main
// thread and samples memory.
// Then, for the chunking figures alone, the same file is extracted again (extractInWorker) and
// chunked here with and without duplicate marking: the difference is the marking's cost.
import Dexie from 'dexie';
import { openDb } from '../src/lib/db/db';
import { listChunks } from '../src/lib/db/documentsRepo';
import { createProject } from '../src/lib/db/projectsRepo';
import { chunkDocument } from '../src/lib/documents/chunk';
import { addInWorker, extractInWorker } from '../src/lib/documents/extract/client';

type MemoryMeasure = () => Promise<{
  bytes: number;
  breakdown: { bytes: number; attribution: { scope: string }[] }[];
}>;

interface CaseResult {
  bytes: number;
  format: string;
  pages: number | null;
  chunks: number;
  excluded: Record<string, number>;
  /** File read and extracted in the worker, until it reports that chunking starts. */
  extractMs: number;
  /** In the worker: SHA-256, the draft and chunkDocument, until it reports that saving starts. */
  workerChunkMs: number;
  /** In the worker: the one transaction (document, chunks, file), until the summary reached this page. */
  saveMs: number;
  peakBytes: number | null;
  /** The documents worker's share at its own peak. */
  workerPeakBytes: number | null;
  memorySource: string;
  longestTaskMs: number;
  /** How long before the result was in hand the longest task ended (about 0: it was the result's arrival). */
  longestTaskEndBeforeResultMs: number | null;
  tasksOver100: number;
}

interface ChunkTimes {
  blocks: number;
  /** chunkDocument with duplicate and boilerplate marking. */
  chunkMs: number;
  /** The same without marking; chunkMs minus this is the marking's cost. */
  chunkNoMarksMs: number;
}

let longest = 0;
let longestEnd = 0;
let over100 = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.duration > longest) {
      longest = e.duration;
      longestEnd = e.startTime + e.duration;
    }
    if (e.duration > 100) over100++;
  }
}).observe({ type: 'longtask', buffered: true });

const measure = (performance as unknown as { measureUserAgentSpecificMemory?: MemoryMeasure }).measureUserAgentSpecificMemory;
const memorySource =
  crossOriginIsolated && measure ? 'measureUserAgentSpecificMemory (page + its workers)' : 'JS heap of the page (CDP Performance.getMetrics, sampled by the driver)';

/** Samples memory every 250 ms until stopped; returns the peaks in bytes (nulls without the API): all, and the workers' part. */
function sampleMemory(): () => Promise<{ all: number | null; workers: number | null }> {
  if (!crossOriginIsolated || !measure) return async () => ({ all: null, workers: null });
  let peak = 0;
  let workers = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      try {
        const m = await measure.call(performance);
        peak = Math.max(peak, m.bytes);
        const w = m.breakdown.filter((b) => b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')).reduce((n, b) => n + b.bytes, 0);
        workers = Math.max(workers, w);
      } catch {
        // A measurement can fail while a worker starts or ends: the next one counts.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return async () => {
    on = false;
    await loop;
    return { all: peak, workers };
  };
}

/** The app's path: addInWorker into a database of its own, with this page's main thread and memory watched. */
async function run(url: string, name: string): Promise<CaseResult> {
  const file = new File([await (await fetch(url)).blob()], name);
  const dbName = `seedforge-bench-documents-${crypto.randomUUID()}`;
  const db = openDb(dbName);
  try {
    const project = await createProject(db, 'bench');
    const stopMemory = sampleMemory();
    await new Promise((r) => setTimeout(r, 100));
    longest = 0;
    over100 = 0;
    const t0 = performance.now();
    let tChunking = NaN;
    let tSaving = NaN;
    const added = await addInWorker(file, project.id, dbName, {
      onProgress: (p) => {
        if (p.unit === 'chunking') tChunking = performance.now();
        else if (p.unit === 'saving') tSaving = performance.now();
      },
    });
    const t1 = performance.now();
    // Long tasks are reported after they end: give the observer a moment.
    await new Promise((r) => setTimeout(r, 200));
    const found = { longest, longestEnd, over100 };
    const memory = await stopMemory();
    // Outside the watched part: what was stored, for the figures (kinds of excluded chunks, format).
    const excluded: Record<string, number> = {};
    for (const c of await listChunks(db, added.id)) if (c.excluded) excluded[c.excluded] = (excluded[c.excluded] ?? 0) + 1;
    const format = (await db.documents.get(added.id))!.type;
    return {
      bytes: file.size,
      format,
      pages: added.pages,
      chunks: added.chunks,
      excluded,
      extractMs: tChunking - t0,
      workerChunkMs: tSaving - tChunking,
      saveMs: t1 - tSaving,
      longestTaskMs: found.longest,
      longestTaskEndBeforeResultMs: found.longest ? t1 - found.longestEnd : null,
      tasksOver100: found.over100,
      peakBytes: memory.all,
      workerPeakBytes: memory.workers,
      memorySource,
    };
  } finally {
    db.close();
    await Dexie.delete(dbName);
  }
}

/** chunkDocument alone, on this page (after the watched part): with and without duplicate marking. */
async function timeChunking(url: string, name: string): Promise<ChunkTimes> {
  const file = new File([await (await fetch(url)).blob()], name);
  const x = await extractInWorker(file);
  let t = performance.now();
  chunkDocument(x.doc, { maxTokens: 400, overlapTokens: 40, markDuplicates: false });
  const chunkNoMarksMs = performance.now() - t;
  t = performance.now();
  chunkDocument(x.doc, { maxTokens: 400, overlapTokens: 40 });
  return { blocks: x.doc.blocks.length, chunkMs: performance.now() - t, chunkNoMarksMs };
}

Object.assign(globalThis, { runCase: run, timeChunking });
document.title = 'ready';
