import * as Comlink from 'comlink';

/**
 * The errors every engine throws, keyed by `name` (comlink keeps name and message only, so the
 * name is what survives a worker boundary; `installErrorTransfer` revives the class too).
 * Each carries `hint`, a message key the UI shows as the next step.
 */
export type EngineErrorName =
  | 'NoWebGpuError'
  | 'ModelNotFoundError'
  | 'InvalidModelError'
  | 'OutOfMemoryError'
  | 'BadKeyError'
  | 'RateLimitedError'
  | 'NetworkError'
  | 'CorsError'
  | 'TimeoutError'
  | 'AbortedError'
  | 'ServerError'
  | 'BadRequestError'
  | 'AirGappedError'
  | 'ContextOverflowError';

export interface ContextNumbers {
  promptTokens: number;
  maxTokens: number;
  contextLength: number;
  /** Whether promptTokens was counted by the model's tokenizer or the server (else estimated). */
  counted: boolean;
}

/** A call whose prompt and answer cannot fit in the model's context: never sent, or refused by the backend. */
export function contextOverflow(what: string, n: ContextNumbers): EngineError {
  return new EngineError(
    'ContextOverflowError',
    `${what}: the prompt (${n.counted ? '' : '≈'}${n.promptTokens} tokens) and the answer (up to ${n.maxTokens}) do not fit in the context of ${n.contextLength} tokens`,
    { context: n },
  );
}

/**
 * What went wrong in the user's language: a message key of the UI and its parameters (numbers are
 * formatted in the UI language). The English `message` stays for logs and the tooltip.
 */
export interface ErrorDetail {
  key: string;
  params?: Record<string, string | number>;
}

export class EngineError extends Error {
  override name: EngineErrorName;
  /** HTTP status, when a server answered. */
  status?: number;
  /** Seconds the server asked us to wait (Retry-After). */
  retryAfter?: number;
  /** ContextOverflowError: the prompt's tokens (counted or estimated), the answer's budget and the context length. */
  context?: ContextNumbers;
  /** The same in the user's language (ErrorText shows it; `message` goes to the tooltip). */
  detail?: ErrorDetail;

  constructor(name: EngineErrorName, message: string, extra: { status?: number; retryAfter?: number; cause?: unknown; context?: ContextNumbers; detail?: ErrorDetail } = {}) {
    super(message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = name;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
    if (extra.context !== undefined) this.context = extra.context;
    if (extra.detail !== undefined) this.detail = extra.detail;
  }
}

export const ENGINE_ERROR_NAMES: EngineErrorName[] = [
  'NoWebGpuError',
  'ModelNotFoundError',
  'InvalidModelError',
  'OutOfMemoryError',
  'BadKeyError',
  'RateLimitedError',
  'NetworkError',
  'CorsError',
  'TimeoutError',
  'AbortedError',
  'ServerError',
  'BadRequestError',
  'AirGappedError',
  'ContextOverflowError',
];

export function isEngineError(e: unknown, name?: EngineErrorName): e is EngineError {
  return e instanceof Error && (ENGINE_ERROR_NAMES as string[]).includes(e.name) && (!name || e.name === name);
}

/**
 * Makes comlink carry EngineErrors whole (class, name, status, retryAfter) instead of a bare
 * Error. Call once in each realm: the main thread and every worker entry.
 */
export function installErrorTransfer(): void {
  const base = Comlink.transferHandlers.get('throw');
  if (!base || (base as { seedforge?: boolean }).seedforge) return;
  type Thrown = { value: unknown };
  const handler = {
    seedforge: true,
    canHandle: base.canHandle,
    serialize(obj: unknown): [unknown, Transferable[]] {
      const v = (obj as Thrown).value;
      if (v instanceof EngineError) {
        return [{ engineError: { name: v.name, message: v.message, status: v.status, retryAfter: v.retryAfter, context: v.context, detail: v.detail, stack: v.stack } }, []];
      }
      return base.serialize(obj);
    },
    deserialize(ser: unknown): unknown {
      const e = (ser as { engineError?: { name: EngineErrorName; message: string; status?: number; retryAfter?: number; context?: ContextNumbers; detail?: ErrorDetail; stack?: string } }).engineError;
      if (e) {
        const err = new EngineError(e.name, e.message, { status: e.status, retryAfter: e.retryAfter, context: e.context, detail: e.detail });
        if (e.stack) err.stack = e.stack;
        throw err;
      }
      return base.deserialize(ser);
    },
  };
  Comlink.transferHandlers.set('throw', handler as typeof base);
}

export const aborted = (what = 'the call') => new EngineError('AbortedError', `${what} was cancelled`);
