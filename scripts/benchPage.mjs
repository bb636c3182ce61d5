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
