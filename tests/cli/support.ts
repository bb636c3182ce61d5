import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../../scripts/fakeLlm.mjs';
import { EXIT } from '../../src/cli/args';
import { openStore } from '../../src/cli/store/store';

/**
 * Helpers of the command line's tests: they run the real `bin/seedforge.mjs` in a child process
 * (as a user or a script does), against H1's fake LLM server (scripts/fakeLlm.mjs) in the test's
 * own process. The bin builds dist-cli when it is missing or older than the sources; `ensureCli`
 * does that once per test file before any timed step.
 */

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/seedforge.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Env for a child: this process's, without variables that would change the CLI's behaviour. */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SEEDFORGE_REBUILD: undefined, ...extra };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** Starts the CLI; `done` resolves when it exits (never rejects). */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done, stdout: () => stdout };
}

/** Runs the CLI to its end. */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

let built: Promise<void> | null = null;
/** Builds dist-cli when needed (once per test file). */
export function ensureCli(): Promise<void> {
  built ??= cli(['--version']).then((r) => {
    if (r.code !== 0) throw new Error(`building the CLI failed (exit ${r.code}): ${r.stderr}`);
  });
  return built;
}

/** A fresh temporary directory; `cleanup()` removes every one made. */
const dirs: string[] = [];
export function tempDir(tag = 'cli'): string {
  const d = mkdtempSync(join(tmpdir(), `seedforge-${tag}-`));
  dirs.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** `n` distinct seeds as JSONL (instruction + output) in `dir/name`. */
export function writeSeeds(dir: string, n: number, name = 'seeds.jsonl'): string {
  const p = join(dir, name);
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ instruction: `Explain idea number ${i} of the garden in simple words`, output: `Idea ${i} is a plain answer about the garden.` }));
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** The JSON lines of an output (lines that are not JSON fail the test through JSON.parse). */
export function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every byte of every file under `dir`, as latin1 text (to search for a secret). */
export function allBytes(dir: string): string {
  let s = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) s += readFileSync(join(e.parentPath, e.name)).toString('latin1');
  }
  return s;
}

/**
 * The items of the store's first run as comparable lines: the key within the run (the sample id
 * after the run's id), status and answer — two runs of one recipe over one seed file compare equal.
 */
export function runSamples(store: string): string[] {
  const s = openStore(store);
  try {
    const [run] = s.listProjects().flatMap((p) => s.listRuns(p.id));
    return s.listRunSamples(run!.id).map((x) => `${x.id.slice(run!.id.length)} ${x.status} ${x.output}`).sort();
  } finally {
    s.close();
  }
}

/** What `cliFixture` sets up; its fields are filled in before the file's first test. */
export interface CliFixture {
  /** The first fake server. */
  readonly fake: FakeLlm;
  readonly fakes: readonly FakeLlm[];
  /** The file's temporary directory. */
  readonly dir: string;
  /** The seed file in it ('' when no seeds were asked for). */
  readonly seeds: string;
  /** The store of the uninterrupted reference run, when one was asked for. */
  readonly reference: string;
}

/**
 * The set-up the CLI's test files share, as beforeAll/afterAll hooks of the calling file: fake LLM
 * servers (one per options object), a temporary directory with `seeds` seed lines, the CLI built,
 * and with `reference` an uninterrupted `run` (runArgs) in dir/reference — the items every stopped
 * and resumed run must end with. Afterwards the servers are closed and the directories removed.
 */
export function cliFixture(tag: string, o: { servers: FakeLlmOptions[]; seeds?: number; reference?: boolean }): CliFixture {
  const fx = { fake: null, fakes: [], dir: '', seeds: '', reference: '' } as unknown as { -readonly [K in keyof CliFixture]: CliFixture[K] };
  beforeAll(async () => {
    fx.fakes = await Promise.all(o.servers.map((opts) => startFakeLlm(opts)));
    fx.fake = fx.fakes[0]!;
    fx.dir = tempDir(tag);
    fx.seeds = o.seeds ? writeSeeds(fx.dir, o.seeds) : '';
    await ensureCli();
    if (!o.reference) return;
    fx.reference = join(fx.dir, 'reference');
    const r = await cli(runArgs(fx, fx.reference));
    if (r.code !== EXIT.done) throw new Error(`the reference run failed (exit ${r.code}): ${r.stderr}`);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(fx.fakes.map((f) => f.close()));
    cleanup();
  });
  return fx;
}

/** `run` of a preset over the fixture's seeds against `url` (its first server by default), JSON lines out. */
export function runArgs(fx: CliFixture, store: string, o: { url?: string; preset?: string; concurrency?: number } = {}): string[] {
  return ['run', '--store', store, '--preset', o.preset ?? 'answer-judge', '--seeds', fx.seeds, '--endpoint', o.url ?? fx.fake.url, '--model', 'fake-model', '--concurrency', String(o.concurrency ?? 4), '--json'];
}
