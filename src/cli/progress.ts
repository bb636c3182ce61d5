import { createLogUpdate } from 'log-update';
import type { RunCounts, RunEvent } from '../lib/pipeline/types';

/**
 * What a run shows while it runs, in three manners: a live block redrawn in place by log-update
 * when stdout is a terminal; plain lines (at most one every few seconds, and the last) when it is
 * a pipe or a file; one JSON object per line with `--json`, for scripts. All three read the same
 * view of the pipeline's progress events.
 */

export type OutputMode = 'tty' | 'plain' | 'json';

/** The run's progress as shown: the pipeline's counts plus what the budget knows of spend. */
export interface ProgressView {
  runId: string;
  counts: RunCounts;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  /** Spend so far in the endpoints' currency; null when the endpoints have no prices. */
  spend: number | null;
  /** Tokens used so far (every call counted, also those of tasks not committed). */
  tokens: number;
}

export interface Reporter {
  progress(v: ProgressView): void;
  /** A line that stays (a failed task, a note): on stderr, or a JSON event. */
  note(kind: string, text: string, extra?: Record<string, unknown>): void;
  /** The final summary: the last progress block is kept, then the summary. */
  finish(summary: Record<string, unknown>, text: string): void;
}

/** Picks the manner: `--json`, else a live block on a terminal, else plain lines. */
export function outputMode(json: boolean, stdout: { isTTY?: boolean } = process.stdout): OutputMode {
  return json ? 'json' : stdout.isTTY ? 'tty' : 'plain';
}

const pct = (c: RunCounts) => (c.total > 0 ? Math.floor((c.done * 100) / c.total) : 100);

/** 75 → "1m 15s"; null → "–". */
export function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${t % 60}s` : `${t}s`;
}

/** Rejections by reason, most frequent first: "lowScore 3, error:TimeoutError 1". */
export function reasons(c: RunCounts): string {
  return Object.entries(c.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
}

/** The progress as one line of text (plain output, and the live block's first line). */
export function progressLine(v: ProgressView): string {
  const c = v.counts;
  const parts = [`${c.done}/${c.total} (${pct(c)}%)`, `accepted ${c.accepted}`, `rejected ${c.rejected}${c.rejected ? ` (${reasons(c)})` : ''}`];
  return parts.join(' · ');
}

function rateLine(v: ProgressView): string {
  const parts = [`${v.tokensPerSecond === null ? '–' : v.tokensPerSecond.toFixed(1)} tokens/s`, `${v.tokens.toLocaleString('en-US')} tokens`];
  if (v.spend !== null) parts.push(`spent ${v.spend.toFixed(4)}`);
  parts.push(`ETA ${duration(v.etaSeconds)}`);
  return parts.join(' · ');
}

function bar(c: RunCounts, width = 24): string {
  const filled = c.total > 0 ? Math.round((c.done / c.total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** A reporter in one of the manners. `out`/`err` default to the process's streams. */
export function createReporter(mode: OutputMode, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr, plainEveryMs = 2000): Reporter {
  if (mode === 'json') {
    const line = (o: unknown) => out.write(JSON.stringify(o) + '\n');
    let last = 0;
    let lastDone = -1;
    return {
      progress(v) {
        // Every change of `done` (a script may count commits), and otherwise at most 4 a second.
        const now = Date.now();
        if (v.counts.done === lastDone && now - last < 250) return;
        last = now;
        lastDone = v.counts.done;
        line({ type: 'progress', run: v.runId, ...v.counts, tokensPerSecond: v.tokensPerSecond, etaSeconds: v.etaSeconds, spend: v.spend, tokens: v.tokens });
      },
      note: (kind, text, extra) => line({ type: kind, message: text, ...extra }),
      finish: (summary) => line({ type: 'summary', ...summary }),
    };
  }
  if (mode === 'plain') {
    let last = 0;
    let pending: ProgressView | null = null;
    const flush = () => {
      if (pending) out.write(`${progressLine(pending)} · ${rateLine(pending)}\n`);
      pending = null;
    };
    return {
      progress(v) {
        pending = v;
        const now = Date.now();
        if (now - last >= plainEveryMs || v.counts.done === v.counts.total) {
          last = now;
          flush();
        }
      },
      note: (kind, text) => err.write(`${kind}: ${text}\n`),
      finish(_summary, text) {
        flush();
        out.write(text + '\n');
      },
    };
  }
  const log = createLogUpdate(out as NodeJS.WriteStream, { showCursor: true });
  let shown: ProgressView | null = null;
  const draw = (v: ProgressView) => log(`run ${v.runId}  ${bar(v.counts)} ${progressLine(v)}\n  ${rateLine(v)}\n  Ctrl+C pauses (resume later); twice aborts at once`);
  return {
    progress(v) {
      shown = v;
      draw(v);
    },
    note(kind, text) {
      log.clear();
      err.write(`${kind}: ${text}\n`);
      if (shown) draw(shown);
    },
    finish(_summary, text) {
      if (shown) log(`run ${shown.runId}  ${bar(shown.counts)} ${progressLine(shown)}\n  ${rateLine(shown)}`);
      log.done();
      out.write(text + '\n');
    },
  };
}

/** Folds the pipeline's events into the reporter (spend and tokens come from the caller's budget). */
export function onRunEvent(r: Reporter, runId: string, money: () => { spend: number | null; tokens: number }): (e: RunEvent) => void {
  return (e) => {
    if (e.type === 'progress') r.progress({ runId, counts: e.counts, tokensPerSecond: e.tokensPerSecond, etaSeconds: e.etaSeconds, ...money() });
    else if (e.type === 'taskFailed') r.note('taskFailed', `task ${e.task}: ${e.name}: ${e.message}`, { task: e.task, name: e.name });
  };
}
