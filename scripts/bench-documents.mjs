// Documents benchmark (npm run bench:documents). Prints figures; asserts nothing.
// Generates, at bench time (nothing large is committed):
//  - a 300-page PDF (Helvetica text pages with a running header and footer, chapter headings in a
//    larger size, an outline), written by the small PDF writer below;
//  - a 10 MB Markdown file: headings, lists, tables, code, English and Chinese paragraphs, a notice
//    repeated in every chapter and a few near-copied paragraphs (what duplicate marking looks for).
// Then, in headless Chromium against the Vite dev server (COOP/COEP headers, so the page is
// cross-origin isolated), scripts/benchDocumentsPage.ts adds each file the way the app does
// (addInWorker: the real documents worker extracts it, chunks it with chunkDocument, duplicate and
// boilerplate marking included, and stores it in IndexedDB itself), and reports:
//  - extraction time, pages/s (PDF) or MB/s (Markdown), chunking time;
//  - peak memory: performance.measureUserAgentSpecificMemory() (live JS memory of the page and its
//    workers, sampled every 250 ms while the case runs) where the browser offers it, else the page's
//    JS heap (CDP Performance.getMetrics JSHeapUsedSize) — the JSON line says which. A worker busy
//    in one long synchronous step (chunkDocument) answers only after it, so that figure can miss
//    the step's own peak; the growth of the summed RSS of this browser's processes, sampled as
//    well, is the upper bound (garbage not yet collected and the renderer's copies of the file in);
//  - the longest main-thread task while the case runs (PerformanceObserver 'longtask') and the
//    number over 100 ms. Chunking runs on the main thread in this page (as a measure of its cost),
//    so it is reported as its own figure and kept out of the extraction's longest-task count.
// Env: BENCH_PDF_PAGES (default 300), BENCH_MD_MB (default 10), BENCH_KEEP=1 (keep the generated files).
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import chromiumCfg from '../chromium.json' with { type: 'json' };
import { chromiumRssMiB } from './benchPage.mjs';
import { mulberry32 } from '../src/lib/mulberry32.mjs';

const root = resolve(import.meta.dirname, '..');
const dir = join(tmpdir(), 'seedforge-bench-documents');

/** The project's seeded PRNG, so every run generates the same files. */
const rng = mulberry32;

// A made-up vocabulary: 4000 words from syllables, drawn with a Zipf-like skew (a few words often,
// most rarely), so chunks share common trigrams as real prose does without being copies.
const SYLLABLES = 'ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go ha he hi ho ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi zo tion ment ness able ing er or al ic ous ive'.split(' ');
const COMMON = 'the of and to in a is that for it as with was on be by this are or from at which an not but can have has all its will one more when their there other if these may each than into only also such time use data file page text'.split(' ');
// Chinese: common characters drawn one by one (a sentence of 8 to 30), with full-width punctuation.
const HAN = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';
const ZH_TOPICS = ['数据处理', '文档抽取', '质量控制', '隐私保护', '模型训练', '标签体系', '分块策略', '引用检查'];

function words(r, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.45) out.push(COMMON[Math.floor(r() * r() * COMMON.length)]);
    else {
      // Word k of the vocabulary, k skewed towards small values.
      const k = Math.floor(4000 * r() ** 2.2);
      let w = '';
      for (let s = 0, x = Math.imul(k + 1, 0x9e3779b1) >>> 0; s < 1 + (k % 3); s++, x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0) w += SYLLABLES[x % SYLLABLES.length];
      out.push(w);
    }
  }
  return out;
}
const sentenceEn = (r) => {
  const w = words(r, 8 + Math.floor(r() * 16));
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  if (r() < 0.3) w[Math.floor(w.length / 2)] += ',';
  return `${w.join(' ')}${r() < 0.9 ? '.' : r() < 0.5 ? '?' : '!'}`;
};
const sentenceZh = (r) => {
  const n = 8 + Math.floor(r() * 22);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += HAN[Math.floor(HAN.length * r() ** 1.6)];
    if (i > 3 && i < n - 3 && r() < 0.08) s += '，';
  }
  return s + (r() < 0.85 ? '。' : r() < 0.5 ? '？' : '！');
};
const paragraph = (r, zh) => Array.from({ length: 2 + Math.floor(r() * 6) }, () => (zh ? sentenceZh(r) : sentenceEn(r))).join(zh ? '' : ' ');

