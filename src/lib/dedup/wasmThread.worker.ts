// One thread of the WebAssembly dedup kernel's pool. Lives beside its module rather than in
// workers/ because the pool (wasmPool.ts) starts it; the logic is in wasmThread.ts.
import * as Comlink from 'comlink';
import { createWasmThreadApi } from './wasmThread';

Comlink.expose(createWasmThreadApi());
