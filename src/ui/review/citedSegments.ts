/** A piece of the grounding text as the drawer shows it: cited (highlighted) or not. */
export interface Segment {
  text: string;
  cited: boolean;
}

/**
 * Cuts a grounding text into plain and cited pieces. `offset` is where `text` starts in the
 * document; `cited` are `[start, end)` spans in the document's offsets (SampleSource.cited). Spans
 * are clipped to the text, sorted, and overlapping or touching ones merged; empty ones dropped.
 * Joined, the pieces are `text` exactly.
 */
export function citedSegments(text: string, offset: number, cited: readonly (readonly [number, number])[]): Segment[] {
  const spans = cited
    .map(([s, e]) => [Math.max(0, s - offset), Math.min(text.length, e - offset)] as [number, number])
    .filter(([s, e]) => s < e)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp[0] <= last[1]) last[1] = Math.max(last[1], sp[1]);
    else merged.push([...sp]);
  }
  const out: Segment[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    if (s > at) out.push({ text: text.slice(at, s), cited: false });
    out.push({ text: text.slice(s, e), cited: true });
    at = e;
  }
  if (at < text.length || !out.length) out.push({ text: text.slice(at), cited: false });
  return out;
}
