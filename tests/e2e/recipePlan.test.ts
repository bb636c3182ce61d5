import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, confirmImport, dropFiles, fixture, launch, openApp, pageErrors, readStore, setUpLocalRecipe, waitForReview } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const text = async (page: Page, testid: string) => ((await page.textContent(`[data-testid="${testid}"]`)) ?? '').replace(/\s+/g, ' ').trim();
const waitText = (page: Page, testid: string, re: RegExp) =>
  page.waitForFunction(([id, src]) => new RegExp(src).test((document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').replace(/\s+/g, ' ')), [testid, re.source] as const);

async function importSeeds(page: Page): Promise<void> {
  await dropFiles(page, [fixture('self-instruct-seed-tasks.jsonl')]);
  await waitForReview(page);
  await confirmImport(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="seed-count"]')?.textContent?.replace(/\D/g, '') === '175');
}

async function reload(page: Page, hash: string): Promise<void> {
  await page.goto(baseUrl() + hash);
  await page.reload();
  await page.waitForSelector('.app[data-ready="true"]');
}

describe('the working recipe and the plan before a run', () => {
  it('keeps the edited recipe over a reload, shows which it is, what it uses and costs, and asks before a preset replaces it', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    await importSeeds(page);

    await page.goto(baseUrl() + '#/recipe');
    await waitText(page, 'recipe-loaded', /the preset “Evol-Instruct, 4 rounds”/);
    expect(await page.locator('[data-testid="recipe-unsaved"]').count()).toBe(0);
    await page.fill('[data-testid="recipe-max-seeds"]', '10');
    await page.waitForSelector('[data-testid="recipe-unsaved"]');
    expect(await text(page, 'recipe-unsaved')).toBe('unsaved changes');

    // Reload at once: the edit is written as the page hides, not lost to the debounce.
    await page.reload();
    await page.waitForSelector('.app[data-ready="true"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="recipe-max-seeds"]') as HTMLInputElement | null)?.value === '10');
    await page.waitForSelector('[data-testid="recipe-unsaved"]');
    expect(await text(page, 'recipe-loaded')).toContain('the preset “Evol-Instruct, 4 rounds”');

    // The Run screen: the same recipe, its seed limit, the marker and the estimate.
    await page.goto(baseUrl() + '#/run');
    await waitText(page, 'run-seeds', /Uses 10 of the project’s 175 seeds/);
    expect(await text(page, 'run-recipe')).toBe('Evol-Instruct, 4 rounds');
    expect(await page.locator('[data-testid="run-setup"] [data-testid="recipe-unsaved"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="screen-run"]')).not.toContain('175 seeds in this project');
    // Evol-Instruct, 4 rounds on 10 seeds: per seed 4 × (rewrite, equality check, answer) + 4 verdicts.
    expect(await page.getAttribute('[data-testid="run-estimate"]', 'data-calls')).toBe('160');
    expect(await text(page, 'run-estimate-calls')).toBe('about 160 model calls');
    expect(await text(page, 'run-estimate')).toMatch(/10 items · about 160 model calls \(up to 240 if judges must ask again\) · at most [\d,]+ generated tokens/);
    // No model has a role yet: the time is not guessed.
    expect(await text(page, 'run-estimate-time')).toBe('Time: unknown until every role has a model.');
    expect(await page.isDisabled('[data-testid="run-try"]')).toBe(true);

    // A preset asks before it replaces unsaved changes; Cancel keeps them.
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="preset-answerJudge"]');
    await page.waitForSelector('[data-testid="confirm-dialog"]');
    expect(await text(page, 'confirm-message')).toBe('The recipe in the editor, “Evol-Instruct, 4 rounds”, has changes that are not saved. Loading “Answer + judge only” replaces them.');
    await page.click('[data-testid="confirm-cancel"]');
    await page.waitForSelector('[data-testid="confirm-dialog"]', { state: 'detached' });
    expect(await page.inputValue('[data-testid="recipe-max-seeds"]')).toBe('10');
    await page.click('[data-testid="preset-answerJudge"]');
    await page.click('[data-testid="confirm-ok"]');
    await waitText(page, 'recipe-loaded', /the preset “Answer \+ judge only”/);
    expect(await page.inputValue('[data-testid="recipe-max-seeds"]')).toBe('');
    expect(await page.locator('[data-testid="recipe-unsaved"]').count()).toBe(0);
    // An unchanged preset is replaced without asking.
    await page.click('[data-testid="preset-evol4"]');
    await waitText(page, 'recipe-loaded', /the preset “Evol-Instruct, 4 rounds”/);
    expect(await page.locator('[data-testid="confirm-dialog"]').count()).toBe(0);

    // Saved under its own name, it is "your saved recipe", and stays so after a reload.
    await page.fill('[data-testid="recipe-name"]', 'Evol on 10 seeds');
    await page.fill('[data-testid="recipe-max-seeds"]', '10');
    await page.click('[data-testid="recipe-save"]');
    await waitText(page, 'recipe-loaded', /your saved recipe “Evol on 10 seeds”/);
    expect(await page.locator('[data-testid="recipe-unsaved"]').count()).toBe(0);
    await reload(page, '#/run');
    await waitText(page, 'run-setup', /your saved recipe “Evol on 10 seeds”/);
    expect(await text(page, 'run-seeds')).toBe('Uses 10 of the project’s 175 seeds');

    // Deleting it offers Undo, which puts it back as the loaded recipe.
    await page.goto(baseUrl() + '#/recipe');
    await page.click('[data-testid="saved-recipe-delete"]');
    await page.waitForSelector('[data-testid="saved-recipe"]', { state: 'detached' });
    await waitText(page, 'recipe-loaded', /“Evol on 10 seeds”, not saved/);
    await page.click('[data-testid="toast-action"]');
    await page.waitForSelector('[data-testid="saved-recipe"]');
    await waitText(page, 'recipe-loaded', /your saved recipe “Evol on 10 seeds”/);
    expect((await readStore<{ name: string }>(page, 'recipes')).map((r) => r.name)).toEqual(['Evol on 10 seeds']);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('says the same in Chinese', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await openApp(context);
    await importSeeds(page);
    await page.goto(baseUrl() + '#/recipe');
    await page.fill('[data-testid="recipe-max-seeds"]', '10');
    await page.waitForSelector('[data-testid="recipe-unsaved"]');
    await reload(page, '#/run');
    await waitText(page, 'run-seeds', /使用本项目 175 条种子中的 10 条/);
    expect(await text(page, 'recipe-unsaved')).toBe('有未保存的修改');
    expect(await text(page, 'run-estimate-calls')).toBe('约 160 次模型调用');
    expect(await text(page, 'run-estimate-time')).toBe('时间：为每个角色指定模型后才能估算。');
    expect(await text(page, 'run-try')).toBe('先用 3 条种子试运行');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('Try on 3 seeds first runs the recipe on 3 seeds, leaves the editor as it was, and then times the whole run', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openApp(context);
    const seeds = Array.from({ length: 6 }, (_, i) => JSON.stringify({ instruction: `Tell a short story about a dog named Rex, number ${i + 1}.`, output: '' })).join('\n');
    await setUpLocalRecipe(page, { name: 'dogs.jsonl', bytes: new TextEncoder().encode(seeds) }, { maxTokens: 24 });
    await page.goto(baseUrl() + '#/run');
    await waitText(page, 'run-seeds', /Uses 6 of the project’s 6 seeds/);
    expect(await page.getAttribute('[data-testid="run-estimate"]', 'data-basis')).toBe('noRuns');
    await page.click('[data-testid="run-try"]');
    await page.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 240_000 });
    const [run] = await readStore<{ name: string; recipe: { maxSeeds?: number }; counts: { total: number; calls: number } }>(page, 'runs');
    expect(run).toMatchObject({ name: 'Answer + judge only (trial, 3)', recipe: { maxSeeds: 3 }, counts: { total: 3 } });
    // Measured now: the whole run's time is estimated from the trial's calls.
    await page.waitForFunction(() => document.querySelector('[data-testid="run-estimate"]')?.getAttribute('data-basis') === 'runs');
    expect(await text(page, 'run-estimate-time')).toMatch(new RegExp(`^Time: about .+, at .+ per call as measured by ${run!.counts.calls} earlier calls of these models\\.$`));
    await page.goto(baseUrl() + '#/recipe');
    expect(await page.inputValue('[data-testid="recipe-max-seeds"]')).toBe('');
    expect(await text(page, 'recipe-loaded')).toContain('the preset “Answer + judge only”');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });
});
