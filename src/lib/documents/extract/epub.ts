import type { ExtractedDoc, OutlineEntry } from '../types';
import { baseName, firstHeading, markdownBlocks, normaliseText } from './blocks';
import { damaged, emptyDocument, isDocumentError } from './errors';
import { htmlToMarkdown } from './html';

/**
 * EPUB: a ZIP of XHTML chapters. META-INF/container.xml names the package (OPF) file, whose
 * manifest lists the files and whose spine gives the reading order. Each chapter goes through the
 * HTML converter (sanitised to text and structure, as an HTML file is), the chapters are joined
 * in spine order, the package's dc:title is the title, and the table of contents (EPUB 3's nav
 * document, else EPUB 2's NCX) is the outline. The ZIP is read here from its central directory;
 * deflated entries are inflated with the browser's DecompressionStream('deflate-raw'). A worker
 * has no DOMParser, so the few XML files are read with a small tag scanner: only the tags and
 * attributes the EPUB specification fixes are looked at.
 */

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

class Zip {
  private readonly view: DataView;
  readonly entries = new Map<string, ZipEntry>();

  /** @throws {Error} a plain Error with what is wrong; extractEpub words it for the user. */
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // The end-of-central-directory record: the last 22 bytes, or before a comment of up to 64 KiB.
    let eocd = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
      if (this.view.getUint32(i, true) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error('no ZIP directory at its end');
    const count = this.view.getUint16(eocd + 10, true);
    let at = this.view.getUint32(eocd + 16, true);
    if (count === 0xffff || at === 0xffffffff) throw new Error('a ZIP64 archive, which EPUB readers do not use');
    const utf8 = new TextDecoder();
    for (let k = 0; k < count; k++) {
      if (at + 46 > bytes.length || this.view.getUint32(at, true) !== CENTRAL) throw new Error('its ZIP directory is cut short');
      const nameLength = this.view.getUint16(at + 28, true);
      const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
      this.entries.set(name, {
        name,
        flags: this.view.getUint16(at + 8, true),
        method: this.view.getUint16(at + 10, true),
        compressedSize: this.view.getUint32(at + 20, true),
        localOffset: this.view.getUint32(at + 42, true),
      });
      at += 46 + nameLength + this.view.getUint16(at + 30, true) + this.view.getUint16(at + 32, true);
    }
  }

