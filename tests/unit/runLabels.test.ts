import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/lib/i18n/en';
import { translate, type Locale } from '../../src/lib/i18n/i18n.svelte';
import { hasLabel, judgeWhyLabel, opLabel, reasonFix, reasonLabel, templateLabel } from '../../src/lib/i18n/labels';
import { zh } from '../../src/lib/i18n/zh';
import { EVOL_OPS } from '../../src/lib/pipeline/operators/evolve';
import { TEMPLATES } from '../../src/lib/pipeline/templates';

/**
 * Every id the pipeline can write is read from its source, not listed by hand: a new operation,
 * call step or rejection reason without words in both languages fails here.
 */
const PIPELINE = 'src/lib/pipeline';
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const sources = tsFiles(PIPELINE).map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
const all = sources.map((s) => s.text).join('\n');
const literals = (re: RegExp, text = all) => [...text.matchAll(re)].map((m) => m[1]!);
/** The string literals a function returns (the body up to the next top-level declaration). */
function returnsOf(fn: string): string[] {
  const start = all.indexOf(`export function ${fn}(`);
  expect(start, fn).toBeGreaterThanOrEqual(0);
  const body = all.slice(start, all.indexOf('\n}\n', start));
  return literals(/return '([A-Za-z]+)'/g, body);
}
/** Expands `prefix${x}` ids: x from the given values. */
const expand = (prefix: string, values: string[]) => values.map((v) => `${prefix}${v}`);

function reasonIds(): string[] {
  const ids = new Set<string>();
  // reject(cand, 'x'), rejectReason: 'x', reason: 'x', reason = 'x', and both arms of a reason's ternary.
  for (const line of all.split('\n')) {
    if (!/reject|reason/i.test(line)) continue;
    for (const id of literals(/'((?:[a-zA-Z]+:)?[a-zA-Z]+)'/g, line)) if (/^(?:judgeFailed|lowScore|contextOverflow|noResponse|[a-zA-Z]+:[a-zA-Z]+)$/.test(id)) ids.add(id);
  }
  // Templated reasons.
  expect(all).toContain('`filter:${problem}`');
  for (const id of expand('filter:', [...returnsOf('responseProblem'), 'noResponse'])) ids.add(id);
  expect(all).toContain('`selfInstruct:${problem}`');
  for (const id of expand('selfInstruct:', returnsOf('instructionProblem'))) ids.add(id);
  // error:<Name>: one sentence for every error name; human:rejected from the samples repository.
  expect(all).toContain('`error:${err.name}`');
  for (const id of ['error:TypeError', 'error:EngineLoadError', 'human:rejected', 'unknown']) ids.add(id);
  ids.delete('noResponse'); // only ever written as filter:noResponse
  // Evolution's reasons: the EliminationReason union.
  const union = /export type EliminationReason = ([^;]+);/.exec(all);
  expect(union).not.toBeNull();
  for (const id of literals(/'([^']+)'/g, union![1])) ids.add(id);
  return [...ids].filter((id) => !/^evol:(?:addConstraint|deepen|concretize|increaseReasoning|complicateInput|breadth)$/.test(id) && !/^bestOfN:respond$/.test(id) && !id.startsWith('selfInstruct:instance'));
}

