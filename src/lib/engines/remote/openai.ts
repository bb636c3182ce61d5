import { EngineError } from '../errors';
import type { ChatRequest, FinishReason } from '../types';
import { joinUrl, type Dialect } from './remoteEngine';

/** Model names of hybrid reasoning models whose chat template reads `enable_thinking`. */
export const THINKING_MODEL = /qwen3|qwq|deepseek-r1|r1-distill|glm-4\.[5-9]|hunyuan|think/i;

/** A raw text completion (`/completions`, vLLM and llama.cpp server): the prompt as it is, no chat template. */
function completionBody(model: string, req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model, prompt: req.prompt, stream: true, stream_options: { include_usage: true } };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop?.length) body.stop = req.stop;
  if (req.seed !== undefined) body.seed = req.seed;
  return body;
}

/** OpenAI-compatible Chat Completions (OpenAI, DeepSeek, DashScope, OpenRouter, Groq, Ollama, vLLM, …). */
export const openaiDialect: Dialect = {
  kind: 'openai',
  // vLLM, llama.cpp server, Ollama and LM Studio take a JSON schema; older servers JSON mode only.
  schemaModes: ['json_schema', 'json_object', 'none'],
  request(cfg, key, req, mode) {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (key) headers.Authorization = `Bearer ${key}`;
    if (req.prompt !== undefined) return { url: joinUrl(cfg.baseUrl, '/completions'), headers, body: completionBody(cfg.model, req) };
    const messages = req.messages.map((m) => ({ role: m.role, content: m.content }));
    // JSON mode needs the word JSON in the conversation (OpenAI refuses the call otherwise).
    if (req.schema && mode === 'json_object' && !messages.some((m) => /json/i.test(m.content))) {
      messages.unshift({ role: 'system', content: `Reply with one JSON object with the keys: ${Object.keys((req.schema.schema as { properties?: object }).properties ?? {}).join(', ')}.` });
    }
    const body: Record<string, unknown> = {
      model: cfg.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    };
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.stop?.length) body.stop = req.stop;
    if (req.seed !== undefined) body.seed = req.seed;
    if (req.schema && mode === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: req.schema.name, schema: req.schema.schema, strict: true } };
    else if (req.schema && mode === 'json_object') body.response_format = { type: 'json_object' };
    // Qwen3 and other hybrid models served by vLLM/SGLang/llama.cpp read this from the chat
    // template. Sent only to models that think: OpenAI and Groq refuse arguments they do not know.
    if (req.thinking === false && THINKING_MODEL.test(cfg.model)) body.chat_template_kwargs = { enable_thinking: false };
    return { url: joinUrl(cfg.baseUrl, '/chat/completions'), headers, body };
  },
  piece(_event, data) {
    if (data.trim() === '[DONE]') return { end: true };
    let j: {
      choices?: { delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null }; text?: string | null; finish_reason?: string | null }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
      error?: { message?: string; code?: string | number };
    };
    try {
      j = JSON.parse(data);
    } catch {
      return { error: new EngineError('ServerError', `unreadable stream event: ${data.slice(0, 80)}`) };
    }
    if (j.error) return { error: new EngineError('ServerError', j.error.message ?? 'the server reported an error in the stream') };
    const c = j.choices?.[0];
    const fr = c?.finish_reason;
    return {
      // Chat chunks carry delta.content; text completion chunks (`/completions`) carry text.
      delta: c?.delta?.content ?? c?.text ?? undefined,
      // DeepSeek, vLLM and llama.cpp send the thinking as reasoning_content; OpenRouter as reasoning.
      reasoning: c?.delta?.reasoning_content ?? c?.delta?.reasoning ?? undefined,
      finish: fr ? ((fr === 'length' ? 'length' : 'stop') as FinishReason) : undefined,
      usage: j.usage ? { promptTokens: j.usage.prompt_tokens, completionTokens: j.usage.completion_tokens } : undefined,
    };
  },
};
