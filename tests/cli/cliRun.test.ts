import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';
import type { Sample } from '../../src/lib/db/types';
import { allBytes, cleanup, cli, ensureCli, jsonLines, tempDir, writeSeeds } from './support';

/**
 * The command line end to end, as a script uses it: `run` against the fake OpenAI-compatible
 * server with 20 % injected faults (429 + Retry-After, 500, stalls, cut streams) → `status --json`
 * → `export` in every format with its card → `backup` → `restore` into a new store → the same
 * samples. The key comes from an environment variable and must appear in no byte written.
 */

const KEY = 'sk-test-Seedforge-K3y-do-not-log';
const SEEDS = 30;

let fake: FakeLlm;
let dir: string;

beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 2, faults: 0.2, faultSeed: 11, retryAfterS: 0.05, key: KEY });
  dir = tempDir('run');
  await ensureCli();
}, 120_000);

afterAll(async () => {
  await fake?.close();
  cleanup();
});

const byId = (a: Sample, b: Sample) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('seedforge run → status → export → backup → restore', () => {
  let runId = '';
  let outputs = '';
  const store = () => join(dir, 'store');

  it('runs a preset over a seed file to its end through 20 % faults: every task committed once, no call lost', async () => {
    const seeds = writeSeeds(dir, SEEDS);
    const r = await cli(
      ['run', '--store', store(), '--preset', 'answer-judge', '--seeds', seeds, '--endpoint', fake.url, '--model', 'fake-model', '--api-key-env', 'FAKE_KEY', '--concurrency', '16', '--timeout-s', '1', '--retries', '10', '--json'],
      { FAKE_KEY: KEY },
    );
    outputs += r.stdout + r.stderr;
    expect(r.code, r.stderr).toBe(EXIT.done);
    const lines = jsonLines(r.stdout);
    const progress = lines.filter((l) => l.type === 'progress');
    const summary = lines.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary).toMatchObject({ status: 'done', done: SEEDS, total: SEEDS });
    runId = summary.run as string;
    // Progress never goes backwards and ends at the total.
    const done = progress.map((p) => p.done as number);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(SEEDS);
    // Faults were injected, and every one was retried through: no item failed with an engine error.
    const st = fake.stats();
    expect(Object.values(st.failed).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(st.unauthorized).toBe(0);
    expect(Object.keys(summary.reasons as object).filter((k) => k.startsWith('error:'))).toEqual([]);
    // Answer + judge: two calls per item, each answered once by the server.
    expect(summary.calls).toBe(2 * SEEDS);
    expect(st.completed).toBe(2 * SEEDS);

    const s = openStore(store());
    try {
      const samples = s.listRunSamples(runId);
      expect(samples).toHaveLength(SEEDS);
      expect(new Set(samples.map((x) => x.lineage.taskIndex)).size).toBe(SEEDS);
      expect(samples.filter((x) => x.status === 'accepted')).toHaveLength(summary.accepted as number);
    } finally {
      s.close();
    }
  });

  it('status --json reports the run as done with its counts', async () => {
    const r = await cli(['status', '--store', store(), '--json']);
    outputs += r.stdout + r.stderr;
    expect(r.code).toBe(EXIT.done);
    const [st] = jsonLines(r.stdout);
    const runs = st!.runs as { id: string; status: string; completedTasks: number; counts: { accepted: number; rejected: number }; samples: { accepted: number; rejected: number } }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, status: 'done', completedTasks: SEEDS });
    expect(runs[0]!.samples.accepted).toBe(runs[0]!.counts.accepted);
    expect(runs[0]!.samples.accepted + runs[0]!.samples.rejected).toBe(SEEDS);
    const plain = await cli(['status', '--store', store()]);
    expect(plain.stdout).toContain(`${runId}  done`);
    // A resume of a done run has nothing to do.
    const again = await cli(['resume', '--store', store(), '--run', runId]);
    expect(again.code).toBe(EXIT.nothing);
  });

  it('exports every format with the dataset card beside it', async () => {
    const s = openStore(store());
    const accepted = s.listRunSamples(runId).filter((x) => x.status === 'accepted');
    s.close();
    for (const format of ['openai', 'alpaca', 'sharegpt', 'csv', 'parquet']) {
      const out = join(dir, 'out', format, `data.${format === 'openai' ? 'jsonl' : format === 'csv' || format === 'parquet' ? format : 'json'}`);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'out', format), { recursive: true });
      const r = await cli(['export', '--store', store(), '--format', format, '--out', out, '--json']);
      outputs += r.stdout + r.stderr;
      expect(r.code, `${format}: ${r.stderr}`).toBe(EXIT.done);
      expect(jsonLines(r.stdout)[0]).toMatchObject({ items: accepted.length });
      const bytes = readFileSync(out);
      expect(bytes.byteLength).toBeGreaterThan(0);
      if (format === 'openai') {
        const rows = bytes.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
        expect(rows.map((x) => x.messages.find((m) => m.role === 'assistant')!.content).sort()).toEqual(accepted.map((x) => x.output).sort());
      }
      if (format === 'alpaca') expect((JSON.parse(bytes.toString('utf8')) as unknown[]).length).toBe(accepted.length);
      if (format === 'parquet') expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
      const card = readFileSync(join(dir, 'out', format, 'README.md'), 'utf8');
      expect(card).toMatch(/^---\n/);
      expect(card).toContain(`path: "data.`);
    }
    // A README.md that is not a card Seedforge wrote is never overwritten.
    writeFileSync(join(dir, 'out', 'README.md'), '# my notes\n');
    const refused = await cli(['export', '--store', store(), '--format', 'csv', '--out', join(dir, 'out', 'x.csv')]);
    expect(refused.code).toBe(EXIT.usage);
    expect(readFileSync(join(dir, 'out', 'README.md'), 'utf8')).toBe('# my notes\n');
    expect(existsSync(join(dir, 'out', 'x.csv'))).toBe(false);
  });

  it('backs up, and restores into a new store with the same samples', async () => {
    const file = join(dir, 'project.seedforge-backup.jsonl');
    const b = await cli(['backup', '--store', store(), '--out', file]);
    outputs += b.stdout + b.stderr;
    expect(b.code, b.stderr).toBe(EXIT.done);
    const r = await cli(['restore', '--store', join(dir, 'restored'), '--in', file, '--json']);
    outputs += r.stdout + r.stderr;
    expect(r.code, r.stderr).toBe(EXIT.done);
    const a = openStore(store());
    const c = openStore(join(dir, 'restored'));
    try {
      const before = a.listRunSamples(runId).sort(byId);
      const after = c.listRunSamples(runId).sort(byId);
      expect(after).toHaveLength(SEEDS);
      expect(after).toEqual(before);
      expect(c.getRun(runId)).toMatchObject({ status: 'done', recipe: a.getRun(runId)!.recipe });
    } finally {
      a.close();
      c.close();
    }
    // Restoring the same project again is refused, and changes nothing.
    const twice = await cli(['restore', '--store', join(dir, 'restored'), '--in', file]);
    expect(twice.code).toBe(EXIT.failed);
    expect(twice.stderr).toMatch(/BackupCollisionError/);
  });

  it('wrote the key nowhere: no store, export or backup byte, no output', () => {
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs).not.toContain(KEY);
    expect(allBytes(dir)).not.toContain(KEY);
    // The store keeps the variable's name, so that resume reads the key again.
    expect(allBytes(store())).toContain('FAKE_KEY');
  });
});

