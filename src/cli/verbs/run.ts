import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isDocumentRecipe, PRESETS, validateRecipe, type Recipe } from '../../lib/pipeline/recipe';
import { taskCount } from '../../lib/pipeline/run';
import { JSON_OPTION, list, num, oneOf, STORE_OPTION, str, UsageError, type OptionSpec, type ParsedOptions, type Verb } from '../args';
import { buildEngines, checkBaseUrl, modelsOf, pricesKnown, type BatchSettings, type EngineConfig, type EngineSettings, type RemoteKind } from '../engines';
import { outputMode } from '../progress';
import { createStagedRun, type SeedStaging } from '../store/seedStaging';
import { openStore, type Store } from '../store/store';
import { execute, rolesOf, RUN_ENGINES_FIELD } from './execute';
import { fullGc, stageSeedFiles } from './seedFiles';

/** The app's presets by their kebab-case names (src/lib/pipeline/recipe.ts PRESETS). */
export const PRESET_NAMES: Record<string, keyof typeof PRESETS> = {
  'answer-judge': 'answerJudge',
  'evol-instruct': 'evol4',
  'self-instruct': 'selfInstruct',
  'persona-evol': 'personaEvol',
  'best-of-n': 'bestOfN',
  'small-model': 'smallModel',
  'doc-qa': 'docQA',
  'doc-qa-evol': 'docQAEvol',
  'multi-turn': 'multiTurn',
};

/** A recipe file or preset that cannot be used; names the file and the field. */
export class RecipeFileError extends Error {
  override name = 'RecipeFileError' as const;
}

/** Default calls in flight: what vLLM serves well on one GPU; raise it for several replicas. */
const DEFAULT_CONCURRENCY = 16;

/** The engine options, shared with `resume` (which may point a stored run at a moved server). */
export const ENGINE_OPTIONS: Record<string, OptionSpec> = {
  gguf: { type: 'string', value: 'FILE', help: 'a local GGUF model run by llama.cpp in this process (node-llama-cpp) instead of --endpoint' },
  threads: { type: 'string', value: 'N', help: "with --gguf: CPU threads (default: node-llama-cpp's choice)" },
  sequences: { type: 'string', value: 'N', help: 'with --gguf: calls answered at once, decoded in one batch (default: --concurrency when given, else 1: a seeded run is reproducible to the token)' },
  endpoint: { type: 'string', multiple: true, value: 'URL', help: 'base URL of an OpenAI-compatible (…/v1) or Anthropic server; repeat or comma-separate for several' },
  kind: { type: 'string', value: 'openai|anthropic', help: 'the API the endpoints speak (default openai)' },
  model: { type: 'string', value: 'NAME', help: 'the model name the server knows' },
  'api-key-env': { type: 'string', value: 'VAR', help: 'environment variable holding the API key (keys are never taken on the command line)' },
  'judge-endpoint': { type: 'string', multiple: true, value: 'URL', help: 'a separate judge: its base URL(s) (default: the main endpoints)' },
  'judge-model': { type: 'string', value: 'NAME', help: 'the judge model (default: --model)' },
  'judge-kind': { type: 'string', value: 'openai|anthropic', help: 'the API the judge speaks (default: --kind)' },
  'judge-api-key-env': { type: 'string', value: 'VAR', help: "environment variable with the judge's key (default: --api-key-env)" },
  'timeout-s': { type: 'string', value: 'S', help: 'longest wait for a first byte or a pause of a stream (default 60)' },
  retries: { type: 'string', value: 'N', help: 'retries of a failed call: 429, 5xx, timeouts, cut streams (default 4)' },
  batch: { type: 'boolean', help: "send the calls through the provider's batch API (OpenAI Batch API, Anthropic Message Batches: half price, answers within hours); resumable" },
  'batch-size': { type: 'string', value: 'N', help: 'with --batch: requests per batch at most (default 1000; also the tasks in flight)' },
  'batch-window-ms': { type: 'string', value: 'MS', help: 'with --batch: how long calls gather before a batch goes (default 2000)' },
  'batch-poll-s': { type: 'string', value: 'S', help: 'with --batch: time between polls of a batch (default 30)' },
  'retry-delay-ms': { type: 'string', value: 'MS', help: "the first retry's delay, doubling each time (default 1000; a 429's Retry-After wins)" },
  'price-in': { type: 'string', value: 'P', help: 'price per million prompt tokens (for spend and --max-spend)' },
  'price-out': { type: 'string', value: 'P', help: 'price per million completion tokens' },
};

