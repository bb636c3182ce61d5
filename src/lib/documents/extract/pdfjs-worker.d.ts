// pdf.js's worker module: imported for its side-effect-free exports (WorkerMessageHandler), which
// pdf.js finds on globalThis.pdfjsWorker and then runs in this thread instead of a new worker.
declare module 'pdfjs-dist/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
