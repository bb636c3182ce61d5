/**
 * The remote-call guard (issue 17, item 4): while it is on, a prompt that still holds personal
 * data is not sent to a remote engine. An LlmEngine decorator, so the remote engine itself and the
 * pipeline stay unchanged; the run builds it around remote engines only (local engines never send
 * anything off the device).
 */
import { withChat } from '../engines/decorate';
import type { ChatEvent, ChatRequest, LlmEngine } from '../engines/types';
import type { RewardModel } from '../pipeline/operators/reward';
import type { PiiType } from './pii';
import { countByType, findingsIn, type PrivacyLists } from './scan';

/**
 * A prompt held back by the guard. `hold: true` tells the pipeline to leave the task open (not a
 * rejected sample) with `reason`, so it runs again on resume once the text is redacted or allowed.
 * The reason and message name the types and counts found, never the values.
 */
/** How every guard reason starts: what a run's stored message is searched for (never the values). */
export const GUARD_REASON = 'unredacted personal data in the prompt';

export class PiiGuardError extends Error {
  override name = 'PiiGuardError' as const;
  readonly hold = true as const;
  /** `types: phone ×1, cnId ×1` — what the run shows beside the held item. */
  readonly reason: string;
  readonly types: Partial<Record<PiiType, number>>;

  constructor(model: string, types: Partial<Record<PiiType, number>>) {
    const reason = `${GUARD_REASON} (${Object.entries(types).map(([t, n]) => `${t} ×${n}`).join(', ')})`;
    super(`not sent to ${model}: ${reason}. Redact it on the Seeds or Review screen (document chunks: turn on the recipe's redaction before generation), or allow it for this run, then resume`);
    this.reason = reason;
    this.types = types;
  }
}

export function isPiiGuardError(e: unknown): e is PiiGuardError {
  return e instanceof Error && e.name === 'PiiGuardError';
}

/** The whole text a request would send: every message's content. */
function promptText(req: ChatRequest): string {
  return req.messages.map((m) => m.content).join('\n');
}

/**
 * Wraps a remote engine: each chat's prompt is scanned first and, when it holds a finding the
 * user has not ignored, the chat throws PiiGuardError before any byte is sent.
 * @param lists the project's names, terms and ignored values (read once per run)
 */
export function guardEngine(engine: LlmEngine, lists: PrivacyLists): LlmEngine {
  const ignored = new Set(lists.ignored);
  return withChat(engine, (req: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatEvent> => {
    const found = findingsIn(promptText(req), lists, ignored);
    if (found.length) {
      const err = new PiiGuardError(engine.model, countByType(found));
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(err) }),
      };
    }
    return engine.chat(req, signal);
  });
}

/**
 * Wraps a remote reward model (the recipe's Reward step) as guardEngine wraps a chat engine: the
 * pairs it would send are scanned first, and one with a finding throws PiiGuardError before any
 * byte is sent (a local responder's answer could otherwise reach a remote reward server).
 */
export function guardReward(model: RewardModel, lists: PrivacyLists): RewardModel {
  const ignored = new Set(lists.ignored);
  return {
    api: model.api,
    model: model.model,
    score(pairs, signal) {
      const found = findingsIn(pairs.map((p) => `${p.prompt}\n${p.answer}`).join('\n'), lists, ignored);
      return found.length ? Promise.reject(new PiiGuardError(model.model, countByType(found))) : model.score(pairs, signal);
    },
  };
}
