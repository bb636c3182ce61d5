import type { LlmEngine } from './types';

/**
 * An engine that is `engine` in every respect but its `chat`: what a decorator (the budget cap,
 * the privacy guard) builds on, so that a member added to LlmEngine is forwarded in one place.
 * The getters read the inner engine each time (a local model knows its context length only
 * after `load`).
 */
export function withChat(engine: LlmEngine, chat: LlmEngine['chat']): LlmEngine {
  const decorated: LlmEngine = {
    get kind() {
      return engine.kind;
    },
    get model() {
      return engine.model;
    },
    get maxConcurrency() {
      return engine.maxConcurrency;
    },
    get contextLength() {
      return engine.contextLength;
    },
    get rawCompletion() {
      return engine.rawCompletion;
    },
    load: (onProgress, signal) => engine.load(onProgress, signal),
    unload: () => engine.unload(),
    chat,
  };
  if (engine.countTokens) decorated.countTokens = (messages) => engine.countTokens!(messages);
  if (engine.promptTemplate) decorated.promptTemplate = () => engine.promptTemplate!();
  return decorated;
}
