// Compiles src/lib/dedup/screenKernel.wat into the two committed modules (npm run build:dedup-wasm):
//   screenKernel.shared.wasm    imports a shared memory (threads, needs cross-origin isolation)
//   screenKernel.unshared.wasm  the same code importing an ordinary memory (one thread)
// With --check it writes nothing and exits 1 when a committed file differs from what the .wat
// gives (tests/unit/dedupWasm.test.ts runs that).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'lib', 'dedup');
const wat = readFileSync(join(dir, 'screenKernel.wat'), 'utf8');
const wabt = await wabtInit();
const features = { simd: true, threads: true, relaxed_simd: false };

function compile(text) {
  const m = wabt.parseWat('screenKernel.wat', text, features);
  m.validate(features);
  const { buffer } = m.toBinary({ canonicalize_lebs: true });
  m.destroy();
  return Buffer.from(buffer);
}

// The only difference between the two: the memory import's `shared` flag.
const unsharedText = wat.replace('(memory 1 65536 shared)', '(memory 1 65536)');
if (unsharedText === wat) throw new Error('screenKernel.wat: the shared memory import was not found');
const outputs = { 'screenKernel.shared.wasm': compile(wat), 'screenKernel.unshared.wasm': compile(unsharedText) };

const check = process.argv.includes('--check');
let stale = 0;
for (const [name, bytes] of Object.entries(outputs)) {
  const path = join(dir, name);
  if (check) {
    if (!existsSync(path) || !readFileSync(path).equals(bytes)) {
      console.error(`${name} does not match screenKernel.wat: run npm run build:dedup-wasm`);
      stale++;
    }
  } else {
    writeFileSync(path, bytes);
    console.log(`${name}: ${bytes.length} bytes`);
  }
}
process.exit(stale ? 1 : 0);
