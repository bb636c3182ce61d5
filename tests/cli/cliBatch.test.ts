import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBatch } from '../../scripts/fakeBatch.mjs';
import { EXIT } from '../../src/cli/args';
import { openStore, STORE_FILE } from '../../src/cli/store/store';
import { cleanup, cli, ensureCli, jsonLines, startCli, tempDir, writeSeeds } from './support';

/**
 * `seedforge run --batch`: the run's calls go through the OpenAI Batch API or Anthropic Message
 * Batches (the fake batch server of scripts/fakeBatch.mjs), and a run killed while a batch is
 * processing resumes from the ledger in its store — the batch already paid for is read, not sent
 * again.
 */

let dir: string;

beforeAll(async () => {
  dir = tempDir('batch');
  await ensureCli();
}, 120_000);

afterAll(cleanup);

describe('the CLI in batch-API mode', () => {
  it('--batch sends the calls in batches (OpenAI Batch API and Anthropic Message Batches) and ends with every item', async () => {
    const batch = await startFakeBatch({ processingMs: 30, failures: 0.1, failSeed: 3 });
    try {
      const small = writeSeeds(dir, 20, 'batch-seeds.jsonl');
      for (const [kind, url] of [['openai', batch.url], ['anthropic', batch.origin]] as const) {
        const store = join(dir, `batch-${kind}`);
        const before = batch.stats().submits;
        const r = await cli(['run', '--store', store, '--preset', 'answer-judge', '--seeds', small, '--kind', kind, '--endpoint', url, '--model', 'fake-model', '--batch', '--batch-window-ms', '50', '--batch-poll-s', '0.05', '--json']);
        expect(r.code, r.stderr).toBe(EXIT.done);
        const summary = jsonLines(r.stdout).at(-1)!;
        expect(summary).toMatchObject({ status: 'done', done: 20, calls: 40 });
        // At least the answers' batch and the verdicts' batch; failed requests go again in later ones.
        expect(batch.stats().submits - before).toBeGreaterThanOrEqual(2);
        const s = openStore(store);
        try {
          const samples = s.listRunSamples(summary.run as string);
          expect(samples).toHaveLength(20);
          expect(samples.filter((x) => x.rejectReason?.startsWith('error:'))).toEqual([]);
        } finally {
          s.close();
        }
      }
      expect(batch.stats().failed).toBeGreaterThan(0);
    } finally {
      await batch.close();
    }
  });

  it('a batch run killed while its batch is processing resumes from the ledger without sending a request twice', async () => {
    const batch = await startFakeBatch({ processingMs: 2000 });
    try {
      const small = writeSeeds(dir, 12, 'batch-kill-seeds.jsonl');
      const store = join(dir, 'batch-kill');
      const args = ['--endpoint', batch.url, '--model', 'fake-model', '--batch', '--batch-window-ms', '50', '--batch-poll-s', '0.05', '--json'];
      const p = startCli(['run', '--store', store, '--preset', 'answer-judge', '--seeds', small, ...args]);
      // Killed once the first batch (the answers) is submitted and in the run's ledger, still processing.
      const ledgered = () => {
        if (!existsSync(join(store, STORE_FILE))) return 0;
        const db = new Database(join(store, STORE_FILE), { readonly: true });
        try {
          return db.prepare(`SELECT count(*) FROM cache WHERE ns LIKE 'cli.batch.%'`).pluck().get() as number;
        } catch {
          return 0; // the schema is not made yet
        } finally {
          db.close();
        }
      };
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if ((batch.stats().submits >= 1 && ledgered() >= 12) || p.child.exitCode !== null) {
            clearInterval(t);
            resolve();
          }
        }, 5);
      });
      p.child.kill('SIGKILL');
      expect((await p.done).signal).toBe('SIGKILL');
      expect(batch.stats().submits).toBe(1);
      const r = await cli(['resume', '--store', store, '--json']);
      expect(r.code, r.stderr).toBe(EXIT.done);
      expect(jsonLines(r.stdout).at(-1)).toMatchObject({ status: 'done', done: 12, calls: 24 });
      // The answers were read from the batch submitted before the kill: each request went once.
      expect([...batch.sent().values()].every((n) => n === 1)).toBe(true);
      expect(batch.stats().lines).toBe(24);
      expect(batch.stats().submits).toBe(2);
    } finally {
      await batch.close();
    }
  });
});