/** The 10 MB Markdown file: chapters of sections, each mostly paragraphs, some lists, tables and code. */
export function makeMarkdown(bytes, seed = 14) {
  const r = rng(seed);
  const parts = [];
  const kept = []; // paragraphs that a later section may copy nearly (one word changed)
  let size = 0;
  const push = (s) => {
    parts.push(s);
    size += Buffer.byteLength(s) + 2;
  };
  const notice = 'Notice: this manual is generated for the Seedforge documents benchmark. It may be copied and changed freely; it describes no real product.';
  for (let ch = 1; size < bytes; ch++) {
    const zhChapter = ch % 3 === 0;
    push(zhChapter ? `# 第${ch}章 ${ZH_TOPICS[ch % ZH_TOPICS.length]}` : `# Chapter ${ch}: ${words(r, 3).join(' ')}`);
    for (let sec = 1; sec <= 4 + Math.floor(r() * 5) && size < bytes; sec++) {
      push(`## ${ch}.${sec} ${zhChapter ? sentenceZh(r).slice(0, 8) : words(r, 4).join(' ')}`);
      for (let sub = 0; sub < 1 + Math.floor(r() * 3); sub++) {
        if (sub > 0) push(`### ${ch}.${sec}.${sub} ${words(r, 3).join(' ')}`);
        for (let k = 0; k < 2 + Math.floor(r() * 4); k++) {
          const zh = zhChapter ? r() < 0.8 : r() < 0.15;
          const p = paragraph(r, zh);
          push(p);
          if (r() < 0.05) kept.push(p);
        }
        const x = r();
        if (x < 0.25) push(Array.from({ length: 3 + Math.floor(r() * 6) }, (_, i) => (r() < 0.5 ? `${i + 1}. ` : '- ') + (zhChapter ? sentenceZh(r) : sentenceEn(r))).join('\n'));
        else if (x < 0.4) {
          const cols = 3 + Math.floor(r() * 3);
          const row = () => `| ${Array.from({ length: cols }, () => (r() < 0.3 ? String(Math.floor(r() * 1e4)) : words(r, 1 + Math.floor(r() * 3)).join(' '))).join(' | ')} |`;
          push([row(), `|${' --- |'.repeat(cols)}`, ...Array.from({ length: 3 + Math.floor(r() * 20) }, row)].join('\n'));
        } else if (x < 0.45) push(['```js', ...Array.from({ length: 3 + Math.floor(r() * 10) }, () => `const ${words(r, 1)[0]} = ${Math.floor(r() * 100)}; // ${words(r, 4).join(' ')}`), '```'].join('\n'));
        else if (x < 0.5 && kept.length) {
          // A near-copy of an earlier paragraph, under a heading of its own: one word swapped.
          const w = kept[Math.floor(r() * kept.length)].split(' ');
          w[Math.floor(r() * w.length)] = words(r, 1)[0];
          push(`### ${ch}.${sec}.${sub} ${words(r, 2).join(' ')} (again)`);
          push(w.join(' '));
        }
      }
    }
    push(zhChapter ? '### 说明' : '### Notice');
    push(notice);
  }
  return parts.join('\n\n') + '\n';
}

// ---- A small PDF writer: Helvetica text pages, an outline, an xref table. ----

