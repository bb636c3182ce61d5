import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../vite.config';
import { schemaVersions } from '../../src/lib/db/schema';
import { GOOD_KEY, startFakeLlmServer, type FakeServer } from '../support/fakeLlmServer';
import { addEndpoint, confirmImport, dropFiles, launch, openApp, pageErrors, readStore, waitForReview } from './helpers';

/**
 * Issue 18, item 2: a deploy that bumps the schema, opened in a second tab while the first one runs.
 * Two builds at one origin: the shipped one (dist/, or SEEDFORGE_DIST) and the same code built with
 * VITE_SEEDFORGE_NEXT_SCHEMA, one schema version more (src/lib/db/db.ts). The host swaps the folder
 * it serves, as a deploy does.
 */

const ROOT = new URL('../..', import.meta.url).pathname;
const DIST = join(ROOT, process.env.SEEDFORGE_DIST ?? 'dist');
const NEXT = schemaVersions.at(-1)!.version + 1;
/** Calls about the seeds marked so are held by the gate: the run stops mid-way with calls in flight, whatever the machine's speed. */
const HELD = '(held)';
const SEEDS = [
  ...['tides', 'winds', 'waves'].map((w) => `Explain ${w}.`),
  ...['rain', 'snow', 'fog', 'hail', 'dew'].map((w) => `Explain ${w} ${HELD}.`),
];

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', mjs: 'text/javascript', css: 'text/css', json: 'application/json', wasm: 'application/wasm', svg: 'image/svg+xml', png: 'image/png', webmanifest: 'application/manifest+json' };

/** A static host with the app's headers whose folder can be swapped (a deploy). */
async function swappableHost(root: string): Promise<{ url: string; server: Server; serve(root: string): void }> {
  let dir = root;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { ...securityHeaders, 'content-type': TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, serve: (d) => (dir = d) };
}

/** In front of the fake endpoint: a call whose body names a HELD seed waits until `release()`. */
async function gate(target: string): Promise<{ url: string; server: Server; held(): number; release(): void }> {
  let open = false;
  const waiting: (() => void)[] = [];
  let heldCount = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    let gone = false;
    req.socket.once('close', () => (gone = true));
    if (!open && body.includes(HELD)) {
      heldCount++;
      await new Promise<void>((r) => waiting.push(r));
    }
    if (gone) return; // the tab aborted the call meanwhile
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
    const up = await fetch(target + req.url, { method: req.method, headers, body: body.length ? body : undefined });
    res.writeHead(up.status, Object.fromEntries([...up.headers].filter(([k]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))));
    res.end(Buffer.from(await up.arrayBuffer())); // a whole answer (streamed ones too): the fake ends each at once
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    held: () => heldCount,
    release() {
      open = true;
      waiting.splice(0).forEach((r) => r());
    },
  };
}

