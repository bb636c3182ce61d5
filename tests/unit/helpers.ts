import type { ParseEvent } from '../../src/lib/io/types';
import { validateRecipe, type Recipe, type RecipeInput } from '../../src/lib/pipeline/recipe';

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The text cut into chunks of the given sizes (cycled), to exercise chunk boundaries. */
export async function* chunked(text: string, sizes: number[] = [text.length || 1]): AsyncGenerator<string> {
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]!);
    yield text.slice(i, i + n);
    i += n;
  }
}

export const rows = (evs: ParseEvent[]) => evs.filter((e) => e.kind === 'row').map((e) => (e.kind === 'row' ? [e.line, e.record] : null));
export const issues = (evs: ParseEvent[]) => evs.filter((e) => e.kind === 'issue').map((e) => (e.kind === 'issue' ? [e.line, e.code] : null));

/** A recipe with its defaults filled in; a test's invalid recipe fails loudly with every problem. */
export function recipeOf(r: RecipeInput): Recipe {
  const v = validateRecipe(r);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.recipe;
}
