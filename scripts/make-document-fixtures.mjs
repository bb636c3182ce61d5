// Writes the document fixtures that are made from text written for Seedforge (the real-world
// PDFs next to them come from Debian packages, see tests/fixtures/documents/README.md):
//   zh-guide.pdf      Chinese text, two pages, a non-embedded CJK font (STSong-Light, UniGB-UCS2-H:
//                     extraction needs pdf.js's CMaps, served by the app)
//   scanned.pdf       two pages with an image and no text layer
//   damaged.pdf       a PDF header followed by garbage
//   protected.pdf     zh-guide.pdf encrypted with the user password "seedforge" (qpdf; kept when qpdf is absent)
//   guide.docx        a Word document: headings, a list, a table, English and Chinese
//   not-a-docx.docx   a ZIP of a text file
// Run: node scripts/make-document-fixtures.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from './crc32.mjs';

const dir = join(import.meta.dirname, '..', 'tests', 'fixtures', 'documents');

function pdf(objects) {
  // objects: array of strings or Buffers (the body of object i+1).
  const parts = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let len = parts[0].length;
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(len);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(b);
    len += b.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 2 0 R >>\nstartxref\n${len}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

const stream = (dict, data) => {
  const d = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  return Buffer.concat([Buffer.from(`<< ${dict} /Length ${d.length} >>\nstream\n`, 'latin1'), d, Buffer.from('\nendstream', 'latin1')]);
};
const ucs2 = (s) => `<${[...s].map((c) => c.codePointAt(0).toString(16).padStart(4, '0')).join('')}>`;

function chinesePdf() {
  const pages = [
    [
      [20, '第一章 总则'],
      [12, '本指南说明如何在浏览器中把文档变成训练数据。'],
      [12, '所有文件都留在本机，不会上传到任何服务器。'],
      [12, '每个问题都要引用原文，并注明页码。'],
    ],
    [
      [20, '第二章 数据处理'],
      [12, '抽取文本时保留标题和页码；中文字符之间不加空格。'],
      [12, '句子以句号、问号或感叹号结束！'],
      [12, '逐字排版的句子也能读出。', 'spaced'],
    ],
  ];
  // 1 catalog, 2 info, 3 pages, 4 font, 5 CIDFont, 6 descriptor, then per page: page, content.
  const objs = [
    '<< /Type /Catalog /Pages 3 0 R >>',
    '<< /Title (Seedforge zh guide) /Producer (scripts/make-document-fixtures.mjs) >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${7 + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 6 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  pages.forEach((lines, i) => {
    let y = 760;
    const ops = lines.map(([size, text, spaced]) => {
      // 'spaced': every glyph set on its own with a gap after it, as some PDF writers do.
      const shown = spaced ? `[${[...text].map(ucs2).join(' -400 ')}] TJ` : `${ucs2(text)} Tj`;
      const op = `BT /F1 ${size} Tf 72 ${y} Td ${shown} ET`;
      y -= size * 1.5 + (size > 12 ? 8 : 0);
      return op;
    });
    objs.push(`<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents ${8 + i * 2} 0 R >>`);
    objs.push(stream('', ops.join('\n')));
  });
  return pdf(objs);
}

function scannedPdf() {
  const img = Buffer.alloc(16 * 16, 0);
  for (let i = 0; i < img.length; i++) img[i] = (i * 37) % 256;
  const objs = [
    '<< /Type /Catalog /Pages 3 0 R >>',
    '<< /Title (A scanned page) >>',
    '<< /Type /Pages /Kids [5 0 R 7 0 R] /Count 2 >>',
    stream('/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8', img),
    '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 6 0 R >>',
    stream('', 'q 495 0 0 742 50 50 cm /Im1 Do Q'),
    '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 8 0 R >>',
    stream('', 'q 495 0 0 742 50 50 cm /Im1 Do Q'),
  ];
  return pdf(objs);
}

/** A ZIP with stored (uncompressed) entries: all a .docx needs. */
function zip(files) {
  const local = [];
  const central = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content, 'utf8');
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0x0800, 6); h.writeUInt16LE(0, 8);
    h.writeUInt32LE(0, 10); h.writeUInt32LE(crc, 14); h.writeUInt32LE(data.length, 18); h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26); h.writeUInt16LE(0, 28);
    local.push(h, n, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x0800, 8); c.writeUInt16LE(0, 10);
    c.writeUInt32LE(0, 12); c.writeUInt32LE(crc, 16); c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28); c.writeUInt32LE(offset, 42);
    central.push(c, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8); end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const para = (text, style, num) => `<w:p><w:pPr>${style ? `<w:pStyle w:val="${style}"/>` : ''}${num ? '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' : ''}</w:pPr><w:r><w:t xml:space="preserve">${esc(text)}</w:t></w:r></w:p>`;
const cell = (text) => `<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>${para(text)}</w:tc>`;
const row = (cells) => `<w:tr>${cells.map(cell).join('')}</w:tr>`;

function docx() {
  const body = [
    para('Field guide to grounded data', 'Heading1'),
    para('This guide explains how a document becomes training data without leaving the laptop.'),
    para('Formats', 'Heading2'),
    para('PDF with a text layer', 'ListParagraph', true),
    para('Word documents saved as .docx', 'ListParagraph', true),
    para('Markdown and HTML', 'ListParagraph', true),
    para('Limits', 'Heading2'),
    `<w:tbl><w:tblPr><w:tblW w:w="6000" w:type="dxa"/></w:tblPr>${row(['Format', 'Pages'])}${row(['PDF', '500'])}${row(['DOCX', 'no limit'])}</w:tbl>`,
    para('第三章 中文内容', 'Heading2'),
    para('文档中的中文段落保留全角标点，字符之间没有空格。'),
  ].join('');
  return zip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/_rels/document.xml.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>',
    'word/styles.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles ${W}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style></w:styles>`,
    'word/numbering.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering ${W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`,
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>${body}<w:sectPr/></w:body></w:document>`,
  });
}

writeFileSync(join(dir, 'zh-guide.pdf'), chinesePdf());
writeFileSync(join(dir, 'scanned.pdf'), scannedPdf());
writeFileSync(join(dir, 'damaged.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) % 251))]));
writeFileSync(join(dir, 'guide.docx'), docx());
writeFileSync(join(dir, 'not-a-docx.docx'), zip({ 'notes.txt': 'A ZIP of a text file, named .docx.\n' }));
try {
  execFileSync('qpdf', ['--encrypt', 'seedforge', 'owner-seedforge', '256', '--', join(dir, 'zh-guide.pdf'), join(dir, 'protected.pdf')]);
} catch (e) {
  if (!existsSync(join(dir, 'protected.pdf'))) throw new Error(`protected.pdf needs qpdf (apt-get install qpdf): ${e.message}`);
  console.warn('qpdf is not installed: protected.pdf kept as it is');
}
console.log(`document fixtures written to ${dir}`);
