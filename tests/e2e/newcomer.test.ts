import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { axeViolations } from './axe';
import { baseUrl, pageErrors, readStore } from './helpers';
import { startHfMirror, useMirror, type HfMirror } from './hfMirror';

/**
 * Issue 13's "done when": what a newcomer did, in one fresh browser profile on disk (a reload and
 * a restart keep IndexedDB and OPFS, as a real browser does): sample seeds, a recommended model
 * downloaded from a Hugging Face-layout server, a recipe edited, a reload, a trial run on 3 seeds
 * with a reload in the middle, the Done card, the drawer, an export — then every screen again in
 * Chinese and at phone width. axe-core must find no serious or critical violation on any of them.
 *
 * The model is the tiny stories260K GGUF served under a catalogue entry's path: it writes stories,
 * so the judge never reads a score and the run accepts nothing — the outcome a newcomer with a
 * wrong model meets, which the Done card must explain.
 */
const OUT = 'test-results/newcomer';
/** Ids that once reached the screen as they are. */
const RAW_IDS = ['judgeFailed', 'lowScore', 'evol.depth', 'evol:', 'selfInstruct.generate', 'judge.score', 'respond.answer', 'filter:'];
/** The two outcomes a model that cannot judge meets, in the Done card's words and the dataset card's. */
const WHY = {
  lowScore: { en: "The judge's score was below the recipe's minimum", fix: "Lower the judge's minimum score", zh: '评审分数低于配方要求的最低分', over: 'a low judge score' },
  judgeFailed: { en: "The judge's reply had no readable score", fix: 'Use an instruct model with a chat template as judge', zh: '评审模型的回复里没有可读的分数', over: 'a judge failure' },
};
const SCREENS = ['seeds', 'models', 'recipe', 'run', 'review', 'export', 'settings'] as const;

let hf: HfMirror | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await hf?.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function open(dir: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
    locale: 'en-US',
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
  });
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(baseUrl() + '#/seeds');
  await page.waitForSelector('.app[data-ready="true"]');
  return { context, page };
}

async function reload(page: Page, hash?: string): Promise<void> {
  if (hash) await page.goto(baseUrl() + hash);
  await page.reload();
  await page.waitForSelector('.app[data-ready="true"]');
}

const text = async (page: Page, testid: string) => ((await page.textContent(`[data-testid="${testid}"]`)) ?? '').replace(/\s+/g, ' ').trim();
const visibleText = (page: Page) => page.evaluate(() => document.querySelector('main')?.innerText ?? document.body.innerText);
const stepDone = (page: Page, step: string) =>
  page.waitForFunction((s) => document.querySelector(`[data-testid="guide-step-${s}"]`)?.getAttribute('data-done') === 'true', step, { timeout: 60_000 });

async function expectClean(page: Page, where: string): Promise<void> {
  expect(await axeViolations(page), `axe on ${where}`).toEqual([]);
  const shown = await visibleText(page);
  for (const id of RAW_IDS) expect(shown.includes(id), `${where} shows the raw id ${id}`).toBe(false);
}

