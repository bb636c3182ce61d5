/**
 * English words for a part that could not run here and what ran instead (lib/fallback.ts), and for
 * download figures that are estimates rather than counts.
 */
export const fallbacksEn = {
  'fallback.encoder': "Running on onnxruntime-web instead of Seedforge's encoder (slower), because: {reason}",
  'fallback.gpu': 'Running on WebAssembly (the CPU) instead of WebGPU, because: {reason}',
  'fallback.kernel': 'Comparing with the JavaScript kernel instead of the WebAssembly one (slower), because: {reason}',
  'load.downloadEstimated': 'Downloading ≈{done} of ≈{total} MB at ≈{speed} MB/s, about {eta} s left (estimated from the share done and the model’s listed size)',
} as const;
