import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/lib/i18n/en';
import { browserLocale, format, translate, translatePlural } from '../../src/lib/i18n/i18n.svelte';
import { zh } from '../../src/lib/i18n/zh';

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? svelteFiles(p) : p.endsWith('.svelte') ? [p] : [];
  });
}

/** Text nodes of a template that hold letters (Latin or CJK) outside `{…}` expressions. */
function literalTexts(source: string): string[] {
  const ast = parse(source, { modern: true });
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; data?: string; name?: string };
    if (n.type === 'StyleDirective') return; // CSS values such as "{h}px" are not UI text
    if (n.type === 'Text' && /[A-Za-z\u4e00-\u9fff]/.test(n.data ?? '')) found.push(n.data!.trim());
    if (n.type === 'Attribute') {
      const a = node as { name: string; value: unknown };
      // Visible attribute text must come from the catalogues too.
      if (['placeholder', 'title', 'aria-label', 'alt'].includes(a.name) && Array.isArray(a.value)) {
        for (const v of a.value as { type: string; data?: string }[]) if (v.type === 'Text' && /[A-Za-z\u4e00-\u9fff]/.test(v.data ?? '')) found.push(`${a.name}="${v.data}"`);
      }
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'instance' || k === 'module' || k === 'css') continue;
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') walk(v);
    }
  };
  walk(ast.fragment);
  return found;
}

describe('UI languages', () => {
  it('has the same keys and placeholders in English and Chinese', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(vars(zh[k]), k).toEqual(vars(en[k]));
  });

  it('has no hard-coded UI text in components', () => {
    const root = new URL('../../src', import.meta.url).pathname;
    const offenders = svelteFiles(root).flatMap((f) => literalTexts(readFileSync(f, 'utf8')).map((t) => `${f}: ${t}`));
    expect(offenders).toEqual([]);
  });

  it('the check above finds hard-coded text when there is some', () => {
    expect(literalTexts('<p>Hello</p><input placeholder="Search" /><p>{t("x")}</p><b>你好</b>')).toEqual(['Hello', 'placeholder="Search"', '你好']);
  });

  it('counts in each language: one and other forms in English, one form in Chinese, numbers grouped', () => {
    expect(translatePlural('en', 'seeds.deleted', 1)).toBe('1 seed deleted.');
    expect(translatePlural('en', 'seeds.deleted', 0)).toBe('0 seeds deleted.');
    expect(translatePlural('en', 'seeds.deleted', 12345)).toBe('12,345 seeds deleted.');
    expect(translatePlural('zh', 'seeds.deleted', 1)).toBe('已删除 1 条种子。');
    expect(translatePlural('zh', 'seeds.deleted', 2)).toBe('已删除 2 条种子。');
  });

  it('every plural phrase has both its one and other forms, with the count in each', () => {
    for (const cat of [en, zh] as Record<string, string>[]) {
      for (const k of Object.keys(cat).filter((k) => k.endsWith('.one'))) {
        const base = k.slice(0, -'.one'.length);
        expect(cat[`${base}.other`], `${base}.other`).toBeDefined();
        expect(cat[k], k).toContain('{n}');
        expect(cat[`${base}.other`], `${base}.other`).toContain('{n}');
      }
    }
  });

  it('picks Chinese for any zh browser language and English otherwise', () => {
    expect(browserLocale(['zh-TW', 'en'])).toBe('zh');
    expect(browserLocale(['de-DE', 'en-GB'])).toBe('en');
    expect(browserLocale(['fr'])).toBe('en');
    expect(translate('zh', 'seeds.deleted.other', { n: 3 })).toBe('已删除 3 条种子。');
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});

describe('message keys built at run time', () => {
  it('every operation, parameter, evolution weight and run status has a message in both languages', async () => {
    const { PRESETS, StepSchema } = await import('../../src/lib/pipeline/recipe');
    const { EVOL_OPS } = await import('../../src/lib/pipeline/operators/evolve');
    const keys: string[] = [];
    for (const op of ['selfInstruct', 'evolve', 'respond', 'critique', 'bestOfN', 'judge', 'reward', 'filter', 'dedup']) {
      keys.push(`op.${op}`);
      for (const field of Object.keys(StepSchema.parse({ op }))) if (field !== 'op') keys.push(`param.${field}`);
    }
    for (const w of EVOL_OPS) keys.push(`op.evol.${w}`);
    for (const p of Object.keys(PRESETS)) keys.push(`preset.${p}`);
    for (const s of ['running', 'paused', 'done', 'failed', 'cancelled']) keys.push(`runStatus.${s}`);
    const missing = keys.filter((k) => !(k in en) || !(k in zh));
    expect(missing).toEqual([]);
  });
});
