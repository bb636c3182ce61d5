import { parseArgs } from 'node:util';

/**
 * The command line's grammar: each verb declares its options once (name, type, help line), and
 * both the parser and `--help` read that declaration, so the help can never name an option the
 * parser refuses. Parsing is Node's own `util.parseArgs` in strict mode; its errors become
 * UsageErrors that name the option and say where to look.
 */

/** Exit codes that scripts can rely on (printed by every `--help`). */
export const EXIT = {
  /** The verb did what it was asked (a run: every task is done). */
  done: 0,
  /** It failed: the message on stderr says why and what to do. */
  failed: 1,
  /** The command line was wrong (unknown verb or option, a bad or missing value). */
  usage: 2,
  /** A run stopped before its end and can be resumed: Ctrl+C, a budget cap reached, an endpoint that kept failing. */
  paused: 3,
  /** Nothing to do: the run was already done, or the store holds nothing to export. */
  nothing: 4,
} as const;

export const EXIT_HELP = `Exit codes:
  0  done
  1  failed (the message says why and what to do next)
  2  usage error (unknown verb or option, a bad or missing value)
  3  paused: Ctrl+C, a budget cap or an endpoint that kept failing stopped the run;
     \`seedforge resume\` continues it (tasks that failed on the endpoint are made then)
  4  nothing to do (the run was already done, the store holds nothing to export)`;

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given several times (each value is kept, in order). */
  multiple?: boolean;
  /** The value's placeholder in the help (`DIR`, `FILE`, `N`). */
  value?: string;
  help: string;
  /** Must be given. */
  required?: boolean;
}

export interface VerbSpec {
  name: string;
  /** One line for the list of verbs. */
  summary: string;
  /** The synopsis after `seedforge <verb>`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Paragraphs after the options (examples, notes). */
  details?: string;
}

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

/** The command line is wrong; nothing was done. */
export class UsageError extends Error {
  override name = 'UsageError' as const;
  constructor(
    message: string,
    /** The verb whose `--help` to point to (absent: the top-level help). */
    readonly verb?: string,
  ) {
    super(message);
  }
}

/** Options every verb takes. */
export const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', help: 'show this help and exit' },
};

/**
 * A key never goes on the command line: it would stay in the shell's history and in `ps` output
 * for anyone on the machine. These spellings are refused by name, without echoing the value.
 */
const KEY_OPTIONS = /^--(api-?key|key|token)(=|$)/i;

/**
 * Parses `argv` (the words after the verb) against the verb's options.
 * @throws UsageError naming the option that is unknown, lacks a value, or is missing.
 */
export function parseVerb(spec: VerbSpec, argv: string[]): ParsedOptions {
  const options = { ...COMMON, ...spec.options };
  const keyWord = argv.find((a) => KEY_OPTIONS.test(a));
  if (keyWord) {
    throw new UsageError(`${keyWord.split('=')[0]} is refused: a key on the command line is kept in the shell's history and shown by ps. Put it in an environment variable and name that: --api-key-env OPENAI_API_KEY`, spec.name);
  }
  let values: ParsedOptions;
  try {
    const parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, multiple: !!o.multiple }])),
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as ParsedOptions;
  } catch (e) {
    // parseArgs's messages name the option ("Unknown option '--x'", "Option '--store <value>' argument missing").
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), spec.name);
  }
  if (values.help) return values;
  for (const [k, o] of Object.entries(spec.options)) {
    if (o.required && (values[k] === undefined || values[k] === '')) throw new UsageError(`--${k} ${o.value ?? ''} is required`.replace(/ +is/, ' is'), spec.name);
  }
  return values;
}

/** A string option's value (the last one where it was given several times). */
export function str(v: ParsedOptions, name: string): string | undefined {
  const x = v[name];
  if (Array.isArray(x)) return x.at(-1);
  return typeof x === 'string' ? x : undefined;
}

/** Every value of a repeatable option, comma-separated lists split (`--endpoint a,b --endpoint c`). */
export function list(v: ParsedOptions, name: string): string[] {
  const x = v[name];
  const all = Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
  return all.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/**
 * A number option within bounds; `int` for whole numbers.
 * @throws UsageError naming the option and the value refused.
 */
export function num(v: ParsedOptions, name: string, bounds: { min: number; max?: number; int?: boolean }): number | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  const max = bounds.max ?? Infinity;
  if (s.trim() === '' || !Number.isFinite(n) || (bounds.int && !Number.isInteger(n)) || n < bounds.min || n > max) {
    const range = max === Infinity ? `at least ${bounds.min}` : `from ${bounds.min} to ${max}`;
    throw new UsageError(`--${name} must be ${bounds.int ? 'a whole number' : 'a number'} ${range} (got ${JSON.stringify(s)})`);
  }
  return n;
}

/** One of a fixed set of words. @throws UsageError listing the words allowed. */
export function oneOf<T extends string>(v: ParsedOptions, name: string, allowed: readonly T[]): T | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(s)})`);
  return s as T;
}

/** The `--help` text of a verb, from its declaration. */
export function verbHelp(spec: VerbSpec): string {
  const rows = Object.entries({ ...spec.options, ...COMMON }).map(([k, o]) => [`--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, `${o.help}${o.required ? ' (required)' : ''}${o.multiple ? ' (may repeat)' : ''}`] as const);
  const width = Math.min(28, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = rows.map(([l, h]) => (l.length + 2 > width ? `  ${l}\n  ${' '.repeat(width)}${h}` : `  ${l.padEnd(width)}${h}`));
  return [`Usage: seedforge ${spec.name} ${spec.usage}`, '', spec.summary, '', 'Options:', ...lines, ...(spec.details ? ['', spec.details] : []), '', EXIT_HELP, ''].join('\n');
}

/** The top-level help: every verb with its summary. */
export function mainHelp(verbs: VerbSpec[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length)) + 2;
  return [
    'Usage: seedforge <verb> [options]',
    '',
    'Seedforge headless: runs the app\'s recipes over seed files against OpenAI-compatible or',
    'Anthropic endpoints, with the runs kept in a SQLite store that the app can review (backup).',
    '',
    'Verbs:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}${v.summary}`),
    '',
    'Run `seedforge <verb> --help` for a verb\'s options.',
    '',
    EXIT_HELP,
    '',
  ].join('\n');
}

/** A verb: its declaration and what it does with the parsed options; resolves with the exit code. */
export interface Verb {
  spec: VerbSpec;
  run(v: ParsedOptions, env: NodeJS.ProcessEnv): Promise<number>;
}

/** Options several verbs share, declared once. */
export const STORE_OPTION: OptionSpec = { type: 'string', value: 'DIR', help: 'the store directory (made on first use; holds seedforge.sqlite)', required: true };
export const JSON_OPTION: OptionSpec = { type: 'boolean', help: 'print one JSON object per line (progress events, then a summary)' };
