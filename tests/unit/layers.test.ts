import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The storage layer's import boundary (issue 18 item 16): src/lib/db holds the schema and the
 * repositories, so it may depend on the rooms above it (engines, pipeline, state, ui) only for
 * their shape, never for their code. Allowed: anything outside those rooms, and a type-only import
 * (`import type`, `import('…').T`) of a shared types module (a file named types.ts). Everything
 * else is a violation; the few left from before are pinned below by name so that the list can
 * only shrink (an entry that no longer occurs fails too).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dbDir = join(root, 'src/lib/db');
const UPPER = ['engines', 'pipeline', 'state', 'ui'];

/** Violations that predate the test, as `file → module`: move their types into a types.ts, then delete the line. */
const KNOWN = new Set<string>([
  'runsRepo.ts → lib/pipeline/budget',
  'runsRepo.ts → lib/pipeline/types (runtime)',
  'settingsRepo.ts → lib/engines/modelSource',
  'settingsRepo.ts → lib/engines/roles',
  'types.ts → lib/pipeline/budget',
  'types.ts → lib/pipeline/judgeParse',
  'types.ts → lib/pipeline/recipe',
  'types.ts → lib/engines/roles',
]);

interface Edge {
  file: string;
  /** The target, relative to src/ without extension: 'lib/engines/types'. */
  target: string;
  typeOnly: boolean;
}

/** Every static import, re-export and `import('…')` type of one file. */
function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  const from = (spec: string): string | null => {
    if (!spec.startsWith('.')) return null;
    return posix.normalize(relative(join(root, 'src'), resolve(dirname(file), spec))).replace(/\.(m?js|ts)$/, '');
  };
  const name = relative(dbDir, file);
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gms)) {
    const target = from(m[4]!);
    if (!target) continue;
    // `import { type A, type B }` is type-only too when every name is marked.
    const names = /\{([^}]*)\}/.exec(m[3]!)?.[1]?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    const allMarked = names.length > 0 && !/^[^{]*\w[^{]*\{/.test(m[3]!) && names.every((n) => n.startsWith('type '));
    edges.push({ file: name, target, typeOnly: !!m[2] || allMarked });
  }
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)\s*\.\s*\w+/g)) {
    const target = from(m[1]!);
    if (target) edges.push({ file: name, target, typeOnly: true });
  }
  for (const m of text.matchAll(/\bawait\s+import\(\s*'([^']+)'\s*\)/g)) {
    const target = from(m[1]!);
    if (target) edges.push({ file: name, target, typeOnly: false });
  }
  return edges;
}

function violations(): string[] {
  const out = new Set<string>();
  for (const f of readdirSync(dbDir).filter((n) => n.endsWith('.ts'))) {
    const file = join(dbDir, f);
    for (const e of importsOf(file, readFileSync(file, 'utf8'))) {
      const room = /^lib\/([^/]+)\//.exec(e.target)?.[1];
      if (!room || !UPPER.includes(room)) continue;
      const sharedTypes = e.target.endsWith('/types');
      if (sharedTypes && e.typeOnly) continue;
      out.add(sharedTypes ? `${e.file} → ${e.target} (runtime)` : `${e.file} → ${e.target}`);
    }
  }
  return [...out].sort();
}

describe('layers: src/lib/db depends on the rooms above it for types only', () => {
  it('finds no new violation, and every pinned one still exists (the list only shrinks)', () => {
    const found = violations();
    expect(found.filter((v) => !KNOWN.has(v)), 'new imports from engines/pipeline/state/ui into db').toEqual([]);
    expect([...KNOWN].filter((v) => !found.includes(v)), 'fixed: delete these from KNOWN').toEqual([]);
  });

  it('reads the import forms it is meant to catch', () => {
    const file = join(dbDir, 'x.ts');
    const edges = importsOf(
      file,
      [
        "import type { A } from '../engines/types';",
        "import { b, type C } from '../pipeline/run';",
        "import { type D } from '../state/x.svelte';",
        "export { e } from './local';",
        "export type F = import('../engines/remote/remoteEngine').EndpointConfig;",
        "import Dexie from 'dexie';",
      ].join('\n'),
    );
    expect(edges).toEqual([
      { file: 'x.ts', target: 'lib/engines/types', typeOnly: true },
      { file: 'x.ts', target: 'lib/pipeline/run', typeOnly: false },
      { file: 'x.ts', target: 'lib/state/x.svelte', typeOnly: true },
      { file: 'x.ts', target: 'lib/db/local', typeOnly: false },
      { file: 'x.ts', target: 'lib/engines/remote/remoteEngine', typeOnly: true },
    ]);
  });
});
