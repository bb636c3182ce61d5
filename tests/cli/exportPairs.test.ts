import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import { validateRecipe } from '../../src/lib/pipeline/recipe';
import { runRecipe } from '../../src/lib/pipeline/run';
import { ScriptedEngine } from '../support/scriptedEngine';
import { checkPairFile } from '../support/pairChecks';
import { cleanup, cli, ensureCli, jsonLines, tempDir } from './support';

/**
 * `seedforge export --format <pair layout>`: pairs built from the SQLite store's samples (a
 * best-of-4 run committed through the store's own RunStore), written by the app's pair exporter,
 * with the pair card beside them.
 */
let dir: string;
beforeAll(async () => {
  dir = tempDir('pairs');
  const store = openStore(dir);
  try {
    const p = store.createProject('Planets');
    const seeds = Array.from({ length: 3 }, (_, i) => ({ id: `s${i}`, instruction: `Question ${i} about planets.`, input: '', output: '' }));
    const v = validateRecipe({ version: 1, name: 'b', steps: [{ op: 'bestOfN', n: 4, k: 1 }] });
    if (!v.ok) throw new Error('recipe');
    const run = store.createRun({ projectId: p.id, name: 'r', recipe: v.recipe, roles: {}, models: { generator: 'gen' }, concurrency: 1, total: 3, seeds });
    let k = 0;
    let j = 0;
    const gen = new ScriptedEngine([{ match: /./, reply: () => `Answer ${++k}: a long and careful answer about the planets of the solar system.` }], 'gen');
    const judge = new ScriptedEngine([{ match: /./, reply: () => `{"score": ${[2, 5, 3, 4][j++ % 4]}, "reason": "ok"}` }], 'judge');
    await runRecipe({ runId: run.id, recipe: v.recipe, seeds, engines: { generator: gen, responder: gen, judge }, store: store.runStore(), concurrency: 1 });
  } finally {
    store.close();
  }
  await ensureCli();
}, 240_000);
afterAll(cleanup);

describe('seedforge export of preference pairs', () => {
  it('writes TRL pairs built from the runs, and the pair card', async () => {
    const out = join(dir, 'pairs.trl.jsonl');
    const r = await cli(['export', '--store', dir, '--format', 'trl-jsonl', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    const text = readFileSync(out, 'utf8');
    expect(checkPairFile('trl-jsonl', text)).toEqual([]);
    const rows = text.trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; chosen: string; rejected: string });
    expect(rows.map((x) => x.prompt)).toEqual(['Question 0 about planets.', 'Question 1 about planets.', 'Question 2 about planets.'].sort());
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ type: 'summary', pairs: 3, bySource: { bestOfN: 3 }, gaps: { count: 3, min: 3, max: 3 } });
    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(card).toContain('## Preference pairs');
    expect(card).toContain('- bestOfN: 3');
  });

  it('writes KTO rows in margin mode, and refuses a bad mode', async () => {
    const out = join(dir, 'pairs.kto.jsonl');
    const r = await cli(['export', '--store', dir, '--format', 'kto-jsonl', '--out', out, '--pair-mode', 'margin', '--margin', '1', '--no-card', '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    const text = readFileSync(out, 'utf8');
    expect(checkPairFile('kto-jsonl', text)).toEqual([]);
    // Scores 5 (kept) against 2, 3 and 4: three pairs per seed, two rows each.
    expect(text.trim().split('\n')).toHaveLength(3 * 3 * 2);
    const bad = await cli(['export', '--store', dir, '--format', 'trl-jsonl', '--out', join(dir, 'x.jsonl'), '--pair-mode', 'all', '--no-card']);
    expect(bad.code).not.toBe(EXIT.done);
    expect(bad.stderr).toMatch(/--pair-mode must be bestWorst or margin/);
  });
});
