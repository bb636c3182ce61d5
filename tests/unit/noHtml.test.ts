import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';

/**
 * Untrusted text (seeds, model outputs) must reach the page as text. Svelte escapes everything
 * except `{@html}`, so the one component allowed to use it is Markdown.svelte, whose input has
 * passed DOMPurify (src/lib/text/markdown.ts). Any other `{@html}`, or an HTML sink in script code,
 * is a way around that and fails here.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const ALLOWED_HTML = ['src/ui/common/Markdown.svelte'];

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(n) ? [p] : [];
  });
}

/** The `{@html …}` tags of a component, found in its syntax tree (comments and strings do not count). */
function htmlTags(source: string): number {
  let n = 0;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if ((node as { type?: string }).type === 'HtmlTag') n++;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'instance' || k === 'module' || k === 'css') continue;
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') walk(v);
    }
  };
  walk(parse(source, { modern: true }).fragment);
  return n;
}

/** DOM calls that parse a string as HTML. */
const SINKS = /\.(?:inner|outer)HTML\s*\+?=|\.insertAdjacentHTML\s*\(|\bdocument\.write(?:ln)?\s*\(|\.createContextualFragment\s*\(|\.setHTMLUnsafe\s*\(|\bsrcdoc\b/;

describe('untrusted text reaches the page as text', () => {
  // Reads every component (over a second here, more on a loaded two-core machine).
  it('no component other than Markdown.svelte uses {@html}', () => {
    const used = files(join(ROOT, 'src'), /\.svelte$/)
      .map((f) => relative(ROOT, f))
      .filter((f) => htmlTags(readFileSync(join(ROOT, f), 'utf8')) > 0 || /\{\s*@html\b/.test(readFileSync(join(ROOT, f), 'utf8').replace(/<!--[\s\S]*?-->/g, '')));
    expect(used).toEqual(ALLOWED_HTML);
  }, 120_000);

  it('no script code parses strings as HTML (innerHTML, insertAdjacentHTML, document.write, srcdoc)', () => {
    const offenders = [...files(join(ROOT, 'src'), /\.(ts|svelte)$/), ...files(join(ROOT, 'workers'), /\.ts$/)]
      .map((f) => relative(ROOT, f))
      .filter((f) => SINKS.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the checks find what they look for', () => {
    expect(htmlTags('<p>{x}</p><!-- {@html y} -->')).toBe(0);
    expect(htmlTags('<div>{@html y}</div>{#if a}{@html  z}{/if}')).toBe(2);
    expect(SINKS.test('el.innerHTML = s')).toBe(true);
    expect(SINKS.test('el.insertAdjacentHTML("beforeend", s)')).toBe(true);
    expect(SINKS.test('el.textContent = s')).toBe(false);
  });
});
