import { createLlamaCppEngine } from './engines/llamaCpp';
import { nodeTransport } from './nodeTransport';
import { anthropicDialect } from '../lib/engines/remote/anthropic';
import { DEFAULT_POLICY } from '../lib/engines/remote/http';
import { openaiDialect } from '../lib/engines/remote/openai';
import { BatchEngine, type BatchLedger } from '../lib/engines/remote/batch';
import { anthropicBatch } from '../lib/engines/remote/batchAnthropic';
import { openaiBatch } from '../lib/engines/remote/batchOpenai';
import { remotePool } from '../lib/engines/remote/pool';
import { RemoteEngine, type Dialect, type EndpointConfig } from '../lib/engines/remote/remoteEngine';
import { ROLES, type Role } from '../lib/engines/roles';
import type { LlmEngine } from '../lib/engines/types';
import { FREE, withBudget, type Budget, type Prices } from '../lib/pipeline/budget';
import type { PipelineEngines } from '../lib/pipeline/types';

/**
 * The command line's engine configuration → one LlmEngine per role, built from the same remote
 * engine and dialects the app uses (src/lib/engines/remote). The configuration is stored with the
 * run (so `resume` calls the same endpoints with the same model) and holds the NAME of the
 * environment variable with the key, never the key: the key is read from the environment each
 * time engines are built, and lives only in the engine's memory.
 */

export type RemoteKind = 'openai' | 'anthropic';

/** A local GGUF model run by llama.cpp in this process (node-llama-cpp). */
export interface GgufSettings {
  path: string;
  /** CPU threads; node-llama-cpp's choice when absent. */
  threads?: number;
  /** Calls answered at once (one context sequence each); 1 keeps a seeded run reproducible to the token. */
  sequences: number;
}

/** The batch-API mode (OpenAI Batch API, Anthropic Message Batches): half price, answers within hours. */
export interface BatchSettings {
  /** Requests in one batch at most. */
  maxBatchSize: number;
  /** How long the first queued call waits for others before its batch goes (ms). */
  windowMs: number;
  /** Time between polls of a batch (ms). */
  pollMs: number;
}

/** One model behind one or more base URLs, or a local GGUF file. */
export interface EngineSettings {
  kind: RemoteKind | 'llamacpp';
  /** Base URLs (…/v1 for OpenAI-compatible servers); empty for a local model. */
  endpoints: string[];
  /** The local model, when kind is 'llamacpp'. */
  gguf?: GgufSettings;
  /** Calls go through the provider's batch API (one endpoint). */
  batch?: BatchSettings;
  model: string;
  /** The environment variable holding the key; null for servers that take none (vLLM, Ollama). */
  apiKeyEnv: string | null;
  /** Calls in flight at once against each endpoint. */
  concurrency: number;
  /** Longest wait for the first byte and for each pause of a stream (ms). */
  timeoutMs: number;
  /** Retries of a call after the first attempt (429, 5xx, timeouts, cut streams). */
  maxRetries: number;
  /** The first retry's delay (ms; doubling, with jitter); DEFAULT_POLICY's when absent. A 429's Retry-After wins. */
  retryDelayMs?: number;
  /** Prices per million tokens (for spend and a spend cap); null when not given. */
  prices: Prices | null;
}

/** The engines of a run: one for every role, or a separate judge. */
export interface EngineConfig {
  main: EngineSettings;
  judge: EngineSettings | null;
}

const DIALECTS: Record<RemoteKind, Dialect> = { openai: openaiDialect, anthropic: anthropicDialect };

/** A key the configuration names is not in the environment. Nothing was sent. */
export class MissingKeyError extends Error {
  override name = 'MissingKeyError' as const;
  constructor(readonly variable: string) {
    super(`the environment variable ${variable} (named by --api-key-env) is not set or empty: export ${variable}=… in this shell, then run again`);
  }
}

/** An endpoint as given cannot be used (not a URL, credentials in it). */
export class EndpointConfigError extends Error {
  override name = 'EndpointConfigError' as const;
}

/**
 * A base URL as given is checked here, so that a typo is named before any run is created.
 * @throws EndpointConfigError naming the URL.
 */
