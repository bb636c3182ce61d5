// Writes the EPUB fixtures, from text written for Seedforge:
//   guide.epub        EPUB 3: a nav document (the table of contents, nested), three chapters in
//                     spine order (English with a list and a table, Chinese, a short last one),
//                     entries deflated as real EPUBs are, the "mimetype" entry first and stored
//   guide-epub2.epub  EPUB 2: the same chapters, an NCX table of contents, no nav document,
//                     entries stored (uncompressed)
// Run: node scripts/make-epub-fixture.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { crc32 } from './crc32.mjs';

const dir = join(import.meta.dirname, '..', 'tests', 'fixtures', 'documents');

/** A ZIP; `deflate` compresses every entry but "mimetype" (which the EPUB rules keep stored and first). */
function zip(files, deflate) {
  const local = [];
  const central = [];
  let offset = 0;
  for (const [name, content] of files) {
    const data = Buffer.from(content, 'utf8');
    const packed = deflate && name !== 'mimetype' ? deflateRawSync(data) : data;
    const method = packed === data ? 0 : 8;
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0x0800, 6); h.writeUInt16LE(method, 8);
    h.writeUInt32LE(0, 10); h.writeUInt32LE(crc, 14); h.writeUInt32LE(packed.length, 18); h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26); h.writeUInt16LE(0, 28);
    local.push(h, n, packed);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x0800, 8); c.writeUInt16LE(method, 10);
    c.writeUInt32LE(0, 12); c.writeUInt32LE(crc, 16); c.writeUInt32LE(packed.length, 20); c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28); c.writeUInt32LE(offset, 42);
    central.push(c, n);
    offset += 30 + n.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

const xhtml = (title, body, lang = 'en') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${lang}" lang="${lang}">\n<head><title>${title}</title><link rel="stylesheet" href="../css/book.css"/></head>\n<body>\n${body}\n</body>\n</html>\n`;

const chapters = [
  [
    'text/ch1.xhtml',
    xhtml(
      'Keeping documents local',
      `<section epub:type="chapter">
<h1 id="local">Keeping documents local</h1>
<p>A field guide is only useful when the people who wrote it can trust where it goes. Every file stays in the browser &amp; nothing is uploaded.</p>
<h2 id="formats">Formats that can be read</h2>
<ul><li>PDF with a text layer</li><li>Word documents saved as .docx</li><li>EPUB books without DRM</li></ul>
<h2 id="limits">Limits</h2>
<table><thead><tr><th>Format</th><th>Pages</th></tr></thead><tbody><tr><td>PDF</td><td>500</td></tr><tr><td>EPUB</td><td>no limit</td></tr></tbody></table>
<p>Scripts are not run: <script>alert('no')</script>only their text is ignored.</p>
</section>`,
    ),
  ],
  [
    'text/ch2.xhtml',
    xhtml(
      '第二章 中文内容',
      `<h1 id="zh">第二章 中文内容</h1>
<p>电子书中的中文段落保留全角标点，字符之间没有空格。</p>
<h2 id="zh-cite">引用原文</h2>
<p>每个问题都要引用原文，并注明出处！</p>`,
      'zh',
    ),
  ],
  ['text/ch3.xhtml', xhtml('Afterword', '<h1>Afterword</h1>\n<p>Thanks for reading this short guide.</p>')],
];

const nav = xhtml(
  'Contents',
  `<nav epub:type="toc" id="toc"><h1>Contents</h1>
<ol>
<li><a href="ch1.xhtml">Keeping documents local</a>
  <ol><li><a href="ch1.xhtml#formats">Formats that can be read</a></li><li><a href="ch1.xhtml#limits">Limits</a></li></ol></li>
<li><a href="ch2.xhtml#zh">第二章 中文内容</a>
  <ol><li><a href="ch2.xhtml#zh-cite">引用原文</a></li></ol></li>
<li><a href="ch3.xhtml">Afterword</a></li>
</ol></nav>
<nav epub:type="landmarks"><ol><li><a epub:type="bodymatter" href="ch1.xhtml">Start</a></li></ol></nav>`,
);

const ncx = `<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head><meta name="dtb:uid" content="urn:uuid:seedforge-guide"/></head>
<docTitle><text>Field guide to grounded data</text></docTitle>
<navMap>
<navPoint id="n1" playOrder="1"><navLabel><text>Keeping documents local</text></navLabel><content src="text/ch1.xhtml"/>
  <navPoint id="n2" playOrder="2"><navLabel><text>Limits</text></navLabel><content src="text/ch1.xhtml#limits"/></navPoint>
</navPoint>
<navPoint id="n3" playOrder="3"><navLabel><text>第二章 中文内容</text></navLabel><content src="text/ch2.xhtml"/></navPoint>
<navPoint id="n4" playOrder="4"><navLabel><text>Afterword</text></navLabel><content src="text/ch3.xhtml"/></navPoint>
</navMap>
</ncx>
`;

const container = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
`;

function opf(version) {
  const epub3 = version === 3;
  return `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="${epub3 ? '3.0' : '2.0'}" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:seedforge-guide</dc:identifier>
<dc:title>Field guide to grounded data</dc:title>
<dc:language>en</dc:language>
</metadata>
<manifest>
${epub3 ? '<item id="nav" href="text/nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' : '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'}
<item id="css" href="css/book.css" media-type="text/css"/>
<item id="cover" href="images/cover.svg" media-type="image/svg+xml"/>
<item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
<item id="c2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/>
<item id="c3" href="text/ch3.xhtml" media-type="application/xhtml+xml"/>
</manifest>
<spine${epub3 ? '' : ' toc="ncx"'}>
<itemref idref="c1"/>
<itemref idref="c2"/>
<itemref idref="c3"/>
</spine>
</package>
`;
}

const common = [
  ['mimetype', 'application/epub+zip'],
  ['META-INF/container.xml', container],
  ['OEBPS/css/book.css', 'body { font-family: serif; }\n'],
  ['OEBPS/images/cover.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'],
  ...chapters.map(([p, c]) => [`OEBPS/${p}`, c]),
];

writeFileSync(join(dir, 'guide.epub'), zip([...common, ['OEBPS/content.opf', opf(3)], ['OEBPS/text/nav.xhtml', nav]], true));
writeFileSync(join(dir, 'guide-epub2.epub'), zip([...common, ['OEBPS/content.opf', opf(2)], ['OEBPS/toc.ncx', ncx]], false));
console.log(`EPUB fixtures written to ${dir}`);