/** Builds the app once more with one schema version more (a test-only variable), into `outDir`. */
function buildNext(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, env: { ...process.env, VITE_SEEDFORGE_NEXT_SCHEMA: '1' }, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the test build exited with ${code}`))));
  });
}

function close(s: Server): Promise<void> {
  s.closeAllConnections();
  return new Promise((r) => s.close(() => r()));
}

let browser: Browser;
let fake: FakeServer;
let endpoint: Awaited<ReturnType<typeof gate>>;
let host: Awaited<ReturnType<typeof swappableHost>>;
const next = mkdtempSync(join(tmpdir(), 'seedforge-next-'));
beforeAll(async () => {
  [browser, fake] = await Promise.all([launch(), startFakeLlmServer(), buildNext(next)]).then(([b, f]) => [b, f] as const);
  endpoint = await gate(fake.url);
  host = await swappableHost(DIST);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([fake?.close(), endpoint && close(endpoint.server), host && close(host.server)]);
  rmSync(next, { recursive: true, force: true });
});

interface StoredRun {
  id: string;
  status: string;
  error: string | null;
  counts: { done: number; total: number; accepted: number; rejected: number };
}
const runsOf = (page: Page) => readStore<StoredRun>(page, 'runs');
const samplesOf = async (page: Page, runId: string) => (await readStore<{ runId: string }>(page, 'samples')).filter((s) => s.runId === runId).length;

describe('a deploy with a newer schema, opened while a run goes on', () => {
  it('the old tab pauses its run whole and says to reload, the new tab waits, explains and opens with the data, and the run finishes after the reload', async () => {
    // Only the test build declares the extra version.
    const shipped = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js') && readFileSync(join(DIST, 'assets', f), 'utf8').includes('upgradeProbe'));
    expect(shipped).toEqual([]);

    // Service workers off: each tab loads the build the host serves (the update flow has its own tests).
    const context = await browser.newContext({ locale: 'en-US', serviceWorkers: 'block' });
    const a = await openApp(context, '#/seeds', host.url);
    await dropFiles(a, [{ name: 'seeds.jsonl', bytes: new TextEncoder().encode(SEEDS.map((i) => JSON.stringify({ instruction: i, output: 'A seed answer.' })).join('\n')) }]);
    await waitForReview(a);
    await confirmImport(a);
    await a.goto(host.url + '#/models');
    await addEndpoint(a, { name: 'Gated', url: `${endpoint.url}/v1`, key: GOOD_KEY, roles: true });
    await a.goto(host.url + '#/recipe');
    await a.click('[data-testid="preset-answerJudge"]');
    await a.fill('[data-testid="param-retries"]', '0');
    await a.goto(host.url + '#/run');
    await a.click('[data-testid="run-start"]');
    // Four calls in flight (the endpoint's default), the first three seeds' tasks committed, the
    // next four waiting at the gate.
    await expect.poll(endpoint.held, { timeout: 60_000 }).toBe(4);
    await expect.poll(async () => (await runsOf(a))[0]?.counts.done, { timeout: 60_000 }).toBe(3);
    expect((await runsOf(a))[0]!.status).toBe('running');

    // A tab of an older build that does not step aside (the raw connection has no versionchange handler).
    await a.evaluate(() => new Promise<void>((resolve) => {
      const r = indexedDB.open('seedforge');
      r.onsuccess = () => ((globalThis as { stuck?: IDBDatabase }).stuck = r.result, resolve());
    }));

    // The deploy: the host serves the newer build; tab B opens it.
    host.serve(next);
    const b = await context.newPage();
    const bErrors: string[] = [];
    b.on('pageerror', (e) => bErrors.push(e.message));
    await b.goto(host.url + '#/run');
    // B waits for the stuck connection and says why.
    const waiting = b.locator('[data-testid="upgrade-waiting"]');
    await waiting.waitFor({ timeout: 60_000 });
    expect(await waiting.getAttribute('role')).toBe('alert');
    expect(await waiting.textContent()).toMatch(/another Seedforge tab: it runs an older version and has been asked to close its connection/);
    // Meanwhile A paused its run (its own connections closed) and says to reload, as an alert.
    await a.waitForSelector('[data-testid="run-active"][data-status="paused"]', { timeout: 60_000 });
    const banner = a.locator('[data-testid="upgrade-banner"]');
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toMatch(/updated in another tab.*Reload this tab to continue.*The run was paused/s);
    await a.locator('[data-testid="upgrade-reload"]').waitFor();

    // The stuck tab lets go: B upgrades and opens, data intact.
    await a.evaluate(() => (globalThis as { stuck?: IDBDatabase }).stuck!.close());
    await b.waitForSelector('.app[data-ready="true"]', { timeout: 60_000 });
    expect(await b.evaluate(async () => (await indexedDB.databases()).find((d) => d.name === 'seedforge')?.version)).toBe(NEXT * 10);
    expect((await readStore(b, 'seeds')).length).toBe(SEEDS.length);
    let [run] = await runsOf(b);
    // Paused with its reason, and nothing half-written: exactly the three tasks committed, one sample each.
    expect(run).toMatchObject({ status: 'paused', counts: { done: 3, total: SEEDS.length } });
    expect(run!.error).toMatch(/^VersionChangeError: another tab opened a newer version/);
    expect(await samplesOf(b, run!.id)).toBe(3);
    expect(run!.counts.accepted + run!.counts.rejected).toBe(3);
    await b.waitForSelector(`[data-testid="run-item"][data-status="paused"] [data-testid="run-item-upgraded"]`);

    // A reloads onto the new build and resumes; the run finishes with every seed once.
    endpoint.release();
    await a.reload();
    await a.waitForSelector('.app[data-ready="true"]');
    expect(await a.locator('[data-testid="upgrade-banner"]').count()).toBe(0);
    await a.click('[data-testid="run-item"][data-status="paused"] [data-testid="run-resume"]');
    await a.waitForSelector('[data-testid="run-item"][data-status="done"]', { timeout: 60_000 });
    [run] = await runsOf(a);
    expect(run).toMatchObject({ status: 'done', error: null, counts: { done: SEEDS.length, total: SEEDS.length } });
    expect(await samplesOf(a, run!.id)).toBe(SEEDS.length);
    expect(run!.counts.accepted + run!.counts.rejected).toBe(SEEDS.length);
    expect(pageErrors(a)).toEqual([]);
    expect(bErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
