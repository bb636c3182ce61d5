import type { ChatEvent, ChatRequest, LlmEngine } from '../../src/lib/engines/types';

/**
 * A scripted engine for pipeline unit tests: fixed replies chosen by matching the prompt. Used
 * only where the pipeline's logic is under test; the real engines are tested on their own, and
 * the pipeline also runs end to end on the real wllama model in the browser tests.
 */
export type Rule = { match: RegExp; reply: string | ((prompt: string, n: number, seed: number) => string) };

export class ScriptedEngine implements LlmEngine {
  readonly kind = 'wllama' as const;
  readonly maxConcurrency = 1;
  readonly model: string;
  calls: { prompt: string; seed?: number; temperature?: number }[] = [];
  #rules: Rule[];
  #fallback: string;

  constructor(rules: Rule[], model = 'scripted', fallback = '') {
    this.#rules = rules;
    this.model = model;
    this.#fallback = fallback;
  }

  async load(): Promise<void> {}
  async unload(): Promise<void> {}

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const prompt = req.messages.map((m) => m.content).join('\n');
    const n = this.calls.filter((c) => c.prompt === prompt).length;
    this.calls.push({ prompt, seed: req.seed, temperature: req.temperature });
    const rule = this.#rules.find((r) => r.match.test(prompt));
    const text = rule ? (typeof rule.reply === 'string' ? rule.reply : rule.reply(prompt, n, req.seed ?? 0)) : this.#fallback;
    for (const w of text.split(/(?<= )/)) {
      if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortedError' });
      yield { type: 'delta', text: w };
    }
    const tokens = text.split(/\s+/).filter(Boolean).length;
    yield { type: 'done', text, usage: { promptTokens: prompt.length >> 2, completionTokens: tokens }, timing: { firstTokenMs: 1, totalMs: 2, tokensPerSecond: null }, finishReason: 'stop', model: this.model };
  }
}
