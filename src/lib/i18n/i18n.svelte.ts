import { en, type MessageKey } from './en';
import { zh } from './zh';

export type Locale = 'en' | 'zh';
export const LOCALES: Locale[] = ['en', 'zh'];
const catalogues: Record<Locale, Record<MessageKey, string>> = { en, zh };

/** The browser's preferred UI language among ours: any zh-* is Chinese, everything else English. */
export function browserLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/** Fills `{name}` placeholders. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  // A key built at run time that the catalogue lacks shows as the key, never as "undefined".
  return format(catalogues[locale][key] ?? key, params);
}

/** The BCP 47 tag of a UI language, for Intl and toLocaleString. */
export function localeTag(locale: Locale): string {
  return locale === 'zh' ? 'zh-CN' : 'en-US';
}

/** Keys that have plural forms: `x.one` and `x.other` both exist; `pluralKey` names them by `x`. */
type PluralBase<K extends string, All extends string> = K extends `${infer B}.one` ? (`${B}.other` extends All ? B : never) : never;
export type PluralKey = PluralBase<MessageKey, MessageKey>;

const pluralRules = new Map<Locale, Intl.PluralRules>();

/**
 * A counted phrase in the UI language: picks `key.one` / `key.other` (and `key.zero`, `key.few`,
 * … where a catalogue has them) by `Intl.PluralRules`, and fills `{n}` with the number in the
 * language's grouping. English "1 seed" / "2 seeds"; Chinese has one form ("1 条种子").
 */
export function translatePlural(locale: Locale, key: PluralKey, n: number, params?: Record<string, string | number>): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(localeTag(locale))));
  const forms = catalogues[locale] as Record<string, string>;
  const exact = `${key}.${rules.select(n)}`;
  const chosen = exact in forms ? exact : `${key}.other`;
  return format(forms[chosen] ?? chosen, { n: n.toLocaleString(localeTag(locale)), ...params });
}

/** Sets `<html lang>` so that screen readers and fonts pick the right language. */
export function applyDocumentLocale(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = localeTag(locale);
}

/** The UI language. Components read `t` through context; switching re-renders every string. */
export class I18n {
  #locale = $state<Locale>('en');

  constructor(locale: Locale) {
    this.#locale = locale;
    applyDocumentLocale(locale);
  }

  get locale(): Locale {
    return this.#locale;
  }

  set locale(l: Locale) {
    this.#locale = l;
    applyDocumentLocale(l);
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => translate(this.#locale, key, params);

  /** A counted phrase: `p('seeds.count', 3)` → "3 seeds" (see translatePlural). */
  p = (key: PluralKey, n: number, params?: Record<string, string | number>): string =>
    translatePlural(this.#locale, key, n, params);

  /** The UI language as a BCP 47 tag, for Intl and toLocaleString. */
  get tag(): string {
    return localeTag(this.#locale);
  }

  /** Numbers in the UI language's grouping. */
  n = (x: number): string => x.toLocaleString(this.tag);
}