function opIds(): string[] {
  const ids = new Set<string>();
  // ctx.call('<op>', …) and respond(…, '<op>') and the respond operator's default op.
  for (const id of literals(/ctx\.call\('([^']+)'/g)) ids.add(id);
  for (const id of literals(/respond\([^)]*'([^']+)'\)/g)) ids.add(id);
  for (const id of literals(/op = '([^']+)'/g)) ids.add(id);
  // `evol:${op}` for every evolution, as a sample's operation and as a call's step.
  expect(all).toContain('`evol:${op}`');
  for (const id of expand('evol:', EVOL_OPS)) ids.add(id);
  // A sample's operation: literals set on candidates, answeredBy's ops, and a failed item's first step.
  for (const id of literals(/operation: '([^']+)'/g)) ids.add(id);
  for (const id of literals(/answeredBy\([^,]+, '([^']+)'\)/g)) ids.add(id);
  for (const id of literals(/op: z\.literal\('([^']+)'\)/g)) ids.add(id);
  return [...ids];
}

const catalogues: Record<Locale, Record<string, string>> = { en, zh };

describe('internal ids in words', () => {
  it('finds the ids in the pipeline source (the scan itself works)', () => {
    const reasons = reasonIds();
    for (const id of ['judgeFailed', 'lowScore', 'contextOverflow', 'filter:refusal', 'filter:noResponse', 'selfInstruct:similar', 'selfInstruct:tooShort', 'evol:noGain', 'bestOfN:notSelected']) expect(reasons).toContain(id);
    const ops = opIds();
    for (const id of ['selfInstruct', 'evol:increaseReasoning', 'evol:equal', 'evol:response', 'respond', 'bestOfN:respond', 'critique', 'revise', 'judge', 'seed', 'evolve']) expect(ops).toContain(id);
    expect(Object.keys(TEMPLATES)).toContain('evol.depth');
  });

  it('every rejection reason, operation and template the pipeline emits has words and a fix in both languages', () => {
    const missing: string[] = [];
    for (const id of reasonIds()) if (!hasLabel('reason', id)) missing.push(`reason ${id}`);
    for (const id of opIds()) if (!hasLabel('op', id)) missing.push(`op ${id}`);
    for (const id of Object.keys(TEMPLATES)) if (!hasLabel('template', id)) missing.push(`template ${id}`);
    expect(missing).toEqual([]);
    // run.zh.ts is typed against run.en.ts, but check the spread reached both catalogues.
    const labelKeys = Object.keys(en).filter((k) => k.startsWith('label.'));
    expect(labelKeys.length).toBeGreaterThan(60);
    for (const k of labelKeys) expect(zh[k as keyof typeof zh], k).toBeTruthy();
  });

  it('labels are words, not the id, in both languages; unknown ids show as themselves', () => {
    for (const locale of ['en', 'zh'] as Locale[]) {
      const i18n = { t: (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate(locale, k, p) };
      for (const id of ['judgeFailed', 'evol:increaseReasoning', 'error:TypeError']) {
        const words = id.includes(':') && !id.startsWith('error') ? opLabel(i18n, id) : reasonLabel(i18n, id);
        expect(words).not.toContain(id);
      }
      expect(templateLabel(i18n, 'evol.depth')).not.toContain('evol.depth');
      expect(templateLabel(i18n, 'selfInstruct.generate')).not.toContain('selfInstruct');
      expect(reasonLabel(i18n, 'error:QuotaExceededError')).toContain('QuotaExceededError');
      expect(reasonFix(i18n, 'judgeFailed')).toBeTruthy();
      expect(opLabel(i18n, 'someFutureOp')).toBe('someFutureOp');
      if (locale === 'zh') expect(reasonLabel(i18n, 'judgeFailed')).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(catalogues.en['label.reason.judgeFailed']).toBe("The judge's reply had no readable score");
  });

  it("every reason judgeParse gives has words in both languages", () => {
    const text = readFileSync('src/lib/pipeline/judgeParse.ts', 'utf8');
    const whys = [...literals(/why: '([^']+)'/g, text), ...literals(/why: `([^$`]+)\$\{/g, text).map((p) => `${p}7`)];
    expect(whys.length).toBeGreaterThanOrEqual(7);
    for (const locale of ['en', 'zh'] as Locale[]) {
      const i18n = { t: (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate(locale, k, p) };
      for (const why of whys) {
        const words = judgeWhyLabel(i18n, why);
        if (locale === 'zh') expect(words, why).toMatch(/[\u4e00-\u9fff]/);
        else expect(words, why).toMatch(/^[a-z]/);
      }
    }
  });
});
