// Compiles src/lib/embed/encoder/encoder.c into the committed encoder.wasm (npm run
// build:encoder-wasm) and records, in encoder.c.sha256, the source's and the binary's sha256 and
// the compiler that made it. With --check it writes nothing: it compiles into a temporary file and
// exits 1 when the committed encoder.wasm differs byte for byte (the unit tests run it, so CI
// rebuilds the binary every time, as it does the dedup kernel's .wat).
//
// Reproducible: Debian 12's clang-16 and lld-16 (apt-get install -y clang-16 lld-16; the test
// set-up installs them), the flags below and nothing from the environment; the same compiler
// version gives the same bytes (checked: 16.0.6-15~deb12u1 rebuilt the committed file exactly).
// Another clang is refused unless CLANG is set, and --check then names both versions.
// Standard WebAssembly SIMD only (no relaxed SIMD): every browser with wasm SIMD runs it, and
// every CPU computes the same numbers.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'lib', 'embed', 'encoder');
const check = process.argv.includes('--check');
/** The compiler the committed binary was made with (its `--version` first line). */
const RECORDED = 'Debian clang version 16.0.6 (15~deb12u1)';
const FLAGS = [
  '--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-fno-math-errno',
  '-Wl,--no-entry', '-Wl,--export-dynamic', '-Wl,--initial-memory=1048576', '-Wl,--max-memory=2147483648', '-Wl,--stack-first', '-Wl,-z,stack-size=65536',
];

const versionOf = (c) => {
  try {
    return execFileSync(c, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return null;
  }
};
const clang = process.env.CLANG ?? (versionOf('clang-16') ? 'clang-16' : null);
if (!clang) {
  console.error('No clang-16 found: install clang-16 and lld-16 (apt-get install -y clang-16 lld-16; scripts/setup-and-test.sh does it as root), or set CLANG to another clang.');
  process.exit(1);
}
const version = versionOf(clang);
const lld = existsSync('/usr/bin/wasm-ld-16') ? ['-fuse-ld=/usr/bin/wasm-ld-16'] : [];

const tmp = mkdtempSync(join(tmpdir(), 'seedforge-encoder-'));
const out = check ? join(tmp, 'encoder.wasm') : join(dir, 'encoder.wasm');
try {
  execFileSync(clang, [...FLAGS, ...lld, '-o', out, join(dir, 'encoder.c')], { stdio: 'inherit' });
  const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
  if (check) {
    const built = readFileSync(out);
    const committed = readFileSync(join(dir, 'encoder.wasm'));
    if (!built.equals(committed)) {
      console.error(`encoder.wasm is not what encoder.c compiles to: built ${sha(built)} with "${version}", committed ${sha(committed)} made with "${RECORDED}". Run npm run build:encoder-wasm with that compiler and commit the result.`);
      process.exitCode = 1; // not process.exit: the temporary folder is removed below first
    } else console.log(`encoder.wasm is the build of encoder.c (${version})`);
  } else {
    // The hashes and the compiler beside the binary: a unit test fails when encoder.c changes
    // without a rebuild, and the record says which compiler reproduces the bytes.
    const file = (f) => sha(readFileSync(join(dir, f)));
    writeFileSync(join(dir, 'encoder.c.sha256'), `${file('encoder.c')}  encoder.c\n${file('encoder.wasm')}  encoder.wasm\n`);
    if (version !== RECORDED) console.warn(`Built with "${version}", not the recorded "${RECORDED}": update RECORDED in this script if this compiler is the new reference.`);
    console.log('wrote src/lib/embed/encoder/encoder.wasm and encoder.c.sha256');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