export function checkBaseUrl(url: string, option = '--endpoint'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new EndpointConfigError(`${option} ${JSON.stringify(url)} is not a URL: give the server's base URL, e.g. http://127.0.0.1:8000/v1`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new EndpointConfigError(`${option} ${JSON.stringify(url)} must start with http:// or https://`);
  if (u.username || u.password) throw new EndpointConfigError(`${option} must not carry a user or password (they would be stored with the run): put the key in an environment variable and name it with --api-key-env`);
  return url.replace(/\/+$/, '');
}

function keyOf(s: EngineSettings, env: NodeJS.ProcessEnv): string {
  if (!s.apiKeyEnv) return '';
  const key = env[s.apiKeyEnv];
  if (!key) throw new MissingKeyError(s.apiKeyEnv);
  return key;
}

/** The remote engine of one settings block: one endpoint, or several behind the pool (least outstanding calls, back-off). */
function buildOne(s: EngineSettings, env: NodeJS.ProcessEnv, ledger?: BatchLedger): LlmEngine {
  if (s.kind === 'llamacpp') return createLlamaCppEngine({ path: s.gguf!.path, name: s.model, threads: s.gguf!.threads, sequences: s.gguf!.sequences });
  const key = keyOf(s, env);
  const cfg: Omit<EndpointConfig, 'baseUrl'> = {
    // The id keys the endpoint's limiter and what schema mechanism it accepted (the pool adds @url per member).
    id: `cli:${s.model}`,
    name: s.endpoints.length > 1 ? `${s.model} on ${s.endpoints.length} endpoints` : s.endpoints[0]!,
    kind: s.kind,
    model: s.model,
    policy: { ...DEFAULT_POLICY, concurrency: s.concurrency, timeoutMs: s.timeoutMs, maxRetries: s.maxRetries, ...(s.retryDelayMs !== undefined ? { baseDelayMs: s.retryDelayMs } : {}) },
    prices: s.prices,
  };
  if (s.batch) {
    const provider = (s.kind === 'anthropic' ? anthropicBatch : openaiBatch)({ ...cfg, id: `${cfg.id}@${s.endpoints[0]}`, baseUrl: s.endpoints[0]! }, key);
    if (!ledger) throw new EndpointConfigError('the batch mode needs a store to keep its ledger in');
    return new BatchEngine(provider, ledger, { maxBatchSize: s.batch.maxBatchSize, windowMs: s.batch.windowMs, pollMs: s.batch.pollMs, policy: cfg.policy });
  }
  // Node's http with keep-alive sockets, as many per endpoint as its calls in flight (the batch
  // mode above keeps the global fetch: its uploads are FormData, and it makes few calls).
  const engineOpts = { fetch: nodeTransport({ maxSockets: s.concurrency }) };
  if (s.endpoints.length > 1) return remotePool(s.endpoints, cfg, key, DIALECTS[s.kind], undefined, engineOpts);
  return new RemoteEngine({ ...cfg, id: `${cfg.id}@${s.endpoints[0]}`, baseUrl: s.endpoints[0]! }, key, DIALECTS[s.kind], engineOpts);
}

/**
 * The engines of a run, each held to `budget` when one is given (the same engine serving several
 * roles is wrapped once, so its calls are counted once). `ledger`: where the batch mode keeps
 * which batch each request went in (the run's store), so that a resumed run reads the batches it
 * already paid for.
 * @throws MissingKeyError, EndpointConfigError
 */
export function buildEngines(cfg: EngineConfig, env: NodeJS.ProcessEnv, budget: Budget | null, ledger?: BatchLedger): PipelineEngines {
  const main = buildOne(cfg.main, env, ledger);
  const judge = cfg.judge ? buildOne(cfg.judge, env, ledger) : main;
  const wrap = (e: LlmEngine, s: EngineSettings) => (budget ? withBudget(e, budget, pricesOf(s)) : e);
  const wrappedMain = wrap(main, cfg.main);
  const wrappedJudge = judge === main ? wrappedMain : wrap(judge, cfg.judge!);
  const engines = {} as PipelineEngines;
  for (const role of ROLES) engines[role] = role === 'judge' ? wrappedJudge : wrappedMain;
  return engines;
}

/**
 * Loads the run's engines (a local model reads its file; remote engines have nothing to load),
 * each once. @throws LlamaCppUnavailableError, the engine's load errors
 */
export async function loadEngines(engines: PipelineEngines, signal?: AbortSignal): Promise<void> {
  for (const e of new Set(Object.values(engines))) await e.load(undefined, signal);
}

/** Frees the run's engines (a local model's memory). */
export async function unloadEngines(engines: PipelineEngines): Promise<void> {
  for (const e of new Set(Object.values(engines))) await e.unload().catch(() => {});
}

/** The model of each role, as the app's Run.models keeps it (the dataset card reads it). */
export function modelsOf(cfg: EngineConfig): Record<Role, string> {
  return { generator: cfg.main.model, responder: cfg.main.model, judge: (cfg.judge ?? cfg.main).model };
}

/** The prices of a spend cap's engines; null when one of them has none (a spend cap then refuses). */
export function pricesKnown(cfg: EngineConfig): boolean {
  return !!cfg.main.prices && (!cfg.judge || !!cfg.judge.prices);
}

/** The prices a spend is counted at: a local model's calls cost nothing. */
export function pricesOf(s: EngineSettings): Prices | null {
  return s.kind === 'llamacpp' ? FREE : s.prices;
}
