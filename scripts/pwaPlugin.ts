import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/**
 * Files a user never needs offline, and files a host keeps for itself (Netlify's and Cloudflare
 * Pages' `_headers` / `_redirects` are configuration, not served: precaching them would fail the
 * install), and dotfiles.
 */
/**
 * Files kept offline only on first use or when the user asks (Settings → Available offline): the
 * bundled embedding model, a quarter of the build's bytes, which a first visit must not download
 * without asking (issue 18, item 7). Everything else — the shell and every wasm file — is
 * precached at once.
 */
const LAZY = /^models\//;

const SKIP = [/\.map$/, /^sw\.js$/, /^_(headers|redirects)$/, /(^|\/)\./];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Writes `sw.js` into the build: workers/sw.js with VERSION (a hash of every file's name and
 * revision), FILES (the precache list: [path relative to the app's base, revision] pairs) and
 * LAZY (the files kept on first use: [path, revision, bytes]) in front. Runs after the
 * bundle and public/ are written, so the list is exactly what a static host will serve.
 */
export function pwa(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'seedforge-pwa',
    apply: 'build',
    configResolved(c) {
      config = c;
    },
    closeBundle() {
      const out = resolve(config.root, config.build.outDir);
      const files = walk(out)
        .map((p) => relative(out, p).split(sep).join('/'))
        .filter((f) => !SKIP.some((r) => r.test(f)))
        .sort();
      // Each file's revision is the hash of its bytes: a new deploy's worker copies the files
      // whose revision an older cache holds and fetches only the others.
      const revised = files.map((f) => {
        const bytes = readFileSync(join(out, f));
        return [f, createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes.length] as const;
      });
      const hash = createHash('sha256');
      for (const [f, revision] of revised) hash.update(f).update('\0').update(revision);
      const version = hash.digest('hex').slice(0, 16);
      const list = revised.filter(([f]) => !LAZY.test(f)).map(([f, revision]) => [f, revision]);
      const lazy = revised.filter(([f]) => LAZY.test(f));
      const body = readFileSync(join(config.root, 'workers/sw.js'), 'utf8');
      writeFileSync(join(out, 'sw.js'), `const VERSION = ${JSON.stringify(version)};\nconst FILES = ${JSON.stringify(list)};\nconst LAZY = ${JSON.stringify(lazy)};\n${body}`);
      config.logger.info(`pwa: sw.js precaches ${list.length} files, ${lazy.length} more on first use (version ${version})`);
    },
  };
}
