import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/lib/documents/extract/detect';
import { extractEpub } from '../../src/lib/documents/extract/epub';
import { isDocumentError, type DocumentErrorName } from '../../src/lib/documents/extract/errors';
import type { ExtractedDoc } from '../../src/lib/documents/types';

// Fixtures from scripts/make-epub-fixture.mjs (text written for Seedforge).
const dir = join(import.meta.dirname, '..', 'fixtures', 'documents');
const fixture = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const buf = (b: Uint8Array) => b.slice().buffer;
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** A ZIP of stored entries, for EPUBs broken in ways the fixtures are not. */
function storedZip(files: [string, string][]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const n = enc.encode(name);
    const d = enc.encode(content);
    const h = new DataView(new ArrayBuffer(30));
    h.setUint32(0, 0x04034b50, true);
    h.setUint32(18, d.length, true);
    h.setUint32(22, d.length, true);
    h.setUint16(26, n.length, true);
    parts.push(new Uint8Array(h.buffer), n, d);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint32(20, d.length, true);
    c.setUint32(24, d.length, true);
    c.setUint16(28, n.length, true);
    c.setUint32(42, offset, true);
    central.push(new Uint8Array(c.buffer), n);
    offset += 30 + n.length + d.length;
  }
  const cdLength = central.reduce((s, b) => s + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, cdLength, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of all) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const CONTAINER = '<?xml version="1.0"?><container><rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>';
const opf = (spine: string) =>
  `<?xml version="1.0"?><package version="3.0"><metadata><dc:title>Broken</dc:title></metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>${spine}</package>`;

async function rejection(bytes: Uint8Array, name = 'book.epub'): Promise<{ name: DocumentErrorName; message: string }> {
  try {
    await extractEpub(buf(bytes), name);
  } catch (e) {
    if (!isDocumentError(e)) throw e;
    return { name: e.name, message: e.message };
  }
  throw new Error('no error');
}

function expectInvariants(doc: ExtractedDoc) {
  let last = 0;
  for (const b of doc.blocks) {
    expect(b.start).toBeGreaterThanOrEqual(last);
    expect(b.end).toBeGreaterThan(b.start);
    expect(doc.text.slice(last, b.start).trim()).toBe(''); // nothing left out between blocks
    last = b.end;
  }
  expect(doc.text.slice(last).trim()).toBe('');
}