describe('seed files and keys that cannot be used', () => {
  it('names the file and line of a broken record and stores nothing; --skip-bad leaves it out', async () => {
    const d = tempDir('bad');
    const bad = join(d, 'bad.jsonl');
    writeFileSync(bad, ['{"instruction": "one", "output": "a"}', '{"instruction": "two", "output": "b"}', '{"instruction": "three", "output": ', '{"output": "no instruction"}', '{"instruction": "five", "output": "e"}'].join('\n') + '\n');
    const args = ['run', '--store', join(d, 'store'), '--preset', 'answer-judge', '--seeds', bad, '--endpoint', fake.url, '--model', 'fake-model', '--api-key-env', 'FAKE_KEY', '--retries', '10', '--timeout-s', '1'];
    const r = await cli(args, { FAKE_KEY: KEY });
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toContain(`${bad}:3: invalid JSON`);
    expect(r.stderr).toContain(`${bad}:4: no instruction`);
    expect(r.stderr).toMatch(/--skip-bad/);
    expect(existsSync(join(d, 'store'))).toBe(false);
    const skipped = await cli([...args, '--skip-bad', '--json'], { FAKE_KEY: KEY });
    expect(skipped.code, skipped.stderr).toBe(EXIT.done);
    expect(jsonLines(skipped.stdout).at(-1)).toMatchObject({ status: 'done', done: 3, total: 3 });
  });

  it('refuses to start without the key the variable names, and says which variable', async () => {
    const d = tempDir('key');
    const r = await cli(['run', '--store', join(d, 'store'), '--preset', 'answer-judge', '--seeds', writeSeeds(d, 2), '--endpoint', fake.url, '--model', 'fake-model', '--api-key-env', 'SEEDFORGE_TEST_NO_SUCH_KEY'], { SEEDFORGE_TEST_NO_SUCH_KEY: undefined });
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toMatch(/MissingKeyError: the environment variable SEEDFORGE_TEST_NO_SUCH_KEY/);
    expect(existsSync(join(d, 'store'))).toBe(false);
  });

  it('speaks the Anthropic Messages API with --kind anthropic', async () => {
    const d = tempDir('anthropic');
    const base = fake.url.replace(/\/v1$/, '');
    const r = await cli(['run', '--store', join(d, 'store'), '--preset', 'answer-judge', '--seeds', writeSeeds(d, 4), '--kind', 'anthropic', '--endpoint', base, '--model', 'claude-fake', '--api-key-env', 'FAKE_KEY', '--retries', '10', '--timeout-s', '1', '--json'], { FAKE_KEY: KEY });
    expect(r.code, r.stderr).toBe(EXIT.done);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'done', done: 4, calls: 8 });
    expect(fake.requests.some((q) => q.path === '/v1/messages' && q.headers['x-api-key'] === KEY)).toBe(true);
  });
});
