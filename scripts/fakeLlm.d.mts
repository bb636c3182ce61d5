/** Types of scripts/fakeLlm.mjs for TypeScript importers (tests, the CLI's benchmark). */

export type FaultKind = '429' | '500' | 'stall' | 'truncated';
export declare const FAULT_KINDS: FaultKind[];

export interface FakeLlmOptions {
  /** 0 (any free port) by default. */
  port?: number;
  /** Fixed wait before each answer, once a capacity slot is held (ms). */
  latencyMs?: number;
  /** Requests served at once; the rest wait in a queue (like vLLM's max_num_seqs). Unlimited by default. */
  capacity?: number;
  /** Share 0..1 of requests that fail, drawn from a generator seeded by `faultSeed`. */
  faults?: number;
  faultSeed?: number;
  /** Which faults to inject, equally likely (all four by default). */
  faultKinds?: FaultKind[];
  /** The Retry-After of a 429 in seconds (fractions allowed; 1 by default). */
  retryAfterS?: number;
  /** The bearer / x-api-key to expect: other keys get 401 (any key when unset). */
  key?: string;
  /** What GET /v1/models lists (['fake-model'] by default). */
  models?: string[];
  /** Keep each request in `requests` (true by default; turn off for long benchmarks). */
  record?: boolean;
  /** Answer a browser page's cross-origin calls (CORS headers and the preflight). */
  cors?: boolean;
  /** Serve it at GET /props as llama.cpp server does (no /props when unset, as vLLM). */
  chatTemplate?: { template: string; bosToken: string; eosToken: string };
}

export interface FakeStats {
  /** Chat requests received (401s included). */
  requests: number;
  /** Answered whole. */
  completed: number;
  /** Injected faults by kind. */
  failed: Record<FaultKind, number>;
  unauthorized: number;
  /** Chat requests open now, queued ones included. */
  inFlight: number;
  /** Most chat requests open at once. */
  maxInFlight: number;
  /** Requests waiting for a capacity slot now. */
  queued: number;
  /** Most requests served at once (never above the capacity). */
  maxActive: number;
  /** Prompt and completion tokens of completed requests (≈ characters / 4). */
  promptTokens: number;
  completionTokens: number;
}

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body as the client sent it: any shape a client may send, read freely by guard tests. */
  body: any;
}

export interface FakeLlm {
  /** Base URL ending in /v1. */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): FakeStats;
  /** Chat requests as received, in arrival order (when `record`). */
  requests: ReceivedRequest[];
}

export declare function startFakeLlm(opts?: FakeLlmOptions): Promise<FakeLlm>;

/** The deterministic reply to (model, messages, seed, max_tokens); `schema` for JSON answers ({} for JSON mode). */
export declare function replyFor(r: { model: string; messages: unknown; seed?: unknown; maxTokens?: unknown; schema?: object }): { text: string; finish: 'stop' | 'length' };

/** Tokens of a text as the usage counts them: ceil(characters / 4). */
export declare function tokensOf(text: string): number;

/** A fake server's command line (`--name value` or `--name=value`; `--key-env VAR` read into `key`). @throws Error naming a bad argument */
export declare function serverArgs(argv: string[], usage: string): { num(k: string, d: number): number; text(k: string): string | undefined; key: string | undefined };

/** The fake reward of a (prompt, answer) pair, in [0, 1): what /score, /pooling, /classify (last class) and a "-reward" chat model answer. */
export declare function rewardFor(prompt: string, answer: string): number;

/** The reply to a raw text completion (/v1/completions): a question, cut at the first `stop` text. */
export declare function completionFor(r: { model: string; prompt: string; seed?: unknown; maxTokens?: unknown; stop?: unknown }): { text: string; finish: 'stop' | 'length' };
