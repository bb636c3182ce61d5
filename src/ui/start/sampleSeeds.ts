/** The sample seed files shipped with the app (public/samples/), one per UI language. */
export const SAMPLE_LANGS = ['en', 'zh'] as const;
export type SampleLang = (typeof SAMPLE_LANGS)[number];

export const sampleSeedPath = (lang: SampleLang) => `samples/seeds-${lang}.jsonl`;

/**
 * Reads a sample seed file as a File for the importer. Relative to the page (the app runs from
 * any sub-path), from the service worker's cache when offline.
 * @throws Error naming the HTTP status when the file is not served.
 */
export async function sampleSeedFile(lang: SampleLang, base: string, fetchFn: typeof fetch = fetch): Promise<File> {
  const url = new URL(sampleSeedPath(lang), base);
  const res = await fetchFn(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new File([await res.blob()], `seeds-${lang}.jsonl`, { type: 'application/jsonl' });
}
