import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
// The catalogue's records copied from WebLLM's prebuilt list (scripts/webllm-records.mjs), so
// that the page does not bundle WebLLM (6 MB) just to show the list; a unit test checks that they
// still equal the installed WebLLM's records.
import data from './records.json';
import { rewriteHfUrl, type ModelSource } from '../modelSource';

/**
 * The small instruct models offered for WebLLM, each in WebLLM's prebuilt list in two variants:
 * q4f16_1 (needs the WebGPU `shader-f16` feature) and q4f32_1 (works everywhere WebGPU does).
 */
export interface CatalogueEntry {
  family: string;
  label: string;
  /** Parameters, in billions. */
  paramsB: number;
}

export const CATALOGUE: CatalogueEntry[] = [
  { family: 'Qwen2.5-0.5B-Instruct', label: 'Qwen2.5 0.5B Instruct', paramsB: 0.5 },
  { family: 'Qwen2.5-1.5B-Instruct', label: 'Qwen2.5 1.5B Instruct', paramsB: 1.5 },
  { family: 'Qwen2.5-3B-Instruct', label: 'Qwen2.5 3B Instruct', paramsB: 3.1 },
  { family: 'Qwen3-0.6B', label: 'Qwen3 0.6B', paramsB: 0.6 },
  { family: 'Qwen3-1.7B', label: 'Qwen3 1.7B', paramsB: 1.7 },
  { family: 'Qwen3-4B', label: 'Qwen3 4B', paramsB: 4.0 },
  { family: 'Llama-3.2-1B-Instruct', label: 'Llama 3.2 1B Instruct', paramsB: 1.2 },
  { family: 'Llama-3.2-3B-Instruct', label: 'Llama 3.2 3B Instruct', paramsB: 3.2 },
  { family: 'SmolLM2-1.7B-Instruct', label: 'SmolLM2 1.7B Instruct', paramsB: 1.7 },
  { family: 'Phi-3.5-mini-instruct', label: 'Phi-3.5 mini instruct', paramsB: 3.8 },
  { family: 'gemma-2-2b-it', label: 'Gemma 2 2B it', paramsB: 2.6 },
];

export type Precision = 'q4f16_1' | 'q4f32_1';

export function modelId(family: string, precision: Precision): string {
  return `${family}-${precision}-MLC`;
}

const RECORDS = data.records as unknown as ModelRecord[];

export function recordOf(id: string): ModelRecord | undefined {
  return RECORDS.find((r) => r.model_id === id);
}

/**
 * Approximate download size: 4-bit weights with 16- or 32-bit group scales come to ~0.56 or
 * ~0.62 bytes per parameter. Shown with "≈": WebLLM's list does not carry file sizes.
 */
export function downloadBytes(e: CatalogueEntry, p: Precision): number {
  return Math.round(e.paramsB * 1e9 * (p === 'q4f16_1' ? 0.56 : 0.62));
}

export function vramMb(id: string): number | null {
  return recordOf(id)?.vram_required_MB ?? null;
}

/**
 * An AppConfig holding the chosen records with their weight URLs rewritten for the model source.
 * The compiled model libraries (.wasm) come from WebLLM's library URL unless the source is local,
 * in which case they are expected under `<path>/libs/` on this origin.
 */
export function appConfigFor(ids: string[], source: ModelSource): AppConfig {
  const origin = globalThis.location?.origin ?? 'http://localhost';
  return {
    model_list: ids.map((id) => {
      const r = recordOf(id);
      if (!r) throw new Error(`${id} is not in WebLLM's prebuilt model list`);
      const lib = source.kind === 'local' ? new URL(`${source.path.replace(/\/+$/, '')}/libs/${r.model_lib.split('/').pop()}`, origin).href : r.model_lib;
      return { ...r, model: rewriteHfUrl(r.model, source, origin), model_lib: lib };
    }),
  };
}
