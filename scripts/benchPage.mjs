import { readdirSync, readFileSync } from 'node:fs';
// What the page benchmarks (bench-import, bench-review) measure the same way.

/** Records the longest main-thread task (PerformanceObserver 'longtask') of every page of the context. */
export async function watchLongTasks(page) {
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The longest main-thread task since the last call, in ms (and starts counting again). */
export function longest(page) {
  return page.evaluate(() => {
    const v = window.__longest;
    window.__longest = 0;
    return v;
  });
}

/** Scrolls a list from top to bottom in 40 steps, one per animation frame, and times the frames. */
export function scrollFrames(page, listSelector, rowSelector) {
  return page.evaluate(
    async ({ listSelector, rowSelector }) => {
      const list = document.querySelector(listSelector);
      const times = [];
      let last = performance.now();
      for (let k = 1; k <= 40; k++) {
        list.scrollTop = (list.scrollHeight * k) / 40;
        await new Promise((r) => requestAnimationFrame(() => r()));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return { max: Math.max(...times), mean: times.reduce((a, b) => a + b, 0) / times.length, rows: document.querySelectorAll(rowSelector).length };
    },
    { listSelector, rowSelector },
  );
}

/**
 * The summed RSS (MiB) of one Chromium's processes: the tree under the browser launched with the
 * `tag` argument. Other Chromiums on the machine (e2e tests, another benchmark) are left out; the
 * browser's workers, renderers and not-yet-collected garbage are counted.
 */
export function chromiumRssMiB(tag) {
  const list = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      list.push({ pid: Number(pid), ppid, kb: m ? Number(m[1]) : 0, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch {
      // The process ended meanwhile.
    }
  }
  const mine = new Set(list.filter((p) => p.cmd.includes(tag)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of list) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
  }
  return list.filter((p) => mine.has(p.pid)).reduce((n, p) => n + p.kb, 0) / 1024;
}
