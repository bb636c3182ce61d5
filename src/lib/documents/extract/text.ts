import type { DocBlock, ExtractedDoc } from '../types';
import { baseName, normaliseText } from './blocks';
import { emptyDocument } from './errors';

/** Plain text: paragraphs are runs of lines between blank lines; no other structure is guessed. */
export function extractText(raw: string, fileName: string): ExtractedDoc {
  const text = normaliseText(raw);
  if (!text.trim()) throw emptyDocument(fileName);
  const blocks: DocBlock[] = [];
  const re = /\S[^\n]*(?:\n[ \t]*\S[^\n]*)*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) blocks.push({ kind: 'paragraph', start: m.index, end: m.index + m[0].length });
  return { title: baseName(fileName), text, blocks };
}
