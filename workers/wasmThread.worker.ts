// One thread of the WebAssembly dedup kernel's pool (src/lib/dedup/wasmPool.ts starts it).
import * as Comlink from 'comlink';
import { createWasmThreadApi } from '../src/lib/dedup/wasmThread';

Comlink.expose(createWasmThreadApi());
