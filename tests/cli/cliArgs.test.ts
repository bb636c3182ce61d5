import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, list, num, parseVerb, UsageError, verbHelp, type VerbSpec } from '../../src/cli/args';
import { VERBS } from '../../src/cli/main';
import { jsonErrorOffset } from '../../src/cli/verbs/run';
import { cleanup, cli, ensureCli, tempDir, writeSeeds } from './support';

const spec: VerbSpec = {
  name: 'demo',
  summary: 'a verb for the test',
  usage: '--store DIR',
  options: {
    store: { type: 'string', value: 'DIR', help: 'where', required: true },
    endpoint: { type: 'string', multiple: true, value: 'URL', help: 'urls' },
    concurrency: { type: 'string', value: 'N', help: 'n' },
    json: { type: 'boolean', help: 'json' },
  },
};

describe('argument parsing', () => {
  it('reads strings, booleans and repeated, comma-separated lists', () => {
    const v = parseVerb(spec, ['--store', 'd', '--endpoint', 'http://a/v1,http://b/v1', '--endpoint=http://c/v1', '--json']);
    expect(v.store).toBe('d');
    expect(v.json).toBe(true);
    expect(list(v, 'endpoint')).toEqual(['http://a/v1', 'http://b/v1', 'http://c/v1']);
  });

  it('refuses unknown options, missing values and missing required options with a UsageError naming the option', () => {
    expect(() => parseVerb(spec, ['--store', 'd', '--nope'])).toThrow(/--nope/);
    expect(() => parseVerb(spec, ['--store'])).toThrow(/--store/);
    expect(() => parseVerb(spec, ['--json'])).toThrow(/--store DIR is required/);
    try {
      parseVerb(spec, ['stray']);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('UsageError');
      expect((e as UsageError).verb).toBe('demo');
    }
  });

  it('refuses a key on the command line without echoing it', () => {
    for (const argv of [['--api-key', 'sk-SECRET'], ['--api-key=sk-SECRET'], ['--key=sk-SECRET'], ['--token', 'sk-SECRET']]) {
      try {
        parseVerb(spec, ['--store', 'd', ...argv]);
        expect.unreachable();
      } catch (e) {
        expect((e as Error).name).toBe('UsageError');
        expect((e as Error).message).toMatch(/--api-key-env/);
        expect((e as Error).message).not.toContain('SECRET');
      }
    }
  });

  it('checks numbers and their bounds', () => {
    expect(num(parseVerb(spec, ['--store', 'd', '--concurrency', '64']), 'concurrency', { min: 1, max: 4096, int: true })).toBe(64);
    for (const bad of ['0', '1.5', 'x', '5000', '']) {
      expect(() => num(parseVerb(spec, ['--store', 'd', '--concurrency', bad]), 'concurrency', { min: 1, max: 4096, int: true })).toThrow(/--concurrency must be a whole number from 1 to 4096/);
    }
  });

  it("each verb's help lists every option it parses, and the exit codes", () => {
    for (const verb of VERBS) {
      const help = verbHelp(verb.spec);
      for (const name of Object.keys(verb.spec.options)) expect(help, `${verb.spec.name} --${name}`).toContain(`--${name}`);
      expect(help).toContain('Exit codes:');
      for (const code of Object.values(EXIT)) expect(help).toMatch(new RegExp(`^  ${code}  `, 'm'));
    }
  });
});

describe('the line of a JSON error', () => {
  it('is where JSON.parse gives up', () => {
    const at = (t: string) => t.slice(0, jsonErrorOffset(t)).split('\n').length;
    expect(at('{\n  "a": [1, 2,]\n}')).toBe(2);
    expect(at('{\n "a": 1\n "b": 2\n}')).toBe(3);
    expect(at('{\n "a": "x\\"y",\n "b": tru\n}')).toBe(3);
    expect(at('{\n "a": {\n')).toBe(3);
    expect(jsonErrorOffset('{"a": [1, {"b": null}], "c": -1.5e3}')).toBe(36);
  });
});

describe('the seedforge command', () => {
  beforeAll(ensureCli, 120_000);
  afterAll(cleanup);

  it('prints the help of the command and of every verb, exit 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(EXIT.done);
    for (const verb of VERBS) expect(top.stdout).toContain(`  ${verb.spec.name}`);
    for (const name of ['run', 'resume', 'status', 'dedup', 'export', 'backup', 'restore']) {
      const r = await cli([name, '--help']);
      expect(r.code, `${name} --help: ${r.stderr}`).toBe(EXIT.done);
      expect(r.stdout).toContain(`Usage: seedforge ${name}`);
      expect(r.stdout).toContain('Exit codes:');
    }
  });

  it('answers usage errors with exit 2 and the verb to ask for help', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/unknown verb "frobnicate"/);
    const missing = await cli(['status']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/--store DIR is required[\s\S]*seedforge status --help/);
    const both = await cli(['run', '--store', tempDir(), '--seeds', 'x.jsonl', '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm']);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toMatch(/--recipe FILE .* or --preset NAME/);
    const preset = await cli(['run', '--store', tempDir(), '--preset', 'evol5', '--seeds', 'x.jsonl', '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm']);
    expect(preset.code).toBe(EXIT.usage);
    expect(preset.stderr).toMatch(/answer-judge, evol-instruct, self-instruct/);
    const count = await cli(['run', '--store', tempDir(), '--preset', 'answer-judge', '--count', '10', '--seeds', 'x.jsonl', '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm']);
    expect(count.code).toBe(EXIT.usage);
    expect(count.stderr).toMatch(/--count sets how many items Self-Instruct makes/);
  });

  it('names the file and field of a bad recipe, and stores nothing', async () => {
    const dir = tempDir();
    const seeds = writeSeeds(dir, 3);
    const { writeFileSync, existsSync } = await import('node:fs');
    writeFileSync(`${dir}/broken.json`, '{\n  "version": 1,\n  "name": "x",\n  "steps": [ { "op": "respond" }, ]\n}\n');
    writeFileSync(`${dir}/invalid.json`, JSON.stringify({ version: 1, name: 'x', steps: [{ op: 'bestOfN', n: 2, k: 3 }] }));
    const common = ['--seeds', seeds, '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm'];
    const broken = await cli(['run', '--store', `${dir}/s1`, '--recipe', `${dir}/broken.json`, ...common]);
    expect(broken.code).toBe(EXIT.failed);
    expect(broken.stderr).toMatch(/RecipeFileError: .*broken\.json:4: not valid JSON/);
    const invalid = await cli(['run', '--store', `${dir}/s2`, '--recipe', `${dir}/invalid.json`, ...common]);
    expect(invalid.code).toBe(EXIT.failed);
    expect(invalid.stderr).toMatch(/invalid\.json is not a valid recipe:\n\s+field steps\.0\.k: Best-of-N keeps at most N/);
    expect(existsSync(`${dir}/s1`) || existsSync(`${dir}/s2`)).toBe(false);
  });
});
