import { CATALOGUE as WEBLLM_CATALOGUE } from './webllm/catalogue';

/**
 * Small instruct chat models known to work for generation and judging, each as a GGUF file on
 * Hugging Face (for the in-browser CPU engine, wllama) and, where WebLLM's prebuilt list has it, as
 * a WebLLM family (GPU engine). Repositories and file names are upstream's, never invented: each
 * entry's `confirmed` says where its repo/file pair was seen. GGUF files are 4-bit Q4_K_M
 * quantisations. Sizes are the upstream files' byte counts where one was published beside the
 * name ("exact") and rounded otherwise ("approx"): the download itself checks the server's size.
 */
export interface ChatModelEntry {
  /** Stable id, used in test ids and settings. */
  id: string;
  label: string;
  /** Parameters, in billions. */
  paramsB: number;
  gguf: {
    repo: string;
    file: string;
    bytes: number;
    bytesAre: 'exact' | 'approx';
  };
  /** The family in WebLLM's prebuilt list (./webllm/catalogue.ts), when it has one. */
  webllmFamily: string | null;
  /** ISO 639-1 codes of the languages the model card lists or that it handles in practice. */
  languages: string[];
  /** Writes Chinese well (Qwen: trained on large Chinese corpora). */
  chinese: boolean;
  /** SPDX id, or the licence's name where it has none. */
  licence: string;
  /** Native context length (tokens); the app's context cap still applies. */
  contextLength: number;
  /** A `catalogue.good.*` message key: what it is good for. */
  goodFor: string;
  /** Where the repo and file name were confirmed (upstream catalogues and scripts that download it). */
  confirmed: string;
}

