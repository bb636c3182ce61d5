/**
 * `npm start`: builds the app and serves it the way a static host would (vite preview, with the
 * cross-origin isolation and security headers from vite.config.ts), then says in one line where
 * it runs and how to stop it.
 *
 * The build runs at log level "warn": the per-file size table and timing notes are for whoever
 * tunes the bundle (`npm run build` still prints them), while warnings and errors stay visible.
 * A failed build stops here with its error and a non-zero exit code.
 */
import { readFileSync } from 'node:fs';

// npm does not check "engines" for `npm start`, and .npmrc's loglevel=error would hide its warning
// anyway: say plainly which Node is needed before Vite fails on an old one with an obscure error.
const need = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines?.node ?? '';
const min = /^>=\s*(\d+)(?:\.(\d+))?/.exec(need);
if (min) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [wantMajor, wantMinor] = [Number(min[1]), Number(min[2] ?? 0)];
  if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
    console.error(`Seedforge needs Node ${need} (package.json "engines"); this is Node ${process.versions.node}. Install a newer Node and run npm start again.`);
    process.exit(1);
  }
}

const { build, preview } = await import('vite');

const port = Number(process.env.PORT ?? 4173);
// SEEDFORGE_DIST: another build folder (the e2e suite's convention), so that a test of `npm start` does not replace dist/.
const outDir = process.env.SEEDFORGE_DIST ?? 'dist';

try {
  await build({ logLevel: 'warn', build: { outDir } });
} catch (e) {
  // Vite has already printed the error with its file and line; add what to do.
  console.error(`\nThe build failed (above), so Seedforge was not started. Fix the error and run npm start again.`);
  process.exit(1);
}

// strictPort: false — when 4173 is taken, the next free port is used and the line below says which.
const server = await preview({ logLevel: 'warn', build: { outDir }, preview: { port, strictPort: false } });
const url = server.resolvedUrls?.local[0] ?? `http://localhost:${port}/`;
console.log(`Seedforge is running at ${url} — press Ctrl+C to stop`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.httpServer.close(() => process.exit(0));
    // An open keep-alive connection can hold close() back: do not make the user press Ctrl+C twice.
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
