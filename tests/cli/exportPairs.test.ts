import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import { SqliteDatasetSource } from '../../src/cli/store/sources';
import { allRows } from '../../src/lib/io/export/source';
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
    // Scores 5 (kept) against 2, 3 and 4: three pairs per seed; KTO writes each (prompt, completion)
    // once, so the kept answer's row once and the three others' — four rows per seed.
    expect(text.trim().split('\n')).toHaveLength(3 * 4);
    const bad = await cli(['export', '--store', dir, '--format', 'trl-jsonl', '--out', join(dir, 'x.jsonl'), '--pair-mode', 'all', '--no-card']);
    expect(bad.code).not.toBe(EXIT.done);
    expect(bad.stderr).toMatch(/--pair-mode must be bestWorst or margin/);
  });
});

describe('seedforge export of preference pairs: handoff and privacy', () => {
  it("writes dataset_info.json's ranking entry beside the pairs, keeping other entries; none for a layout LLaMA-Factory cannot read; refuses --split", async () => {
    const sub = tempDir('pairs-handoff');
    const infoPath = join(sub, 'dataset_info.json');
    writeFileSync(infoPath, JSON.stringify({ other: { file_name: 'other.json' } }));
    const out = join(sub, 'prefs.jsonl');
    const r = await cli(['export', '--store', dir, '--format', 'trl-jsonl', '--out', out, '--no-card', '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ handoff: infoPath, datasets: ['prefs'] });
    expect(JSON.parse(readFileSync(infoPath, 'utf8'))).toEqual({
      other: { file_name: 'other.json' },
      prefs: { file_name: 'prefs.jsonl', ranking: true, columns: { prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' } },
    });

    const chatDir = tempDir('pairs-handoff-chat');
    const chat = await cli(['export', '--store', dir, '--format', 'trl-chat-jsonl', '--out', join(chatDir, 'chat.jsonl'), '--no-card', '--json']);
    expect(chat.code, chat.stderr).toBe(EXIT.done);
    expect(jsonLines(chat.stdout).at(-1)).toMatchObject({ handoff: null, datasets: [] });
    expect(existsSync(join(chatDir, 'dataset_info.json'))).toBe(false);

    const split = await cli(['export', '--store', dir, '--format', 'trl-jsonl', '--out', join(chatDir, 'split.jsonl'), '--no-card', '--split', '0.2']);
    expect(split.code).not.toBe(EXIT.done);
    expect(split.stderr).toMatch(/--split is for sample formats/);
    expect(existsSync(join(chatDir, 'split.jsonl'))).toBe(false);
  });

  it("redacts the pair file when a run's recipe sets redactOutputs, as the sample export does", async () => {
    const PHONE = '+1 415 555 0132';
    const sub = tempDir('pairs-redact');
    const store = openStore(sub);
    try {
      const p = store.createProject('Calls');
      const seeds = [{ id: 's0', instruction: 'Who should I call about the planets?', input: '', output: '' }];
      const v = validateRecipe({ version: 1, name: 'r', steps: [{ op: 'bestOfN', n: 2, k: 1 }], privacy: { redactInputs: false, redactOutputs: true, guard: true, mode: 'placeholder' } });
      if (!v.ok) throw new Error('recipe');
      const run = store.createRun({ projectId: p.id, name: 'r', recipe: v.recipe, roles: {}, models: { generator: 'gen' }, concurrency: 1, total: 1, seeds });
      let k = 0;
      let j = 0;
      const gen = new ScriptedEngine([{ match: /./, reply: () => `Answer ${++k}: call the observatory on ${PHONE} and ask for the planets desk.` }], 'gen');
      const judge = new ScriptedEngine([{ match: /./, reply: () => `{"score": ${[2, 5][j++ % 2]}, "reason": "ok"}` }], 'judge');
      await runRecipe({ runId: run.id, recipe: v.recipe, seeds, engines: { generator: gen, responder: gen, judge }, store: store.runStore(), concurrency: 1 });
      // The store keeps the number: only the export redacts.
      const samples = await allRows(new SqliteDatasetSource(store), 'samples', p.id);
      expect(samples.some((x) => x.output.includes(PHONE))).toBe(true);
    } finally {
      store.close();
    }
    const out = join(sub, 'pairs.jsonl');
    const r = await cli(['export', '--store', sub, '--format', 'trl-jsonl', '--out', out, '--no-card', '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { chosen: string; rejected: string });
    expect(rows).toHaveLength(1);
    for (const side of [rows[0]!.chosen, rows[0]!.rejected]) {
      expect(side).toContain('[PHONE_1]');
      expect(side).not.toContain(PHONE);
    }
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ privacy: { redacted: true, remaining: {} } });
    // The sample export of the same store follows the same rule.
    const samplesOut = join(sub, 'samples.jsonl');
    const s = await cli(['export', '--store', sub, '--format', 'openai', '--out', samplesOut, '--no-card', '--include-pending', '--json']);
    expect(s.code, s.stderr).toBe(EXIT.done);
    const written = readFileSync(samplesOut, 'utf8');
    expect(written).toContain('[PHONE_1]');
    expect(written).not.toContain(PHONE);
  });
});
