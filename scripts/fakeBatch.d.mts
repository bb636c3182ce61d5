/** Types of scripts/fakeBatch.mjs for TypeScript importers (the batch-API mode's tests). */

export interface FakeBatchOptions {
  /** 0 (any free port) by default. */
  port?: number;
  /** How long a batch stays in progress after it is created (ms; 50 by default). */
  processingMs?: number;
  /** Share 0..1 of requests that fail (a 500 or expired), drawn per custom_id and sending. */
  failures?: number;
  /** Changes which requests fail (1 by default). */
  failSeed?: number;
  /** A request whose JSON contains this text fails every time, as a bad request. */
  poison?: string;
  /** Share 0..1 of the protocol's own HTTP calls (upload, create, poll, download, cancel) answered 500 or 429 (Retry-After 0), seeded. */
  httpFailures?: number;
  /** The bearer / x-api-key to expect: other keys get 401 (any key when unset). */
  key?: string;
}

export interface FakeBatchStats {
  /** Files uploaded (OpenAI). */
  uploads: number;
  /** Batches created (both APIs). */
  submits: number;
  /** Batch retrievals. */
  polls: number;
  /** Batch list pages read. */
  lists: number;
  /** Result files read. */
  downloads: number;
  cancels: number;
  /** Requests received inside batches. */
  lines: number;
  succeeded: number;
  /** Requests that failed (injected, poisoned, cancelled). */
  failed: number;
  unauthorized: number;
  /** Protocol calls answered 500 or 429 (httpFailures). */
  httpFaults: number;
}

export interface FakeBatch {
  /** OpenAI base URL, ending in /v1. */
  url: string;
  /** Anthropic base URL (the origin). */
  origin: string;
  port: number;
  stats(): FakeBatchStats;
  /** How many times each custom_id came in a batch. */
  sent(): Map<string, number>;
  /** The batches created, oldest first. */
  batches(): { id: string; api: 'openai' | 'anthropic'; customIds: string[]; cancelled: boolean; metadata: Record<string, string> | null }[];
  close(): Promise<void>;
}

export declare function startFakeBatch(opts?: FakeBatchOptions): Promise<FakeBatch>;
