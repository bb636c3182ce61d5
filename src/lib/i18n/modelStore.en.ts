/**
 * English strings of the local model store (GGUF files, missing-model roles, Start's reason), the
 * local-server presets and their connection check, CPU speed, and the shared confirm dialog
 * (spread into en.ts; every key must exist in modelStore.zh.ts).
 */
export const modelStoreEn = {
  'confirm.ok': 'OK',

  'run.modelMissing': 'A model assigned to a role is missing in this browser, so a run would fail. Re-add it on the Models screen, or assign another model to that role.',
  'missing.ggufMissing': '{role}: the model file “{name}” is no longer stored in this browser. Add the file again under Local GGUF models (pick it or download it), or choose another model.',
  'missing.ggufRejected': '{role}: the file “{name}” is stored but cannot be read as a model. Delete it under Local GGUF models and add the model again.',
  'missing.endpointMissing': '{role}: its API endpoint was deleted. Add the endpoint again under Remote APIs, or choose another model.',
  'missing.noWebGpu': '{role}: “{name}” needs WebGPU, which this browser does not offer. Choose a GGUF model or an API endpoint.',
  'missing.webllmNotCached': '{role}: “{name}” is not downloaded in this browser. Load it once under WebLLM models (that downloads it), or choose another model.',
  'missing.option': '{name} — missing',
  'missing.goModels': 'Open the Models screen',

  'gguf.rejected.title': 'Files that cannot be used as models',
  'gguf.rejected.reason': 'Why it cannot be used',
  'gguf.rejected.notGguf': 'Not a GGUF model (wrong magic bytes).',
  'gguf.rejected.truncated': 'Incomplete: the file is shorter than its header says (a cut-off copy or download).',
  'gguf.rejected.partial': 'An unfinished download or save.',
  'gguf.rejected.unreadable': 'This browser could not read the file.',
  'gguf.rejected.help': 'Delete it, then add the model again.',
  'gguf.storeError': 'The stored models could not be read ({reason}). Reload the page; if the list stays empty, this browser may have cleared the site’s storage.',
  'gguf.persistDenied': 'This browser has not promised to keep this site’s data: when the disk runs low it may delete stored models (gigabytes) without asking. Settings → Storage shows how to keep them.',
  'gguf.delete.title': 'Delete this model file?',
  'gguf.delete.message': '“{name}” ({size}) will be removed from this browser. Roles that use it will need another model, and using it again means adding or downloading the whole file again.',
  'gguf.delete.confirm': 'Delete {size}',
  'webllm.delete.message': '“{name}” ({size}) will be removed from this browser’s WebLLM cache. Roles that use it will need it downloaded again (the whole model) or another model.',
  'gguf.delete.failed': 'The file could not be deleted: {reason}',

  'cpu.title': 'Speed on this device (no WebGPU)',
  'cpu.measured': 'Measured here: {tps} tokens/s with {model}.',
  'cpu.measuredRuns': 'Earlier runs here: {tps} tokens/s with {model} (generated tokens per second of model time, reading the prompts included).',
  'cpu.expected': 'Nothing measured here yet: in-browser generation on the CPU gives about 2–6 tokens/s for a 1.1B 4-bit model on 2 cores (one playground answer measures it).',
  'cpu.alternative': 'A local server — llama.cpp, Ollama or LM Studio — runs the same GGUF models natively, about 10× faster, and your data still stays on this machine. Add it under Remote APIs with its preset, then Check connection.',

  'endpoints.local': 'Local servers (llama.cpp, Ollama, LM Studio) run on this machine: nothing leaves it, and no key is needed.',
  'endpoints.check': 'Check connection',
  'endpoints.checking': 'Checking…',
  'endpoints.check.models.one': 'Connected: the server serves {n} model. Pick it to use it:',
  'endpoints.check.models.other': 'Connected: the server serves {n} models. Pick one to use it:',
  'endpoints.check.use': 'Use {model}',
  'endpoints.check.empty': 'Connected, but the server lists no models: load or pull a model in the server first.',
  'endpoints.check.badUrl': 'The base URL is not a valid address (it must start with http:// or https://).',
  'endpoints.check.refused': 'Nothing answers at {url}. Start the server and check the port: llama.cpp: llama-server -m model.gguf --port 8080; Ollama: ollama serve; LM Studio: Developer → Start server.',
  'endpoints.check.cors': 'The server at {url} answers, but does not allow calls from this page (CORS). Ollama: set OLLAMA_ORIGINS={origin} and restart it; LM Studio: turn on “Enable CORS” in its server settings; llama.cpp server: allows any origin unless a proxy in front of it blocks it (check --api-key and the proxy).',
  'endpoints.check.unreachable': 'No answer this page may read from {url}: either nothing is listening there, or the server does not allow calls from this page (CORS) — the browser does not say which. Check that the server runs on that port (llama.cpp: llama-server -m model.gguf --port 8080; Ollama: ollama serve; LM Studio: Developer → Start server), then allow this page: Ollama: OLLAMA_ORIGINS={origin}; LM Studio: “Enable CORS”; llama.cpp server allows any origin unless a proxy in front of it blocks it.',
  'endpoints.check.wrongPath': 'The server answers, but {url} is not an OpenAI-compatible model list (HTTP {status}). The base URL usually ends in /v1, e.g. http://127.0.0.1:8080/v1.',
  'endpoints.check.auth': 'The server wants an API key (HTTP {status}): enter the key it was started with.',
  'endpoints.check.notJson': 'The server answers at {url}, but not with a model list: is it an OpenAI-compatible server? The base URL usually ends in /v1.',
  'endpoints.check.timeout': 'No answer from {url} within {s} s: the server may be busy loading a model; try again.',
  'endpoints.check.failed': 'The server answered with an error (HTTP {status}): {detail}',
  'endpoints.check.airGapped': 'Air-gapped mode is on: no request leaves this page’s origin, a local server’s included. Turn it off in Settings to use one.',
};
