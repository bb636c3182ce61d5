import { REWARD_APIS, type RewardApi, type RewardModel, type RewardPair } from '../../pipeline/operators/reward';
import { EngineError } from '../errors';
import { DEFAULT_POLICY, fetchError, globalFetch, httpError, isRetryable, limiterFor, retryDelay, sleep, type CallPolicy, type Transport } from './http';
import { joinUrl } from './remoteEngine';

/**
 * A remote reward model, on the remote engines' own limiter, retries (Retry-After honoured),
 * timeout and abort (./http.ts). Four APIs, each sent and read as its documentation gives it:
 *
 * - `score` — vLLM's Score API (`vllm serve <model> --task score`, docs.vllm.ai "OpenAI Cross
 *   Encoder Score" example): POST /score `{ model, text_1: [...], text_2: [...] }` (lists of equal
 *   length score pair by pair); answers `{ data: [{ index, object: 'score', score }] }`. For
 *   cross-encoders and reranker-style reward models (text_1 = the prompt, text_2 = the answer).
 * - `pooling` — vLLM's Pooling API for reward models (docs.vllm.ai examples/pooling "Pooling
 *   Online", `vllm serve internlm/internlm2-1_8b-reward`): POST /pooling `{ model, messages }`
 *   ("input like Chat API": the server applies the model's chat template); answers
 *   `{ data: [{ index, object: 'pooling', data }] }` where `data` is the pooled output — `[score]`
 *   for a sequence-level head, or one row per token (`[[s], …]`, the "ALL" pooler of older vLLM
 *   reward runners), of which the last token's is the reward.
 * - `classify` — vLLM's Classification API (`openai_classification_client` example): POST
 *   /classify `{ model, input: [...] }`; answers `{ data: [{ index, label, probs, num_classes }] }`.
 *   The reward is the probability of the last class (a 1-label head's sigmoid, or a 2-label
 *   classifier's "good" class).
 * - `chat` — an OpenAI-compatible server that serves a reward model behind chat completions
 *   (NVIDIA NIM "Use Reward Models": the prompt as the user turn, the answer as the assistant
 *   turn): the message content is `name:value` pairs ("reward:-3.2", or HelpSteer attributes
 *   "helpfulness:1.6,correctness:1.6,…") or a bare number; the reward is `reward`, else
 *   `helpfulness`, else the one number.
 *
 * vLLM serves these routes at the server's root: a base URL ending in /v1 (as the chat engines
 * are configured) is cut back to the root for them; `chat` keeps it.
 */
export { REWARD_APIS, type RewardApi };

export interface RewardEndpoint {
  api: RewardApi;
  baseUrl: string;
  model: string;
  /** Limits and retries; the remote engines' defaults when absent. */
  policy?: CallPolicy;
}

/** A reward server answered, but not with scores: the wrong route or model type for the chosen API. */
export class RewardResponseError extends Error {
  override name = 'RewardResponseError' as const;
}

/** The server root of a base URL (vLLM's /score, /pooling and /classify live there, not under /v1). */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function bad(api: RewardApi, what: string): RewardResponseError {
  const hint: Record<RewardApi, string> = {
    score: 'is the server vLLM with a score (cross-encoder or reward) model, e.g. `vllm serve <model> --task score`?',
    pooling: 'is the server vLLM with a reward model (`--runner pooling`)? An embedding model answers vectors, not rewards',
    classify: 'is the server vLLM with a classification model (`--task classify`)?',
    chat: 'is the model a reward model served behind chat completions (NVIDIA NIM style)? A chat model answers text, not a score',
  };
  return new RewardResponseError(`the reward server's /${api} answer ${what}: ${hint[api]}`);
}