  /** An entry's bytes, or null when there is no such entry. @throws {Error} when it cannot be read. */
  async read(name: string): Promise<Uint8Array | null> {
    const e = this.entries.get(name);
    if (!e) return null;
    if (e.flags & 1) throw new Error(`${name} is encrypted (DRM): use a copy without DRM`);
    const at = e.localOffset;
    if (at + 30 > this.bytes.length || this.view.getUint32(at, true) !== LOCAL) throw new Error(`${name} is not where the ZIP directory says`);
    const start = at + 30 + this.view.getUint16(at + 26, true) + this.view.getUint16(at + 28, true);
    const data = this.bytes.subarray(start, start + e.compressedSize);
    if (data.length < e.compressedSize) throw new Error(`${name} is cut short`);
    if (e.method === 0) return data;
    if (e.method !== 8) throw new Error(`${name} uses ZIP compression method ${e.method}, which EPUB does not allow`);
    try {
      const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (e) {
      throw new Error(`${name} cannot be unpacked (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  }

  async text(name: string): Promise<string | null> {
    const b = await this.read(name);
    return b && new TextDecoder().decode(b);
  }
}

// ---- A small XML tag scanner: enough for container.xml, the OPF, the nav document and the NCX. ----

interface Tag {
  /** Local name, lower case, without its prefix (`dc:title` → `title`). */
  name: string;
  close: boolean;
  attrs: Record<string, string>;
  /** Offsets of the tag in the source: `<` and one past `>`. */
  start: number;
  end: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function* tags(xml: string): Generator<Tag> {
  const re = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs: Record<string, string> = {};
    for (const a of m[3]!.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attrs[a[1]!.toLowerCase().replace(/^.*:/, '')] = decodeEntities(a[2] ?? a[3] ?? '');
    }
    yield { name: m[2]!.toLowerCase().replace(/^.*:/, ''), close: m[1] === '/', attrs, start: m.index, end: m.index + m[0].length };
  }
}

/** Text between tags, entities decoded, whitespace collapsed. */
const plain = (xml: string) => decodeEntities(xml.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();

/** `href` relative to the folder of `base` (both ZIP paths), without its fragment; null for another origin. */
function resolvePath(base: string, href: string): string | null {
  let h = href.split('#')[0]!;
  if (/^[a-z][\w+.-]*:/i.test(h) || h.startsWith('/')) return null;
  try {
    h = decodeURIComponent(h);
  } catch {
    // A stray % stays as written.
  }
  const parts = base.split('/').slice(0, -1);
  for (const p of h.split('/')) {
    if (p === '..') parts.pop();
    else if (p && p !== '.') parts.push(p);
  }
  return parts.join('/');
}

interface TocEntry {
  title: string;
  level: number;
  /** ZIP path of the file it points to. */
  path: string | null;
}

/** EPUB 3's nav document: the `<nav epub:type="toc">` list; its nesting of `<ol>` gives the levels. */
function navToc(xml: string, navPath: string): TocEntry[] {
  const out: TocEntry[] = [];
  let inToc = false;
  let navDepth = 0;
  let depth = 0;
  let link: { href: string; start: number } | null = null;
  for (const t of tags(xml)) {
    if (t.name === 'nav') {
      if (!t.close) {
        navDepth++;
        if (!inToc && /\btoc\b/.test(t.attrs.type ?? '')) {
          inToc = true;
          navDepth = 1;
        }
      } else if (inToc && --navDepth === 0) break;
      continue;
    }
    if (!inToc) continue;
    if (t.name === 'ol') depth += t.close ? -1 : 1;
    else if ((t.name === 'a' || t.name === 'span') && !t.close && !link) link = { href: t.attrs.href ?? '', start: t.end };
    else if ((t.name === 'a' || t.name === 'span') && t.close && link) {
      const title = plain(xml.slice(link.start, t.start));
      if (title) out.push({ title, level: Math.max(1, depth), path: link.href ? resolvePath(navPath, link.href) : null });
      link = null;
    }
  }
  return out;
}

/** EPUB 2's NCX: nested `<navPoint>`s, each with a `<navLabel><text>` and a `<content src>`. */
function ncxToc(xml: string, ncxPath: string): TocEntry[] {
  const out: TocEntry[] = [];
  let depth = 0;
  let current: TocEntry | null = null;
  let textStart = -1;
  for (const t of tags(xml)) {
    if (t.name === 'navpoint') {
      if (t.close) depth--;
      else {
        depth++;
        current = { title: '', level: depth, path: null };
        out.push(current);
      }
    } else if (current && t.name === 'text') {
      if (!t.close) textStart = t.end;
      else if (textStart >= 0 && !current.title) current.title = plain(xml.slice(textStart, t.start));
    } else if (current && t.name === 'content' && !t.close && !current.path && t.attrs.src) current.path = resolvePath(ncxPath, t.attrs.src);
  }
  return out.filter((e) => e.title);
}

/**
 * An EPUB file → the chapters' text in reading order, with its title and table of contents.
 * @throws DocumentError: DamagedFileError (not a ZIP, no container.xml or package, a chapter that
 *   is missing, encrypted or cannot be inflated), EmptyDocumentError (no text in any chapter).
 */
export async function extractEpub(bytes: ArrayBuffer, fileName: string): Promise<ExtractedDoc> {
  try {
    return await readEpub(new Zip(new Uint8Array(bytes)), fileName);
  } catch (e) {
    if (isDocumentError(e)) throw e;
    throw damaged(fileName, `EPUB: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

async function readEpub(zip: Zip, fileName: string): Promise<ExtractedDoc> {
  const container = await zip.text('META-INF/container.xml');
  if (container === null) throw new Error('it has no META-INF/container.xml, which every EPUB has');
  let opfPath: string | null = null;
  for (const t of tags(container)) if (t.name === 'rootfile' && !t.close && t.attrs['full-path']) {
    opfPath = t.attrs['full-path'];
    break;
  }
  if (!opfPath) throw new Error('META-INF/container.xml names no package file');
  const opf = await zip.text(opfPath);
  if (opf === null) throw new Error(`the package file ${opfPath} is missing`);

  const manifest = new Map<string, { path: string | null; type: string; properties: string }>();
  const spine: string[] = [];
  let ncxId = '';
  let title = '';
  let titleStart = -1;
  for (const t of tags(opf)) {
    if (t.name === 'item' && !t.close && t.attrs.id && t.attrs.href) {
      manifest.set(t.attrs.id, { path: resolvePath(opfPath, t.attrs.href), type: t.attrs['media-type'] ?? '', properties: t.attrs.properties ?? '' });
    } else if (t.name === 'spine' && !t.close) ncxId = t.attrs.toc ?? '';
    else if (t.name === 'itemref' && !t.close && t.attrs.idref) spine.push(t.attrs.idref);
    else if (t.name === 'title' && !title) {
      if (!t.close) titleStart = t.end;
      else if (titleStart >= 0) title = plain(opf.slice(titleStart, t.start));
    }
  }
  if (!spine.length) throw new Error(`the package file ${opfPath} has no spine (reading order)`);

  // Chapters in spine order, each converted on its own and normalised, joined by a blank line.
  const parts: string[] = [];
  const chapterAt = new Map<string, number>();
  let length = 0;
  for (const id of spine) {
    const item = manifest.get(id);
    if (!item?.path) throw new Error(`the spine names ${id}, which the manifest does not list`);
    if (!/html|xml/i.test(item.type)) continue; // an image or other non-text item in the spine
    const html = await zip.text(item.path);
    if (html === null) throw new Error(`the chapter ${item.path} is missing`);
    // The converter would keep an XML declaration and a DOCTYPE as text: XHTML starts with both.
    const md = normaliseText(htmlToMarkdown(html.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '').replace(/<!DOCTYPE[^>]*>/i, ''))).replace(/^\n+/, '');
    if (!md.trim()) continue;
    if (parts.length) length += 2;
    chapterAt.set(item.path, length);
    parts.push(md);
    length += md.length;
  }
  const text = parts.join('\n\n');
  if (!text.trim()) throw emptyDocument(fileName);
  const blocks = markdownBlocks(text);

  // The table of contents: EPUB 3's nav document, else the NCX the spine names.
  let toc: TocEntry[] = [];
  const nav = [...manifest.values()].find((m) => /\bnav\b/.test(m.properties) && m.path);
  const ncx = manifest.get(ncxId) ?? [...manifest.values()].find((m) => m.type === 'application/x-dtbncx+xml');
  if (nav?.path) toc = navToc((await zip.text(nav.path)) ?? '', nav.path);
  if (!toc.length && ncx?.path) toc = ncxToc((await zip.text(ncx.path)) ?? '', ncx.path);
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  const outline: OutlineEntry[] = toc.map((e) => {
    const entry: OutlineEntry = { title: e.title, level: e.level };
    const at = e.path !== null ? chapterAt.get(e.path) : undefined;
    if (at !== undefined) {
      // The heading of that title within its chapter, else where the chapter starts.
      const end = [...chapterAt.values()].find((v) => v > at) ?? text.length;
      const h = blocks.find((b) => b.kind === 'heading' && b.start >= at && b.start < end && norm(b.title) === norm(e.title));
      entry.offset = h?.start ?? at;
    }
    return entry;
  });
  return { title: title || firstHeading(blocks) || baseName(fileName), text, blocks, ...(outline.length ? { outline } : {}) };
}
