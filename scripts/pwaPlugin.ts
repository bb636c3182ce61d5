import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/**
 * Files a user never needs offline, and files a host keeps for itself (Netlify's and Cloudflare
 * Pages' `_headers` / `_redirects` are configuration, not served: precaching them would fail the
 * install), and dotfiles.
 */
const SKIP = [/\.map$/, /^sw\.js$/, /^_(headers|redirects)$/, /(^|\/)\./];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Writes `sw.js` into the build: workers/sw.js with VERSION (a hash of every file's name and
 * bytes) and FILES (the precache list, relative to the app's base) in front. Runs after the
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
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update('\0').update(readFileSync(join(out, f)));
      const version = hash.digest('hex').slice(0, 16);
      const body = readFileSync(join(config.root, 'workers/sw.js'), 'utf8');
      const list = files;
      writeFileSync(join(out, 'sw.js'), `const VERSION = ${JSON.stringify(version)};\nconst FILES = ${JSON.stringify(list)};\n${body}`);
      config.logger.info(`pwa: sw.js precaches ${list.length} files (version ${version})`);
    },
  };
}
