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

/**
 * The run's aggregate token rate: tokens of every call (prompt and completion, as the budget counts
 * them) per second of wall time over the last `windowMs`. Not the pipeline's `tokensPerSecond`,
 * which is one call's generation speed: at 256 calls in flight the endpoint does 256 times that.
 * Samples are kept at most every `everyMs`, so a run committing thousands of tasks a second keeps
 * a few dozen.
 */
export class TokenRate {
  #samples: { t: number; tokens: number }[] = [];
  constructor(
    readonly windowMs = 10_000,
    readonly everyMs = 200,
  ) {}

  /** Records the running total at `now` (ms) and returns the rate, null until the window spans `everyMs`. */
  add(tokens: number, now: number): number | null {
    const s = this.#samples;
    const last = s[s.length - 1];
    if (!last || now - last.t >= this.everyMs) s.push({ t: now, tokens });
    // Keep one sample at or before the window's start, so the rate covers the whole window.
    while (s.length > 2 && s[1]!.t <= now - this.windowMs) s.shift();
    const first = s[0]!;
    const span = now - first.t;
    return span >= this.everyMs ? ((tokens - first.tokens) * 1000) / span : null;
  }
}

/** A reporter in one of the manners. `out`/`err` default to the process's streams. */
export function createReporter(mode: OutputMode, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr, plainEveryMs = 2000, ttyEveryMs = 100): Reporter {
  if (mode === 'json') {
    // The lines of one turn of the event loop go out in one write, after its I/O callbacks
    // (setImmediate): a write per commit, one system call each on a pipe, took 6 % of the run's
    // CPU at 300 items/s, and a busy turn commits many tasks. Each line still goes out at once
    // (kill tests and scripts watch them); notes and the summary flush what waits first.
    let pending = '';
    let timer: ReturnType<typeof setImmediate> | null = null;
    const flush = () => {
      if (timer) clearImmediate(timer);
      timer = null;
      if (pending) out.write(pending);
      pending = '';
    };
    const queue = (o: unknown) => {
      pending += JSON.stringify(o) + '\n';
      timer ??= setImmediate(flush);
    };
    const line = (o: unknown) => {
      queue(o);
      flush();
    };
    let last = 0;
    let lastDone = -1;
    return {
      progress(v) {
        // Every change of `done` (a script may count commits), and otherwise at most 4 a second.
        const now = Date.now();
        if (v.counts.done === lastDone && now - last < 250) return;
        last = now;
        lastDone = v.counts.done;
        queue({ type: 'progress', run: v.runId, ...v.counts, tokensPerSecond: v.tokensPerSecond, etaSeconds: v.etaSeconds, spend: v.spend, tokens: v.tokens });
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
  let drawn = 0;
  let later: ReturnType<typeof setTimeout> | null = null;
  const draw = (v: ProgressView) => {
    drawn = Date.now();
    log(`run ${v.runId}  ${bar(v.counts)} ${progressLine(v)}\n  ${rateLine(v)}\n  Ctrl+C pauses (resume later); twice aborts at once`);
  };
  return {
    progress(v) {
      shown = v;
      // At most ~10 redraws a second: a redraw per commit cost the run a share of its one thread
      // at hundreds of items a second. The last view waits for the next slot, and is drawn then.
      const wait = ttyEveryMs - (Date.now() - drawn);
      if (wait <= 0) draw(v);
      else if (!later) {
        later = setTimeout(() => {
          later = null;
          if (shown) draw(shown);
        }, wait);
        later.unref();
      }
    },
    note(kind, text) {
      log.clear();
      err.write(`${kind}: ${text}\n`);
      if (shown) draw(shown);
    },
    finish(_summary, text) {
      if (later) clearTimeout(later);
      if (shown) log(`run ${shown.runId}  ${bar(shown.counts)} ${progressLine(shown)}\n  ${rateLine(shown)}`);
      log.done();
      out.write(text + '\n');
    },
  };
}

/**
 * Folds the pipeline's events into the reporter (spend and tokens come from the caller's budget;
 * tokens/s is their aggregate rate, TokenRate).
 */
export function onRunEvent(r: Reporter, runId: string, money: () => { spend: number | null; tokens: number }, rate = new TokenRate(), now = () => performance.now()): (e: RunEvent) => void {
  return (e) => {
    if (e.type === 'progress') {
      const m = money();
      r.progress({ runId, counts: e.counts, tokensPerSecond: rate.add(m.tokens, now()), etaSeconds: e.etaSeconds, ...m });
    }
    else if (e.type === 'taskFailed') r.note('taskFailed', `task ${e.task}: ${e.name}: ${e.message}`, { task: e.task, name: e.name });
    else if (e.type === 'skipped') r.note('skipped', `${e.op} step skipped: ${e.reason}`, { op: e.op });
  };
}
