import * as Comlink from 'comlink';

/** Why a file could not be read. Each name has one message that says what to do. */
export type DocumentErrorName =
  | 'NoTextLayerError'
  | 'PasswordRequiredError'
  | 'WrongPasswordError'
  | 'DamagedFileError'
  | 'EmptyDocumentError'
  | 'NotDocxError'
  | 'UnsupportedFormatError'
  | 'AbortedError'
  | 'ReaderFailedError';

export const DOCUMENT_ERROR_NAMES: DocumentErrorName[] = [
  'NoTextLayerError',
  'PasswordRequiredError',
  'WrongPasswordError',
  'DamagedFileError',
  'EmptyDocumentError',
  'NotDocxError',
  'UnsupportedFormatError',
  'AbortedError',
  'ReaderFailedError',
];

/**
 * A document that cannot be extracted. Keyed by `name`; `pages` lists the 1-based pages that had
 * no text (NoTextLayerError). Nothing is stored for a file that throws one.
 */
export class DocumentError extends Error {
  override name: DocumentErrorName;
  readonly pages?: number[];
  constructor(name: DocumentErrorName, message: string, opts: { pages?: number[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = name;
    if (opts.pages) this.pages = opts.pages;
  }
}

export function isDocumentError(e: unknown, name?: DocumentErrorName): e is DocumentError {
  return e instanceof Error && (DOCUMENT_ERROR_NAMES as string[]).includes(e.name) && (!name || e.name === name);
}

/** "1–3, 7, 9–10": page lists stay short for a 500-page scan. */
export function pageRanges(pages: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    out.push(j === i ? `${pages[i]}` : `${pages[i]}–${pages[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

export const noTextLayer = (file: string, pages: number[]) =>
  new DocumentError('NoTextLayerError', `${file}: no text to read — OCR this file first (no text on page${pages.length === 1 ? '' : 's'} ${pageRanges(pages)})`, { pages });
export const passwordRequired = (file: string) =>
  new DocumentError('PasswordRequiredError', `${file} is protected by a password: enter the password to open it`);
export const wrongPassword = (file: string) =>
  new DocumentError('WrongPasswordError', `${file}: that password is not right — check it and try again`);
export const damaged = (file: string, what: string, cause?: unknown) =>
  new DocumentError('DamagedFileError', `${file} is damaged and cannot be read (${what}) — open it in its own program and save or export it again`, { cause });
export const emptyDocument = (file: string) =>
  new DocumentError('EmptyDocumentError', `${file} is empty: there is no text in it to use`);
export const notDocx = (file: string, what: string) =>
  new DocumentError('NotDocxError', `${file} is not a Word document (${what}) — save it from Word or LibreOffice as .docx, or add the files inside it one by one`);
export const unsupported = (file: string) =>
  new DocumentError('UnsupportedFormatError', `${file}: this kind of file cannot be read — use PDF, DOCX, EPUB, Markdown, HTML or plain text`);
export const aborted = (file: string) => new DocumentError('AbortedError', `reading ${file} was cancelled`);
export const readerFailed = (file: string, what: string) =>
  new DocumentError('ReaderFailedError', `${file}: the document reader stopped (${what}) — try again; if it stops again, the file may be too large for this browser`);

/**
 * Makes comlink carry DocumentErrors whole (name, message, pages) instead of a bare Error, and a
 * DocumentExistsError (documentsRepo, thrown where the worker stores a file) with the id and name
 * of the document it repeats — not that document's whole row and text. Call
 * once in each realm (the main thread and the documents worker). Chains to whatever 'throw'
 * handler is installed before it, so the engines' own handler keeps working.
 */
export function installDocumentErrorTransfer(): void {
  const base = Comlink.transferHandlers.get('throw');
  if (!base || (base as { seedforgeDocuments?: boolean }).seedforgeDocuments) return;
  type Ser = {
    documentError?: { name: DocumentErrorName; message: string; pages?: number[]; stack?: string };
    existsError?: { message: string; existing: { id: string; name: string }; stack?: string };
  };
  const handler = {
    seedforgeDocuments: true,
    canHandle: base.canHandle,
    serialize(obj: unknown): [unknown, Transferable[]] {
      const v = (obj as { value: unknown }).value;
      if (v instanceof DocumentError) return [{ documentError: { name: v.name, message: v.message, pages: v.pages, stack: v.stack } }, []];
      if (v instanceof Error && v.name === 'DocumentExistsError') {
        const { id, name } = (v as Error & { existing: { id: string; name: string } }).existing;
        return [{ existsError: { message: v.message, existing: { id, name }, stack: v.stack } }, []];
      }
      return base.serialize(obj);
    },
    deserialize(ser: unknown): unknown {
      const e = (ser as Ser).documentError;
      if (e) {
        const err = new DocumentError(e.name, e.message, { pages: e.pages });
        if (e.stack) err.stack = e.stack;
        throw err;
      }
      const x = (ser as Ser).existsError;
      if (x) throw Object.assign(new Error(x.message), { name: 'DocumentExistsError', existing: x.existing, ...(x.stack ? { stack: x.stack } : {}) });
      return base.deserialize(ser);
    },
  };
  Comlink.transferHandlers.set('throw', handler as typeof base);
}
