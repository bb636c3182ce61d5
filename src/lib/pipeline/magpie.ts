import { Template } from '@huggingface/jinja';
import { type MagpieBlock } from '../engines/rawCompletion';
import type { ChatTemplateSource, ConvTemplate, LlmEngine } from '../engines/types';
import { instructionProblem } from './filters';
import type { CallRecord, OpContext } from './types';

/**
 * Magpie (Xu et al. 2024): an aligned chat model, given only its chat template's text up to where
 * the user's message starts (the "pre-query" prefix), writes a plausible user instruction by
 * itself; no seeds are needed. The prefix is cut from the model's own template rendered around a
 * sentinel user message, so it is exactly what the model saw in training; the instruction ends
 * where the template closes the user's turn (its end-of-turn text, and EOS).
 */

/** A user message no template alters and no text contains. */
export const SENTINEL = 'MAGPIE7f3a9cQUERY';

/** The text sent for raw completion and where the instruction ends. */
export interface MagpiePrompt {
  prefix: string;
  stop: string[];
}

export class MagpieTemplateError extends Error {
  override name = 'MagpieTemplateError';
}

/**
 * The engine cannot run Magpie: it cannot complete raw text (hosted chat APIs apply their own
 * template), or its model has no chat template (a base model has no turn to continue).
 */
export class MagpieUnsupportedError extends Error {
  override name = 'MagpieUnsupportedError';
  constructor(
    readonly reason: MagpieBlock,
    model: string,
  ) {
    super(
      reason === 'noRawCompletion'
        ? `${model} cannot complete raw text (a chat-only API): Magpie needs a local model (wllama, WebLLM) or a /completions endpoint (vLLM, llama.cpp server); assign one to the generator role`
        : `${model} has no chat template (a base model?): Magpie needs an instruction-tuned chat model whose template it can continue`,
    );
  }
}

function cut(text: string, what: string): { before: string; after: string } {
  const at = text.indexOf(SENTINEL);
  if (at < 0 || text.indexOf(SENTINEL, at + 1) >= 0) throw new MagpieTemplateError(`the ${what} does not write the user's message once as given, so no prefix can be cut from it`);
  return { before: text.slice(0, at), after: text.slice(at + SENTINEL.length) };
}

/** The end-of-turn text: what the template writes right after the user's message, to its first line break. */
function closer(after: string): string {
  return after.replace(/^[ \t]+/, '').split('\n')[0]!.trim();
}

const unique = (xs: string[]) => [...new Set(xs.filter(Boolean))];

/**
 * Renders a Jinja chat template (the Hugging Face dialect: trim_blocks, lstrip_blocks) around the
 * sentinel. A leading BOS is dropped: llama.cpp and vLLM add it themselves when they tokenize a
 * completion prompt, and a second one degrades the output.
 */
function fromJinja(src: Extract<ChatTemplateSource, { kind: 'jinja' }>, system: string): MagpiePrompt {
  let tpl: Template;
  try {
    tpl = new Template(src.template);
  } catch (e) {
    throw new MagpieTemplateError(`the model's chat template cannot be read: ${(e as Error).message}`);
  }
  const messages = [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: SENTINEL }];
  let text: string;
  try {
    text = tpl.render({
      messages,
      add_generation_prompt: false,
      bos_token: src.bosToken,
      eos_token: src.eosToken,
    });
  } catch (e) {
    // Also what the template's own raise_exception (built into the Jinja runtime) throws.
    throw new MagpieTemplateError(`the model's chat template refused the prompt: ${(e as Error).message}`);
  }
  const { before, after } = cut(text, 'chat template');
  const prefix = src.bosToken && before.startsWith(src.bosToken) ? before.slice(src.bosToken.length) : before;
  return { prefix, stop: unique([closer(after), src.eosToken]) };
}

/**
 * Lays out a WebLLM conv_template the way web-llm's Conversation.getPromptArray does for one user
 * message: the system prompt, the user's role and separator, the role template, the turn's sep.
 */
function fromConv(conv: ConvTemplate, system: string): MagpiePrompt {
  const message = system || conv.system_message;
  const systemPrompt = message === '' && conv.render_empty_system_message === false ? '' : conv.system_template.replace('{system_message}', message);
  const contentSep = conv.role_content_sep ?? ': ';
  const rolePrefix = conv.add_role_after_system_message === false && systemPrompt !== '' ? '' : conv.roles.user + contentSep;
  const body = (conv.role_templates?.user?.replace('{user_message}', SENTINEL) ?? SENTINEL).replace('{function_string}', '');
  if (!conv.seps.length) throw new MagpieTemplateError('the conv_template has no separators');
  const { before, after } = cut(systemPrompt + rolePrefix + body + conv.seps[0], 'conv_template');
  return { prefix: before, stop: unique([closer(after), ...conv.stop_str]) };
}

/** The pre-query prefix of a model's chat template, with an optional system prompt before the user's turn. */
export function magpiePrompt(src: ChatTemplateSource, system = ''): MagpiePrompt {
  const p = src.kind === 'jinja' ? fromJinja(src, system) : fromConv(src.conv, system);
  if (!p.prefix.trim()) throw new MagpieTemplateError('the chat template writes nothing before the user\'s message: there is no prefix to continue');
  return p;
}

/**
 * The prompt for an engine, once it is loaded.
 * @throws MagpieUnsupportedError when it cannot complete raw text or has no chat template; MagpieTemplateError when the template cannot be rendered.
 */
export async function magpiePromptFor(engine: LlmEngine, system = ''): Promise<MagpiePrompt> {
  if (!engine.rawCompletion) throw new MagpieUnsupportedError('noRawCompletion', engine.model);
  const src = (await engine.promptTemplate?.()) ?? null;
  if (!src) throw new MagpieUnsupportedError('noTemplate', engine.model);
  return magpiePrompt(src, system);
}

/**
 * The instruction in a raw completion: cut at the first stop text the engine let through, and
 * without a role label some models write first ("User:", "Question:").
 */
export function cleanQuery(raw: string, stop: readonly string[]): string {
  let text = raw;
  for (const s of stop) {
    const at = text.indexOf(s);
    if (at >= 0) text = text.slice(0, at);
  }
  return text.trim().replace(/^(?:user|human|question|instruction|用户|问题|指令)\s*[:：]\s*/i, '').trim();
}

/** What one Magpie task wrote: an instruction that passed the instruction filter, or why not. */
export type MagpieQuery = ({ ok: true } | { ok: false; reason: string }) & { instruction: string; call: CallRecord };

/**
 * One Magpie task: the generator continues the prefix as raw text and the instruction is what it
 * wrote up to the end of the user's turn, checked like Self-Instruct's (filters.ts
 * instructionProblem: `magpie:<problem>` when it fails).
 */
export async function magpieQuery(ctx: OpContext, prompt: MagpiePrompt, p: { temperature: number; maxTokens: number }): Promise<MagpieQuery> {
  const call = await ctx.call('magpie', 'generator', 'magpie.query', prompt.prefix, { temperature: p.temperature, maxTokens: p.maxTokens, raw: { stop: prompt.stop } });
  const instruction = cleanQuery(call.raw, prompt.stop);
  const problem = instructionProblem(instruction);
  return problem ? { ok: false, reason: `magpie:${problem}`, instruction, call } : { ok: true, instruction, call };
}
