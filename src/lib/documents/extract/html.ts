import { NodeHtmlMarkdown } from 'node-html-markdown';
import type { ExtractedDoc } from '../types';
import { baseName } from './blocks';
import { emptyDocument } from './errors';
import { extractMarkdown } from './markdown';

/**
 * HTML → Markdown in the worker. DOMPurify and turndown both need a DOM, which a worker does not
 * have; node-html-markdown parses with node-html-parser (plain JavaScript, no DOM) and writes
 * GitHub-flavoured Markdown (headings, lists, tables). Sanitising here means keeping only text
 * and structure: scripts, styles, frames, embedded objects, forms' controls and inline images
 * are dropped before conversion, and links other than http(s)/mailto lose their target. The
 * Markdown is shown through the app's own renderer (marked + DOMPurify) as every other text is.
 */
const IGNORE = ['script', 'style', 'noscript', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math', 'canvas', 'video', 'audio', 'head', 'title', 'meta', 'link', 'base', 'select', 'button', 'input', 'textarea', 'nav'];

let converter: NodeHtmlMarkdown | null = null;

// node-html-markdown reads process.env.LOG_PERF on every call (a Node habit); a worker has no
// `process`. An empty one in this worker only: it is not Node's (pdf.js tells Node apart by
// `String(process) === '[object process]'`, which this object is not).
(globalThis as { process?: { env: Record<string, string | undefined> } }).process ??= { env: {} };

export function htmlToMarkdown(html: string): string {
  converter ??= new NodeHtmlMarkdown({ ignore: IGNORE, keepDataImages: false, bulletMarker: '-', useInlineLinks: true, maxConsecutiveNewlines: 2 });
  const md = converter.translate(html);
  return md
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, (_, alt: string) => alt) // images: their alt text only
    .replace(/\[([^\]]*)\]\((?!https?:|mailto:)[^)]*\)/gi, (_, t: string) => t); // javascript:, data:, relative links: text only
}

export function extractHtml(html: string, fileName: string): ExtractedDoc {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
  const md = htmlToMarkdown(html);
  if (!md.trim()) throw emptyDocument(fileName);
  const doc = extractMarkdown(md, fileName);
  return { ...doc, title: title || (doc.title !== baseName(fileName) ? doc.title : baseName(fileName)) };
}
