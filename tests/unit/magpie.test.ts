import { existsSync, openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without types; it exports the path as a string
import { chatModelPath } from '../../scripts/models-chat.mjs';
import { ggufChatTemplate, readGguf } from '../../src/lib/engines/local/gguf';
import type { ChatTemplateSource, ConvTemplate } from '../../src/lib/engines/types';
import { magpieBlockOf } from '../../src/lib/engines/rawCompletion';
import { cleanQuery, magpiePrompt, magpiePromptFor, MagpieTemplateError, MagpieUnsupportedError } from '../../src/lib/pipeline/magpie';
import { runBlocker } from '../../src/lib/state/runBlocker';
import { ScriptedEngine } from '../support/scriptedEngine';

const modelPath: string = chatModelPath();

describe('Magpie prefix from the real chat model\'s GGUF (TinyLlama-1.1B-Chat, Zephyr template)', () => {
  it('reads the template and its BOS/EOS texts from the header, and cuts the pre-query prefix', async () => {
    expect(existsSync(modelPath), `the real chat model is missing at ${modelPath}: run 'npm run models:chat' first (the test command does)`).toBe(true);
    const info = await readGguf(await openAsBlob(modelPath), { tokens: true });
    expect((info.metadata['tokenizer.ggml.tokens'] as string[]).length).toBe(32000);
    const src = ggufChatTemplate(info.metadata)!;
    expect(src).toMatchObject({ kind: 'jinja', bosToken: '<s>', eosToken: '</s>' });
    expect(magpiePrompt(src)).toEqual({ prefix: '<|user|>\n', stop: ['</s>'] });
    expect(magpiePrompt(src, 'You are a helpful assistant.')).toEqual({ prefix: '<|system|>\nYou are a helpful assistant.</s>\n<|user|>\n', stop: ['</s>'] });
  });

  it('keeps the vocabulary out of the header by default (only its length)', async () => {
    const info = await readGguf(await openAsBlob(modelPath));
    expect(info.metadata['tokenizer.ggml.tokens']).toEqual({ arrayOf: 8, length: 32000 });
    expect(ggufChatTemplate(info.metadata)).toMatchObject({ bosToken: '', eosToken: '' });
  });
});

/** The conv_template of mlc-ai/Qwen3-0.6B-q4f16_1-MLC's mlc-chat-config.json (the WebLLM model record's config). */
const QWEN3_CONV: ConvTemplate = {
  system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
  system_message: 'You are a helpful assistant.',
  add_role_after_system_message: true,
  roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' },
  role_templates: { user: '{user_message}', assistant: '{assistant_message}' },
  seps: ['<|im_end|>\n'],
  role_content_sep: '\n',
  role_empty_sep: '\n',
  stop_str: ['<|endoftext|>', '<|im_end|>'],
};
/** gemma3_instruction (mlc-llm conversation_template/gemma.py), as WebLLM's Gemma records carry it. */
const GEMMA3_CONV: ConvTemplate = {
  system_template: '{system_message}',
  system_message: '',
  add_role_after_system_message: true,
  roles: { user: '<start_of_turn>user', assistant: '<start_of_turn>model' },
  role_templates: { user: '{user_message}', assistant: '{assistant_message}' },
  seps: ['<end_of_turn>\n'],
  role_content_sep: '\n',
  role_empty_sep: '\n',
  stop_str: ['<end_of_turn>'],
};

describe('Magpie prefix from WebLLM conv_templates', () => {
  it('lays out ChatML (Qwen3) with its default system prompt, up to the user\'s text', () => {
    expect(magpiePrompt({ kind: 'conv', conv: QWEN3_CONV })).toEqual({
      prefix: '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n',
      stop: ['<|im_end|>', '<|endoftext|>'],
    });
    expect(magpiePrompt({ kind: 'conv', conv: QWEN3_CONV }, 'You write exam questions.').prefix).toBe('<|im_start|>system\nYou write exam questions.<|im_end|>\n<|im_start|>user\n');
  });

  it('lays out Gemma 3 (empty system) as the bare user turn', () => {
    expect(magpiePrompt({ kind: 'conv', conv: GEMMA3_CONV })).toEqual({ prefix: '<start_of_turn>user\n', stop: ['<end_of_turn>'] });
  });
});

describe('Magpie prefix from other Jinja templates', () => {
  it('Llama 3: the BOS the template writes is left to the engine, the stop is <|eot_id|>', () => {
    const template =
      "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
    const src: ChatTemplateSource = { kind: 'jinja', template, bosToken: '<|begin_of_text|>', eosToken: '<|end_of_text|>' };
    expect(magpiePrompt(src)).toEqual({ prefix: '<|start_header_id|>user<|end_header_id|>\n\n', stop: ['<|eot_id|>', '<|end_of_text|>'] });
  });

  it('a template that refuses a system prompt says so as MagpieTemplateError', () => {
    const template = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}";
    const src: ChatTemplateSource = { kind: 'jinja', template, bosToken: '<s>', eosToken: '</s>' };
    expect(magpiePrompt(src)).toEqual({ prefix: '[INST] ', stop: ['[/INST]', '</s>'] });
    expect(() => magpiePrompt(src, 'sys')).toThrow(/refused the prompt: .*System role not supported/);
    expect(() => magpiePrompt({ kind: 'jinja', template: '{{ messages[0].content | upper }}', bosToken: '', eosToken: '' })).toThrow(MagpieTemplateError);
  });
});

