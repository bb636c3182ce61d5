import { EngineError } from '../errors';
import { joinUrl, type Dialect } from './remoteEngine';

/** Anthropic Messages API, streamed. Browser calls need the direct-browser-access header. */
export const anthropicDialect: Dialect = {
  kind: 'anthropic',
  request(cfg, key, req) {
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
      delta?: { type?: string; text?: string; stop_reason?: string };
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
        return j.delta?.type === 'text_delta' ? { delta: j.delta.text } : {};
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
