import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import type { TextItem, TextMarkedContent } from 'pdfjs-dist/types/src/display/api';
// pdf.js's own worker code runs inside this (documents) worker: no second worker to start, no
// worker script URL to allow. pdf.js looks for it on globalThis before it would start one.
import * as pdfWorker from 'pdfjs-dist/build/pdf.worker.mjs';
import type { DocBlock, ExtractedDoc, OutlineEntry } from '../types';
import { baseName, joinSpacingAccents } from './blocks';
import { damaged, noTextLayer, passwordRequired, wrongPassword } from './errors';
import type { ExtractOptions, OnProgress } from './types';

(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfWorker;

/**
 * pdf.js's predefined CMaps (Chinese, Japanese and Korean fonts that are not embedded need them to
 * map glyphs to Unicode) and its standard-font data, as files of this app: Vite emits each one
 * into the build (the service worker precaches them with everything else) and the dev server
 * serves them from node_modules. Never a CDN.
 */
const CMAPS = byName(import.meta.glob('../../../../node_modules/pdfjs-dist/cmaps/*', { query: '?url', import: 'default', eager: true }));
const FONTS = byName(import.meta.glob('../../../../node_modules/pdfjs-dist/standard_fonts/*', { query: '?url', import: 'default', eager: true }));

function byName(glob: Record<string, unknown>): Map<string, string> {
  return new Map(Object.entries(glob).map(([path, url]) => [path.split('/').pop()!, url as string]));
}

/** pdf.js's BinaryDataFactory interface: asked for a CMap or font file by name. */
class OwnOriginData {
  constructor(_opts: unknown) {}
  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    const url = (kind === 'cMapUrl' ? CMAPS : kind === 'standardFontDataUrl' ? FONTS : undefined)?.get(filename);
    if (!url) throw new Error(`pdf.js asked for ${kind} ${filename}, which this app does not ship`);
    const resp = await fetch(new URL(url, globalThis.location.href));
    if (!resp.ok) throw new Error(`${filename}: HTTP ${resp.status}`);
    return new Uint8Array(await resp.arrayBuffer());
  }
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3000-\\u303f\\uff00-\\uffef';
const CJK_SPACE = new RegExp(`(?<=[${CJK}])[ \\t]+(?=[${CJK}])`, 'gu');
const CJK_CHARS = new RegExp(`[${CJK}]`, 'gu');
const CJK_END = new RegExp(`[${CJK}]$`, 'u');
const CJK_START = new RegExp(`^[${CJK}]`, 'u');
/** A table-of-contents line: "2 Copyright . . . . . 2". */
const LEADER = /(\.\s?){4,}\s*[\divxlc]+$/i;
const BULLET = /^([•◦▪‣●○■□–*-]|\(?\d{1,3}[.)]|[a-z][.)])\s/;

/**
 * Chinese and Japanese have no spaces between words, but a PDF that places every glyph on its own
 * leaves gaps that pdf.js turns into spaces ("中 文 字 符"). Where a line is spaced out like that
 * (three or more such gaps, at least a third of its CJK characters), the spaces go; a single
 * deliberate space ("第一章 总则") stays.
 */
function unspace(line: string): string {
  const gaps = line.match(CJK_SPACE)?.length ?? 0;
  if (gaps < 3) return line;
  const cjk = line.match(CJK_CHARS)?.length ?? 0;
  return gaps * 3 >= cjk ? line.replace(CJK_SPACE, '') : line;
}

/** Lines of a page in reading order, with their font size and baseline. */
interface Line {
  text: string;
  size: number;
  y: number;
}