describe('EPUB', () => {
  it('reads an EPUB 3 book: chapters in spine order, title from the package, nav as outline', async () => {
    const doc = await extractEpub(buf(fixture('guide.epub')), 'guide.epub');
    expect(doc.title).toBe('Field guide to grounded data');
    const order = ['# Keeping documents local', '## Formats that can be read', '# 第二章 中文内容', '# Afterword'].map((s) => doc.text.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(doc.text.startsWith('# Keeping documents local')).toBe(true); // no XML declaration or DOCTYPE as text
    expect(doc.text).toContain('电子书中的中文段落保留全角标点，字符之间没有空格。');
    expect(doc.text).toContain('browser & nothing'); // entities decoded
    expect(doc.text).not.toMatch(/alert|<script|stylesheet|<svg/);
    expect(doc.blocks.map((b) => b.kind)).toEqual(expect.arrayContaining(['heading', 'paragraph', 'list', 'table']));
    const table = doc.blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.map((r) => r.cells)).toEqual([['Format', 'Pages'], ['PDF', '500'], ['EPUB', 'no limit']]);
    expect(doc.pages).toBeUndefined();
    expectInvariants(doc);
    // The landmarks nav is not the table of contents.
    expect(doc.outline?.map((o) => [o.title, o.level])).toEqual([
      ['Keeping documents local', 1],
      ['Formats that can be read', 2],
      ['Limits', 2],
      ['第二章 中文内容', 1],
      ['引用原文', 2],
      ['Afterword', 1],
    ]);
    // Each entry points at its heading in the text.
    for (const o of doc.outline!) expect(doc.text.slice(o.offset!).replace(/^#+ /, '').startsWith(o.title)).toBe(true);
  });

  it('reads an EPUB 2 book (stored entries, NCX table of contents) to the same text', async () => {
    const v3 = await extractEpub(buf(fixture('guide.epub')), 'guide.epub');
    const v2 = await extractEpub(buf(fixture('guide-epub2.epub')), 'guide-epub2.epub');
    expect(v2.text).toBe(v3.text);
    expect(v2.title).toBe(v3.title);
    expect(v2.outline?.map((o) => [o.title, o.level, o.offset])).toEqual([
      ['Keeping documents local', 1, v3.outline![0]!.offset],
      ['Limits', 2, v3.outline![2]!.offset],
      ['第二章 中文内容', 1, v3.outline![3]!.offset],
      ['Afterword', 1, v3.outline![5]!.offset],
    ]);
  });

  it('is told apart from a DOCX by its mimetype entry, whatever its name', () => {
    const epub = fixture('guide.epub').subarray(0, 1024);
    expect(detectFormat(epub, 'guide.epub')).toBe('epub');
    expect(detectFormat(epub, 'download.zip')).toBe('epub');
    expect(detectFormat(fixture('guide.docx').subarray(0, 1024), 'guide.docx')).toBe('docx');
    // A ZIP without the mimetype entry goes by its name; something else named .epub is read as one (and refused).
    expect(detectFormat(fixture('not-a-docx.docx').subarray(0, 1024), 'notes.epub')).toBe('epub');
    expect(detectFormat(new TextEncoder().encode('plain words'), 'book.epub')).toBe('epub');
  });

  it('a broken EPUB gets a DamagedFileError that says what is wrong', async () => {
    const good = fixture('guide.epub');
    expect(await rejection(good.subarray(0, good.length >> 1))).toMatchObject({ name: 'DamagedFileError', message: expect.stringMatching(/^book\.epub is damaged.*no ZIP directory/) });
    expect(await rejection(new TextEncoder().encode('plain words, not a ZIP at all'))).toMatchObject({ name: 'DamagedFileError' });
    expect(await rejection(fixture('not-a-docx.docx'))).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('META-INF/container.xml') });

    // A chapter's central-directory entry flagged encrypted (DRM).
    const text = latin1(good);
    const cdName = text.lastIndexOf('OEBPS/text/ch1.xhtml');
    const drm = good.slice();
    drm[cdName - 46 + 8] = drm[cdName - 46 + 8]! | 1; // general-purpose flag bit 0: encrypted
    expect(await rejection(drm)).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('DRM') });

    // A chapter's deflated data overwritten: inflating it fails.
    const localName = text.indexOf('OEBPS/text/ch1.xhtml');
    const garbled = good.slice();
    garbled.fill(0xff, localName + 20, localName + 60);
    expect(await rejection(garbled)).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('OEBPS/text/ch1.xhtml cannot be unpacked') });

    // A chapter the spine needs is not in the ZIP.
    const missing = good.slice();
    missing[cdName + 'OEBPS/text/ch'.length] = '9'.charCodeAt(0);
    expect(await rejection(missing)).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('OEBPS/text/ch1.xhtml is missing') });

    const noSpine = storedZip([['META-INF/container.xml', CONTAINER], ['content.opf', opf('')], ['c1.xhtml', '<p>text</p>']]);
    expect(await rejection(noSpine)).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('no spine') });
    const noOpf = storedZip([['META-INF/container.xml', CONTAINER]]);
    expect(await rejection(noOpf)).toMatchObject({ name: 'DamagedFileError', message: expect.stringContaining('content.opf is missing') });
  });

  it('an EPUB whose chapters hold no text is an EmptyDocumentError', async () => {
    const empty = storedZip([
      ['mimetype', 'application/epub+zip'],
      ['META-INF/container.xml', CONTAINER],
      ['content.opf', opf('<spine><itemref idref="c1"/></spine>')],
      ['c1.xhtml', '<?xml version="1.0"?><html><head><title>Cover</title></head><body><img src="cover.png" alt=""/><script>x()</script></body></html>'],
    ]);
    expect(await rejection(empty)).toMatchObject({ name: 'EmptyDocumentError' });
    expect(detectFormat(empty.subarray(0, 1024), 'empty.bin')).toBe('epub');
  });
});