const pdfString = (s) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** Wraps words into lines of at most `width` characters (Helvetica at 11 pt: about 90 per line). */
function wrap(text, width) {
  const lines = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** A `pages`-page PDF of English prose: a chapter every 10 pages (18 pt heading, in the outline), 11 pt body, a running header and footer. */
export function makePdf(pages, seed = 300) {
  const r = rng(seed);
  const chapters = [];
  const contents = [];
  for (let p = 1; p <= pages; p++) {
    const ops = ['BT /F1 9 Tf 72 800 Td (Seedforge benchmark manual) Tj ET'];
    let y = 760;
    if (p % 10 === 1) {
      const title = `Chapter ${chapters.length + 1}: ${words(r, 3).join(' ')}`;
      chapters.push({ title, page: p });
      ops.push(`BT /F2 18 Tf 72 ${y} Td ${pdfString(title)} Tj ET`);
      y -= 40;
    }
    while (y > 110) {
      const lines = wrap(paragraph(r, false), 92);
      if (y - lines.length * 14 < 90) break;
      ops.push(`BT /F1 11 Tf 14 TL 72 ${y} Td ${lines.map((l, i) => (i ? `T* ${pdfString(l)} Tj` : `${pdfString(l)} Tj`)).join(' ')} ET`);
      y -= lines.length * 14 + 10;
    }
    ops.push(`BT /F1 9 Tf 280 40 Td (Page ${p} of ${pages}) Tj ET`);
    contents.push(ops.join('\n'));
  }
  // Objects: 1 catalog, 2 info, 3 pages, 4 Helvetica, 5 Helvetica-Bold, 6 outlines, then per page
  // (page, content), then one outline item per chapter.
  const pageObj = (i) => 7 + i * 2;
  const itemObj = (c) => 7 + pages * 2 + c;
  const objs = [
    '<< /Type /Catalog /Pages 3 0 R /Outlines 6 0 R /PageMode /UseOutlines >>',
    '<< /Title (Seedforge benchmark manual) /Producer (scripts/bench-documents.mjs) >>',
    `<< /Type /Pages /Kids [${contents.map((_, i) => `${pageObj(i)} 0 R`).join(' ')}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Type /Outlines /First ${itemObj(0)} 0 R /Last ${itemObj(chapters.length - 1)} 0 R /Count ${chapters.length} >>`,
  ];
  contents.forEach((c, i) => {
    objs.push(`<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents ${pageObj(i) + 1} 0 R >>`);
    objs.push(`<< /Length ${Buffer.byteLength(c, 'latin1')} >>\nstream\n${c}\nendstream`);
  });
  chapters.forEach((c, k) => {
    const links = [k > 0 ? `/Prev ${itemObj(k - 1)} 0 R` : '', k < chapters.length - 1 ? `/Next ${itemObj(k + 1)} 0 R` : ''].join(' ');
    objs.push(`<< /Title ${pdfString(c.title)} /Parent 6 0 R ${links} /Dest [${pageObj(c.page - 1)} 0 R /XYZ 0 842 0] >>`);
  });
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets = objs.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R /Info 2 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---- The run. ----

mkdirSync(dir, { recursive: true });
const pdfPages = Number(process.env.BENCH_PDF_PAGES ?? 300);
const mdMb = Number(process.env.BENCH_MD_MB ?? 10);
const pdfPath = join(dir, `bench-${pdfPages}-pages.pdf`);
const mdPath = join(dir, `bench-${mdMb}-mb.md`);
writeFileSync(pdfPath, makePdf(pdfPages));
writeFileSync(mdPath, makeMarkdown(mdMb * 1e6));
console.log(`files: ${pdfPages}-page PDF = ${(statSync(pdfPath).size / 1e6).toFixed(1)} MB, Markdown = ${(statSync(mdPath).size / 1e6).toFixed(1)} MB (in ${dir})`);

// What a case costs the machine: this run's Chromium's RSS (benchPage.mjs chromiumRssMiB).
const tag = `--seedforge-bench-documents=${process.pid}`;
const server = await createServer({ root, logLevel: 'warn', server: { port: 5198, strictPort: false, fs: { allow: [root, dir] } } });
await server.listen();
const base = server.resolvedUrls.local[0];
// ForceEagerMeasureMemory: measureUserAgentSpecificMemory answers at once instead of at the next
// garbage collection (up to 20 s later), so the 250 ms samples are samples.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? chromiumCfg.path,
  args: [...chromiumCfg.args, '--enable-blink-features=ForceEagerMeasureMemory', tag],
  headless: true,
});

