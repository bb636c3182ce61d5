/**
 * Bytes of a WebLLM download from its progress report. WebLLM gives a fraction and a sentence;
 * while it fetches weights the sentence carries its own byte count ("Fetching param
 * cache[3/24]: 312MB fetched. 14% completed, …", or "…MB loaded." from its cache; web-llm's
 * fetchTensorCacheInternal, counted to the MB, the fraction being those bytes / the weights' total
 * bytes): those are measured. Any other
 * report (the tokenizer, the wasm library) has only the fraction, and the bytes are that fraction
 * of the catalogue's size, an estimate the UI marks with ≈ (issue 18).
 * @param sizeEstimate the model's download size in bytes from the catalogue.
 */
export function webllmDownloadBytes(text: string, fraction: number, sizeEstimate: number): { loaded: number; total: number; estimated: boolean } {
  const m = /(\d+(?:\.\d+)?)\s*MB (?:fetched|loaded)/i.exec(text);
  if (m && fraction > 0) {
    const loaded = Number(m[1]) * 1048576;
    return { loaded, total: Math.max(loaded, Math.round(loaded / fraction)), estimated: false };
  }
  return { loaded: Math.round(fraction * sizeEstimate), total: sizeEstimate, estimated: true };
}
