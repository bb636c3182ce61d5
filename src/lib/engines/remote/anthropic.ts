import { EngineError } from '../errors';
import { joinUrl, type Dialect } from './remoteEngine';

/** Anthropic Messages API, streamed. Browser calls need the direct-browser-access header. */
export const anthropicDialect: Dialect = {
  kind: 'anthropic',
  // Anthropic holds output to a schema through a forced tool call; its input is the JSON.
  schemaModes: ['tool', 'none'],
  request(cfg, key, req, mode) {
    const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const body: Record<string, unknown> = {
      model: cfg.model,
      max_tokens: req.maxTokens ?? 1024,
      messages: req.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
      stream: true,
    };
    if (system) body.system = system;
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.stop?.length) body.stop_sequences = req.stop;
    if (req.schema && mode === 'tool') {
      body.tools = [{ name: req.schema.name, description: 'Give the answer in this shape.', input_schema: req.schema.schema }];
      body.tool_choice = { type: 'tool', name: req.schema.name };
    }
    return {
      url: joinUrl(cfg.baseUrl, '/v1/messages'),
      headers: {
        'Content-Type': 'application/json',
        'x-api-key': key,
        'anthropic-version': '2023-06-01',
        'anthropic-dangerous-direct-browser-access': 'true',
      },
      body,
    };
  },
  piece(event, data) {
    let j: {
      type?: string;
      delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; stop_reason?: string };
      message?: { usage?: { input_tokens?: number; output_tokens?: number } };
      usage?: { output_tokens?: number };
      error?: { type?: string; message?: string };
    };
    try {
      j = JSON.parse(data);
    } catch {
      return { error: new EngineError('ServerError', `unreadable stream event: ${data.slice(0, 80)}`) };
    }
    const type = j.type ?? event;
    switch (type) {
      case 'message_start':
        return { usage: { promptTokens: j.message?.usage?.input_tokens, completionTokens: j.message?.usage?.output_tokens } };
      case 'content_block_delta':
        if (j.delta?.type === 'text_delta') return { delta: j.delta.text };
        // The forced tool call's input streams as JSON pieces: that JSON is the answer.
        if (j.delta?.type === 'input_json_delta') return { delta: j.delta.partial_json };
        if (j.delta?.type === 'thinking_delta') return { reasoning: j.delta.thinking };
        return {};
      case 'message_delta':
        return {
          usage: j.usage?.output_tokens !== undefined ? { completionTokens: j.usage.output_tokens } : undefined,
          finish: j.delta?.stop_reason === 'max_tokens' ? 'length' : j.delta?.stop_reason ? 'stop' : undefined,
        };
      case 'message_stop':
        return { end: true };
      case 'error': {
        const t = j.error?.type ?? '';
        const name = t === 'overloaded_error' || t === 'api_error' ? 'ServerError' : t === 'rate_limit_error' ? 'RateLimitedError' : 'BadRequestError';
        return { error: new EngineError(name, j.error?.message ?? t) };
      }
      default:
        return {};
    }
  },
};