async function runCase(path, name) {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}scripts/bench-documents.html`);
    await page.waitForFunction(() => document.title === 'ready', null, { timeout: 300_000 });
    // The page's own JS heap over CDP as well (the fallback figure; it leaves out the worker).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    let heapPeak = 0;
    const sample = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      heapPeak = Math.max(heapPeak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
    };
    const rssBefore = chromiumRssMiB(tag);
    let rssPeak = rssBefore;
    const timer = setInterval(() => {
      sample().catch(() => {});
      rssPeak = Math.max(rssPeak, chromiumRssMiB(tag));
    }, 250);
    let watched;
    try {
      watched = await page.evaluate(([u, n]) => globalThis.runCase(u, n), [`/@fs${path}`, name]);
    } finally {
      clearInterval(timer);
    }
    const times = await page.evaluate(([u, n]) => globalThis.timeChunking(u, n), [`/@fs${path}`, name]);
    return { ...watched, ...times, pageHeapPeakBytes: heapPeak, rssGrowthMiB: rssPeak - rssBefore };
  } finally {
    await page.close();
  }
}

const rows = [];
for (const [label, path, name] of [
  [`PDF, ${pdfPages} pages`, pdfPath, 'bench.pdf'],
  [`Markdown, ${mdMb} MB`, mdPath, 'bench.md'],
]) {
  const r = await runCase(path, name);
  const mb = r.bytes / 1e6;
  const row = {
    case: label,
    MB: +mb.toFixed(2),
    pages: r.pages,
    blocks: r.blocks,
    chunks: r.chunks,
    excluded: r.excluded,
    extractSeconds: +(r.extractMs / 1000).toFixed(2),
    ...(r.pages ? { pagesPerSecond: +(r.pages / (r.extractMs / 1000)).toFixed(1) } : { mbPerSecond: +(mb / (r.extractMs / 1000)).toFixed(2) }),
    workerChunkSeconds: +(r.workerChunkMs / 1000).toFixed(2),
    chunkSeconds: +(r.chunkMs / 1000).toFixed(2),
    markingSeconds: +((r.chunkMs - r.chunkNoMarksMs) / 1000).toFixed(2),
    peakMiB: r.peakBytes === null ? null : +(r.peakBytes / 2 ** 20).toFixed(0),
    workerPeakMiB: r.workerPeakBytes === null ? null : +(r.workerPeakBytes / 2 ** 20).toFixed(0),
    memorySource: r.memorySource,
    pageHeapPeakMiB: +(r.pageHeapPeakBytes / 2 ** 20).toFixed(0),
    chromiumRssGrowthMiB: +r.rssGrowthMiB.toFixed(0),
    longestTaskMs: Math.round(r.longestTaskMs),
    longestTaskEndBeforeResultMs: r.longestTaskEndBeforeResultMs === null ? null : Math.round(r.longestTaskEndBeforeResultMs),
    tasksOver100ms: r.tasksOver100,
  };
  rows.push({ ...row, saveSeconds: +(r.saveMs / 1000).toFixed(2) });
  console.log(JSON.stringify(row));
}
await browser.close();
await server.close();
if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });

console.log('\n| case | extraction | rate | chunking in the worker | chunkDocument (of which duplicate marking) | chunks (excluded) | peak memory (of which the worker) | Chromium RSS growth | longest main-thread task (over 100 ms) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const excl = Object.entries(r.excluded).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  console.log(
    `| ${r.case} | ${r.extractSeconds} s | ${r.pagesPerSecond ? `${r.pagesPerSecond} pages/s` : `${r.mbPerSecond} MB/s`} | ${r.workerChunkSeconds} s | ${r.chunkSeconds} s (${r.markingSeconds} s) | ${r.chunks} (${excl}) | ${r.peakMiB ?? '–'} MiB (worker ${r.workerPeakMiB ?? '–'}) | ${r.chromiumRssGrowthMiB} MiB | ${r.longestTaskMs} ms (${r.tasksOver100ms}) |`,
  );
}
console.log(`\nPeak memory: ${rows[0]?.memorySource}, sampled every 250 ms; the page's own JS heap peaked at ${rows.map((r) => `${r.pageHeapPeakMiB} MiB`).join(' and ')} (CDP Performance.getMetrics); RSS growth: all of this browser's processes, from before the case to its peak.`);
console.log('Chunking in the worker includes the SHA-256 of the file and the stored draft; chunkDocument is timed again on the page, alone.');
console.log(`Stored by the worker (document, chunks and file in one IndexedDB transaction; only a summary comes back): ${rows.map((r) => `${r.case} ${r.saveSeconds} s`).join(', ')}.`);
