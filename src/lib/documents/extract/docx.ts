import mammoth from 'mammoth';
import type { ExtractedDoc } from '../types';
import { baseName } from './blocks';
import { damaged, emptyDocument, notDocx } from './errors';
import { htmlToMarkdown } from './html';
import { extractMarkdown } from './markdown';

const ZIP = [0x50, 0x4b, 0x03, 0x04];

/**
 * DOCX → HTML (mammoth: headings from Word's heading styles, lists, tables) → Markdown → blocks.
 * Images are left out (mammoth would inline them as data: URLs).
 */
export async function extractDocx(bytes: ArrayBuffer, fileName: string): Promise<ExtractedDoc> {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  if (!ZIP.every((b, i) => head[i] === b)) throw notDocx(fileName, 'it is not a ZIP package as every .docx is');
  let html: string;
  try {
    const result = await mammoth.convertToHtml({ arrayBuffer: bytes }, { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) });
    html = result.value;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/word\/document\.xml|find file|main document part/i.test(msg)) throw notDocx(fileName, 'the ZIP has no word/document.xml');
    throw damaged(fileName, msg, e);
  }
  const md = htmlToMarkdown(html);
  if (!md.trim()) throw emptyDocument(fileName);
  const doc = extractMarkdown(md, fileName);
  return { ...doc, title: doc.title || baseName(fileName) };
}