describe('which engines can run Magpie', () => {
  it('by kind before loading: local engines and marked /completions endpoints, never hosted chat APIs', () => {
    expect(magpieBlockOf('wllama')).toBeNull();
    expect(magpieBlockOf('webllm')).toBeNull();
    expect(magpieBlockOf('openai', true)).toBeNull();
    expect(magpieBlockOf('openai')).toBe('noRawCompletion');
    expect(magpieBlockOf('anthropic', true)).toBe('noRawCompletion');
  });

  it('the Run screen: a Magpie recipe needs no seeds, and Start says why a chat-only generator cannot run it', () => {
    const ref = { kind: 'remote' as const, endpointId: 'e1' };
    const input = { otherTab: false, busy: false, firstOp: 'magpie', seedCount: 0, roles: { generator: ref, responder: ref, judge: ref }, missingCount: 0, ggufStoreUnreadable: false };
    expect(runBlocker({ ...input, magpieBlock: null })).toBeNull();
    expect(runBlocker({ ...input, magpieBlock: 'noRawCompletion' })).toBe('magpie.blocked.noRawCompletion');
    expect(runBlocker({ ...input, firstOp: 'respond', magpieBlock: 'noRawCompletion' })).toBe('run.noSeeds');
  });

  it('a loaded engine without raw completion or without a template is refused with the reason', async () => {
    const chatOnly = new ScriptedEngine([]);
    await expect(magpiePromptFor(chatOnly)).rejects.toMatchObject({ name: 'MagpieUnsupportedError', reason: 'noRawCompletion' });
    const base = Object.assign(new ScriptedEngine([]), { rawCompletion: true, promptTemplate: async () => null });
    const err = await magpiePromptFor(base).catch((e) => e);
    expect(err).toBeInstanceOf(MagpieUnsupportedError);
    expect(err.message).toMatch(/no chat template/);
  });

  it('cleans the written query: stop text the engine let through, a role label', () => {
    expect(cleanQuery('  How do I bake bread?</s>\n<|assistant|>', ['</s>'])).toBe('How do I bake bread?');
    expect(cleanQuery('User: Explain photosynthesis.', [])).toBe('Explain photosynthesis.');
    expect(cleanQuery('问题：什么是光合作用？', [])).toBe('什么是光合作用？');
  });
});
