import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, openApp, pageErrors, readStore } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

const TOPICS = ['kidney dialysis schedules', 'tenancy deposit disputes', 'bond ladder maturities', 'sepsis triage', 'patent claim drafting', 'currency hedging', 'insulin dosing', 'contract termination clauses', 'tax loss harvesting', 'asthma inhalers', 'GDPR consent records', 'pension drawdown'];
const ASKS = ['Explain', 'Summarise the risks of', 'Write a checklist for', 'Compare two approaches to', 'Draft a patient-friendly note on'];
const OPS = ['evol:deepen', 'evol:concretize', 'evol:breadth'];

/** 300 samples over 4 rounds, scores 1–5, plus one lineage chain: seed → round 1 → round 2 (revised). */
function fixture() {
  const rows = Array.from({ length: 300 }, (_, i) => {
    const round = i % 4;
    const topic = TOPICS[i % TOPICS.length]!;
    const ask = ASKS[Math.floor(i / TOPICS.length) % ASKS.length]!;
    return {
      id: `fx:${String(i).padStart(3, '0')}`, runId: 'fx', seedId: `seed${i % 6}`, parentId: null,
      operation: round === 0 ? 'selfInstruct' : OPS[i % 3]!, round, persona: i % 3 === 0 ? 'a night-shift nurse' : null,
      instruction: `${ask} ${topic}${round > 1 ? `, with ${round} concrete constraints` : ''} (case ${i}).`, input: '',
      output: `A careful answer about ${topic}. `.repeat(1 + (i % 7)),
      status: i % 10 === 5 ? 'rejected' : 'accepted', rejectReason: i % 10 === 5 ? 'judge:lowScore' : null,
      score: (i % 5) + 1, duplicateOf: null,
      lineage: { calls: [{ op: 'evolve', role: 'generator', engine: 'wllama', model: i % 2 ? 'qwen2.5-1.5b' : 'llama-3.2-1b', template: 'evol.deepen', templateVersion: 1, raw: '', promptTokens: 10, completionTokens: 20, ms: 100, retries: 0 }] },
      createdAt: 1000 + i, updatedAt: 1000 + i,
    };
  });
  const chain = [
    { id: 'fx:chain-a', parentId: null, round: 1, operation: 'evol:constraints', instruction: 'Write a poem about spring in exactly four lines.', output: 'Buds wake.', lineage: {} },
    {
      id: 'fx:chain-b', parentId: 'fx:chain-a', round: 2, operation: 'evol:reasoning', instruction: 'Write a poem about spring in exactly four lines, rhyming ABAB.', output: 'Buds wake, the rain sings low; birds return and rivers flow.',
      lineage: { revisedFrom: { output: 'Buds wake.', critique: 'Too short: it has one line, not four.' }, verdict: { score: 4, reason: 'follows the form' } },
    },
  ].map((c, k) => ({ ...c, runId: 'fx', seedId: 'seedChain', persona: null, input: '', status: 'accepted', rejectReason: null, score: 4, duplicateOf: null, createdAt: 5000 + k, updatedAt: 5000 + k }));
  return { rows: [...rows, ...chain], seeds: [{ id: 'seedChain', instruction: 'Write a poem about spring.', input: '', output: '' }] };
}

type Row = { id: string; status: string; rejectReason: string | null; output: string; score: number; lineage: { human?: { kind: string; before?: { output: string } }[] } };

const readSamples = (page: Page) => readStore<Row>(page, 'samples');

async function shownCount(page: Page): Promise<number> {
  const t = (await page.textContent('[data-testid="review-count"]'))!;
  return Number(/([\d,]+) of/.exec(t)![1]!.replace(/,/g, ''));
}

