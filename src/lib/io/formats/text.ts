import { lineCharIssue, type Line } from '../decode';
import type { ParseEvent } from '../types';

export type TextMode = 'lines' | 'blocks';

/** Chooses between one-item-per-line and blank-line-separated blocks from the file's head. */
export function guessTextMode(head: string): TextMode {
  const blocks = head.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/);
  return blocks.length > 1 && blocks.some((b) => b.trim().includes('\n')) ? 'blocks' : 'lines';
}

/** Plain text: each non-empty line, or each block of lines, becomes `{ text }`. */
export async function* parseText(lines: AsyncIterable<Line>, mode: TextMode): AsyncGenerator<ParseEvent> {
  let block: string[] = [];
  let blockLine = 0;
  let blockBad: ReturnType<typeof lineCharIssue> = null;
  for await (const { line, text } of lines) {
    const bad = lineCharIssue(text);
    if (mode === 'lines') {
      if (!text.trim()) continue;
      yield bad ? { kind: 'issue', line, code: bad } : { kind: 'row', line, record: { text: text.trim() } };
      continue;
    }
    if (!text.trim()) {
      if (block.length) yield blockEvent(block, blockLine, blockBad);
      block = [];
      blockBad = null;
      continue;
    }
    if (!block.length) blockLine = line;
    blockBad ??= bad;
    block.push(text);
  }
  if (block.length) yield blockEvent(block, blockLine, blockBad);
}

function blockEvent(block: string[], line: number, bad: ReturnType<typeof lineCharIssue>): ParseEvent {
  return bad ? { kind: 'issue', line, code: bad } : { kind: 'row', line, record: { text: block.join('\n').trim() } };
}
