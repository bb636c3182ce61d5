// Compiles src/lib/embed/encoder/encoder.c into the committed encoder.wasm (npm run
// build:encoder-wasm), and records the source's sha256 in encoder.c.sha256. Needs clang and wasm-ld with the wasm32 target (Debian: apt-get install
// clang-16 lld-16); nothing else builds it, so CI and users never need a C compiler.
// Standard WebAssembly SIMD only (no relaxed SIMD): every browser with wasm SIMD runs it, and
// every CPU computes the same numbers.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'lib', 'embed', 'encoder');
const clang = process.env.CLANG ?? ['clang-16', 'clang'].find((c) => {
  try {
    execFileSync(c, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!clang) throw new Error('No clang found: install clang-16 and lld-16 (apt-get install -y clang-16 lld-16) or set CLANG.');
const lld = existsSync('/usr/bin/wasm-ld-16') ? ['-fuse-ld=/usr/bin/wasm-ld-16'] : [];
execFileSync(clang, [
  '--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-fno-math-errno', ...lld,
  '-Wl,--no-entry', '-Wl,--export-dynamic', '-Wl,--initial-memory=1048576', '-Wl,--max-memory=2147483648', '-Wl,--stack-first', '-Wl,-z,stack-size=65536',
  '-o', join(dir, 'encoder.wasm'), join(dir, 'encoder.c'),
], { stdio: 'inherit' });
// The source's hash beside the binary: a unit test fails when encoder.c changes without a rebuild.
const sha = (f) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
writeFileSync(join(dir, 'encoder.c.sha256'), `${sha('encoder.c')}  encoder.c\n${sha('encoder.wasm')}  encoder.wasm\n`);
console.log('wrote src/lib/embed/encoder/encoder.wasm and encoder.c.sha256');
