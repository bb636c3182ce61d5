#!/usr/bin/env node
// @ts-check
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npx seedforge …`: starts the command-line runner, dist-cli/seedforge.mjs (built from
 * src/cli/main.ts by vite.cli.config.ts). From a clean clone there is no build yet, and in a
 * working copy the sources may be newer than the build: either way it is built first, with Vite's
 * build() API. Two processes may start at once (a script launching several, parallel tests): each
 * builds into a folder of its own and renames the finished file into place — a rename replaces
 * the file whole, so no process ever loads half a build.
 */

const root = dirname(dirname(realpathSync(fileURLToPath(import.meta.url))));
const outDir = join(root, 'dist-cli');
const out = join(outDir, 'seedforge.mjs');

/** The newest modification time under a folder (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Whether the build is missing, or older than the sources it is built from (a working copy). */
function stale() {
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return newest(join(root, 'src')) > built || statSync(join(root, 'vite.cli.config.ts')).mtimeMs > built;
}

async function build() {
  const tmp = join(root, `.dist-cli-${process.pid}-${Date.now()}`);
  try {
    const { build: viteBuild } = await import('vite');
    // Silent: stdout is the CLI's (a --json reader must see JSON lines only); a failure is thrown.
    await viteBuild({ configFile: join(root, 'vite.cli.config.ts'), root, logLevel: 'silent', build: { outDir: tmp, emptyOutDir: true } });
    mkdirSync(outDir, { recursive: true });
    renameSync(join(tmp, 'seedforge.mjs.map'), `${out}.map`);
    renameSync(join(tmp, 'seedforge.mjs'), out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  if (process.env.SEEDFORGE_REBUILD === '1' || stale()) await build();
} catch (e) {
  process.stderr.write(`seedforge: building the command-line runner failed: ${/** @type {Error} */ (e).message}\nRun \`npm ci\` in ${root}, then \`npm run build:cli\` to see the whole error.\n`);
  process.exit(1);
}
const { main } = await import(pathToFileURL(out).href);
process.exit(await main(process.argv.slice(2)));