/** Scores of a /score answer, by `index`. */
export function parseScoreResponse(json: unknown, n: number): number[] {
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length !== n) throw bad('score', `has ${Array.isArray(data) ? data.length : 'no'} data items for ${n} pairs`);
  const out = new Array<number>(n);
  data.forEach((d: { index?: unknown; score?: unknown }, i) => {
    const at = finite(d?.index) ? d.index : i;
    if (!finite(d?.score) || at < 0 || at >= n) throw bad('score', `item ${i} has no numeric score`);
    out[at] = d.score;
  });
  return out;
}

/** The reward in one /pooling answer (one conversation sent). */
export function parsePoolingResponse(json: unknown): number {
  const item = (json as { data?: { data?: unknown }[] })?.data?.[0]?.data;
  if (finite(item)) return item;
  if (Array.isArray(item) && item.length) {
    if (item.length === 1 && finite(item[0])) return item[0];
    // One row per token: the reward head's output at the last token is the sequence's reward.
    const last = item[item.length - 1];
    if (Array.isArray(last) && last.length === 1 && finite(last[0])) return last[0];
    if (item.every(finite)) throw bad('pooling', `is a vector of ${item.length} values (an embedding?), not one reward`);
  }
  throw bad('pooling', 'has no data[0].data reward');
}

/** Rewards of a /classify answer: the last class's probability of each input. */
export function parseClassifyResponse(json: unknown, n: number): number[] {
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length !== n) throw bad('classify', `has ${Array.isArray(data) ? data.length : 'no'} data items for ${n} inputs`);
  const out = new Array<number>(n);
  data.forEach((d: { index?: unknown; probs?: unknown }, i) => {
    const at = finite(d?.index) ? d.index : i;
    const probs = d?.probs;
    if (!Array.isArray(probs) || !probs.length || !probs.every(finite) || at < 0 || at >= n) throw bad('classify', `item ${i} has no probs`);
    out[at] = probs[probs.length - 1] as number;
  });
  return out;
}

/** The reward in a reward model's chat answer ("reward:-3.2", "helpfulness:1.6,correctness:…", "0.73"). */
export function parseChatReward(content: unknown): number {
  const text = typeof content === 'string' ? content.trim() : '';
  const pairs = new Map<string, number>();
  for (const m of text.matchAll(/([A-Za-z_][\w-]*)\s*[:=]\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)/gi)) pairs.set(m[1]!.toLowerCase(), Number(m[2]));
  const named = pairs.get('reward') ?? pairs.get('score') ?? pairs.get('helpfulness');
  if (named !== undefined) return named;
  if (/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/i.test(text)) return Number(text);
  throw bad('chat', `is "${text.slice(0, 60)}", not a score`);
}

/** A remote reward model. The key lives in its memory only; it never enters a message or a note. */
export class RemoteRewardModel implements RewardModel {
  readonly api: RewardApi;
  readonly model: string;
  #cfg: RewardEndpoint & { policy: CallPolicy };
  #key: string | undefined;
  #transport: Transport;

  constructor(cfg: RewardEndpoint, key?: string, transport: Transport = globalFetch) {
    this.api = cfg.api;
    this.model = cfg.model;
    this.#cfg = { ...cfg, policy: cfg.policy ?? DEFAULT_POLICY };
    this.#key = key || undefined;
    this.#transport = transport;
  }