describe('the Review screen in the built app', () => {
  it('filters, bulk-rejects by filter, undoes, curates by keyboard, edits with lineage, and draws the charts', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    let page = await openApp(context, '#/review');
    const { rows, seeds } = fixture();
    await page.evaluate(async ({ rows, seeds }) => {
      const db: IDBDatabase = await new Promise((res, rej) => {
        const r = indexedDB.open('seedforge');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const projectId: string = await new Promise((res) => {
        const q = db.transaction('projects').objectStore('projects').getAll();
        q.onsuccess = () => res((q.result[0] as { id: string }).id);
      });
      const tx = db.transaction(['samples', 'runSeeds'], 'readwrite');
      for (const r of rows) tx.objectStore('samples').add({ ...r, projectId });
      tx.objectStore('runSeeds').add({ runId: 'fx', seeds });
      await new Promise((res) => (tx.oncomplete = res));
      db.close();
    }, { rows, seeds });
    await page.reload();
    await page.waitForSelector('[data-testid="sample-row"]');
    expect(await shownCount(page)).toBe(302);

    // Filter: score ≤ 2 → 120 of the 300 (scores cycle 1..5), none of the chain (score 4).
    await page.fill('[data-testid="filter-score-max"]', '2');
    await page.waitForFunction(() => /^120 of/.test(document.querySelector('[data-testid="review-count"]')!.textContent!.trim()));
    const before = await readSamples(page);
    const low = before.filter((r) => r.score <= 2);
    const lowAccepted = low.filter((r) => r.status === 'accepted').length;
    expect(lowAccepted).toBe(90); // 30 of the 120 were already rejected by the judge

    // Bulk: reject all shown. The judge's own rejections keep their reason.
    await page.click('[data-testid="bulk-reject"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="review-undo"]')?.textContent?.includes(`rejected ${n}`), lowAccepted);
    let after = await readSamples(page);
    const byId = new Map(after.map((r) => [r.id, r]));
    for (const r of low) {
      const now = byId.get(r.id)!;
      expect(now.status).toBe('rejected');
      expect(now.rejectReason).toBe(r.status === 'rejected' ? r.rejectReason : 'human:rejected');
      if (r.status === 'accepted') expect(now.lineage.human?.at(-1)?.kind).toBe('reject');
    }
    expect(after.filter((r) => r.score > 2).map((r) => r.status)).toEqual(before.filter((r) => r.score > 2).map((r) => r.status));

    // Undo puts back exactly what was there.
    await page.click('[data-testid="review-undo"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="review-undo"]')?.hasAttribute('disabled'));
    after = await readSamples(page);
    expect(after.map((r) => [r.id, r.status, r.rejectReason, JSON.stringify(r.lineage)])).toEqual(before.map((r) => [r.id, r.status, r.rejectReason, JSON.stringify(r.lineage)]));

    // Keyboard: clear the filter, move down twice (j j), reject (r), move up (k), accept is a no-op on an accepted one.
    await page.click('[data-testid="filter-reset"]');
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('r');
    await page.waitForFunction(() => document.querySelector('.sample-row.cursor')?.getAttribute('data-status') === 'rejected');
    // The third row by creation time is fx:002 (accepted).
    expect((await readSamples(page)).find((r) => r.id === 'fx:002')!.status).toBe('rejected');
    await page.keyboard.press('u');
    await page.waitForFunction(() => document.querySelector('.sample-row.cursor')?.getAttribute('data-status') === 'accepted');
    expect(await page.textContent('[data-testid="shortcuts"]')).toMatch(/j .* next.*a accept.*r reject.*e edit/);

    // The lineage drawer of the chain's last sample: seed → round 1 → round 2, each change highlighted.
    await page.fill('[data-testid="review-search"]', 'rhyming abab');
    await page.waitForFunction(() => /^1 of/.test(document.querySelector('[data-testid="review-count"]')!.textContent!.trim()));
    await page.click('[data-testid="sample-open"]');
    await page.waitForSelector('[data-testid="sample-drawer"]');
    expect(await page.locator('[data-testid="lineage-step"]').count()).toBe(3);
    const ins = await page.locator('[data-testid="lineage"] ins').allTextContents();
    expect(ins).toEqual([' in exactly four lines', ', rhyming ABAB']);
    expect(await page.textContent('[data-testid="drawer-critique"]')).toContain('Too short');
    await page.screenshot({ path: `${(mkdirSync(SHOTS, { recursive: true }), SHOTS)}review-drawer.png` });

    // Edit: recorded as a human revision, the model's text kept in the lineage.
    await page.click('[data-testid="drawer-edit"]');
    await page.fill('[data-testid="edit-output"]', 'An edited four-line poem.');
    await page.click('[data-testid="edit-save"]');
    await page.waitForSelector('[data-testid="drawer-human"]');
    const edited = (await readSamples(page)).find((r) => r.id === 'fx:chain-b')!;
    expect(edited.output).toBe('An edited four-line poem.');
    expect(edited.lineage.human?.at(-1)).toMatchObject({ kind: 'edit', before: { output: 'Buds wake, the rain sings low; birds return and rivers flow.' } });
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="sample-drawer"]', { state: 'detached' });
    await page.fill('[data-testid="review-search"]', '');

    // The edit and the curation survive a reload.
    page = await openApp(context, '#/review');
    await page.waitForSelector('[data-testid="sample-row"]');
    expect(await shownCount(page)).toBe(302);

    // Charts: drawn from the same rows; diversity has one row per round (0–4? rounds 0..3 plus the chain's 1 and 2).
    await page.click('[data-testid="tab-charts"]');
    for (const c of ['scores', 'instruction-length', 'response-length', 'operations', 'personas', 'diversity']) {
      await page.waitForSelector(`[data-testid="chart-${c}"][data-drawn="true"]`);
    }
    expect(await page.locator('[data-testid="diversity-row"]').count()).toBe(4);
    await page.click('[data-testid="charts-compute"]');
    await page.waitForSelector('[data-testid="chart-map"][data-drawn="true"], [data-testid="charts-panel"] [data-testid="engine-error"]', { timeout: 240_000 });
    if (await page.locator('[data-testid="charts-panel"] [data-testid="engine-error"]').count()) throw new Error(String(await page.textContent('[data-testid="charts-panel"] [data-testid="engine-error"]')));
    await page.waitForSelector('[data-testid="chart-similarity"][data-drawn="true"]');
    // Each round now also has its mean similarity and cluster count.
    const cells = await page.locator('[data-testid="diversity-row"] td:nth-child(5)').allTextContents();
    expect(cells.every((c) => /^0\.\d{3}/.test(c))).toBe(true);
    await page.locator('.chart-grid').first().screenshot({ path: `${SHOTS}review-charts.png` });
    await page.locator('[data-testid="diversity-table"]').screenshot({ path: `${SHOTS}review-diversity-table.png` });
    await page.locator('[data-testid="chart-map"]').screenshot({ path: `${SHOTS}review-map.png` });
    await page.locator('[data-testid="chart-similarity"]').screenshot({ path: `${SHOTS}review-similarity.png` });

    // Clicking a point of the map opens its sample: find a drawn point's pixel, click it.
    const spot = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="chart-map"] canvas') as HTMLCanvasElement;
      canvas.scrollIntoView({ block: 'center' });
      const ctx = canvas.getContext('2d')!;
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const r = canvas.getBoundingClientRect();
      // The palette's first colour (#1f6f5c), away from the legend at the top.
      for (let y = Math.floor(height * 0.2); y < height; y++) {
        for (let x = 0; x < width; x++) {
          const k = (y * width + x) * 4;
          if (Math.abs(data[k]! - 31) < 4 && Math.abs(data[k + 1]! - 111) < 4 && Math.abs(data[k + 2]! - 92) < 4 && data[k + 3]! > 250) {
            return { x: r.left + (x / width) * r.width, y: r.top + (y / height) * r.height };
          }
        }
      }
      return null;
    });
    expect(spot).not.toBeNull();
    await page.mouse.click(spot!.x + 1, spot!.y + 1);
    await page.waitForSelector('[data-testid="sample-drawer"]');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  }, 400_000);
});
