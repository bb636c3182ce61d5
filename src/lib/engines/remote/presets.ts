/** Starting points for the endpoint form; every field stays editable. */
export interface EndpointPreset {
  id: string;
  label: string;
  kind: 'openai' | 'anthropic';
  baseUrl: string;
  model: string;
  /** Whether the service needs a key (local servers usually do not). */
  needsKey: boolean;
}

export const ENDPOINT_PRESETS: EndpointPreset[] = [
  { id: 'openai', label: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', needsKey: true },
  { id: 'anthropic', label: 'Anthropic', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-3-5-haiku-latest', needsKey: true },
  { id: 'deepseek', label: 'DeepSeek', kind: 'openai', baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-chat', needsKey: true },
  { id: 'dashscope', label: 'Qwen / DashScope (compatible mode)', kind: 'openai', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', model: 'qwen-plus', needsKey: true },
  { id: 'openrouter', label: 'OpenRouter', kind: 'openai', baseUrl: 'https://openrouter.ai/api/v1', model: 'openai/gpt-4o-mini', needsKey: true },
  { id: 'together', label: 'Together', kind: 'openai', baseUrl: 'https://api.together.xyz/v1', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', needsKey: true },
  { id: 'groq', label: 'Groq', kind: 'openai', baseUrl: 'https://api.groq.com/openai/v1', model: 'llama-3.3-70b-versatile', needsKey: true },
  // Local servers: the same data stays on this machine, ~10× faster than wasm on the CPU. 127.0.0.1,
  // not localhost: `localhost` may resolve to ::1 while Ollama and llama.cpp listen on IPv4 only.
  { id: 'llamacpp', label: 'llama.cpp server (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:8080/v1', model: '', needsKey: false },
  { id: 'ollama', label: 'Ollama (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b', needsKey: false },
  { id: 'lmstudio', label: 'LM Studio (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:1234/v1', model: '', needsKey: false },
  { id: 'vllm', label: 'vLLM (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: '', needsKey: false },
  { id: 'custom', label: 'Other OpenAI-compatible', kind: 'openai', baseUrl: '', model: '', needsKey: true },
];