describe("a newcomer's first hour (issue 13)", () => {
  it('fresh profile → sample seeds → recommended model from the mirror → recipe edited, reload → 3-seed trial with a reload mid-run → Done card, drawer, export; the same screens in Chinese and at 390 px, axe-clean', async () => {
    mkdirSync(OUT, { recursive: true });
    hf = await startHfMirror();
    const dir = mkdtempSync(join(tmpdir(), 'seedforge-newcomer-'));
    dirs.push(dir);
    let { context, page } = await open(dir);

    // First open: the checklist, nothing ticked; the sample seeds one click away.
    await page.waitForSelector('[data-testid="guide"]');
    expect(await text(page, 'guide-progress')).toBe('0 of 6 steps done');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-US');
    await page.screenshot({ path: `${OUT}/1-first-open.png`, fullPage: true });
    await expectClean(page, 'the first open');
    await page.click('[data-testid="sample-seeds-en"]');
    await stepDone(page, 'import');
    const seedTotal = Number((await text(page, 'seed-count')).replace(/\D/g, ''));
    expect(seedTotal).toBeGreaterThanOrEqual(10);

    // Models: the recommendation for this device (no WebGPU here: a GGUF), downloaded from the
    // mirror with one click, stored, and given every role.
    await useMirror(page, hf.url);
    const rec = page.locator('[data-testid="recommended-model"]').first();
    expect(await rec.getAttribute('data-engine')).toBe('gguf');
    const id = (await rec.getAttribute('data-entry'))!;
    await page.click(`[data-testid="catalogue-download-${id}"]`);
    await page.waitForSelector(`[data-testid="catalogue-stored-${id}"]`, { timeout: 120_000 });
    const model = `wllama:${hf.fileOf(id)}`;
    for (const role of ['generator', 'responder', 'judge']) expect(await page.inputValue(`[data-testid="role-${role}"]`)).toBe(model);
    await page.waitForSelector('[data-testid="self-judge-warning"]');
    await stepDone(page, 'model');
    await page.screenshot({ path: `${OUT}/2-models.png`, fullPage: true });
    await expectClean(page, 'the Models screen');

    // Recipe: a preset, edited (short answers, no judge retries); the edit survives a reload.
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    await page.waitForFunction(() => /Answer \+ judge only/.test(document.querySelector('[data-testid="recipe-loaded"]')?.textContent ?? ''));
    await page.fill('[data-testid="param-maxTokens"]', '40');
    await page.fill('[data-testid="param-retries"]', '0');
    await page.waitForSelector('[data-testid="recipe-unsaved"]');
    await expectClean(page, 'the Recipe screen');
    await reload(page);
    await page.waitForFunction(() => (document.querySelector('[data-testid="param-maxTokens"]') as HTMLInputElement | null)?.value === '40');
    expect(await page.inputValue('[data-testid="param-retries"]')).toBe('0');
    await page.waitForSelector('[data-testid="recipe-unsaved"]');

    // Run: which recipe, how many seeds, what it costs, before anything starts.
    await page.goto(baseUrl() + '#/run');
    await page.waitForSelector('[data-testid="run-setup"]');
    expect(await text(page, 'run-recipe')).toBe('Answer + judge only');
    expect(await page.locator('[data-testid="run-setup"] [data-testid="recipe-unsaved"]').count()).toBe(1);
    expect(await text(page, 'run-seeds')).toContain(`Uses ${seedTotal} of the project’s ${seedTotal} seeds`);
    expect(Number(await page.getAttribute('[data-testid="run-estimate"]', 'data-calls'))).toBe(2 * seedTotal);
    expect(await page.isDisabled('[data-testid="run-start"]')).toBe(false);
    await expectClean(page, 'the Run screen before a run');

    // Try on 3 seeds first; reload while it runs; the run is kept and resumes.
    await page.click('[data-testid="run-try"]');
    await page.locator('[data-testid="run-item"][data-status="running"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-testid="run-item"][data-status="running"] [data-testid="run-item-status"]').textContent()).toBe('Running');
    // Reload once the first item is stored: the two left take several model calls (seconds on the
    // tiny model), so the reload lands mid-run on any machine.
    await page.waitForFunction(() => /^[12] of 3 items done/.test(document.querySelector('[data-testid="run-counts"]')?.textContent?.trim() ?? ''), undefined, { timeout: 240_000 });
    await reload(page, '#/run');
    const row = page.locator('[data-testid="run-item"]').first();
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('paused');
    const kept = await readStore<{ runId: string }>(page, 'samples');
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(3);
    await page.click('[data-testid="run-resume"]');
    const card = page.locator('[data-testid="done-card"]');
    await card.waitFor({ timeout: 240_000 });
    const [run] = await readStore<{ id: string; name: string; recipe: { maxSeeds?: number }; counts: { total: number; done: number; accepted: number } }>(page, 'runs');
    expect(run).toMatchObject({ recipe: { maxSeeds: 3 }, counts: { total: 3, done: 3, accepted: 0 } });
    expect(await text(page, 'done-summary')).toContain('3 items through the recipe');
    // With constrained output the tiny model's verdicts parse, and score low; without, they do not parse.
    const reason = card.locator('[data-testid="done-reason"]').first();
    const why = (await reason.getAttribute('data-reason')) as keyof typeof WHY;
    expect(Object.keys(WHY)).toContain(why);
    expect(await reason.textContent()).toContain(WHY[why].en);
    expect(await reason.locator('[data-testid="done-fix"]').textContent()).toContain(WHY[why].fix);
    await stepDone(page, 'run');
    await page.screenshot({ path: `${OUT}/3-done-card-0-accepted.png`, fullPage: true });
    await expectClean(page, 'the Run screen with the Done card');

    // Review these samples → the drawer shows the judge's raw reply; one sample accepted by hand.
    await card.locator('[data-testid="done-review"]').click();
    await page.waitForSelector('[data-testid="sample-row"]');
    expect(page.url()).toContain(`#/review?run=${run!.id}`);
    await page.locator('[data-testid="sample-open"]').first().click();
    const drawer = page.locator('[data-testid="sample-drawer"]');
    await drawer.waitFor();
    const judgeCall = drawer.locator('[data-testid="drawer-call"][data-op="judge"]').first();
    await judgeCall.locator('summary').click();
    expect((await judgeCall.locator('[data-testid="drawer-call-raw"]').textContent())!.length).toBeGreaterThan(0);
    await page.click('[data-testid="drawer-accept"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="drawer-status"]')?.textContent?.includes('Accepted'));
    await expectClean(page, 'the Review screen with the drawer');
    await page.click('[data-testid="drawer-close"]');

    // Export: the card counts the 3 seeds the trial used and the sample accepted by hand over a judge failure.
    await page.goto(baseUrl() + '#/export');
    await stepDone(page, 'review');
    await page.waitForSelector('[data-testid="export-run"]:not([disabled])');
    await expectClean(page, 'the Export screen');
    // Where the browser can write to a picked file, the app offers it: a download is what a test can catch.
    const picker = page.locator('[data-testid="export-picker"]');
    if (await picker.count()) await picker.uncheck();
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-run"]')]);
    await page.waitForSelector('[data-testid="export-card-text"]');
    const cardText = (await page.textContent('[data-testid="export-card-text"]'))!;
    expect(cardText).toContain(`3 seeds used (seed limit 3; the project had ${seedTotal})`);
    expect(cardText).toContain(`1 accepted by hand over \`${why}\`: ${WHY[why].over}.`);
    // The last step done, the checklist has done its work and leaves the screen.
    await page.waitForSelector('[data-testid="guide"]', { state: 'detached', timeout: 60_000 });
    const [project] = await readStore<{ guide?: { exported?: boolean } }>(page, 'projects');
    expect(project!.guide?.exported).toBe(true);

    // A restart of the browser: the model, the roles and the recipe are all still there.
    expect(pageErrors(page)).toEqual([]);
    await context.close();
    ({ context, page } = await open(dir));
    await page.goto(baseUrl() + '#/models');
    await page.waitForSelector(`[data-testid="gguf-row"]`);
    expect(await page.inputValue('[data-testid="role-judge"]')).toBe(model);
    expect(await page.locator('[data-testid="role-missing"]').count()).toBe(0);

    // Every screen in Chinese: the language's words, <html lang>, no raw id, axe-clean.
    await page.selectOption('[data-testid="locale-select"]', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    for (const screen of SCREENS) {
      await page.goto(baseUrl() + `#/${screen}`);
      await page.waitForSelector(`main > *`);
      await page.waitForTimeout(200);
      await expectClean(page, `the Chinese ${screen} screen`);
    }
    await page.goto(baseUrl() + '#/run');
    const zhCard = page.locator('[data-testid="done-card"]');
    await zhCard.waitFor();
    expect(await zhCard.locator('[data-testid="done-reason"]').first().textContent()).toContain(WHY[why].zh);
    await page.screenshot({ path: `${OUT}/4-done-card-zh.png`, fullPage: true });

    // Phone width: no screen scrolls sideways.
    await page.selectOption('[data-testid="locale-select"]', 'en');
    await page.setViewportSize({ width: 390, height: 844 });
    for (const screen of SCREENS) {
      await page.goto(baseUrl() + `#/${screen}`);
      await page.waitForSelector('main > *');
      await page.waitForTimeout(200);
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(scroll, `the ${screen} screen at 390 px scrolls sideways`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${OUT}/5-mobile-390-${screen}.png`, fullPage: false });
    }
    expect(pageErrors(page)).toEqual([]);
    await context.close();
    // The screenshots are real PNG files.
    expect(readFileSync(`${OUT}/3-done-card-0-accepted.png`).subarray(1, 4).toString()).toBe('PNG');
  }, 900_000);
});
