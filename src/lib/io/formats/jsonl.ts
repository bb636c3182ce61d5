import { lineCharIssue, type Line } from '../decode';
import type { ParseEvent } from '../types';
import { recordOrIssue } from './json';

/** JSON Lines: one object per line; a bad line spoils only itself. Blank lines are skipped. */
export async function* parseJsonl(lines: AsyncIterable<Line>): AsyncGenerator<ParseEvent> {
  for await (const { line, text } of lines) {
    if (!text.trim()) continue;
    const bad = lineCharIssue(text);
    if (bad) {
      yield { kind: 'issue', line, code: bad };
      continue;
    }
    yield recordOrIssue(text, line);
  }
}