export const BUDGET_OPTIONS: Record<string, OptionSpec> = {
  'max-spend': { type: 'string', value: 'AMOUNT', help: 'pause before a call could take the spend above this (needs --price-in/--price-out)' },
  'max-tokens': { type: 'string', value: 'N', help: 'pause before a call could take the tokens used (prompt + completion) above this' },
};

/** The privacy guard's override, for run and resume (see ExecuteOptions.allowPrivate). */
export const PRIVACY_OPTIONS: Record<string, OptionSpec> = {
  'allow-private': { type: 'boolean', help: "send prompts that hold personal data (an ID, phone, e-mail… found by `seedforge pii`) to the remote endpoint anyway; without it, the recipe's privacy guard holds those items back and the run pauses saying why" },
};

/** The budget caps given on the command line. */
export function capsOf(v: ParsedOptions): { maxSpend?: number; maxTokens?: number } {
  const maxSpend = num(v, 'max-spend', { min: 0 });
  const maxTokens = num(v, 'max-tokens', { min: 0, int: true });
  return { ...(maxSpend !== undefined ? { maxSpend } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
}

/**
 * The engine configuration from the options; `base` (a stored run's) fills what is not given.
 * @throws UsageError, EndpointConfigError
 */
export function engineConfigOf(v: ParsedOptions, concurrency: number, base?: EngineConfig): EngineConfig {
  const endpoints = list(v, 'endpoint').map((u) => checkBaseUrl(u));
  const ggufPath = str(v, 'gguf');
  if (ggufPath !== undefined) return { main: localSettings(v, ggufPath), judge: null };
  if (base?.main.kind === 'llamacpp' && !endpoints.length) return base;
  const model = str(v, 'model');
  if (!base && !endpoints.length) throw new UsageError('--endpoint URL is required: the base URL of the server (e.g. http://127.0.0.1:8000/v1)', 'run');
  if (!base && !model) throw new UsageError('--model NAME is required: the model name the server knows', 'run');
  const kind = oneOf<RemoteKind>(v, 'kind', ['openai', 'anthropic']);
  const timeoutS = num(v, 'timeout-s', { min: 1, max: 3600 });
  const retries = num(v, 'retries', { min: 0, max: 20, int: true });
  const retryDelayMs = num(v, 'retry-delay-ms', { min: 0, max: 60_000, int: true });
  const priceIn = num(v, 'price-in', { min: 0 });
  const priceOut = num(v, 'price-out', { min: 0 });
  if ((priceIn === undefined) !== (priceOut === undefined)) throw new UsageError('give both --price-in and --price-out (per million tokens), or neither');
  const keyEnv = str(v, 'api-key-env');
  if (keyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv)) throw new UsageError(`--api-key-env takes the NAME of an environment variable (letters, digits, _), not a key`);
  const b = base?.main;
  const batch = v.batch === true || v['batch-size'] !== undefined ? batchSettings(v) : b?.batch;
  if (batch && (endpoints.length || b?.endpoints.length || 0) > 1 && !b) throw new UsageError('--batch sends to one endpoint: give one --endpoint', 'run');
  const main: EngineSettings = {
    kind: kind ?? b?.kind ?? 'openai',
    endpoints: endpoints.length ? endpoints : b!.endpoints,
    model: model ?? b!.model,
    apiKeyEnv: keyEnv ?? b?.apiKeyEnv ?? null,
    concurrency: base ? b!.concurrency : concurrency,
    timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : (b?.timeoutMs ?? 60_000),
    maxRetries: retries ?? b?.maxRetries ?? 4,
    ...((retryDelayMs ?? b?.retryDelayMs) !== undefined ? { retryDelayMs: retryDelayMs ?? b?.retryDelayMs } : {}),
    prices: priceIn !== undefined ? { input: priceIn, output: priceOut! } : (b?.prices ?? null),
    ...(batch ? { batch } : {}),
  };
  // A batch holds up to its size in calls: that many tasks in flight fill it.
  if (batch && !base && v.concurrency === undefined) main.concurrency = batch.maxBatchSize;
  const judgeEndpoints = list(v, 'judge-endpoint').map((u) => checkBaseUrl(u, '--judge-endpoint'));
  const judgeModel = str(v, 'judge-model');
  const judgeKind = oneOf<RemoteKind>(v, 'judge-kind', ['openai', 'anthropic']);
  const judgeKey = str(v, 'judge-api-key-env');
  let judge = base?.judge ?? null;
  if (judgeEndpoints.length || judgeModel || judgeKind || judgeKey) {
    judge = {
      ...main,
      ...(judge ?? {}),
      endpoints: judgeEndpoints.length ? judgeEndpoints : (judge?.endpoints ?? main.endpoints),
      model: judgeModel ?? judge?.model ?? main.model,
      kind: judgeKind ?? judge?.kind ?? main.kind,
      apiKeyEnv: judgeKey ?? judge?.apiKeyEnv ?? main.apiKeyEnv,
    };
  }
  return { main, judge };
}

/** The batch mode's settings from `--batch…`. @throws UsageError */
function batchSettings(v: ParsedOptions): BatchSettings {
  return {
    maxBatchSize: num(v, 'batch-size', { min: 1, max: 50_000, int: true }) ?? 1000,
    windowMs: num(v, 'batch-window-ms', { min: 0, max: 3_600_000, int: true }) ?? 2000,
    pollMs: (num(v, 'batch-poll-s', { min: 0.01, max: 86_400 }) ?? 30) * 1000,
  };
}

/** A local GGUF model's settings (`--gguf FILE`). @throws UsageError */
function localSettings(v: ParsedOptions, path: string): EngineSettings {
  if (list(v, 'endpoint').length) throw new UsageError('give either --gguf FILE (a local model) or --endpoint URL (a server), not both', 'run');
  if (!existsSync(path)) throw new UsageError(`--gguf ${path}: no such file (\`npm run models:chat\` downloads a small chat model)`, 'run');
  const threads = num(v, 'threads', { min: 1, max: 1024, int: true });
  // --concurrency means the same for a local model: calls in flight, one context sequence each.
  const sequences = num(v, 'sequences', { min: 1, max: 64, int: true }) ?? num(v, 'concurrency', { min: 1, max: 64, int: true }) ?? 1;
  return {
    kind: 'llamacpp',
    endpoints: [],
    gguf: { path, sequences, ...(threads ? { threads } : {}) },
    model: str(v, 'model') ?? basename(path),
    apiKeyEnv: null,
    concurrency: sequences,
    timeoutMs: 0,
    maxRetries: 0,
    prices: null,
  };
}

/**
 * The recipe with what the command line sets over it: the number of items of a recipe that starts
 * with Self-Instruct (`--count`), tasks per seed (`--copies`), the seed of its random choices.
 * Validated after, like the rest of the recipe. @throws UsageError
 */
function withOverrides(input: unknown, v: ParsedOptions): unknown {
  const count = num(v, 'count', { min: 1, max: 1_000_000, int: true });
  const copies = num(v, 'copies', { min: 1, max: 1000, int: true });
  const seed = num(v, 'seed', { min: 0, max: 2 ** 31, int: true });
  if (count === undefined && copies === undefined && seed === undefined) return input;
  const r = structuredClone(input) as { steps?: { op?: string; count?: number }[]; copiesPerSeed?: number; seed?: number };
  if (count !== undefined) {
    if (r.steps?.[0]?.op !== 'selfInstruct') throw new UsageError('--count sets how many items Self-Instruct makes: the recipe does not start with Self-Instruct (use --copies for tasks per seed)', 'run');
    r.steps[0].count = count;
  }
  if (copies !== undefined) r.copiesPerSeed = copies;
  if (seed !== undefined) r.seed = seed;
  return r;
}

/** The recipe from `--recipe FILE` (as the app exports it) or `--preset NAME`. @throws RecipeFileError, UsageError */
export function loadRecipe(v: ParsedOptions): Recipe {
  const file = str(v, 'recipe');
  const preset = str(v, 'preset');
  if (!!file === !!preset) throw new UsageError('give either --recipe FILE (a recipe exported from the app) or --preset NAME', 'run');
  let input: unknown;
  let where: string;
  if (preset) {
    const key = PRESET_NAMES[preset];
    if (!key) throw new UsageError(`--preset ${JSON.stringify(preset)} is not a preset; the presets are ${Object.keys(PRESET_NAMES).join(', ')}`, 'run');
    input = PRESETS[key];
    where = `preset ${preset}`;
  } else {
    if (!existsSync(file!)) throw new RecipeFileError(`recipe file ${file} does not exist: export a recipe from the app's Recipe screen, or use --preset`);
    const text = readFileSync(file!, 'utf8');
    where = file!;
    try {
      input = JSON.parse(text);
    } catch (e) {
      const line = text.slice(0, jsonErrorOffset(text)).split('\n').length;
      throw new RecipeFileError(`${file}:${line}: not valid JSON (${(e as Error).message}); a recipe file is the JSON the app's Recipe screen exports`);
    }
  }
  const r = validateRecipe(withOverrides(input, v));
  if (!r.ok) throw new RecipeFileError(`${where} is not a valid recipe:\n${r.problems.map((p) => `  field ${p.path || '(top level)'}: ${p.message}`).join('\n')}`);
  if (isDocumentRecipe(r.recipe)) {
    throw new RecipeFileError(`${where} makes questions from document chunks, and the command line does not read documents yet: run it in the app, or pick a recipe that starts from seeds (answer-judge, evol-instruct, self-instruct, …)`);
  }
  return r.recipe;
}

/**
 * Where JSON.parse gave up, as an offset into `text`: Node 20's messages often give no position
 * ("Unexpected token ']', …"), and a user needs the line. A plain recursive-descent reader of
 * JSON's grammar; returns text.length when the text ends too early.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (w: string) => (text.startsWith(w, i) ? (i += w.length) : fail());
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          str();
          ws();
          lit(':');
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return void lit('true');
    if (c === 'f') return void lit('false');
    if (c === 'n') return void lit('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
  return text.length;
}

/**
 * Stages the seed files (before the store is opened: a bad file changes nothing, and no store is
 * made), then adds their seeds to the project and creates the run with its snapshot in one
 * transaction (seedStaging.ts); returns the open store and the run's id. The run's seeds are the
 * files', in file order: new ones stored, ones the project has reused.
 */
async function createRunFromFiles(v: ParsedOptions, recipe: Recipe, cfg: EngineConfig, caps: ReturnType<typeof capsOf>): Promise<{ store: Store; runId: string }> {
  const { staging } = await stageSeedFiles(list(v, 'seeds'), v['skip-bad'] === true);
  try {
    const store = openStore(str(v, 'store')!);
    try {
      return { store, runId: createRunOf(store, staging, v, recipe, cfg, caps) };
    } catch (e) {
      store.close();
      throw e;
    }
  } finally {
    staging.close();
  }
}

function createRunOf(store: Store, staging: SeedStaging, v: ParsedOptions, recipe: Recipe, cfg: EngineConfig, caps: ReturnType<typeof capsOf>): string {
  const project = projectOf(store, str(v, 'project') ?? 'cli');
  const fields = {
    projectId: project.id,
    name: str(v, 'name') ?? `${recipe.name} (${basename(list(v, 'seeds')[0]!)})`,
    recipe,
    roles: rolesOf(cfg),
    models: modelsOf(cfg),
    concurrency: cfg.main.concurrency * Math.max(1, cfg.main.endpoints.length),
    total: taskCount(recipe, staging.count),
    // In the run row itself, so that it is written in the run's own transaction: a process
    // killed right after creating the run still leaves a run that `resume` can call.
    [RUN_ENGINES_FIELD]: cfg,
    // The caps as the app keeps them (Run.budget), so a backup reviewed in the app shows them.
    ...(caps.maxSpend !== undefined || caps.maxTokens !== undefined ? { budget: { maxSpend: caps.maxSpend ?? null, maxTokens: caps.maxTokens ?? null, spent: { spend: 0, tokens: 0, calls: 0 } } } : {}),
  };
  return createStagedRun(store, staging, fields).run.id;
}

/** The project `run` adds seeds to: the one with this name, made on first use. */
function projectOf(store: Store, name: string) {
  return store.listProjects().find((p) => p.name === name) ?? store.createProject(name);
}

export const runVerb: Verb = {
  spec: {
    name: 'run',
    summary: 'create a run from a recipe and seed files, and run it to its end',
    usage: '--store DIR (--recipe FILE | --preset NAME) --seeds FILE --endpoint URL --model NAME [options]',
    options: {
      store: STORE_OPTION,
      recipe: { type: 'string', value: 'FILE', help: "a recipe as the app's Recipe screen exports it (JSON)" },
      preset: { type: 'string', value: 'NAME', help: `one of the app's presets: ${Object.keys(PRESET_NAMES).join(', ')}` },
      seeds: { type: 'string', multiple: true, value: 'FILE', help: 'seed file(s) in any format the app imports: JSONL, JSON, CSV, TSV, text, Parquet', required: true },
      count: { type: 'string', value: 'N', help: 'items a recipe that starts with Self-Instruct makes (the preset: 50)' },
      copies: { type: 'string', value: 'N', help: 'tasks per seed (the recipe\'s copiesPerSeed)' },
      seed: { type: 'string', value: 'N', help: "the seed of the recipe's random choices (same recipe, seeds and seed: same run)" },
      'skip-bad': { type: 'boolean', help: 'leave out records the importer cannot use (default: stop and name them)' },
      ...ENGINE_OPTIONS,
      concurrency: { type: 'string', value: 'N', help: `tasks (and calls) in flight per endpoint, 1–4096 (default ${DEFAULT_CONCURRENCY}); fixed for the run` },
      ...BUDGET_OPTIONS,
      ...PRIVACY_OPTIONS,
      project: { type: 'string', value: 'NAME', help: "the store's project to add the seeds to (default: cli)" },
      name: { type: 'string', value: 'NAME', help: 'the run\'s name (default: the recipe\'s name)' },
      json: JSON_OPTION,
    },
    details: [
      'Examples:',
      '  seedforge run --store ./store --preset answer-judge --seeds seeds.jsonl \\',
      '    --endpoint http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct --concurrency 128',
      '  OPENAI_API_KEY=… seedforge run --store ./store --recipe my-recipe.json --seeds seeds.csv \\',
      '    --endpoint https://api.openai.com/v1 --model gpt-4o-mini --api-key-env OPENAI_API_KEY \\',
      '    --price-in 0.15 --price-out 0.6 --max-spend 5',
      '',
      'Progress goes to stdout (a live display on a terminal, plain lines otherwise, JSON lines with',
      '--json). Ctrl+C pauses: calls in flight stop, finished items are kept, and `seedforge resume',
      '--store DIR` continues; a second Ctrl+C leaves at once.',
    ].join('\n'),
  },
  async run(v, env) {
    const recipe = loadRecipe(v);
    const concurrency = num(v, 'concurrency', { min: 1, max: 4096, int: true }) ?? DEFAULT_CONCURRENCY;
    const cfg = engineConfigOf(v, concurrency);
    const caps = capsOf(v);
    if (caps.maxSpend !== undefined && cfg.main.kind !== 'llamacpp' && !pricesKnown(cfg)) throw new UsageError('--max-spend needs the prices: add --price-in and --price-out (per million tokens), or cap tokens with --max-tokens', 'run');
    // Engines are built once before anything is stored: a missing key or a bad URL stores nothing
    // (a batch ledger that keeps nothing: this engine never sends).
    buildEngines(cfg, env, null, { get: () => undefined, put: () => {} });
    const { store, runId } = await createRunFromFiles(v, recipe, cfg, caps);
    fullGc();
    try {
      return await execute(store, runId, cfg, { mode: outputMode(v.json === true), env, caps, allowPrivate: v['allow-private'] === true });
    } finally {
      store.close();
    }
  },
};