function pageLines(items: (TextItem | TextMarkedContent)[]): Line[] {
  const lines: Line[] = [];
  let cur: Line | null = null;
  let curChars = 0;
  const end = () => {
    if (cur && cur.text.trim()) lines.push({ ...cur, text: joinSpacingAccents(unspace(cur.text.replace(/\s+/g, ' ').trim())) });
    cur = null;
    curChars = 0;
  };
  for (const it of items) {
    if (!('str' in it)) continue;
    const size = Math.round(Math.hypot(it.transform[2]!, it.transform[3]!) * 2) / 2 || it.height;
    const y = it.transform[5]!;
    if (cur && it.str.trim() && Math.abs((cur as Line).y - y) > Math.max(size, (cur as Line).size) * 0.6) end();
    if (it.str) {
      cur ??= { text: '', size, y };
      cur.text += it.str;
      // The line's size: that of its longest run (a bold or footnote marker does not change it).
      const n = it.str.trim().length;
      if (n > curChars) {
        cur.size = size;
        curChars = n;
      }
    }
    if (it.hasEOL) end();
  }
  end();
  return lines;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').replace(/^[\d.\s]+(?=\S)/, '').trim();

function joinLines(a: string, b: string): string {
  if (!a) return b;
  return CJK_END.test(a) || CJK_START.test(b) ? a + b : `${a} ${b}`;
}

type BlockInit<B = DocBlock> = B extends DocBlock ? Omit<B, 'start' | 'end'> : never;

class Builder {
  private parts: string[] = [];
  private length = 0;
  readonly blocks: DocBlock[] = [];
  add(block: BlockInit, body: string): void {
    if (this.length) {
      this.parts.push('\n\n');
      this.length += 2;
    }
    const start = this.length;
    this.parts.push(body);
    this.length += body.length;
    this.blocks.push({ ...block, start, end: this.length } as DocBlock);
  }
  text(): string {
    return this.parts.join('');
  }
}

async function readOutline(doc: PDFDocumentProxy): Promise<OutlineEntry[]> {
  const out: OutlineEntry[] = [];
  const walk = async (items: Awaited<ReturnType<PDFDocumentProxy['getOutline']>>, level: number) => {
    for (const item of items ?? []) {
      const entry: OutlineEntry = { title: item.title.replace(/\s+/g, ' ').trim(), level };
      try {
        const dest = typeof item.dest === 'string' ? await doc.getDestination(item.dest) : item.dest;
        const ref = dest?.[0];
        if (ref && typeof ref === 'object') entry.page = (await doc.getPageIndex(ref as { num: number; gen: number })) + 1;
        else if (typeof ref === 'number') entry.page = ref + 1;
      } catch {
        // An outline entry that points nowhere keeps its title and level.
      }
      if (entry.title) out.push(entry);
      await walk(item.items, level + 1);
    }
  };
  try {
    await walk(await doc.getOutline(), 1);
  } catch {
    return [];
  }
  return out;
}

export interface PdfExtraction {
  doc: ExtractedDoc;
  pagesWithoutText: number[];
}

/**
 * A PDF's text layer, page by page: one page's objects at a time (each page is released before
 * the next is read, and pdf.js's caches every 20 pages), so a 500-page file costs its bytes plus
 * the text, not 500 pages of fonts and operator lists. Headings come from the outline (an entry's
 * title on its page) and from font size against the body size seen so far; Chinese and Japanese
 * lines are joined without spaces.
 */
export async function extractPdf(bytes: ArrayBuffer, fileName: string, opts: ExtractOptions = {}, onProgress?: OnProgress): Promise<PdfExtraction> {
  const task = getDocument({
    data: new Uint8Array(bytes),
    password: opts.password,
    BinaryDataFactory: OwnOriginData,
    useWorkerFetch: false,
    cMapUrl: 'pdfjs/cmaps/',
    cMapPacked: true,
    standardFontDataUrl: 'pdfjs/standard_fonts/',
    useWasm: false,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: false,
    verbosity: 0,
  });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (e) {
    const err = e as { name?: string; code?: number; message?: string };
    if (err?.name === 'PasswordException') throw err.code === 2 ? wrongPassword(fileName) : passwordRequired(fileName);
    throw damaged(fileName, err?.message || String(e), e);
  }
  try {
    const total = doc.numPages;
    await onProgress?.({ unit: 'pages', done: 0, total });
    const outline = await readOutline(doc);
    const outlineByPage = new Map<number, Map<string, number>>();
    for (const o of outline) {
      if (!o.page) continue;
      const m = outlineByPage.get(o.page) ?? new Map<string, number>();
      m.set(norm(o.title), o.level);
      outlineByPage.set(o.page, m);
    }
    const sizes = new Map<number, number>();
    const out = new Builder();
    const empty: number[] = [];
    for (let p = 1; p <= total; p++) {
      let lines: Line[];
      try {
        const page = await doc.getPage(p);
        const content = await page.getTextContent();
        lines = pageLines(content.items);
        page.cleanup();
      } catch (e) {
        throw damaged(fileName, `page ${p}: ${e instanceof Error ? e.message : String(e)}`, e);
      }
      if (p % 20 === 0) await doc.cleanup();
      if (!lines.length) empty.push(p);
      for (const l of lines) sizes.set(l.size, (sizes.get(l.size) ?? 0) + l.text.length);
      const body = [...sizes].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0])[0];
      const titles = outlineByPage.get(p);
      let para: { text: string; size: number; y: number } | null = null;
      let heading: { text: string; size: number; level: number; y: number } | null = null;
      const flushPara = () => {
        if (para) out.add({ kind: 'paragraph', pages: [p, p] }, para.text);
        para = null;
      };
      const flushHeading = () => {
        if (heading) {
          const title = heading.text;
          const level = Math.min(6, heading.level) as 1 | 2 | 3 | 4 | 5 | 6;
          out.add({ kind: 'heading', level, title, pages: [p, p] }, `${'#'.repeat(level)} ${title}`);
        }
        heading = null;
      };
      for (const l of lines) {
        const outlineLevel = titles?.get(norm(l.text));
        const toc = LEADER.test(l.text);
        const large = !toc && body > 0 && l.size >= body * 1.2 && l.text.length <= 150 && /\p{L}/u.test(l.text);
        if ((outlineLevel !== undefined && !toc) || large) {
          flushPara();
          const level = outlineLevel ?? (l.size >= body * 1.6 ? 1 : l.size >= body * 1.3 ? 2 : 3);
          const h = heading as { text: string; size: number; level: number; y: number } | null;
          // A title over two lines in the same size is one heading.
          if (h && outlineLevel === undefined && h.size === l.size && h.y - l.y < l.size * 2) {
            h.text = joinLines(h.text, l.text);
            h.y = l.y;
          } else {
            flushHeading();
            heading = { text: l.text, size: l.size, level, y: l.y };
          }
          continue;
        }
        flushHeading();
        const q = para as { text: string; size: number; y: number } | null;
        const gap = q ? q.y - l.y : 0;
        if (q && Math.abs(q.size - l.size) <= q.size * 0.15 && gap > 0 && gap < Math.max(q.size, l.size) * 1.6 && !BULLET.test(l.text) && !toc && !LEADER.test(q.text)) {
          q.text = joinLines(q.text, l.text);
          q.y = l.y;
        } else {
          flushPara();
          para = { text: l.text, size: l.size, y: l.y };
        }
      }
      flushPara();
      flushHeading();
      await onProgress?.({ unit: 'pages', done: p, total });
    }
    if (empty.length === total) throw noTextLayer(fileName, empty);
    const text = out.text();
    const blocks = out.blocks;
    const firstAt = new Map<string, number>();
    for (const b of blocks) if (b.kind === 'heading' && !firstAt.has(norm(b.title))) firstAt.set(norm(b.title), b.start);
    for (const o of outline) {
      const at = firstAt.get(norm(o.title));
      if (at !== undefined) o.offset = at;
    }
    let title = '';
    try {
      const info = (await doc.getMetadata()).info as { Title?: unknown };
      if (typeof info?.Title === 'string') title = info.Title.trim();
    } catch {
      // No metadata: the title comes from the first heading or the file name.
    }
    const h1 = blocks.find((b) => b.kind === 'heading');
    title ||= h1 && h1.kind === 'heading' ? h1.title : baseName(fileName);
    return { doc: { title, text, blocks, pages: total, ...(outline.length ? { outline } : {}) }, pagesWithoutText: empty };
  } finally {
    await task.destroy();
  }
}
