import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startFakeLlm } from '../../scripts/fakeLlm.mjs';
import type { PreferencePair } from '../../src/lib/preference/types';
import { axeViolations } from './axe';
import { addEndpoint, baseUrl, confirmImport, dropFiles, launch, openApp, pageErrors, putProjectRows, readStore, waitForReview } from './helpers';

let browser: Browser;
let fake: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  [browser, fake] = await Promise.all([launch(), startFakeLlm({ cors: true, key: 'sk-pairs-test' })]);
});
afterAll(async () => {
  await browser?.close();
  await fake?.close();
});

/** One instruction carries markup: the Pairs tab must show it as text. */
const SEEDS = ['Explain <b>tides</b> to a child.', 'Explain why the sky is blue.', 'Give three tips for a garden.', 'Describe how a river forms.'];

describe('preference pairs from the Review tab', () => {
  it('a best-of-N run on the fake endpoint → Review → Pairs: build, decide by keyboard, export TRL with only the accepted pair', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const page = await openApp(context, '#/seeds');
    await dropFiles(page, [{ name: 'seeds.jsonl', bytes: new TextEncoder().encode(SEEDS.map((i) => JSON.stringify({ instruction: i, output: 'A seed answer.' })).join('\n')) }]);
    await waitForReview(page);
    await confirmImport(page);

    // Every role on the fake server: answers differ per call (its sampling seed), verdicts score 3–5.
    await page.goto(baseUrl() + '#/models');
    await addEndpoint(page, { name: 'Fake', url: fake.url, key: 'sk-pairs-test', model: 'fake-model', roles: true });
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-bestOfN"]');
    await page.goto(baseUrl() + '#/run');
    await page.click('[data-testid="run-start"]');
    const item = page.locator('[data-testid="run-item"]:is([data-status="done"], [data-status="paused"], [data-status="failed"])');
    await item.waitFor({ timeout: 120_000 });
    expect(await item.getAttribute('data-status'), (await item.textContent()) ?? '').toBe('done');
    // Best of 4 on each seed: 4 answers and 4 verdicts per seed.
    expect(fake.stats().completed).toBe(SEEDS.length * 8);

    await page.goto(baseUrl() + '#/review');
    await page.click('[data-testid="tab-pairs"]');
    await page.waitForSelector('[data-testid="pairs-empty"]');
    await page.click('[data-testid="pairs-build"]');
    await expect.poll(() => page.textContent('[data-testid="pairs-status"]')).toMatch(/^\s*Built \d+ pairs/);

    // What the builder stored is what the tab lists: every pair best-vs-worst of one best-of-4 group.
    const stored = await readStore<PreferencePair>(page, 'pairs');
    const samples = await readStore<{ id: string; status: string; score: number | null; output: string }>(page, 'samples');
    const byId = new Map(samples.map((s) => [s.id, s]));
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(stored.length).toBeLessThanOrEqual(SEEDS.length);
    const rows = page.locator('[data-testid="pair"]');
    await expect.poll(() => rows.count()).toBe(stored.length);
    expect(Number(await page.getAttribute('[data-testid="pairs-counts"]', 'data-total'))).toBe(stored.length);
    for (const p of stored) {
      expect(p.source).toBe('bestOfN');
      expect(p.status).toBe('accepted');
      expect(p.chosen.sampleId).not.toBe(p.rejected.sampleId);
      const chosen = byId.get(p.chosen.sampleId!)!;
      const rejected = byId.get(p.rejected.sampleId!)!;
      expect(chosen.status).toBe('accepted');
      expect(rejected.status).toBe('rejected');
      expect(p.chosen.text).toBe(chosen.output);
      expect(p.rejected.text).toBe(rejected.output);
      expect(p.gap).toBe(chosen.score! - rejected.score!);
      expect(p.gap).toBeGreaterThan(0);
      const row = page.locator(`[data-testid="pair"][data-id="${p.id}"]`);
      expect(await row.locator('[data-testid="pair-chosen"]').textContent()).toBe(p.chosen.text);
      expect(await row.locator('[data-testid="pair-rejected"]').textContent()).toBe(p.rejected.text);
      expect(await row.locator('[data-testid="pair-gap"]').textContent()).toBe(`gap ${p.gap}`);
      expect(await row.locator('[data-testid="pair-reason"]').textContent()).toBe(p.reason);
    }
    // Prompts and answers are text on the screen: markup in a seed never becomes an element.
    for (const p of stored) expect(await page.locator(`[data-testid="pair"][data-id="${p.id}"] [data-testid="pair-prompt"]`).textContent()).toBe(p.prompt.instruction);
    expect(await page.locator('[data-testid="pairs-panel"] b').count()).toBe(0);

    // Reject the page, then accept the first pair from the keyboard (Tab to its button, Enter).
    await page.click('[data-testid="pairs-reject-shown"]');
    await expect.poll(() => page.getAttribute('[data-testid="pairs-counts"]', 'data-rejected')).toBe(String(stored.length));
    const first = rows.first();
    const firstId = (await first.getAttribute('data-id'))!;
    await first.locator('[data-testid="pair-accept"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => first.getAttribute('data-status')).toBe('accepted');
    expect(await page.getAttribute('[data-testid="pairs-counts"]', 'data-accepted')).toBe('1');
    const decided = await readStore<PreferencePair>(page, 'pairs');
    expect(decided.filter((p) => p.status === 'accepted').map((p) => p.id)).toEqual([firstId]);
    // Building again keeps the decisions.
    await page.click('[data-testid="pairs-build"]');
    await expect.poll(() => page.textContent('[data-testid="pairs-status"]')).toMatch(/^\s*Built \d+ pairs/);
    expect((await readStore<PreferencePair>(page, 'pairs')).filter((p) => p.status === 'accepted').map((p) => p.id)).toEqual([firstId]);

    expect(await axeViolations(page, '[data-testid="pairs-panel"]')).toEqual([]);
    await page.selectOption('[data-testid="locale-select"]', 'zh');
    await expect.poll(() => page.textContent('[data-testid="tab-pairs"]')).toBe('偏好对');
    expect(await page.textContent('[data-testid="pairs-build"]')).toBe('构建偏好对');
    await page.selectOption('[data-testid="locale-select"]', 'en');

    // Export: TRL's standard preference form, the accepted pair only.
    await page.goto(baseUrl() + '#/export');
    await page.waitForSelector('[data-testid="pairs-export-counts"]');
    expect(await page.textContent('[data-testid="pairs-export-counts"]')).toBe('1 accepted, 0 pending');
    await page.selectOption('[data-testid="pairs-export-format"]', 'trl-jsonl');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="pairs-export-run"]')]);
    expect(dl.suggestedFilename()).toMatch(/\.trl\.jsonl$/);
    expect(await page.textContent('[data-testid="pairs-export-status"]')).toMatch(/Wrote 1 pairs \(1 records\)/);
    expect(await axeViolations(page, '[data-testid="pairs-export"]')).toEqual([]);
    const lines = readFileSync((await dl.path())!, 'utf8').split('\n').filter(Boolean);
    const pair = decided.find((p) => p.id === firstId)!;
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(Object.keys(rec).sort()).toEqual(['chosen', 'prompt', 'rejected']);
    expect(rec).toEqual({ prompt: pair.prompt.instruction, chosen: pair.chosen.text, rejected: pair.rejected.text });
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('pages through 45 stored pairs (20 a page), filters by status, and shows markup in answers as text', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context, '#/review');
    const side = (text: string, score: number) => ({ text, score, sampleId: null });
    const rows = Array.from({ length: 45 }, (_, i) => ({
      id: `bestOfN:fx${String(i).padStart(2, '0')}`, runId: 'fx', sampleId: `fx${i}`, source: 'bestOfN',
      prompt: { system: '', instruction: `Question ${i}`, input: '' },
      chosen: side(i === 0 ? '<img src=x onerror="window.__xss=1">Good' : `Good answer ${i}`, 5), rejected: side(`Weak answer ${i}`, 2),
      gap: 3, reason: 'best of 2: score 5 against 2', status: i % 3 === 0 ? 'rejected' : 'accepted', createdAt: i, updatedAt: i,
    }));
    await putProjectRows(page, { pairs: rows });
    await page.click('[data-testid="tab-pairs"]');
    await expect.poll(() => page.getAttribute('[data-testid="pairs-counts"]', 'data-total')).toBe('45');
    const ids = () => page.locator('[data-testid="pair"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(await ids()).toEqual(rows.slice(0, 20).map((r) => r.id));
    expect(await page.textContent('[data-testid="pairs-page"]')).toBe('Page 1 of 3');
    expect(await page.locator('[data-testid="pairs-panel"] img').count()).toBe(0);
    expect(await page.locator('[data-testid="pair-chosen"]').first().textContent()).toBe(rows[0]!.chosen.text);
    await page.click('[data-testid="pairs-next"]');
    await expect.poll(ids).toEqual(rows.slice(20, 40).map((r) => r.id));
    expect(await page.textContent('[data-testid="pairs-page"]')).toBe('Page 2 of 3');
    await page.click('[data-testid="pairs-next"]');
    await expect.poll(ids).toEqual(rows.slice(40).map((r) => r.id));
    expect(await page.locator('[data-testid="pairs-next"]').isDisabled()).toBe(true);
    await page.click('[data-testid="pairs-prev"]');
    await expect.poll(ids).toEqual(rows.slice(20, 40).map((r) => r.id));
    await page.selectOption('[data-testid="pairs-filter"]', 'rejected');
    await expect.poll(ids).toEqual(rows.filter((r) => r.status === 'rejected').map((r) => r.id));
    expect(await page.textContent('[data-testid="pairs-page"]')).toBe('Page 1 of 1');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
