import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/args';
import { isValidCnId } from '../../src/lib/privacy/checksums';
import { cli, cliFixture, jsonLines, runArgs } from './support';

/**
 * The recipe's privacy guard in the command line, as in the app (issue 17): a prompt that holds an
 * unredacted personal datum is never sent to a remote endpoint — its task is held back with the
 * reason (types, never values) and the run pauses; `resume --allow-private` sends it.
 */

// A mainland resident ID with a valid check digit (checked below, so the test cannot pass on a typo).
const ID = '11010519491231002X';
const fx = cliFixture('privacy', { servers: [{ latencyMs: 1 }], seeds: 0 });

describe('the privacy guard in `seedforge run`', () => {
  it('holds back the seed with a resident ID (never received), makes the others, and sends it after resume --allow-private', async () => {
    expect(isValidCnId(ID)).toBe(true);
    const seeds = join(fx.dir, 'private.jsonl');
    const lines = ['Explain how compound interest works.', `Write a reminder letter to the patient with ID ${ID} about the follow-up visit.`, 'List three uses of vinegar at home.'];
    writeFileSync(seeds, lines.map((instruction) => JSON.stringify({ instruction })).join('\n') + '\n');
    const store = join(fx.dir, 'store');
    const r = await cli(runArgs({ ...fx, seeds }, store, { concurrency: 1 }));
    expect(r.code, r.stderr).toBe(EXIT.paused);
    const summary = jsonLines(r.stdout).at(-1)!;
    expect(summary).toMatchObject({ status: 'paused', done: 2, heldBack: 1 });
    expect(Object.keys(summary.heldBackReasons as object)).toEqual([expect.stringMatching(/^unredacted personal data in the prompt \(cnId/)]);
    expect(r.stdout + r.stderr).not.toContain(ID);
    const bodies = () => fx.fake.requests.map((q) => JSON.stringify(q.body));
    expect(bodies().length).toBeGreaterThan(0);
    expect(bodies().some((b) => b.includes(ID))).toBe(false);

    const resumed = await cli(['resume', '--store', store, '--allow-private', '--json']);
    expect(resumed.code, resumed.stderr).toBe(EXIT.done);
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({ status: 'done', done: 3 });
    expect(bodies().some((b) => b.includes(ID))).toBe(true);

    // On a terminal (plain lines), the summary says what to do next.
    const plain = await cli(runArgs({ ...fx, seeds }, join(fx.dir, 'plain'), { concurrency: 1 }).filter((a) => a !== '--json'));
    expect(plain.code, plain.stderr).toBe(EXIT.paused);
    expect(plain.stdout).toMatch(/privacy guard kept prompts with personal data.*seedforge pii.*--allow-private/s);
    expect(plain.stdout + plain.stderr).not.toContain(ID);
  });
});