export const CHAT_MODELS: ChatModelEntry[] = [
  {
    id: 'qwen2.5-0.5b',
    label: 'Qwen2.5 0.5B Instruct',
    paramsB: 0.5,
    // Qwen's own GGUF repo. Confirmed: the Qwen2.5 conformance corpus of a GGUF reader (468 MiB),
    // an Ollama model-zoo download script, and several app catalogues using the same URL.
    gguf: { repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf', bytes: 491_400_032, bytesAre: 'approx' },
    webllmFamily: 'Qwen2.5-0.5B-Instruct',
    languages: ['zh', 'en', 'fr', 'es', 'de', 'ja', 'ko', 'ru'],
    chinese: true,
    licence: 'Apache-2.0',
    contextLength: 32768,
    goodFor: 'catalogue.good.tinyZh',
    confirmed: 'huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF, named in model-zoo download scripts and app catalogues',
  },
  {
    id: 'qwen2.5-1.5b',
    label: 'Qwen2.5 1.5B Instruct',
    paramsB: 1.5,
    // Confirmed: hf_hub_download(repo_id="Qwen/Qwen2.5-1.5B-Instruct-GGUF", filename="qwen2.5-1.5b-instruct-q4_k_m.gguf") in several projects.
    gguf: { repo: 'Qwen/Qwen2.5-1.5B-Instruct-GGUF', file: 'qwen2.5-1.5b-instruct-q4_k_m.gguf', bytes: 1_120_000_000, bytesAre: 'approx' },
    webllmFamily: 'Qwen2.5-1.5B-Instruct',
    languages: ['zh', 'en', 'fr', 'es', 'de', 'ja', 'ko', 'ru'],
    chinese: true,
    licence: 'Apache-2.0',
    contextLength: 32768,
    goodFor: 'catalogue.good.balancedZh',
    confirmed: 'huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF, named in hf_hub_download calls and model catalogues',
  },
  {
    id: 'qwen2.5-3b',
    label: 'Qwen2.5 3B Instruct',
    paramsB: 3.1,
    // Confirmed: Ollama model-zoo script and a GGUF reader's conformance corpus (2.0 GiB).
    gguf: { repo: 'Qwen/Qwen2.5-3B-Instruct-GGUF', file: 'qwen2.5-3b-instruct-q4_k_m.gguf', bytes: 2_100_000_000, bytesAre: 'approx' },
    webllmFamily: 'Qwen2.5-3B-Instruct',
    languages: ['zh', 'en', 'fr', 'es', 'de', 'ja', 'ko', 'ru'],
    chinese: true,
    // The 3B model is not Apache-2.0: Qwen's research licence (non-commercial use beyond it needs permission).
    licence: 'Qwen Research License',
    contextLength: 32768,
    goodFor: 'catalogue.good.judgeZh',
    confirmed: 'huggingface.co/Qwen/Qwen2.5-3B-Instruct-GGUF, named in a model-zoo download script and a GGUF conformance corpus',
  },
  {
    id: 'qwen3-0.6b',
    label: 'Qwen3 0.6B',
    paramsB: 0.6,
    // Qwen's own Qwen3-0.6B-GGUF repo holds Q8_0 only; Unsloth's has the Q4_K_M (396,705,472 bytes,
    // with its SHA-256 recorded by a project that downloaded it).
    gguf: { repo: 'unsloth/Qwen3-0.6B-GGUF', file: 'Qwen3-0.6B-Q4_K_M.gguf', bytes: 396_705_472, bytesAre: 'exact' },
    webllmFamily: 'Qwen3-0.6B',
    languages: ['zh', 'en', 'fr', 'es', 'de', 'ja', 'ko', 'ru'],
    chinese: true,
    licence: 'Apache-2.0',
    contextLength: 32768,
    goodFor: 'catalogue.good.reasoningTiny',
    confirmed: 'huggingface.co/unsloth/Qwen3-0.6B-GGUF, named with size and SHA-256 in a project log and in download scripts',
  },
  {
    id: 'qwen3-1.7b',
    label: 'Qwen3 1.7B',
    paramsB: 1.7,
    // Confirmed with size 1,107,409,472 and SHA-256 in a model manifest; ggml-org hosts the same name.
    gguf: { repo: 'unsloth/Qwen3-1.7B-GGUF', file: 'Qwen3-1.7B-Q4_K_M.gguf', bytes: 1_107_409_472, bytesAre: 'exact' },
    webllmFamily: 'Qwen3-1.7B',
    languages: ['zh', 'en', 'fr', 'es', 'de', 'ja', 'ko', 'ru'],
    chinese: true,
    licence: 'Apache-2.0',
    contextLength: 32768,
    goodFor: 'catalogue.good.reasoning',
    confirmed: 'huggingface.co/unsloth/Qwen3-1.7B-GGUF, named with size and SHA-256 in a model manifest',
  },
  {
    id: 'qwen3-4b',
    label: 'Qwen3 4B',
    paramsB: 4.0,
    // Qwen's own repo has the Q4_K_M for 4B (download scripts and a planner's unit test use this URL).
    gguf: { repo: 'Qwen/Qwen3-4B-GGUF', file: 'Qwen3-4B-Q4_K_M.gguf', bytes: 2_500_000_000, bytesAre: 'approx' },
    webllmFamily: 'Qwen3-4B',
    languages: ['zh', 'en', 'fr', 'es', 'de', 'ja', 'ko', 'ru'],
    chinese: true,
    licence: 'Apache-2.0',
    contextLength: 32768,
    goodFor: 'catalogue.good.judge',
    confirmed: 'huggingface.co/Qwen/Qwen3-4B-GGUF, named in download scripts and a unit test of a model planner',
  },
  {
    id: 'llama-3.2-1b',
    label: 'Llama 3.2 1B Instruct',
    paramsB: 1.2,
    // Bartowski's quantisation: 807,694,464 bytes with SHA-256 recorded by a project that verified it.
    gguf: { repo: 'bartowski/Llama-3.2-1B-Instruct-GGUF', file: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf', bytes: 807_694_464, bytesAre: 'exact' },
    webllmFamily: 'Llama-3.2-1B-Instruct',
    languages: ['en', 'de', 'fr', 'it', 'pt', 'hi', 'es', 'th'],
    chinese: false,
    licence: 'Llama 3.2 Community License',
    contextLength: 131072,
    goodFor: 'catalogue.good.fastEn',
    confirmed: 'huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF, named with size and SHA-256 in a benchmark log',
  },
  {
    id: 'llama-3.2-3b',
    label: 'Llama 3.2 3B Instruct',
    paramsB: 3.2,
    gguf: { repo: 'bartowski/Llama-3.2-3B-Instruct-GGUF', file: 'Llama-3.2-3B-Instruct-Q4_K_M.gguf', bytes: 2_019_377_696, bytesAre: 'exact' },
    webllmFamily: 'Llama-3.2-3B-Instruct',
    languages: ['en', 'de', 'fr', 'it', 'pt', 'hi', 'es', 'th'],
    chinese: false,
    licence: 'Llama 3.2 Community License',
    contextLength: 131072,
    goodFor: 'catalogue.good.judgeEn',
    confirmed: 'huggingface.co/bartowski/Llama-3.2-3B-Instruct-GGUF, named with size in a download service and model catalogues',
  },
  {
    id: 'smollm2-360m',
    label: 'SmolLM2 360M Instruct',
    paramsB: 0.36,
    // Not in WebLLM's prebuilt list (0.2.86). 270,590,880 bytes with SHA-256, pinned by two projects.
    gguf: { repo: 'bartowski/SmolLM2-360M-Instruct-GGUF', file: 'SmolLM2-360M-Instruct-Q4_K_M.gguf', bytes: 270_590_880, bytesAre: 'exact' },
    webllmFamily: null,
    languages: ['en'],
    chinese: false,
    licence: 'Apache-2.0',
    contextLength: 8192,
    goodFor: 'catalogue.good.tryout',
    confirmed: 'huggingface.co/bartowski/SmolLM2-360M-Instruct-GGUF, named with size and SHA-256 in two app catalogues',
  },
  {
    id: 'smollm2-1.7b',
    label: 'SmolLM2 1.7B Instruct',
    paramsB: 1.7,
    gguf: { repo: 'bartowski/SmolLM2-1.7B-Instruct-GGUF', file: 'SmolLM2-1.7B-Instruct-Q4_K_M.gguf', bytes: 1_055_609_824, bytesAre: 'exact' },
    webllmFamily: 'SmolLM2-1.7B-Instruct',
    languages: ['en'],
    chinese: false,
    licence: 'Apache-2.0',
    contextLength: 8192,
    goodFor: 'catalogue.good.balancedEn',
    confirmed: 'huggingface.co/bartowski/SmolLM2-1.7B-Instruct-GGUF, named with size and SHA-256 in model catalogues',
  },
  {
    id: 'phi-3.5-mini',
    label: 'Phi-3.5 mini instruct',
    paramsB: 3.8,
    gguf: { repo: 'bartowski/Phi-3.5-mini-instruct-GGUF', file: 'Phi-3.5-mini-instruct-Q4_K_M.gguf', bytes: 2_390_000_000, bytesAre: 'approx' },
    webllmFamily: 'Phi-3.5-mini-instruct',
    languages: ['en', 'de', 'fr', 'es', 'it', 'ja', 'zh'],
    chinese: false,
    licence: 'MIT',
    contextLength: 131072,
    goodFor: 'catalogue.good.reasoningEn',
    confirmed: 'huggingface.co/bartowski/Phi-3.5-mini-instruct-GGUF, named in a model-zoo download script and app catalogues',
  },
  {
    id: 'gemma-2-2b',
    label: 'Gemma 2 2B it',
    paramsB: 2.6,
    gguf: { repo: 'bartowski/gemma-2-2b-it-GGUF', file: 'gemma-2-2b-it-Q4_K_M.gguf', bytes: 1_708_582_752, bytesAre: 'exact' },
    webllmFamily: 'gemma-2-2b-it',
    languages: ['en'],
    chinese: false,
    licence: 'Gemma Terms of Use',
    contextLength: 8192,
    goodFor: 'catalogue.good.writingEn',
    confirmed: 'huggingface.co/bartowski/gemma-2-2b-it-GGUF, named with size in app catalogues and download scripts',
  },
];

export function chatModel(id: string): ChatModelEntry | undefined {
  return CHAT_MODELS.find((m) => m.id === id);
}

/** The catalogue entry a stored GGUF file came from, by its file name. */
export function entryForFile(name: string): ChatModelEntry | undefined {
  return CHAT_MODELS.find((m) => m.gguf.file === name);
}

/** True when every WebLLM family named here is in WebLLM's catalogue (a unit test holds this). */
export function webllmFamiliesKnown(): boolean {
  return CHAT_MODELS.every((m) => m.webllmFamily === null || WEBLLM_CATALOGUE.some((c) => c.family === m.webllmFamily));
}

/** What the app knows about this device. Every field may be unknown (null). */
export interface DeviceProfile {
  /** A WebGPU adapter: its largest buffer (bytes) stands in for its memory, which browsers do not report. */
  gpu: { maxBufferBytes: number; shaderF16: boolean } | null;
  /** `navigator.deviceMemory` (GB, capped at 8 by browsers). */
  memoryGb: number | null;
  /** `navigator.hardwareConcurrency`. */
  cores: number | null;
}

export type SeedsLanguage = 'zh' | 'en' | null;

export interface Recommendation {
  entry: ChatModelEntry;
  engine: 'webllm' | 'gguf';
  /** A `catalogue.why.*` message key. */
  why: string;
}

const GIB = 1024 ** 3;

/**
 * The models to suggest for this device and these seeds, best first (one or two).
 * A WebGPU adapter whose buffers can hold a model's weights gets a WebLLM model (GPU: ten times
 * CPU speed); otherwise a GGUF for the CPU engine, as large as memory and cores make bearable.
 * Chinese seeds get Qwen (the families here that write Chinese well); others get Qwen or Llama.
 */
export function recommendChatModels(device: DeviceProfile, lang: SeedsLanguage): Recommendation[] {
  const zh = lang === 'zh';
  const mem = device.memoryGb ?? 4;
  const cores = device.cores ?? 4;
  const pick = (id: string) => chatModel(id)!;
  if (device.gpu && device.gpu.maxBufferBytes >= GIB) {
    const big = mem >= 8 && device.gpu.maxBufferBytes >= 2 * GIB;
    const first = zh ? (big ? 'qwen2.5-3b' : 'qwen2.5-1.5b') : big ? 'llama-3.2-3b' : 'qwen2.5-1.5b';
    const second = zh ? 'qwen3-1.7b' : 'llama-3.2-1b';
    return [
      { entry: pick(first), engine: 'webllm', why: big ? 'catalogue.why.gpuLarge' : 'catalogue.why.gpu' },
      { entry: pick(second), engine: 'webllm', why: 'catalogue.why.alternative' },
    ];
  }
  // CPU: the in-browser engine reads every weight for each token, so speed falls with size
  // (2–6 tokens/s for a 1.1B 4-bit model on two cores). More cores and memory bear a larger model.
  const roomy = mem >= 8 && cores >= 8;
  const modest = mem >= 4 && cores >= 4;
  const why = device.gpu ? 'catalogue.why.smallGpu' : 'catalogue.why.cpu';
  if (zh) {
    const first = roomy ? 'qwen2.5-1.5b' : 'qwen2.5-0.5b';
    return [
      { entry: pick(first), engine: 'gguf', why },
      { entry: pick(roomy ? 'qwen3-1.7b' : 'qwen3-0.6b'), engine: 'gguf', why: 'catalogue.why.alternative' },
    ];
  }
  const first = roomy ? 'qwen2.5-1.5b' : 'qwen2.5-0.5b';
  const second = roomy || modest ? 'llama-3.2-1b' : 'smollm2-360m';
  return [
    { entry: pick(first), engine: 'gguf', why },
    { entry: pick(second), engine: 'gguf', why: 'catalogue.why.alternative' },
  ];
}

/** The seeds' language: Chinese when at least a third of the sampled seeds are Chinese text. */
export function seedsLanguage(texts: string[], detect: (t: string) => 'zh' | 'en'): SeedsLanguage {
  if (!texts.length) return null;
  const zh = texts.filter((t) => detect(t) === 'zh').length;
  return zh * 3 >= texts.length ? 'zh' : 'en';
}

/** What this browser says about itself. */
export function deviceProfile(gpu: { maxBufferBytes: number; shaderF16: boolean } | null): DeviceProfile {
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  return { gpu, memoryGb: nav?.deviceMemory ?? null, cores: nav?.hardwareConcurrency ?? null };
}
