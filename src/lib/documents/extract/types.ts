import type { ExtractedDoc } from '../types';

export type DocumentFormat = 'pdf' | 'docx' | 'markdown' | 'html' | 'text' | 'epub';

/**
 * Extraction progress: bytes while a file is read, then pages for a PDF. Within one unit `done`
 * never goes down, and the last report of each unit has `done === total`.
 */
export type ExtractProgress = { unit: 'bytes'; done: number; total: number } | { unit: 'pages'; done: number; total: number };
/**
 * Called for each report. Across comlink it returns a promise, and the extractors await it: the
 * last report reaches the page before the result does, and a slow page slows the reader rather
 * than queueing reports.
 */
export type OnProgress = (p: ExtractProgress) => void | Promise<void>;

export interface ExtractOptions {
  /** For a password-protected PDF: the password the user typed after PasswordRequiredError. */
  password?: string;
}

export interface Extraction {
  format: DocumentFormat;
  doc: ExtractedDoc;
  /** PDF pages (1-based) that had no text layer, when some others had one (figures, scans in the middle). */
  pagesWithoutText?: number[];
}
