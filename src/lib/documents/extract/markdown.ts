import type { ExtractedDoc } from '../types';
import { baseName, firstHeading, markdownBlocks, normaliseText } from './blocks';
import { emptyDocument } from './errors';

/** Markdown: the text as written (line ends normalised), its structure as blocks. */
export function extractMarkdown(raw: string, fileName: string): ExtractedDoc {
  const text = normaliseText(raw.replace(/^---\n[\s\S]*?\n---\n/, '')); // YAML front matter is metadata, not content
  if (!text.trim()) throw emptyDocument(fileName);
  const blocks = markdownBlocks(text);
  return { title: firstHeading(blocks) ?? baseName(fileName), text, blocks };
}
