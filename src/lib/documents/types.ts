/**
 * The shapes shared by document extraction, storage and chunking. Plain data only (it is stored
 * in IndexedDB and crosses worker boundaries), no classes.
 *
 * Offsets: every `start`/`end` is a UTF-16 index into `ExtractedDoc.text` (what `String.slice`
 * takes), half-open `[start, end)`. For every block, `text.slice(block.start, block.end)` is that
 * block's source in the full text, so a chunk's span can always be shown and highlighted.
 */

/** A `[start, end)` range of UTF-16 offsets into `ExtractedDoc.text`. */
export interface TextSpan {
  start: number;
  end: number;
}

/** First and last 1-based page a piece of text sits on (PDF only; absent where unknown). */
export type PageRange = [first: number, last: number];

interface BlockBase extends TextSpan {
  /** Pages of this block where known (PDF); a paragraph that runs over a page break has two. */
  pages?: PageRange;
}

/** `# Title` … `###### Title`; `title` is the heading's own words (no `#`, trimmed). */
export interface HeadingBlock extends BlockBase {
  kind: 'heading';
  level: 1 | 2 | 3 | 4 | 5 | 6;
  title: string;
}

/** Running prose; its text is `text.slice(start, end)`. */
export interface ParagraphBlock extends BlockBase {
  kind: 'paragraph';
}

/** A list; each item (its marker line(s) and continuation) is one span, never split by the chunker. */
export interface ListBlock extends BlockBase {
  kind: 'list';
  ordered: boolean;
  items: TextSpan[];
}

/** One table row (one Markdown `| a | b |` line in the text). */
export interface TableRow extends TextSpan {
  cells: string[];
  /** A header row: repeated at the top of every chunk when a long table is split between rows. */
  header?: boolean;
}

/**
 * A table as Markdown rows. The `|---|` separator line, if the text has one, lies inside the
 * block's span but is not a row.
 */
export interface TableBlock extends BlockBase {
  kind: 'table';
  rows: TableRow[];
}

/** Preformatted code; kept whole where it fits, split only between lines. */
export interface CodeBlock extends BlockBase {
  kind: 'code';
  lang?: string;
}

export type DocBlock = HeadingBlock | ParagraphBlock | ListBlock | TableBlock | CodeBlock;
export type DocBlockKind = DocBlock['kind'];

/** One entry of a PDF outline (bookmarks) or a DOCX/EPUB table of contents. */
export interface OutlineEntry {
  title: string;
  /** 1 for top level. */
  level: number;
  page?: number;
  /** Offset into `text` where the section starts, where known. */
  offset?: number;
}

/**
 * What an extractor produces for one file.
 *
 * `text` is the whole document as Markdown-like text: blocks in reading order, separated by a
 * blank line; headings as `#` lines, list items as `- ` / `1. ` lines, tables as `| … |` rows,
 * code fenced with ```. Chinese text keeps no spaces between characters and its full-width
 * punctuation. `blocks` are sorted by `start`, do not overlap, and cover every non-blank part of
 * `text`.
 */
export interface ExtractedDoc {
  title: string;
  text: string;
  blocks: DocBlock[];
  /** Page count (PDF, and formats with pages); absent for flowing text. */
  pages?: number;
  outline?: OutlineEntry[];
}

/**
 * Why a chunk is left out of generation (still stored and shown, greyed). 'boilerplate': text
 * repeated three times or more, or a table of contents (dot leaders to page numbers).
 */
export type ChunkExclusion = 'duplicate' | 'boilerplate' | 'user';

/** A piece of a document that questions are generated from. */
export interface Chunk {
  /** Set by the repository once stored (a string, like every stored row's id). */
  id?: string;
  /** 0-based position in the document's chunk list. */
  index: number;
  /**
   * The chunk's text. Normally `doc.text.slice(span[0], span[1])`; a chunk of a long table
   * split between rows starts with the header row(s) repeated, so its text is longer than its span.
   */
  text: string;
  /** Titles of the enclosing headings, outermost first (`[]` before the first heading). */
  headingPath: string[];
  pages: PageRange | null;
  /** `[start, end)` offsets into `ExtractedDoc.text`. */
  span: [start: number, end: number];
  /** Estimated tokens (characters for Chinese, about words for English). */
  tokens: number;
  excluded?: ChunkExclusion;
  /** Id of the label-tree node the chunk is tagged with (its deepest heading), where assigned. */
  label?: string;
}

/**
 * A chunk as a run sees it. A run keeps a snapshot of its chunks (with its seed snapshot, in
 * `runSeeds`), so that a resumed run grounds on exactly the same text even if the chunks were
 * edited, merged or deleted meanwhile.
 */
export interface ChunkRef {
  /** The stored chunk's id. */
  id: string;
  documentId: string;
  /** The document's file name, for the drawer, the export and the card. */
  documentName: string;
  /** 0-based position in its document. */
  index: number;
  text: string;
  headingPath: string[];
  pages: PageRange | null;
  /** `[start, end)` offsets into the document's `text`. */
  span: [start: number, end: number];
  tokens: number;
  /** Label-tree node id the chunk is tagged with, where assigned. */
  label?: string;
  /**
   * Set when `text` is not a plain slice of the document (running headers cut out, a table header
   * repeated): the `[chunkStart, docStart, length]` runs the two share (cite.ts chunkPieces), so
   * that a quote's offsets in `text` can be turned into the document's. Absent: a plain slice.
   */
  pieces?: [chunkStart: number, docStart: number, length: number][];
}

/**
 * Where a document-made sample was grounded: kept on the candidate and the stored sample
 * (`Sample.source`), shown in the drawer and optionally exported. Absent on seed-made samples.
 */
export interface SampleSource {
  documentId: string;
  documentName: string;
  /** The chunk the question was asked from. */
  chunkId: string;
  chunkIndex: number;
  /** Further chunks joined for a multi-chunk question, in document order (absent: one chunk). */
  moreChunks?: { id: string; index: number }[];
  pages: PageRange | null;
  headingPath: string[];
  /** The grounding text's `[start, end)` in the document's text (the first chunk's start to the last chunk's end). */
  span: [start: number, end: number];
  /** The answer's quotes as found in the document's text, `[start, end)` each (cite.ts); empty when none was found. */
  cited: [start: number, end: number][];
  /** Label-tree node id of the chunk (the question's tag), where assigned. */
  label?: string;
  /** The question type asked for: factual, reasoning, comparison, summary, application. */
  questionType?: string;
}
