// onnxruntime-web's WebAssembly runtime as files this app serves (Vite emits them into the build;
// the dev server serves them from node_modules). transformers.js would otherwise fetch them from
// cdn.jsdelivr.net, which breaks offline use and leaks that the app is running. transformers.js
// v4 uses the "asyncify" build of onnxruntime-web (WebGPU and WASM in one binary).
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

/** Absolute URLs of the runtime files, resolved against `base` (the worker's own URL). */
export function ortWasmPaths(base: string): { mjs: string; wasm: string } {
  return { mjs: new URL(ortMjs, base).href, wasm: new URL(ortWasm, base).href };
}
