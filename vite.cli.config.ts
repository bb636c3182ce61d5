import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

/**
 * The command-line runner (`npx seedforge …`, issue 15): src/cli/main.ts built for Node 20 into
 * one file, dist-cli/seedforge.mjs, that bin/seedforge.mjs starts. The shared code (pipeline,
 * importers, exporters, dedup, engines' protocol) is bundled in from src/lib as it is; Node's
 * builtins and every package dependency stay external, loaded from node_modules at run time —
 * better-sqlite3 and node-llama-cpp are native addons that a bundle cannot hold.
 */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
const packages = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})];
const external = (id: string): boolean => id.startsWith('node:') || builtinModules.includes(id) || packages.some((p) => id === p || id.startsWith(`${p}/`));

export default defineConfig({
  // The app's public/ folder has nothing the CLI reads; copying it would put the models in dist-cli.
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      external,
      // One file: the bin runs it by path, and two builds replace it with one rename.
      output: { format: 'es', entryFileNames: 'seedforge.mjs', codeSplitting: false },
    },
  },
  ssr: { target: 'node', external: packages },
});
