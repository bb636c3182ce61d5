import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import { rewardFor } from '../../scripts/fakeLlm.mjs';
import { cli, cliFixture, jsonLines, runArgs } from './support';

/**
 * The recipe's Reward step in `seedforge run` (the pipeline is the app's): each answer scored by the
 * fake server's vLLM /score route, those under the threshold rejected as rewardLow; without a
 * reward model the step is skipped and the run says so; a key variable that is empty stops the run
 * before anything is stored.
 */
const fx = cliFixture('reward', { servers: [{ latencyMs: 1 }], seeds: 6 });

function recipeFile(name: string, reward: Record<string, unknown>): string {
  const file = join(fx.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ version: 1, name, steps: [{ op: 'respond' }, { op: 'reward', ...reward }] }));
  return file;
}
const args = (store: string, recipe: string) => runArgs(fx, store).map((a, i, all) => (all[i - 1] === '--preset' ? recipe : a === '--preset' ? '--recipe' : a));

describe('the Reward step in `seedforge run`', () => {
  it('scores every answer with /score and rejects those under the threshold', async () => {
    const store = join(fx.dir, 'scored');
    const r = await cli(args(store, recipeFile('scored', { url: fx.fake.url, rewardModel: 'rm', minReward: 0.5 })));
    expect(r.code, r.stderr).toBe(EXIT.done);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'done', done: 6 });
    expect(fx.fake.requests.filter((q) => q.path === '/score')).toHaveLength(6);
    const s = openStore(store);
    try {
      const [run] = s.listProjects().flatMap((p) => s.listRuns(p.id));
      const samples = s.listRunSamples(run!.id);
      expect(samples).toHaveLength(6);
      for (const x of samples) {
        const note = x.lineage.notes!.reward!;
        expect(note).toEqual({ score: rewardFor(x.instruction, x.output), api: 'score', model: 'rm' });
        expect([x.status, x.rejectReason]).toEqual(note.score >= 0.5 ? ['accepted', null] : ['rejected', 'rewardLow']);
      }
    } finally {
      s.close();
    }
  });

  it('no reward model configured: the step is skipped and the run says why', async () => {
    const r = await cli(args(join(fx.dir, 'none'), recipeFile('none', {})));
    expect(r.code, r.stderr).toBe(EXIT.done);
    expect(jsonLines(r.stdout).find((l) => l.type === 'skipped')).toMatchObject({ op: 'reward', message: expect.stringMatching(/reward step skipped: no reward model configured/) });
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'done', accepted: 6 });
  });

  it('a key variable that is empty stops the run before anything is stored', async () => {
    const store = join(fx.dir, 'nokey');
    const r = await cli(args(store, recipeFile('nokey', { url: fx.fake.url, rewardModel: 'rm', apiKeyEnv: 'SEEDFORGE_TEST_RM_KEY' })), { SEEDFORGE_TEST_RM_KEY: '' });
    expect(r.code).not.toBe(EXIT.done);
    expect(r.stderr).toMatch(/SEEDFORGE_TEST_RM_KEY .*is empty/);
    if (existsSync(store)) {
      const s = openStore(store);
      try {
        expect(s.listProjects().flatMap((p) => s.listRuns(p.id)).flatMap((x) => s.listRunSamples(x.id))).toEqual([]);
      } finally {
        s.close();
      }
    }
  });
});
