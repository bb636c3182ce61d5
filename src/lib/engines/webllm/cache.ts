import type { ModelSource } from '../modelSource';
import { appConfigFor, CATALOGUE, modelId, recordOf, type Precision } from './catalogue';

export interface CachedModel {
  id: string;
  bytes: number;
}

/** Bytes this browser's Cache Storage holds under a URL prefix (WebLLM keeps a cache per kind of file). */
async function cachedBytes(prefix: string): Promise<number> {
  let total = 0;
  for (const name of await caches.keys()) {
    if (!name.startsWith('webllm')) continue;
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      if (!req.url.startsWith(prefix)) continue;
      const res = await cache.match(req);
      const len = Number(res?.headers.get('content-length'));
      total += Number.isFinite(len) && len > 0 ? len : ((await res?.blob())?.size ?? 0);
    }
  }
  return total;
}

/** The catalogue's models that WebLLM has (fully or partly) downloaded, with their sizes. */
export async function listCachedModels(source: ModelSource): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  for (const e of CATALOGUE) {
    for (const p of ['q4f16_1', 'q4f32_1'] as Precision[]) {
      const id = modelId(e.family, p);
      if (!recordOf(id)) continue;
      const cfg = appConfigFor([id], source);
      const { hasModelInCache } = await import('@mlc-ai/web-llm');
      if (await hasModelInCache(id, cfg)) out.push({ id, bytes: await cachedBytes(cfg.model_list[0]!.model) });
    }
  }
  return out;
}

export async function deleteCachedModel(id: string, source: ModelSource): Promise<void> {
  const { deleteModelAllInfoInCache } = await import('@mlc-ai/web-llm');
  await deleteModelAllInfoInCache(id, appConfigFor([id], source));
}