  async score(pairs: readonly RewardPair[], signal?: AbortSignal): Promise<number[]> {
    if (!pairs.length) return [];
    const { api, model, baseUrl } = this.#cfg;
    const root = serverRoot(baseUrl);
    if (api === 'score') {
      const json = await this.#post(joinUrl(root, '/score'), { model, text_1: pairs.map((p) => p.prompt), text_2: pairs.map((p) => p.answer) }, signal);
      return parseScoreResponse(json, pairs.length);
    }
    if (api === 'classify') {
      const json = await this.#post(joinUrl(root, '/classify'), { model, input: pairs.map((p) => `${p.prompt}\n\n${p.answer}`) }, signal);
      return parseClassifyResponse(json, pairs.length);
    }
    // One conversation per request: the server applies the reward model's chat template to each.
    return Promise.all(
      pairs.map(async (p) => {
        const messages = [
          { role: 'user', content: p.prompt },
          { role: 'assistant', content: p.answer },
        ];
        if (api === 'pooling') return parsePoolingResponse(await this.#post(joinUrl(root, '/pooling'), { model, messages }, signal));
        const json = (await this.#post(joinUrl(baseUrl, '/chat/completions'), { model, messages, stream: false }, signal)) as { choices?: { message?: { content?: unknown } }[] };
        return parseChatReward(json?.choices?.[0]?.message?.content);
      }),
    );
  }

  /** One POST with the endpoint's limiter, timeout and retries (429, 5xx, network, timeout). */
  async #post(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const policy = this.#cfg.policy;
    const release = await limiterFor(`reward:${this.#cfg.baseUrl}`, policy.concurrency).acquire(signal);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.#once(url, body, signal);
        } catch (e) {
          if (!isRetryable(e) || attempt >= policy.maxRetries || signal?.aborted) throw e;
          await sleep(retryDelay(attempt, policy, (e as EngineError).retryAfter), signal);
        }
      }
    } finally {
      release();
    }
  }

  async #once(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, this.#cfg.policy.timeoutMs);
    try {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (this.#key) headers.Authorization = `Bearer ${this.#key}`;
      const resp = await this.#transport(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctl.signal });
      if (!resp.ok) throw await httpError(resp, this.#key, `reward model ${this.#cfg.model} at ${new URL(url).host}`);
      const text = await resp.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new RewardResponseError(`the reward server's ${new URL(url).pathname} answer is not JSON: check the API chosen (${this.#cfg.api}) against what the server serves`);
      }
    } catch (e) {
      if (e instanceof RewardResponseError) throw e;
      throw fetchError(e, url, signal, timedOut, this.#key);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The Reward step's settings that name its model (recipe.ts StepSchema, op 'reward'). */
export interface RewardStepModel {
  api: RewardApi;
  url: string;
  rewardModel: string;
  apiKeyEnv: string;
}

/** A Reward step that names a model it cannot reach as written: the run does not start (it would keep every item unscored). */
export class RewardConfigError extends Error {
  override name = 'RewardConfigError' as const;
}

/**
 * The reward model a recipe's Reward step names, or — when it names none (no URL) — why: the run
 * then skips the step and says so. `env` is the command line's environment, where a key named by
 * `apiKeyEnv` is read; the app passes none.
 * @throws RewardConfigError when the step names a model that cannot be called as written (no model,
 *   a bad URL, a key the environment does not hold or that the app cannot read)
 */
export function rewardModelFor(step: RewardStepModel, o: { env?: Record<string, string | undefined>; transport?: Transport; policy?: CallPolicy } = {}): RewardModel | { skipped: string } {
  if (!step.url) return { skipped: 'no reward model configured: give the Reward step a server URL and a model' };
  if (!step.rewardModel) throw new RewardConfigError(`Reward step: no model named for ${step.url}: give the model the server serves`);
  try {
    new URL(step.url);
  } catch {
    throw new RewardConfigError(`Reward step: the server URL "${step.url}" is not a URL: give http(s)://host:port`);
  }
  let key: string | undefined;
  if (step.apiKeyEnv) {
    if (!o.env) throw new RewardConfigError(`Reward step: the server's key is read from the environment variable ${step.apiKeyEnv}, which only the command line reads: run the recipe with npx seedforge run, or clear the key variable for a server that takes no key`);
    key = o.env[step.apiKeyEnv];
    if (!key) throw new RewardConfigError(`Reward step: the environment variable ${step.apiKeyEnv} (the reward server's key) is empty: set it and run again`);
  }
  return new RemoteRewardModel({ api: step.api, baseUrl: step.url, model: step.rewardModel, ...(o.policy ? { policy: o.policy } : {}) }, key, o.transport);
}
